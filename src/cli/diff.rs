//! `bramble diff`: what changed between two build trees and which change broke what
//! (see [`crate::analysis::diff`]). The sides are two sets of sources (`--old` /
//! `--new`, anything `-s` accepts, repeatable) or two image package lists
//! (`--old-list` / `--new-list`) against the same sources (`-s`). `--roots` adds the
//! install simulation on both sides. Text output puts problems first, with their blame,
//! then packages, then dependencies; `--json` gives the whole report. Exit 1 when NEW
//! has problems OLD had not, 0 otherwise, 2 on error.

use std::path::{Path, PathBuf};

use clap::Args;

use super::args::SourceArgs;
use super::install::{parse_roots, read_package_file};
use super::output;
use crate::analysis::buildroot::BuildrootPlan;
use crate::analysis::diff::buildroot_diff;
use crate::analysis::diff::{
    ChangeKind, DiffOptions, DiffReport, ItemChange, ItemKind, KojiDiff, Problem, Side, diff,
    koji_diff,
};
use crate::analysis::tagview::TagView;
use crate::load::koji::externals::load_externals;
use crate::load::koji::snapshot::Snapshot;
use crate::load::koji::{Parts, TreeRequest, load_tree};
use crate::load::source::Loaded;
use crate::progress::NoProgress;

