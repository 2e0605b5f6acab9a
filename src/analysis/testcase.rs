//! Running libsolv's solver testcases ([`Testcase`]) with bramble's own solver
//! ([`solve_request`]) and writing the result the way `testsolv` does, so the two can be
//! compared line by line.
//!
//! The testtags repos become a [`Pool`] (the `system` repo is the installed set), each
//! run's jobs become a [`Request`], and the solution is written as testsolv's
//! transaction lines, sorted by byte order as testsolv sorts them:
//! `install N-EVR.A@repo`, `erase OLD` (`erase OLD NEW` when `NEW` obsoletes it),
//! `upgrade OLD NEW`, `downgrade OLD NEW`, `reinstall OLD NEW`.
//!
//! When the request has no solution, libsolv reports a problem, drops the jobs involved
//! and solves the rest; this runner does the same (the jobs in the unsatisfiable core
//! are dropped until the rest solves), so the transaction lines stay comparable. Problem
//! lines are `problem N info TEXT` with bramble's derivation as the text: libsolv's
//! problem ids and wording are not reproduced, only whether there are problems.
//!
//! What is supported: `install` (`pkg`, `name`, `provides`, `oneof`), `erase` (`pkg`,
//! `name`, `provides`) and `lock` (`pkg`, `name`) jobs without flags; the
//! `allowuninstall` and `ignorerecommended` solver flags; the `implicitobsoleteusescolors`
//! pool flag (bramble's rule anyway); `rpm` systems. Everything else (update,
//! distupgrade, favor, multiversion, other flags, namespaces, other result kinds) is
//! [`Unsupported`], naming the feature. Weak dependencies (`Recommends`, `Supplements`)
//! are not acted on, so a testcase where libsolv pulls in recommended packages fails.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::analysis::install::{Request, RequestOutcome, solve_request};
use crate::model::dep::Cmp;
use crate::model::package::{DepKind, PackageInfo, PkgId, Reldep};
use crate::model::pool::{NewPackage, Pool, SourceKind, compatible_arches};
use crate::model::testcase::{TcJob, TcResult, TcRun, Testcase};

/// A feature of a testcase the runner does not implement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsupported {
    /// Short name of the feature (`job update`, `solverflags focusbest`, ...).
    pub feature: String,
    /// The testcase line it was found on (0: not tied to a line).
    pub line: usize,
}

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(f, "line {}: {} is not supported", self.line, self.feature)
        } else {
            write!(f, "{} is not supported", self.feature)
        }
    }
}

fn unsupported(feature: impl Into<String>, line: usize) -> Unsupported {
    Unsupported {
        feature: feature.into(),
        line,
    }
}

/// The outcome of one run (one solve) of a testcase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunOutput {
    /// Result lines, sorted as testsolv sorts them.
    pub lines: Vec<String>,
    /// What the testcase expects, when it says.
    pub expected: Option<TcResult>,
}

/// How a run compares with its expected result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Match,
    /// The differing lines: `-` expected only, `+` bramble only (problem lines are
    /// compared as "some problem" only).
    Mismatch(Vec<String>),
    /// The testcase has no result block for this run.
    NoExpectation,
}

const TRANSACTION_WORDS: [&str; 9] = [
    "erase",
    "install",
    "reinstall",
    "downgrade",
    "change",
    "upgrade",
    "obsolete",
    "multiinstall",
    "multireinstall",
];

fn is_transaction_line(l: &str) -> bool {
    l.split_whitespace()
        .next()
        .is_some_and(|w| TRANSACTION_WORDS.contains(&w))
}

