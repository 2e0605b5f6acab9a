//! The Conflicts view's document, built on a worker from `analysis::conflicts` (the same
//! finder as `bramble conflicts`): pairs that cannot be installed together, grouped by
//! capability, each side with its origin; under each pair, both sides' requirement
//! chains — who pulls each side in, up to a few levels — with every package a link.
//! Enter on a pair opens its chains; Enter on a package opens its details.

use std::collections::{BTreeMap, HashMap};

use super::data::Catalog;
use super::doc::{Doc, Link, s};
use super::jobs::JobProgress;
use super::theme::Role;
use crate::analysis::conflicts::{ConflictKind, ConflictOptions, SortKey, find_conflicts};
use crate::model::package::{DepKind, PkgId};

/// How far up each side's chain of requirers is followed.
const CHAIN_DEPTH: usize = 4;

/// Who requires each package, asked of the reverse index once per package.
struct Requirers<'a> {
    cat: &'a Catalog,
    memo: HashMap<PkgId, Vec<PkgId>>,
}

impl Requirers<'_> {
    fn of(&mut self, p: PkgId) -> &[PkgId] {
        let cat = self.cat;
        self.memo
            .entry(p)
            .or_insert_with(|| cat.rev.dependents(&cat.pool, p, DepKind::Requires))
    }

    /// The first chain of requirers of `p`: who requires it, who requires that, ...;
    /// and how many packages require `p` directly.
    fn chain(&mut self, p: PkgId) -> (Vec<PkgId>, usize) {
        let direct = self.of(p).len();
        let mut out = vec![p];
        let mut cur = p;
        for _ in 0..CHAIN_DEPTH {
            let next = self.of(cur).iter().copied().find(|q| !out.contains(q));
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
}

fn side_rows(d: &mut Doc, cat: &Catalog, req: &mut Requirers<'_>, p: PkgId, label: &str) {
    let (c, direct) = req.chain(p);
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
    let mut req = Requirers {
        cat,
        memo: HashMap::new(),
    };
    let keys: Vec<(u8, String)> = report
        .entries
        .iter()
        .map(|c| (kind_order(c.kind), c.capability(&cat.pool)))
        .collect();
    let mut rank: BTreeMap<&(u8, String), bool> = BTreeMap::new();
    for (c, key) in report.entries.iter().zip(&keys) {
        let live = !req.of(c.a).is_empty() && !req.of(c.b).is_empty();
        *rank.entry(key).or_insert(false) |= live;
    }
    let mut groups: BTreeMap<(u8, bool, String), Vec<usize>> = BTreeMap::new();
    for (i, key) in keys.iter().enumerate() {
        let live = rank.get(key).copied().unwrap_or(false);
        groups
            .entry((key.0, !live, key.1.clone()))
            .or_default()
            .push(i);
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
            side_rows(&mut d, cat, &mut req, c.a, "A:");
            side_rows(&mut d, cat, &mut req, c.b, "B:");
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
