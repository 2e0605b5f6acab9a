//! The Diff view (`bramble --old SOURCE --new SOURCE [--roots R]`): what changed between
//! the build tree that worked and the one that broke, problems first with their blame,
//! then packages and dependencies. The TUI's other views show the NEW side, so every
//! NEW package here is a link to its details.

use super::data::Problem as LoadProblemRow;
use super::doc::{Doc, Link, s};
use super::jobs::JobProgress;
use super::theme::Role;
use crate::analysis::diff::{ChangeKind, DiffOptions, DiffReport, Problem, Side, diff};
use crate::analysis::install::Root;
use crate::load::source::{LoadOptions, Source, load_sources};
use crate::model::pool::Pool;
use crate::progress::Progress;

/// What the Diff view compares.
#[derive(Clone, Debug, Default)]
pub struct DiffRequest {
    pub old: Vec<String>,
    pub new: Vec<String>,
    /// Roots whose install simulation is compared (`--roots`).
    pub roots: Vec<String>,
}

/// The view's document and whether NEW has new problems.
pub struct DiffPage {
    pub doc: Doc,
    pub new_problems: usize,
    pub old_label: String,
    pub new_label: String,
}

fn load_side(
    args: &[String],
    progress: &JobProgress,
    problems: &mut Vec<LoadProblemRow>,
    which: &str,
) -> crate::load::source::Loaded {
    let mut sources = Vec::new();
    for a in args {
        match Source::parse(a) {
            Ok(s) => sources.push(s),
            Err(e) => problems.push(LoadProblemRow {
                source: format!("{which}: {a}"),
                message: e.to_string(),
                fatal: true,
            }),
        }
    }
    let loaded = load_sources(&sources, &LoadOptions::default(), progress);
    for p in &loaded.problems {
        problems.push(LoadProblemRow {
            source: format!("{which}: {}", p.source),
            message: p.error.to_string(),
            fatal: p.fatal,
        });
    }
    loaded
}

/// Roots named by the user that `pool` knows (names only: the pool is not extended).
fn roots(pool: &Pool, names: &[String]) -> Vec<Root> {
    names.iter().filter_map(|n| Root::named(pool, n)).collect()
}

/// Load both sides and compare them; the NEW pool becomes the catalog of the other views.
pub fn load(req: &DiffRequest, progress: &JobProgress) -> (Pool, DiffPage, Vec<LoadProblemRow>) {
    let mut problems = Vec::new();
    progress.phase("diff: OLD", None);
    let old = load_side(&req.old, progress, &mut problems, "OLD");
    progress.phase("diff: NEW", None);
    let new = load_side(&req.new, progress, &mut problems, "NEW");
    progress.phase("diff: comparing", None);
    let old_label = req.old.join(" ");
    let new_label = req.new.join(" ");
    let o = Side::repos(&old_label, &old.pool).with_roots(roots(&old.pool, &req.roots), &req.roots);
    let n = Side::repos(&new_label, &new.pool).with_roots(roots(&new.pool, &req.roots), &req.roots);
    let report = diff(&o, &n, &DiffOptions::default());
    let doc = document(&report, &new.pool);
    (
        new.pool,
        DiffPage {
            doc,
            new_problems: report.new_problems.len(),
            old_label,
            new_label,
        },
        problems,
    )
}

fn link_name(pool: &Pool, name: &str) -> Option<Link> {
    pool.by_name(name).first().map(|&p| Link::Package(p))
}

fn problem_rows(d: &mut Doc, p: &Problem, pool: &Pool) {
    d.line(vec![s(format!("  {}", p.subject), Role::Error)]);
    for l in p.detail.lines().filter(|l| !l.trim().is_empty()) {
        d.line(vec![s(format!("      {l}"), Role::Dim)]);
    }
    for b in &p.blame {
        d.push(
            vec![s("    blame: ", Role::Warning), s(&b.text, Role::Normal)],
            link_name(pool, &b.package),
        );
        for l in &b.chain {
            let mut spans = vec![s(format!("      {}", l.package), Role::Link)];
            if let Some(c) = &l.change {
                spans.push(s(format!(" ({c})"), Role::Warning));
            }
            spans.push(s(format!(" requires {}", l.via), Role::Dim));
            d.push(spans, link_name(pool, &l.package));
        }
    }
}

/// The report as rows; NEW packages link to their details (the catalog is NEW's pool).
pub fn document(r: &DiffReport, new_pool: &Pool) -> Doc {
    let mut d = Doc::new();
    d.line(vec![
        s("OLD: ", Role::Dim),
        s(
            format!("{} ({} packages)", r.old, r.old_packages),
            Role::Normal,
        ),
    ]);
    d.line(vec![
        s("NEW: ", Role::Dim),
        s(
            format!("{} ({} packages)", r.new, r.new_packages),
            Role::Normal,
        ),
    ]);
    d.blank();
    d.heading(&format!("Problems new in NEW: {}", r.new_problems.len()));
    if r.new_problems.is_empty() {
        d.line(vec![s("  none", Role::Ok)]);
    }
    for p in &r.new_problems {
        problem_rows(&mut d, p, new_pool);
    }
    d.heading(&format!(
        "Problems fixed by NEW: {}",
        r.fixed_problems.len()
    ));
    for p in &r.fixed_problems {
        d.line(vec![s(format!("  {}", p.subject), Role::Ok)]);
    }
    if let Some(i) = &r.install {
        let ok = |b: bool| if b { "succeeds" } else { "fails" };
        d.blank();
        d.heading(&format!(
            "Install of {}: {} in OLD, {} in NEW",
            i.roots.join(" "),
            ok(i.old_ok),
            ok(i.new_ok)
        ));
        for n in &i.added {
            d.line(vec![s(format!("  + {n}"), Role::Normal)]);
        }
        for n in &i.removed {
            d.line(vec![s(format!("  - {n}"), Role::Dim)]);
        }
    }
    let m = &r.summary;
    d.blank();
    d.heading(&format!(
        "Packages: {} added, {} removed, {} upgraded, {} downgraded, {} rebuilt, {} arch changed",
        m.added, m.removed, m.upgraded, m.downgraded, m.rebuilt, m.arch_changed
    ));
    for c in &r.packages {
        let o = c.old.as_ref().map(|x| x.nevra.as_str()).unwrap_or("");
        let n = c.new.as_ref().map(|x| x.nevra.as_str()).unwrap_or("");
        let (text, role) = match c.kind {
            ChangeKind::Added => (n.to_string(), Role::Link),
            ChangeKind::Removed => (
                match &c.obsoleted_by {
                    Some(by) => format!("{o} (obsoleted by {by})"),
                    None => o.to_string(),
                },
                Role::Dim,
            ),
            _ => (format!("{o} -> {n}"), Role::Link),
        };
        d.push(
            vec![
                s(format!("  {:<12} ", c.kind.as_str()), Role::Dim),
                s(text, role),
            ],
            c.new.as_ref().map(|x| Link::Package(x.id)),
        );
    }
    d.blank();
    d.heading(&format!("Dependency changes: {} packages", r.deps.len()));
    for c in &r.deps {
        d.push(
            vec![s(format!("  {} -> {}", c.old, c.new), Role::Link)],
            link_name(new_pool, &c.name),
        );
        for x in &c.changes {
            for dep in &x.removed {
                d.line(vec![s(
                    format!("    - {} {dep}", x.kind.as_str()),
                    Role::Dim,
                )]);
            }
            for dep in &x.added {
                d.line(vec![s(
                    format!("    + {} {dep}", x.kind.as_str()),
                    Role::Normal,
                )]);
            }
        }
    }
    d
}