impl RunOutput {
    /// Compare with the expected result: the same transaction lines, and problems
    /// exactly when libsolv found some.
    pub fn verdict(&self) -> Verdict {
        let Some(exp) = &self.expected else {
            return Verdict::NoExpectation;
        };
        let want: Vec<&str> = sorted(exp.lines.iter().filter(|l| is_transaction_line(l)));
        let got: Vec<&str> = sorted(self.lines.iter().filter(|l| is_transaction_line(l)));
        let want_problems = exp.lines.iter().any(|l| l.starts_with("problem "));
        let got_problems = self.lines.iter().any(|l| l.starts_with("problem "));
        let mut diff = Vec::new();
        let (mut i, mut j) = (0, 0);
        while i < want.len() || j < got.len() {
            match (want.get(i), got.get(j)) {
                (Some(a), Some(b)) if a == b => {
                    i += 1;
                    j += 1;
                }
                (Some(a), Some(b)) if a < b => {
                    diff.push(format!("-{a}"));
                    i += 1;
                }
                (Some(_), Some(b)) | (None, Some(b)) => {
                    diff.push(format!("+{b}"));
                    j += 1;
                }
                (Some(a), None) => {
                    diff.push(format!("-{a}"));
                    i += 1;
                }
                (None, None) => break,
            }
        }
        if want_problems && !got_problems {
            diff.push("-problem (libsolv found problems, bramble none)".to_string());
        } else if got_problems && !want_problems {
            diff.push("+problem (bramble found problems, libsolv none)".to_string());
        }
        if diff.is_empty() {
            Verdict::Match
        } else {
            Verdict::Mismatch(diff)
        }
    }
}

fn sorted<'a>(it: impl Iterator<Item = &'a String>) -> Vec<&'a str> {
    let mut v: Vec<&str> = it.map(String::as_str).collect();
    v.sort_unstable();
    v
}

/// The pool of a testcase and what the runner needs to name its packages.
struct TcPool {
    pool: Pool,
    installed: Vec<PkgId>,
    available: Vec<bool>,
    /// `N-EVR.A@repo` of every package.
    ids: Vec<String>,
    by_id: FxHashMap<String, PkgId>,
}

/// libsolv's arch policy for a system arch: the arches a package may have (noarch
/// always); `None`: every arch (`unset`).
fn arch_policy(arch: &str) -> Option<Vec<&str>> {
    match arch {
        "unset" | "-" => None,
        "i586" => Some(vec!["i586", "i486", "i386"]),
        "i486" => Some(vec!["i486", "i386"]),
        "i386" => Some(vec!["i386"]),
        a => Some(compatible_arches(a).to_vec()),
    }
}

fn evr_string(epoch: u32, version: &str, release: &str) -> String {
    let mut s = String::new();
    if epoch > 0 {
        s.push_str(&format!("{epoch}:"));
    }
    s.push_str(version);
    if !release.is_empty() {
        s.push('-');
        s.push_str(release);
    }
    s
}

