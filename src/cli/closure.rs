//! `bramble closure`: dnf repoclosure, same options, same text output (byte-compatible
//! blocks, same order), `--json`, exit status 1 when anything is unresolved.
//!
//! `--installable` goes further than dnf: after the closure blocks it lists the checked
//! packages (those installable on the host arch) that cannot be installed at all with the
//! available set, each with the derivation of why (`uninstallable` in JSON); exit status
//! 1 then also when some are. Without the flag the output is dnf's, unchanged.

use clap::Args;
use serde::Serialize;

use super::args::SourceArgs;
use super::modules::ModuleArgs;
use super::output;
use crate::analysis::closure::{ClosureOptions, ClosureReport, closure, dnf_order, select};
use crate::analysis::install::{Uninstallable, check_installable};
use crate::model::pool::Pool;
use crate::progress::Cancel;

#[derive(Args, Debug)]
pub struct ClosureArgs {
    #[command(flatten)]
    pub src: SourceArgs,
    #[command(flatten)]
    pub module: ModuleArgs,
    /// Check only packages of this repo (repeatable); the others are lookaside.
    #[arg(long = "check", value_name = "REPO")]
    pub check: Vec<String>,
    /// Check only packages of this arch (repeatable).
    #[arg(long = "arch", value_name = "ARCH")]
    pub arch: Vec<String>,
    /// Check only the newest package per name.arch of each repo.
    #[arg(long)]
    pub newest: bool,
    /// Check only these packages (NEVRA patterns, repeatable).
    #[arg(long = "pkg", value_name = "SPEC")]
    pub pkg: Vec<String>,
    /// Providers are only the newest per name.arch across all repos (dnf's best=True).
    #[arg(long)]
    pub best: bool,
    /// Explain each unresolved dependency (nearest candidates, providers hidden by
    /// module filtering, providers in repos that are not enabled). Also loads the
    /// `enabled=0` sections of `.repo` sources, only to name them in hints.
    #[arg(long)]
    pub hints: bool,
    /// A repository that is not enabled: loaded, never checked nor used to resolve,
    /// only named in hints ("provided by X in repo R, which is not enabled").
    /// `[NAME,]PATH|URL` as --source; repeatable.
    #[arg(long = "disabled", value_name = "[NAME,]PATH|URL")]
    pub disabled: Vec<String>,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
    /// Print how long loading and the check itself took, on stderr.
    #[arg(long)]
    pub timings: bool,
    /// Also check that each checked package can really be installed (requirements,
    /// conflicts, obsoletes, rich deps, one version per name.arch, all at once) and list
    /// those that cannot, with the reason. Source and foreign-arch packages are skipped.
    #[arg(long)]
    pub installable: bool,
}

#[derive(Serialize)]
struct JsonOut<'a> {
    checked: usize,
    unresolved: usize,
    packages: usize,
    broken: &'a [crate::analysis::closure::Broken],
    #[serde(skip_serializing_if = "Option::is_none")]
    uninstallable: Option<Vec<JsonUninstallable>>,
}

#[derive(Serialize)]
struct JsonUninstallable {
    nevra: String,
    repo: String,
    reason: String,
}

/// The `--installable` blocks: one per package that cannot be installed.
pub fn render_uninstallable(pool: &Pool, bad: &[Uninstallable]) -> String {
    let mut s = String::new();
    for u in bad {
        s.push_str(&format!(
            "package: {} from {}\n  cannot be installed: {}\n",
            pool.nevra(u.pkg),
            pool.repo_of(u.pkg).name,
            u.reason.render(pool)
        ));
    }
    s
}

/// dnf's text rendering of a closure report (without the final stderr line).
pub fn render_text(report: &ClosureReport, with_hints: bool) -> String {
    let mut s = String::new();
    for b in &report.broken {
        s.push_str(&format!("package: {} from {}\n", b.nevra, b.repo));
        s.push_str(&format!("  unresolved deps ({}):\n", b.unresolved.len()));
        for u in &b.unresolved {
            s.push_str(&format!("    {}\n", u.dep));
            if with_hints {
                for h in &u.hints {
                    s.push_str(&format!("      hint: {}\n", h.describe()));
                }
            }
        }
    }
    s
}