#[derive(Args, Debug)]
pub struct DiffArgs {
    /// Sources shared by both sides (with --old-list/--new-list).
    #[command(flatten)]
    pub src: SourceArgs,
    /// A source of the OLD side ([NAME,]PATH|URL, as -s). Repeatable.
    #[arg(long = "old", value_name = "[NAME,]PATH")]
    pub old: Vec<String>,
    /// A source of the NEW side ([NAME,]PATH|URL, as -s). Repeatable.
    #[arg(long = "new", value_name = "[NAME,]PATH")]
    pub new: Vec<String>,
    /// OLD is this image package list (NEVRAs or names, one per line, or a kickstart),
    /// solved to its closure over the -s sources.
    #[arg(long = "old-list", value_name = "FILE", requires = "new_list")]
    pub old_list: Option<String>,
    /// NEW is this image package list.
    #[arg(long = "new-list", value_name = "FILE", requires = "old_list")]
    pub new_list: Option<String>,
    /// OLD is this Koji snapshot (`bramble koji snapshot`), with --tag.
    #[arg(long = "old-snapshot", value_name = "FILE", requires_all = ["new_snapshot", "tag"])]
    pub old_snapshot: Option<PathBuf>,
    /// NEW is this Koji snapshot (may be the same file as OLD with --old-event/--new-event).
    #[arg(long = "new-snapshot", value_name = "FILE", requires = "old_snapshot")]
    pub new_snapshot: Option<PathBuf>,
    /// The Koji tag to compare (with snapshots).
    #[arg(long, value_name = "TAG")]
    pub tag: Option<String>,
    /// Koji event of the OLD side.
    #[arg(long = "old-event", value_name = "N")]
    pub old_event: Option<i64>,
    /// Koji event of the NEW side.
    #[arg(long = "new-event", value_name = "N")]
    pub new_event: Option<i64>,
    /// With snapshots: read external repo NAME from LOCATION (repo dir or URL) on both
    /// sides, to compare the merged buildroot (which packages changed origin). Repeatable.
    #[arg(long = "external", value_name = "NAME=LOCATION")]
    pub external: Vec<String>,
    /// With --external: the buildroot arch (default: the tag's first).
    #[arg(long)]
    pub arch: Option<String>,
    /// Simulate installing these on both sides (on top of the image with lists;
    /// repeatable or comma-separated).
    #[arg(long, value_name = "ROOTS", value_delimiter = ',')]
    pub roots: Vec<String>,
    /// Show package changes grouped per source package (as dnf repodiff).
    #[arg(long)]
    pub srpm: bool,
    /// Do not compare closure problems.
    #[arg(long = "no-closure")]
    pub no_closure: bool,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

fn side_args(base: &SourceArgs, sources: &[String]) -> SourceArgs {
    SourceArgs {
        sources: sources.to_vec(),
        repofrompath: Vec::new(),
        ..base.clone()
    }
}

fn load(args: &SourceArgs) -> Result<(Loaded, bool), String> {
    args.load()
}

pub fn run(a: DiffArgs) -> i32 {
    let opts = DiffOptions {
        closure: !a.no_closure,
        deps: true,
    };
    if let (Some(o), Some(n), Some(tag)) = (&a.old_snapshot, &a.new_snapshot, &a.tag) {
        return run_koji(&a, o, n, tag);
    }
    let result = match (&a.old_list, &a.new_list) {
        (Some(ol), Some(nl)) => {
            if !a.old.is_empty() || !a.new.is_empty() {
                eprintln!(
                    "bramble: --old-list/--new-list take the sources from -s, not --old/--new"
                );
                return 2;
            }
            run_lists(&a, ol, nl, &opts)
        }
        _ => run_repos(&a, &opts),
    };
    match result {
        Ok((report, failed)) => {
            if a.json {
                output::json(&report);
            } else {
                output::out(&output::sanitize(&render_text(&report, a.srpm)));
            }
            if failed {
                2
            } else if report.has_new_problems() {
                1
            } else {
                0
            }
        }
        Err(e) => {
            eprintln!("bramble: {}", output::sanitize(&e));
            2
        }
    }
}

fn run_repos(a: &DiffArgs, opts: &DiffOptions) -> Result<(DiffReport, bool), String> {
    if a.old.is_empty() || a.new.is_empty() {
        return Err(
            "give both sides: --old SOURCE... --new SOURCE... (or --old-list/--new-list with -s)"
                .into(),
        );
    }
    if !a.src.all().is_empty() {
        return Err("-s/--repofrompath are for --old-list/--new-list; use --old/--new".into());
    }
    let (oa, na) = (side_args(&a.src, &a.old), side_args(&a.src, &a.new));
    let (ro, rn) = std::thread::scope(|s| {
        let h = s.spawn(|| load(&oa));
        let rn = load(&na);
        (
            h.join()
                .unwrap_or_else(|_| Err("loading OLD failed".into())),
            rn,
        )
    });
    let (mut lo, fo) = ro.map_err(|e| format!("OLD: {e}"))?;
    let (mut ln, fnew) = rn.map_err(|e| format!("NEW: {e}"))?;
    let (go, _) = lo.comps(&oa.options());
    let (gn, _) = ln.comps(&na.options());
    let roots_o = parse_roots(&mut lo.pool, &go, &a.roots).map_err(|e| format!("OLD: {e}"))?;
    let roots_n = parse_roots(&mut ln.pool, &gn, &a.roots).map_err(|e| format!("NEW: {e}"))?;
    let old = Side::repos(&a.old.join(" "), &lo.pool).with_roots(roots_o, &a.roots);
    let new = Side::repos(&a.new.join(" "), &ln.pool).with_roots(roots_n, &a.roots);
    Ok((diff(&old, &new, opts), fo || fnew))
}

fn run_lists(
    a: &DiffArgs,
    ol: &str,
    nl: &str,
    opts: &DiffOptions,
) -> Result<(DiffReport, bool), String> {
    let (mut loaded, failed) = a.src.load()?;
    let (groups, _) = loaded.comps(&a.src.options());
    let pool = &mut loaded.pool;
    let lo = read_package_file(pool, &groups, Path::new(ol))?;
    let ln = read_package_file(pool, &groups, Path::new(nl))?;
    let roots = parse_roots(pool, &groups, &a.roots)?;
    let pool = &loaded.pool;
    let old = Side::image(ol, pool, lo).with_roots(roots.clone(), &a.roots);
    let new = Side::image(nl, pool, ln).with_roots(roots, &a.roots);
    Ok((diff(&old, &new, opts), failed))
}

fn tag_view(path: &Path, tag: &str, event: Option<i64>) -> Result<TagView, String> {
    let src = Snapshot::open(path).map_err(|e| e.to_string())?;
    let parts = Parts {
        reverse: false,
        ..Parts::all()
    };
    let req = TreeRequest {
        tag: tag.to_owned(),
        event,
        parts,
    };
    let tree = load_tree(&src, &req).map_err(|e| e.to_string())?;
    TagView::new(tree).map_err(|e| e.to_string())
}

/// The buildroot plan of a side, external repos read from the --external locations only.
fn plan(a: &DiffArgs, view: &TagView) -> Result<BuildrootPlan, String> {
    let overrides = a
        .external
        .iter()
        .map(|x| {
            x.split_once('=')
                .filter(|(n, l)| !n.is_empty() && !l.is_empty())
                .map(|(n, l)| (n.to_owned(), l.to_owned()))
                .ok_or_else(|| format!("--external wants NAME=LOCATION, not `{x}`"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let arch = view.pick_arch(a.arch.as_deref())?;
    let ext = load_externals(&view.repos, &arch, &overrides, true, &NoProgress)?;
    for p in &ext.problems {
        eprintln!(
            "bramble: warning: {}: {}",
            output::sanitize(&p.source),
            output::sanitize(&p.error.to_string())
        );
    }
    let plan = view.plan(&arch, &ext.pool, &ext.content, None)?;
    for w in &plan.warnings {
        eprintln!(
            "bramble: warning: {}: {}",
            view.config.tag.name,
            output::sanitize(w)
        );
    }
    Ok(plan)
}

fn run_koji(a: &DiffArgs, old: &Path, new: &Path, tag: &str) -> i32 {
    let views = tag_view(old, tag, a.old_event)
        .map_err(|e| format!("OLD: {e}"))
        .and_then(|o| {
            Ok((
                o,
                tag_view(new, tag, a.new_event).map_err(|e| format!("NEW: {e}"))?,
            ))
        });
    let (o, n) = match views {
        Ok(v) => v,
        Err(e) => {
            eprintln!("bramble: {}", output::sanitize(&e));
            return 2;
        }
    };
    let mut d = koji_diff(&o, &n);
    if !a.external.is_empty() {
        let plans = plan(a, &o)
            .map_err(|e| format!("OLD: {e}"))
            .and_then(|po| Ok((po, plan(a, &n).map_err(|e| format!("NEW: {e}"))?)));
        match plans {
            Ok((po, pn)) => d.buildroot = buildroot_diff(&po, &pn),
            Err(e) => {
                eprintln!("bramble: {}", output::sanitize(&e));
                return 2;
            }
        }
    }
    if a.json {
        output::json(&d);
    } else {
        output::out(&output::sanitize(&render_koji(&d)));
    }
    0
}

/// The Koji diff as text: one section per kind of item, `+`/`-`/`~` per item.
pub fn render_koji(d: &KojiDiff) -> String {
    let mut s = format!("Koji tag {}\n", d.tag);
    let sections: [(&str, &[ItemChange]); 6] = [
        ("Inheritance", &d.inheritance),
        ("External repos", &d.external_repos),
        ("Groups", &d.groups),
        ("Package list", &d.packages),
        ("Latest builds", &d.builds),
        ("Buildroot packages", &d.buildroot),
    ];
    for (title, items) in sections {
        s.push_str(&format!("\n{title}: {} changes\n", items.len()));
        for i in items {
            let fields: Vec<String> = i
                .fields
                .iter()
                .map(|f| match i.kind {
                    ItemKind::Added => format!("{} {}", f.field, f.new),
                    ItemKind::Removed => format!("{} {}", f.field, f.old),
                    ItemKind::Changed => format!("{} {} -> {}", f.field, f.old, f.new),
                })
                .collect();
            let mark = match i.kind {
                ItemKind::Added => '+',
                ItemKind::Removed => '-',
                ItemKind::Changed => '~',
            };
            s.push_str(&format!("  {mark} {}: {}\n", i.item, fields.join(", ")));
        }
    }
    s
}

fn problem_text(p: &Problem, s: &mut String) {
    s.push_str(&format!("  {}\n", p.subject));
    if !p.detail.is_empty() {
        s.push_str(&format!("    {}\n", p.detail));
    }
    for b in &p.blame {
        s.push_str(&format!("    blame: {}\n", b.text));
    }
}

/// The report as text: problems (with blame), install outcome, packages, dependencies.
pub fn render_text(r: &DiffReport, srpm: bool) -> String {
    let mut s = format!(
        "OLD: {} ({} packages)\nNEW: {} ({} packages)\n\n",
        r.old, r.old_packages, r.new, r.new_packages
    );
    s.push_str(&format!("Problems new in NEW: {}\n", r.new_problems.len()));
    for p in &r.new_problems {
        problem_text(p, &mut s);
    }
    s.push_str(&format!(
        "Problems fixed by NEW: {}\n",
        r.fixed_problems.len()
    ));
    for p in &r.fixed_problems {
        s.push_str(&format!("  {}\n", p.subject));
    }
    if let Some(i) = &r.install {
        let ok = |b: bool| if b { "succeeds" } else { "fails" };
        s.push_str(&format!(
            "\nInstall of {}: {} in OLD, {} in NEW\n",
            i.roots.join(" "),
            ok(i.old_ok),
            ok(i.new_ok)
        ));
        for n in &i.added {
            s.push_str(&format!("  + {n}\n"));
        }
        for n in &i.removed {
            s.push_str(&format!("  - {n}\n"));
        }
    }
    let m = &r.summary;
    s.push_str(&format!(
        "\nPackages: {} added, {} removed, {} upgraded, {} downgraded, {} rebuilt, {} arch changed\n",
        m.added, m.removed, m.upgraded, m.downgraded, m.rebuilt, m.arch_changed
    ));
    let line = |c: &crate::analysis::diff::PkgChange| -> String {
        let o = c.old.as_ref().map(|r| r.nevra.as_str()).unwrap_or("");
        let n = c.new.as_ref().map(|r| r.nevra.as_str()).unwrap_or("");
        match c.kind {
            ChangeKind::Added => format!("{:<12} {n}", c.kind.as_str()),
            ChangeKind::Removed => match &c.obsoleted_by {
                Some(by) => format!("{:<12} {o} (obsoleted by {by})", c.kind.as_str()),
                None => format!("{:<12} {o}", c.kind.as_str()),
            },
            _ => format!("{:<12} {o} -> {n}", c.kind.as_str()),
        }
    };
    if srpm {
        for g in &r.srpms {
            let evr = |e: &Option<String>| e.clone().unwrap_or_else(|| "-".into());
            s.push_str(&format!(
                "  {:<12} {} {} -> {}\n",
                g.kind.as_str(),
                g.name,
                evr(&g.old),
                evr(&g.new)
            ));
            for &i in &g.binaries {
                if let Some(c) = r.packages.get(i) {
                    s.push_str(&format!("      {}\n", line(c)));
                }
            }
        }
    } else {
        for c in &r.packages {
            s.push_str(&format!("  {}\n", line(c)));
        }
    }
    s.push_str(&format!(
        "\nDependency changes: {} packages\n",
        r.deps.len()
    ));
    for d in &r.deps {
        s.push_str(&format!("  {} -> {}\n", d.old, d.new));
        for c in &d.changes {
            for x in &c.removed {
                s.push_str(&format!("    - {} {x}\n", c.kind.as_str()));
            }
            for x in &c.added {
                s.push_str(&format!("    + {} {x}\n", c.kind.as_str()));
            }
        }
    }
    s
}