fn build_pool(tc: &Testcase) -> Result<TcPool, Unsupported> {
    let (sys_arch, installed_repo) = match &tc.system {
        Some(s) => {
            if s.disttype != "rpm" && s.disttype != "*" {
                return Err(unsupported(
                    format!("system disttype {}", s.disttype),
                    s.line,
                ));
            }
            (s.arch.as_str(), s.installed.as_deref())
        }
        None => ("unset", None),
    };
    let policy = arch_policy(sys_arch);
    if policy.as_ref().is_some_and(|p| p.is_empty()) {
        let line = tc.system.as_ref().map_or(0, |s| s.line);
        return Err(unsupported(format!("system arch {sys_arch}"), line));
    }
    // The pool's host arch only decides `Pool::is_installable`; the policy above is
    // applied through `available`.
    let host = match sys_arch {
        "unset" | "-" | "i586" | "i486" | "i386" => "x86_64",
        a => a,
    };
    let mut pool = Pool::new(host);
    let mut installed = Vec::new();
    let mut ids = Vec::new();
    for repo in &tc.repos {
        if repo.format != "testtags" && repo.format != "empty" {
            return Err(unsupported(
                format!("repo format {}", repo.format),
                repo.line,
            ));
        }
        let rid = pool.add_repo(&repo.name, &repo.name, SourceKind::RpmMd);
        pool.repos[rid.index()].priority = repo.priority;
        let is_system = installed_repo == Some(repo.name.as_str());
        let repo_label: String = repo
            .name
            .chars()
            .map(|c| if c == ' ' || c == '\t' { '_' } else { c })
            .collect();
        for p in &repo.packages {
            let mut deps: [Vec<Reldep>; 8] = Default::default();
            for (k, list) in p.deps.iter().enumerate() {
                for text in list {
                    let d = parse_dep(&mut pool, text).map_err(|e| {
                        unsupported(format!("dependency `{text}` ({e})"), repo.line)
                    })?;
                    deps[k].push(d);
                }
            }
            // libsolv's testtags reader adds the self-provide `name = evr`.
            if p.arch != "src" && p.arch != "nosrc" {
                let e = p.epoch.to_string();
                let rel = (!p.release.is_empty()).then_some(p.release.as_str());
                let own = pool
                    .make_reldep(&p.name, Cmp::Eq, Some(&e), Some(&p.version), rel, false)
                    .map_err(|e| unsupported(format!("package `{}` ({e})", p.name), repo.line))?;
                if !deps[0].contains(&own) {
                    deps[0].push(own);
                }
            }
            let id = pool.add_package(
                NewPackage {
                    name: &p.name,
                    epoch: p.epoch,
                    version: &p.version,
                    release: &p.release,
                    arch: &p.arch,
                    info: PackageInfo::default(),
                },
                &deps,
            );
            for f in &p.files {
                pool.add_file(id, f);
            }
            if is_system {
                installed.push(id);
            }
            ids.push(format!(
                "{}-{}.{}@{}",
                p.name,
                evr_string(p.epoch, &p.version, &p.release),
                p.arch,
                repo_label
            ));
        }
    }
    pool.build_indexes();
    let available = pool
        .ids()
        .map(|p| {
            let a = pool.arch(p);
            a != "src"
                && a != "nosrc"
                && (a == "noarch" || policy.as_ref().is_none_or(|pol| pol.contains(&a)))
        })
        .collect();
    let mut by_id = FxHashMap::default();
    for (i, s) in ids.iter().enumerate() {
        by_id.entry(s.clone()).or_insert(PkgId(i as u32));
        if let Some((no_repo, _)) = s.rsplit_once('@') {
            by_id.entry(no_repo.to_string()).or_insert(PkgId(i as u32));
        }
    }
    Ok(TcPool {
        pool,
        installed,
        available,
        ids,
        by_id,
    })
}

/// A testtags dependency: `name`, `name OP EVR`, a rich `(...)` or SUSE's
/// `packageand(a:b)`; libsolv's `<IF>`-style operators and others are refused.
fn parse_dep(pool: &mut Pool, text: &str) -> Result<Reldep, String> {
    // SUSE's old `packageand(a:b)` is `(a and b)`.
    if let Some(inner) = text
        .trim()
        .strip_prefix("packageand(")
        .and_then(|t| t.strip_suffix(')'))
    {
        let parts: Vec<&str> = inner.split(':').filter(|p| !p.is_empty()).collect();
        if parts.len() >= 2 {
            return pool.parse_reldep(&format!("({})", parts.join(" and ")));
        }
    }
    pool.parse_reldep(text)
}

/// Run every solve of a testcase. Fails with the first unsupported feature met.
pub fn run_testcase(tc: &Testcase) -> Result<Vec<RunOutput>, Unsupported> {
    // Check every run before solving any, so an unsupported feature is reported even
    // when it is in a later run.
    for run in &tc.runs {
        check_run(run)?;
    }
    let mut tp = build_pool(tc)?;
    let mut out = Vec::new();
    for run in &tc.runs {
        out.push(solve_run(&mut tp, run)?);
    }
    Ok(out)
}

const SOLVER_FLAGS_OK: [&str; 2] = ["allowuninstall", "ignorerecommended"];
const POOL_FLAGS_OK: [&str; 1] = ["implicitobsoleteusescolors"];

fn check_run(run: &TcRun) -> Result<(), Unsupported> {
    let line = run.result.as_ref().map_or(0, |r| r.line);
    for f in &run.solverflags {
        if !SOLVER_FLAGS_OK.contains(&f.as_str()) {
            return Err(unsupported(format!("solverflags {f}"), line));
        }
    }
    for f in &run.poolflags {
        if !POOL_FLAGS_OK.contains(&f.as_str()) {
            return Err(unsupported(format!("poolflags {f}"), line));
        }
    }
    for o in &run.other {
        let cmd = o.words.first().map(String::as_str).unwrap_or("");
        if cmd != "feature" {
            return Err(unsupported(format!("command `{cmd}`"), o.line));
        }
    }
    for j in &run.jobs {
        if !j.flags.is_empty() {
            return Err(unsupported(
                format!("job flag [{}]", j.flags.join(",")),
                j.line,
            ));
        }
        let ok = matches!(
            (j.action.as_str(), j.selector.as_str()),
            ("install", "pkg" | "name" | "provides" | "oneof")
                | ("erase", "pkg" | "name" | "provides")
                | ("lock", "pkg" | "name")
        );
        if !ok {
            return Err(unsupported(
                format!("job {} {}", j.action, j.selector),
                j.line,
            ));
        }
    }
    if let Some(r) = &run.result {
        for f in &r.flags {
            if f != "transaction" && f != "problems" {
                return Err(unsupported(format!("result {f}"), r.line));
            }
        }
    }
    Ok(())
}

