//! `bramble closure`: dnf repoclosure, same options, same text output (byte-compatible
//! blocks, same order), `--json`, exit status 1 when anything is unresolved.
//!
//! `--installable` goes further than dnf: after the closure blocks it lists the checked
//! packages (those installable on the host arch) that cannot be installed at all with the
//! available set, each with the derivation of why (`uninstallable` in JSON); exit status
//! 1 then also when some are. Without the flag the output is dnf's, unchanged.
//!
//! `--hints` explains each unresolved dependency; with it, the `enabled=0` sections of
//! `.repo` sources are loaded too (as `--disabled NAME,PATH` repos always are), never
//! checked nor used to resolve, only to say "provided by X in repo R, which is not
//! enabled". Problems loading them are warnings.
//!
//! `--each-stream` runs the closure once per stream of the checked repos' modules (each
//! enabled in turn as `dnf module enable` would, the other modules as configured): one
//! `# stream M:S (active: ...)` header per run, then dnf's blocks for that module state;
//! at most `--max-combinations` runs, the rest reported on stderr. Compared with dnf in
//! `testdata/expected/each-stream`.

use clap::Args;
use serde::Serialize;

use super::args::SourceArgs;
use super::modules::ModuleArgs;
use super::output;
use crate::analysis::closure::{ClosureOptions, ClosureReport, closure, dnf_order, select};
use crate::analysis::install::{Uninstallable, check_installable};
use crate::analysis::modules::{
    PlatformSource, active_streams, each_stream, modular_filter, resolve,
};
use crate::load::source::Loaded;
use crate::model::module::ModuleIndex;
use crate::model::package::RepoId;
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
    /// Check once per module stream: each stream of each module of the checked repos
    /// enabled in turn, the other modules as configured (defaults, --enable-module,
    /// --disable-module); implies --modules. Reports the unresolved deps per run.
    #[arg(long = "each-stream")]
    pub each_stream: bool,
    /// With --each-stream: check at most this many streams (the rest are reported as
    /// not checked).
    #[arg(long = "max-combinations", value_name = "N", default_value_t = 64)]
    pub max_combinations: usize,
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
    if a.each_stream {
        return run_each_stream(&a, &loaded, check, failed);
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

/// One run of `--each-stream`.
#[derive(Serialize)]
struct StreamRun {
    /// The stream enabled for this run, `module:stream`.
    stream: String,
    /// The streams active in this run, `module:stream`.
    active: Vec<String>,
    /// Requests that could not be met (the stream cannot be active).
    problems: Vec<String>,
    checked: usize,
    unresolved: usize,
    packages: usize,
    broken: Vec<crate::analysis::closure::Broken>,
}

#[derive(Serialize)]
struct EachStreamOut<'a> {
    /// Streams there are to try.
    combinations: usize,
    /// Streams tried (at most --max-combinations).
    checked_combinations: usize,
    runs: &'a [StreamRun],
}

/// The header line of one `--each-stream` run in text output.
pub fn stream_header(stream: &str, active: &[String]) -> String {
    format!("# stream {stream} (active: {})\n", active.join(", "))
}

/// `closure --each-stream`: the closure once per stream of the checked repos' modules.
fn run_each_stream(a: &ClosureArgs, loaded: &Loaded, check: Vec<RepoId>, failed: bool) -> i32 {
    if a.installable {
        eprintln!("bramble: error: --each-stream and --installable cannot be combined");
        return 2;
    }
    let base = match a.module.config() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("bramble: {e}");
            return 2;
        }
    };
    let pool = &loaded.pool;
    let indexes: Vec<(RepoId, &ModuleIndex)> = loaded.module_indexes().collect();
    let streams = each_stream(pool, &indexes, &check);
    let mut runs = Vec::new();
    let mut platform_missing = false;
    for (module, stream) in streams.iter().take(a.max_combinations) {
        let cfg = base.with_stream(module, stream);
        let state = resolve(pool, &indexes, &cfg);
        platform_missing |= state.platform_source == PlatformSource::Missing;
        let filter = modular_filter(pool, &state);
        let opts = ClosureOptions {
            check: check.clone(),
            arches: a.arch.clone(),
            newest: a.newest,
            best: a.best,
            pkgs: a.pkg.clone(),
            available: Some(filter.available),
            module_hidden: Some(filter.hidden),
            disabled: loaded.disabled.clone(),
        };
        let report = match closure(pool, &opts, &crate::progress::NoProgress, &Cancel::new()) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("Error: {e}");
                return 2;
            }
        };
        runs.push(StreamRun {
            stream: format!("{module}:{stream}"),
            active: active_streams(&state),
            problems: state.problems.clone(),
            checked: report.checked,
            unresolved: report.unresolved_count(),
            packages: report.broken.len(),
            broken: report.broken,
        });
    }
    if platform_missing {
        eprintln!("{}", super::modules::NO_PLATFORM);
    }
    if streams.is_empty() {
        eprintln!("bramble: warning: --each-stream: the checked repos have no module streams");
    }
    if streams.len() > runs.len() {
        eprintln!(
            "bramble: warning: --each-stream: checked {} of {} streams (--max-combinations)",
            runs.len(),
            streams.len()
        );
    }
    if a.json {
        output::json(&EachStreamOut {
            combinations: streams.len(),
            checked_combinations: runs.len(),
            runs: &runs,
        });
    } else {
        let mut s = String::new();
        for r in &runs {
            s.push_str(&stream_header(&r.stream, &r.active));
            for p in &r.problems {
                s.push_str(&format!("# problem: {p}\n"));
            }
            s.push_str(&render_text(
                &ClosureReport {
                    checked: r.checked,
                    broken: r.broken.clone(),
                    cancelled: false,
                },
                a.hints,
            ));
        }
        output::out(&output::sanitize(&s));
    }
    let bad = runs.iter().filter(|r| r.packages > 0).count();
    if bad > 0 && !a.json {
        eprintln!(
            "Error: Repoclosure ended with unresolved dependencies with {bad} of {} streams.",
            runs.len()
        );
    }
    if failed {
        2
    } else if bad > 0 {
        1
    } else {
        0
    }
}
