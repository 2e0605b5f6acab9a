//! The Conflicts view's document, built on a worker from `analysis::conflicts` (the same
//! finder as `bramble conflicts`): pairs that cannot be installed together, grouped by
//! capability, each side with its origin; under each pair, both sides' requirement
//! chains — who pulls each side in, up to a few levels — with every package a link.
//! Enter on a pair opens its chains; Enter on a package opens its details.

use std::collections::BTreeMap;

use super::data::Catalog;
use super::doc::{Doc, Link, s};
use super::jobs::JobProgress;
use super::theme::Role;
use crate::analysis::conflicts::{ConflictKind, ConflictOptions, SortKey, find_conflicts};
use crate::model::package::{DepKind, PkgId};

/// How far up each side's chain of requirers is followed.
const CHAIN_DEPTH: usize = 4;

/// The first chain of requirers of `p`: who requires it, who requires that, ...
fn chain(cat: &Catalog, p: PkgId) -> (Vec<PkgId>, usize) {
    let mut out = vec![p];
    let direct = cat.rev.dependents(&cat.pool, p, DepKind::Requires).len();
    let mut cur = p;
    for _ in 0..CHAIN_DEPTH {
        let next = cat
            .rev
            .dependents(&cat.pool, cur, DepKind::Requires)
            .into_iter()
            .find(|q| !out.contains(q));
        match next {
            Some(q) => {
                out.push(q);
                cur = q;
            }
            None => break,
        }
    }
    (out, direct)
}

fn side_rows(d: &mut Doc, cat: &Catalog, p: PkgId, label: &str) {
    let (c, direct) = chain(cat, p);
    d.push(
        vec![
            s(format!("      {label} "), Role::Dim),
            s(cat.nevra(p), Role::Link),
            s(format!("  ({})", cat.repo_name(p)), Role::Dim),
            s(
                if direct == 0 {
                    "  nothing requires it: a root".to_string()
                } else {
                    format!("  required by {direct} package(s)")
                },
                Role::Dim,
            ),
        ],
        Some(Link::Package(p)),
    );
    for (i, q) in c.iter().enumerate().skip(1) {
        d.push(
            vec![
                s(format!("        {}← ", "  ".repeat(i - 1)), Role::Dim),
                s(cat.pool.name(*q), Role::Link),
                s(format!("  ({})", cat.repo_name(*q)), Role::Dim),
            ],
            Some(Link::Package(*q)),
        );
    }
}

fn kind_order(k: ConflictKind) -> u8 {
    match k {
        ConflictKind::Conflicts => 0,
        ConflictKind::Obsoletes => 1,
        ConflictKind::Alternatives => 2,
        ConflictKind::FileConflict => 3,
    }
}

/// Find the conflicts of the catalog and lay them out; the number of problems found.
pub fn run(cat: &Catalog, progress: &JobProgress) -> Result<(Doc, usize), String> {
    let complete = cat.pool.repos.iter().all(|r| r.full_filelists);
    let mut report = find_conflicts(
        &cat.pool,
        &[],
        &ConflictOptions {
            complete_filelists: complete,
            ..ConflictOptions::default()
        },
        progress,
        &progress.cancel,
    );
    if report.cancelled {
        return Err("cancelled".into());
    }
    report.sort(&cat.pool, SortKey::Kind);
    let mut d = Doc::new();
    // Per kind, the capabilities whose pairs have both sides pulled in by something come
    // first: those are the ones an install actually runs into (the python-magic story).
    let required = |p: PkgId| {
        !cat.rev
            .dependents(&cat.pool, p, DepKind::Requires)
            .is_empty()
    };
    let mut groups: BTreeMap<(u8, bool, String), Vec<usize>> = BTreeMap::new();
    let mut rank: BTreeMap<(u8, String), bool> = BTreeMap::new();
    for c in &report.entries {
        let key = (kind_order(c.kind), c.capability(&cat.pool));
        let live = required(c.a) && required(c.b);
        *rank.entry(key).or_insert(false) |= live;
    }
    for (i, c) in report.entries.iter().enumerate() {
        let (order, cap) = (kind_order(c.kind), c.capability(&cat.pool));
        let live = rank.get(&(order, cap.clone())).copied().unwrap_or(false);
        groups.entry((order, !live, cap)).or_default().push(i);
    }
    if report.entries.is_empty() {
        d.line(vec![s(
            format!("No conflicts among {} packages.", report.packages),
            Role::Ok,
        )]);
    }
    let mut last_kind = None;
    for ((order, _, cap), idx) in &groups {
        if last_kind != Some(*order) {
            last_kind = Some(*order);
            d.blank();
            d.heading(match order {
                0 => "Conflicts: (a package's Conflicts: hits another)",
                1 => "Obsoletes: (a package obsoletes another present one)",
                2 => {
                    "Alternatives that clash (providers of one requirement that exclude each other)"
                }
                _ => "File conflicts (the same path in both, not a directory)",
            });
        }
        d.line(vec![s(format!("  {cap}"), Role::Title)]);
        for &i in idx {
            let c = &report.entries[i];
            let head = d.len();
            let role = if c.is_problem() {
                Role::Warning
            } else {
                Role::Dim
            };
            let chains_at = head + 1;
            d.push(
                vec![s(format!("    {}", c.describe(&cat.pool)), role)],
                Some(Link::Row(chains_at)),
            );
            side_rows(&mut d, cat, c.a, "A:");
            side_rows(&mut d, cat, c.b, "B:");
            for p in c.paths.iter().take(5) {
                d.line(vec![s(
                    format!(
                        "      {} {:?}: {}",
                        cat.pool.str(p.path),
                        p.status,
                        p.reason
                    ),
                    Role::Dim,
                )]);
            }
        }
    }
    if !complete {
        d.blank();
        d.line(vec![s(
            "File conflicts need whole file lists (bramble conflicts --filelists all); \
             only .rpm sources were checked for them.",
            Role::Dim,
        )]);
    }
    Ok((d, report.problems()))
}