/// The packages a job selects.
fn select(tp: &mut TcPool, j: &TcJob) -> Result<Vec<PkgId>, Unsupported> {
    let text = j.what.join(" ");
    match j.selector.as_str() {
        "pkg" | "oneof" => {
            let mut v = Vec::new();
            for w in &j.what {
                if w == "nothing" {
                    continue;
                }
                match tp.by_id.get(w.as_str()) {
                    Some(&p) => v.push(p),
                    None => return Err(unsupported(format!("unknown package `{w}`"), j.line)),
                }
            }
            Ok(v)
        }
        "name" => {
            let d = parse_dep(&mut tp.pool, &text)
                .map_err(|e| unsupported(format!("job dependency `{text}` ({e})"), j.line))?;
            if d.is_rich() {
                return Err(unsupported("rich dependency in a name job", j.line));
            }
            let name = tp.pool.str(d.name).to_string();
            let pool = &tp.pool;
            Ok(pool
                .by_name(&name)
                .iter()
                .copied()
                .filter(|&p| d.cmp == Cmp::Any || pool.pkg_matches(p, &d))
                .collect())
        }
        "provides" => {
            let d = parse_dep(&mut tp.pool, &text)
                .map_err(|e| unsupported(format!("job dependency `{text}` ({e})"), j.line))?;
            if d.is_rich() {
                return Err(unsupported("rich dependency in a provides job", j.line));
            }
            Ok(tp.pool.whatprovides(&d))
        }
        s => Err(unsupported(format!("job selector {s}"), j.line)),
    }
}

fn solve_run(tp: &mut TcPool, run: &TcRun) -> Result<RunOutput, Unsupported> {
    let mut req = Request {
        installed: tp.installed.clone(),
        available: tp.available.clone(),
        allow_uninstall: run.solverflags.iter().any(|f| f == "allowuninstall"),
        obsoleters_replace: true,
        multilib: run
            .poolflags
            .iter()
            .any(|f| f == "implicitobsoleteusescolors"),
        weak_deps: !run.solverflags.iter().any(|f| f == "ignorerecommended"),
        weak_deps_of_installed: run.solverflags.iter().any(|f| f == "addalreadyrecommended"),
        ..Request::default()
    };
    let mut jobs_of_one_of = Vec::new();
    for j in &run.jobs {
        let sel = select(tp, j)?;
        match j.action.as_str() {
            "install" => {
                // An install job for another version of an installed package lets
                // that package go (libsolv disables its update rule).
                if j.selector == "pkg" {
                    for &p in &sel {
                        if tp.installed.contains(&p) {
                            continue;
                        }
                        let name = tp.pool.pkg(p).name;
                        for &i in &tp.installed {
                            if tp.pool.pkg(i).name == name && !req.unkept.contains(&i) {
                                req.unkept.push(i);
                            }
                        }
                    }
                }
                req.one_of.push(sel);
                jobs_of_one_of.push(j.text());
            }
            "erase" => req.erase.extend(sel),
            "lock" => req.lock.extend(sel),
            a => return Err(unsupported(format!("job {a}"), j.line)),
        }
    }
    let mut problems: Vec<String> = Vec::new();
    let outcome = loop {
        match solve_request(&tp.pool, &req) {
            RequestOutcome::Solved(model) => break Some(model),
            RequestOutcome::GaveUp(n) => {
                problems.push(format!("the solver gave up after {n} conflicts"));
                break None;
            }
            RequestOutcome::Unsolvable {
                explanation,
                one_of,
                erase,
                lock,
                ..
            } => {
                problems.push(explanation.render(&tp.pool).replace('\n', " "));
                // Drop the jobs involved, as libsolv disables a problem's jobs, and
                // solve the rest.
                if !one_of.is_empty() {
                    for &k in one_of.iter().rev() {
                        if k < req.one_of.len() {
                            req.one_of.remove(k);
                        }
                    }
                } else if !erase.is_empty() || !lock.is_empty() {
                    for &k in erase.iter().rev() {
                        if k < req.erase.len() {
                            req.erase.remove(k);
                        }
                    }
                    for &k in lock.iter().rev() {
                        if k < req.lock.len() {
                            req.lock.remove(k);
                        }
                    }
                } else {
                    break None;
                }
            }
        }
    };
    let mut lines = match &outcome {
        Some(model) => transaction_lines(tp, model),
        None => Vec::new(),
    };
    for (i, p) in problems.iter().enumerate() {
        lines.push(format!("problem {} info {}", i + 1, p));
    }
    lines.sort();
    Ok(RunOutput {
        lines,
        expected: run.result.clone(),
    })
}