pub fn run(a: ClosureArgs) -> i32 {
    let t0 = std::time::Instant::now();
    let mut load_opts = a.src.options();
    load_opts.disabled_sections = a.hints;
    for d in &a.disabled {
        match crate::load::source::Source::parse(d) {
            Ok(s) => load_opts.disabled.push(s),
            Err(e) => {
                eprintln!("bramble: error: --disabled {d}: {e}");
                return 2;
            }
        }
    }
    let (loaded, failed) = match a.src.load_with(load_opts) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("bramble: {e}");
            return 2;
        }
    };
    let pool = &loaded.pool;
    let mut check = Vec::new();
    for name in &a.check {
        match pool.repos.iter().find(|r| &r.name == name) {
            Some(r) if loaded.disabled.contains(&r.id) => {
                eprintln!("bramble: error: --check {name}: the repo is not enabled");
                return 2;
            }
            Some(r) => check.push(r.id),
            None => {
                eprintln!("bramble: error: --check {name}: no such repo");
                return 2;
            }
        }
    }
    let (available, module_hidden) = match a.module.filter(&loaded) {
        Ok(Some(f)) => (Some(f.available), Some(f.hidden)),
        Ok(None) => (None, None),
        Err(e) => {
            eprintln!("bramble: {e}");
            return 2;
        }
    };
    let opts = ClosureOptions {
        check,
        arches: a.arch.clone(),
        newest: a.newest,
        best: a.best,
        pkgs: a.pkg.clone(),
        available,
        module_hidden,
        disabled: loaded.disabled.clone(),
    };
    let t1 = std::time::Instant::now();
    let report = match closure(pool, &opts, &crate::progress::NoProgress, &Cancel::new()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("Error: {e}");
            return 2;
        }
    };
    let mut uninstallable = Vec::new();
    let t2 = std::time::Instant::now();
    if a.installable {
        // closure() accepted these options, so the selection succeeds the same way.
        if let Ok(sel) = select(pool, &opts) {
            let candidates: Vec<_> = sel
                .to_check
                .iter()
                .copied()
                .filter(|&p| pool.is_installable(p))
                .collect();
            uninstallable = check_installable(
                pool,
                &candidates,
                &sel.available,
                &crate::progress::NoProgress,
                &Cancel::new(),
            );
            uninstallable.sort_by(|x, y| dnf_order(pool, x.pkg, y.pkg));
        }
    }
    if a.timings {
        eprintln!(
            "timings: load {:.3} s, check {:.3} s ({} packages, {} checked)",
            (t1 - t0).as_secs_f64(),
            (t2 - t1).as_secs_f64(),
            pool.len(),
            report.checked
        );
        if a.installable {
            eprintln!(
                "timings: installable {:.3} s ({} cannot be installed)",
                t2.elapsed().as_secs_f64(),
                uninstallable.len()
            );
        }
    }
    if a.json {
        output::json(&JsonOut {
            checked: report.checked,
            unresolved: report.unresolved_count(),
            packages: report.broken.len(),
            broken: &report.broken,
            uninstallable: a.installable.then(|| {
                uninstallable
                    .iter()
                    .map(|u| JsonUninstallable {
                        nevra: pool.nevra(u.pkg),
                        repo: pool.repo_of(u.pkg).name.clone(),
                        reason: u.reason.render(pool),
                    })
                    .collect()
            }),
        });
    } else {
        output::out(&output::sanitize(&render_text(&report, a.hints)));
        output::out(&output::sanitize(&render_uninstallable(
            pool,
            &uninstallable,
        )));
        if !report.broken.is_empty() {
            eprintln!(
                "Error: Repoclosure ended with unresolved dependencies ({}) across {} packages.",
                report.unresolved_count(),
                report.broken.len()
            );
        }
        if !uninstallable.is_empty() {
            eprintln!(
                "Error: {} packages cannot be installed.",
                uninstallable.len()
            );
        }
    }
    if failed {
        2
    } else if report.broken.is_empty() && uninstallable.is_empty() {
        0
    } else {
        1
    }
}