/// testsolv's transaction lines for going from the installed set to `model`.
fn transaction_lines(tp: &TcPool, model: &[PkgId]) -> Vec<String> {
    let pool = &tp.pool;
    let inst: FxHashSet<PkgId> = tp.installed.iter().copied().collect();
    let now: FxHashSet<PkgId> = model.iter().copied().collect();
    let mut gone: Vec<PkgId> = tp
        .installed
        .iter()
        .copied()
        .filter(|p| !now.contains(p))
        .collect();
    gone.sort_unstable();
    let mut paired: FxHashSet<PkgId> = FxHashSet::default();
    let name = |p: PkgId| tp.ids[p.index()].as_str();
    let mut lines = Vec::new();
    let mut new: Vec<PkgId> = model
        .iter()
        .copied()
        .filter(|p| !inst.contains(p))
        .collect();
    new.sort_unstable();
    for &n in &new {
        let same = gone
            .iter()
            .copied()
            .filter(|o| !paired.contains(o) && pool.pkg(*o).name == pool.pkg(n).name)
            .min_by_key(|&o| pool.pkg(o).arch != pool.pkg(n).arch);
        if let Some(o) = same {
            paired.insert(o);
            let word = match pool.evr(n).cmp_full(&pool.evr(o)) {
                std::cmp::Ordering::Greater => "upgrade",
                std::cmp::Ordering::Less => "downgrade",
                std::cmp::Ordering::Equal => "reinstall",
            };
            lines.push(format!("{word} {} {}", name(o), name(n)));
            continue;
        }
        lines.push(format!("install {}", name(n)));
        for d in pool.deps_of(n, DepKind::Obsoletes) {
            for &o in &gone {
                if !paired.contains(&o)
                    && pool.str(pool.pkg(o).name) == pool.str(d.name)
                    && pool.pkg_matches(o, d)
                {
                    paired.insert(o);
                    lines.push(format!("erase {} {}", name(o), name(n)));
                }
            }
        }
    }
    for &o in &gone {
        if !paired.contains(&o) {
            lines.push(format!("erase {}", name(o)));
        }
    }
    lines.sort();
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testcase::{TcPackage, TcRepo, TcSystem};

    fn pkg(name: &str, v: &str, deps: &[(usize, &str)]) -> TcPackage {
        let mut p = TcPackage {
            name: name.into(),
            version: v.into(),
            release: "1".into(),
            arch: "noarch".into(),
            ..TcPackage::default()
        };
        for &(k, d) in deps {
            p.deps[k].push(d.into());
        }
        p
    }

    fn case(
        system: Vec<TcPackage>,
        avail: Vec<TcPackage>,
        jobs: &[(&str, &str, &str)],
    ) -> Testcase {
        let repo = |name: &str, packages| TcRepo {
            name: name.into(),
            priority: 0,
            subpriority: 0,
            format: "testtags".into(),
            packages,
            line: 1,
        };
        Testcase {
            repos: vec![repo("system", system), repo("test", avail)],
            system: Some(TcSystem {
                arch: "x86_64".into(),
                disttype: "rpm".into(),
                installed: Some("system".into()),
                line: 3,
            }),
            runs: vec![TcRun {
                jobs: jobs
                    .iter()
                    .map(|&(a, s, w)| TcJob {
                        action: a.into(),
                        selector: s.into(),
                        what: w.split_whitespace().map(String::from).collect(),
                        flags: vec![],
                        line: 4,
                    })
                    .collect(),
                ..TcRun::default()
            }],
            ..Testcase::default()
        }
    }

    #[test]
    fn install_picks_first_name_and_upgrades() {
        // X requires Y; C and A provide it: libsolv takes A (name order). Z needs the
        // newer B, which replaces the installed one.
        let tc = case(
            vec![pkg("B", "1", &[(0, "P = 1")])],
            vec![
                pkg("X", "1", &[(1, "Y")]),
                pkg("B", "2", &[(0, "P = 2")]),
                pkg("C", "1", &[(0, "Y")]),
                pkg("A", "1", &[(0, "Y")]),
                pkg("Z", "1", &[(1, "P = 2")]),
            ],
            &[("install", "name", "X"), ("install", "name", "Z")],
        );
        let out = run_testcase(&tc).unwrap();
        assert_eq!(
            out[0].lines,
            vec![
                "install A-1-1.noarch@test",
                "install X-1-1.noarch@test",
                "install Z-1-1.noarch@test",
                "upgrade B-1-1.noarch@system B-2-1.noarch@test",
            ]
        );
    }

    #[test]
    fn erase_with_dependents_is_a_problem_unless_allowuninstall() {
        let mut tc = case(
            vec![pkg("A", "1", &[]), pkg("B", "1", &[(1, "A")])],
            vec![],
            &[("erase", "name", "A")],
        );
        let out = run_testcase(&tc).unwrap();
        assert!(out[0].lines.iter().any(|l| l.starts_with("problem 1 info")));
        assert!(!out[0].lines.iter().any(|l| l.starts_with("erase")));
        tc.runs[0].solverflags.push("allowuninstall".into());
        let out = run_testcase(&tc).unwrap();
        assert_eq!(
            out[0].lines,
            vec!["erase A-1-1.noarch@system", "erase B-1-1.noarch@system"]
        );
    }

    #[test]
    fn obsoleting_package_replaces_the_installed_one() {
        let tc = case(
            vec![pkg("c", "27", &[])],
            vec![pkg("d", "28", &[(3, "c")]), pkg("x", "1", &[(1, "d")])],
            &[("install", "name", "x")],
        );
        let out = run_testcase(&tc).unwrap();
        assert_eq!(
            out[0].lines,
            vec![
                "erase c-27-1.noarch@system d-28-1.noarch@test",
                "install d-28-1.noarch@test",
                "install x-1-1.noarch@test",
            ]
        );
    }

    #[test]
    fn unsupported_features_are_named_and_verdicts_compare_lines() {
        let mut tc = case(
            vec![],
            vec![pkg("A", "1", &[])],
            &[("update", "all", "packages")],
        );
        let e = run_testcase(&tc).unwrap_err();
        assert_eq!(e.feature, "job update all");
        assert_eq!(e.to_string(), "line 4: job update all is not supported");
        tc.runs[0].jobs[0].action = "install".into();
        tc.runs[0].jobs[0].selector = "name".into();
        tc.runs[0].jobs[0].what = vec!["A".into()];
        tc.runs[0].result = Some(TcResult {
            flags: vec!["transaction".into(), "problems".into()],
            lines: vec!["install A-1-1.noarch@test".into()],
            line: 5,
        });
        let out = run_testcase(&tc).unwrap();
        assert_eq!(out[0].verdict(), Verdict::Match);
        tc.runs[0].result.as_mut().unwrap().lines = vec!["problem abc info x".into()];
        let out = run_testcase(&tc).unwrap();
        assert_eq!(
            out[0].verdict(),
            Verdict::Mismatch(vec![
                "+install A-1-1.noarch@test".into(),
                "-problem (libsolv found problems, bramble none)".into()
            ])
        );
        tc.runs[0].solverflags.push("focusbest".into());
        assert_eq!(
            run_testcase(&tc).unwrap_err().feature,
            "solverflags focusbest"
        );
    }
}
