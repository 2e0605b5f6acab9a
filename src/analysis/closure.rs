//! Repoclosure: which requirements of the checked packages no available package
//! provides. The semantics are dnf 4's repoclosure plugin on libsolv, exactly:
//!
//! * only `Requires` (pre and non-pre) are checked, `rpmlib(` and `solvable:` skipped;
//!   weak dependencies never;
//! * a requirement is resolved when libsolv's `whatprovides` of it, among the
//!   *available* packages that are installable on the host arch, is not empty
//!   (rich deps by their provider set, file deps against file lists and provides);
//! * `available` is every package of the loaded repos (after module filtering, when the
//!   caller gives a mask), only the newest per name.arch of each repo with `--newest`
//!   (hawkey's `latest()` is per name.arch: checked with python3-hawkey), and then only
//!   the newest per name.arch across repos with `--best` (dnf's `best=True`);
//! * the *checked* set starts as the same set before `--best`, and is narrowed by
//!   `--pkg`, `--check` and `--arch`, which never narrow the providers.
//!
//! Unique requirements are resolved once each, in parallel; the result is deterministic.

use std::cmp::Ordering;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use super::modules::Hidden;
use super::select::PkgPattern;
use crate::model::package::{DepKind, PkgId, Reldep, RepoId};
use crate::model::pool::Pool;
use crate::progress::{Cancel, Progress};

/// Options with `dnf repoclosure`'s meanings.
#[derive(Default, Clone, Debug)]
pub struct ClosureOptions {
    /// Only check packages of these repos (`--check`); empty: all.
    pub check: Vec<RepoId>,
    /// Only check packages of these arches (`--arch`); empty: all.
    pub arches: Vec<String>,
    /// `--newest`: only the newest package per name.arch of each repo is checked and
    /// counts as a provider.
    pub newest: bool,
    /// `--best`: providers are only the newest per name.arch across all repos.
    pub best: bool,
    /// `--pkg`: check only packages matching these patterns.
    pub pkgs: Vec<String>,
    /// Packages that exist for dependency solving (module filtering); `None`: all.
    pub available: Option<Vec<bool>>,
    /// Why packages are hidden by module filtering ([`ModularFilter::hidden`]), to say
    /// so in hints; `None`: unknown (hidden providers are then only "not available").
    ///
    /// [`ModularFilter::hidden`]: super::modules::ModularFilter::hidden
    pub module_hidden: Option<Vec<Option<Hidden>>>,
    /// Repositories that are loaded but not enabled: their packages are never checked
    /// nor available, they only show up in hints ("in repo R, which is not enabled").
    pub disabled: Vec<RepoId>,
}

/// Why an unresolved requirement may be unresolved: the nearest things that almost fit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Hint {
    /// Packages provide the name, but not in the required version range.
    OtherVersions { providers: Vec<String> },
    /// Providers exist but cannot be installed on this host (arch, or a source package).
    NotInstallable {
        providers: Vec<String>,
        host_arch: String,
    },
    /// Providers exist but are not available (`--newest`, `--best`, or a filter whose
    /// reason is not known).
    NotAvailable { providers: Vec<String> },
    /// Providers exist but modular filtering hides them (each with the reason).
    HiddenByModules { providers: Vec<String> },
    /// Providers exist in a repository that is loaded but not enabled.
    DisabledRepo {
        repo: String,
        providers: Vec<String>,
    },
    /// A file requirement, and the file lists of some repos were not read.
    FilelistsNotLoaded,
}

#[derive(Clone, Debug, Serialize)]
pub struct UnresolvedDep {
    pub dep: String,
    pub hints: Vec<Hint>,
}

/// One package with unresolved requirements.
#[derive(Clone, Debug, Serialize)]
pub struct Broken {
    #[serde(skip)]
    pub pkg: PkgId,
    pub nevra: String,
    pub repo: String,
    pub unresolved: Vec<UnresolvedDep>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct ClosureReport {
    /// Packages checked.
    pub checked: usize,
    /// Broken packages in dnf's order (name, then EVR, then arch).
    pub broken: Vec<Broken>,
    /// True when the run was cancelled before the end (the report is then partial).
    pub cancelled: bool,
}

impl ClosureReport {
    /// Total unresolved requirements, counted per package as dnf does.
    pub fn unresolved_count(&self) -> usize {
        self.broken.iter().map(|b| b.unresolved.len()).sum()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ClosureError {
    #[error("no package matched: {0}")]
    NoMatch(String),
    #[error("{0}")]
    Pattern(String),
}

/// dnf's package order: name, then EVR, then arch.
pub fn dnf_order(pool: &Pool, a: PkgId, b: PkgId) -> Ordering {
    pool.name(a)
        .cmp(pool.name(b))
        .then_with(|| pool.evr(a).cmp_full(&pool.evr(b)))
        .then_with(|| pool.arch(a).cmp(pool.arch(b)))
}

/// For each package in `ids`, whether it is the newest of its name.arch within `ids`,
/// grouping by `key` (all in one group, or per repo). Ties are all kept, as hawkey does.
fn latest_mask(pool: &Pool, ids: &[PkgId], per_repo: bool) -> FxHashSet<PkgId> {
    let mut best: FxHashMap<(u32, u32, u32), Vec<PkgId>> = FxHashMap::default();
    for &id in ids {
        let p = pool.pkg(id);
        let key = (p.name.0, p.arch.0, if per_repo { p.repo.0 } else { 0 });
        let e = best.entry(key).or_default();
        match e.first().map(|&o| pool.evr(id).cmp_full(&pool.evr(o))) {
            None | Some(Ordering::Equal) => e.push(id),
            Some(Ordering::Greater) => {
                e.clear();
                e.push(id);
            }
            Some(Ordering::Less) => {}
        }
    }
    best.into_values().flatten().collect()
}

fn skipped(name: &str) -> bool {
    name.starts_with("rpmlib(") || name.starts_with("solvable:")
}

/// Which packages a closure run checks and which may provide, as dnf decides.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// The packages checked, in pool order.
    pub to_check: Vec<PkgId>,
    /// `available[i]`: package `i` may provide (arch is judged separately).
    pub available: Vec<bool>,
}

/// The checked and providing sets of a closure run with `opts` (see the module doc).
pub fn select(pool: &Pool, opts: &ClosureOptions) -> Result<Selection, ClosureError> {
    let all: Vec<PkgId> = pool
        .ids()
        .filter(|&id| opts.available.as_ref().is_none_or(|m| m[id.index()]))
        .filter(|&id| !opts.disabled.contains(&pool.pkg(id).repo))
        .collect();
    // dnf-plugins-core 4.3 `_get_unresolved`: with --newest both sets are the newest per
    // name.arch of each repo; then best=True narrows only the providers, across repos.
    let base: Vec<PkgId> = if opts.newest {
        let keep = latest_mask(pool, &all, true);
        all.iter().copied().filter(|id| keep.contains(id)).collect()
    } else {
        all
    };
    let mut available = vec![false; pool.len()];
    if opts.best {
        for id in latest_mask(pool, &base, false) {
            available[id.index()] = true;
        }
    } else {
        for &id in &base {
            available[id.index()] = true;
        }
    }
    let mut to_check = base;
    if !opts.pkgs.is_empty() {
        let pats: Vec<PkgPattern> = opts
            .pkgs
            .iter()
            .map(|p| PkgPattern::new(p))
            .collect::<Result<_, _>>()
            .map_err(ClosureError::Pattern)?;
        let missing: Vec<&str> = pats
            .iter()
            .filter(|p| !to_check.iter().any(|&id| p.matches(pool, id)))
            .map(|p| p.as_str())
            .collect();
        if !missing.is_empty() {
            return Err(ClosureError::NoMatch(missing.join(", ")));
        }
        to_check.retain(|&id| pats.iter().any(|p| p.matches(pool, id)));
    }
    if !opts.check.is_empty() {
        to_check.retain(|&id| opts.check.contains(&pool.pkg(id).repo));
    }
    if !opts.arches.is_empty() {
        to_check.retain(|&id| opts.arches.iter().any(|a| a == pool.arch(id)));
    }
    Ok(Selection {
        to_check,
        available,
    })
}

/// Run repoclosure over `pool` (which must be indexed).
pub fn closure(
    pool: &Pool,
    opts: &ClosureOptions,
    progress: &dyn Progress,
    cancel: &Cancel,
) -> Result<ClosureReport, ClosureError> {
    let Selection {
        to_check,
        available,
    } = select(pool, opts)?;
    progress.phase("closure", Some(to_check.len() as u64));

    // Unique requirements of the checked packages, resolved once each, in parallel.
    let mut unique: FxHashSet<Reldep> = FxHashSet::default();
    for &id in &to_check {
        for d in pool.deps_of(id, DepKind::Requires) {
            if !skipped(pool.str(d.name)) {
                let mut k = *d;
                k.flags &= !Reldep::PRE;
                unique.insert(k);
            }
        }
    }
    let unique: Vec<Reldep> = unique.into_iter().collect();
    let resolved: Vec<bool> = unique
        .par_iter()
        .map_init(Vec::new, |scratch, d| {
            if cancel.is_cancelled() {
                return true;
            }
            scratch.clear();
            pool.whatprovides_into(d, scratch);
            scratch
                .iter()
                .any(|&p| available[p.index()] && pool.is_installable(p))
        })
        .collect();
    let unresolved: FxHashSet<Reldep> = unique
        .iter()
        .zip(&resolved)
        .filter(|&(_, &ok)| !ok)
        .map(|(d, _)| *d)
        .collect();

    let mut broken = Vec::new();
    for &id in &to_check {
        let mut deps: Vec<UnresolvedDep> = Vec::new();
        for d in pool.deps_of(id, DepKind::Requires) {
            let mut k = *d;
            k.flags &= !Reldep::PRE;
            if unresolved.contains(&k) {
                let text = pool.dep_str(d);
                if !deps.iter().any(|u| u.dep == text) {
                    deps.push(UnresolvedDep {
                        hints: hints(pool, d, &available, opts),
                        dep: text,
                    });
                }
            }
        }
        if !deps.is_empty() {
            deps.sort_by(|a, b| a.dep.cmp(&b.dep));
            broken.push(Broken {
                pkg: id,
                nevra: pool.nevra(id),
                repo: pool.repo_of(id).name.clone(),
                unresolved: deps,
            });
        }
    }
    progress.advance(to_check.len() as u64);
    broken.sort_by(|a, b| dnf_order(pool, a.pkg, b.pkg).then_with(|| a.repo.cmp(&b.repo)));
    Ok(ClosureReport {
        checked: to_check.len(),
        broken,
        cancelled: cancel.is_cancelled(),
    })
}

/// Why modular filtering hides a package, in a few words.
fn hidden_reason(h: &Hidden) -> String {
    match h {
        Hidden::InactiveStream { stream } => format!("artifact of inactive stream {stream}"),
        Hidden::ActiveName { name, stream } => {
            format!("`{name}` is a package of active stream {stream}")
        }
    }
}

/// The nearest candidates of an unresolved requirement.
fn hints(pool: &Pool, dep: &Reldep, available: &[bool], opts: &ClosureOptions) -> Vec<Hint> {
    let in_disabled = |p: PkgId| opts.disabled.contains(&pool.pkg(p).repo);
    let mut out = Vec::new();
    let exact = pool.whatprovides(dep);
    let not_installable: Vec<String> = exact
        .iter()
        .filter(|&&p| available[p.index()] && !pool.is_installable(p))
        .map(|&p| pool.nevra(p))
        .collect();
    if !not_installable.is_empty() {
        out.push(Hint::NotInstallable {
            providers: not_installable,
            host_arch: pool.host_arch.clone(),
        });
    }
    let module_reason = |p: PkgId| {
        opts.module_hidden
            .as_ref()
            .and_then(|h| h.get(p.index()).cloned().flatten())
    };
    let mut by_modules = Vec::new();
    let mut hidden = Vec::new();
    let mut off: Vec<(RepoId, Vec<String>)> = Vec::new();
    for &p in exact.iter().filter(|&&p| !available[p.index()]) {
        if in_disabled(p) {
            let repo = pool.pkg(p).repo;
            match off.iter_mut().find(|(r, _)| *r == repo) {
                Some((_, v)) => v.push(pool.nevra(p)),
                None => off.push((repo, vec![pool.nevra(p)])),
            }
        } else if let Some(why) = module_reason(p) {
            by_modules.push(format!("{} ({})", pool.nevra(p), hidden_reason(&why)));
        } else {
            hidden.push(pool.nevra(p));
        }
    }
    if !by_modules.is_empty() {
        out.push(Hint::HiddenByModules {
            providers: by_modules,
        });
    }
    if !hidden.is_empty() {
        out.push(Hint::NotAvailable { providers: hidden });
    }
    for (repo, providers) in off {
        out.push(Hint::DisabledRepo {
            repo: pool.repos[repo.index()].name.clone(),
            providers,
        });
    }
    if !dep.is_rich() && dep.cmp != crate::model::dep::Cmp::Any {
        let any = pool.whatprovides(&Reldep::unversioned(dep.name));
        let others: Vec<String> = any
            .iter()
            .filter(|&&p| !exact.contains(&p) && !in_disabled(p))
            .flat_map(|&p| {
                pool.deps_of(p, DepKind::Provides)
                    .iter()
                    .filter(|pr| pr.name == dep.name)
                    .map(move |pr| format!("{} ({})", pool.dep_str(pr), pool.nevra(p)))
            })
            .take(8)
            .collect();
        if !others.is_empty() {
            out.push(Hint::OtherVersions { providers: others });
        }
    }
    if pool.str(dep.name).starts_with('/') && pool.repos.iter().any(|r| !r.full_filelists) {
        out.push(Hint::FilelistsNotLoaded);
    }
    out
}

impl Hint {
    /// One line of explanation, lower case, values in backticks.
    pub fn describe(&self) -> String {
        match self {
            Hint::OtherVersions { providers } => {
                format!("other versions are provided: {}", providers.join(", "))
            }
            Hint::NotInstallable {
                providers,
                host_arch,
            } => format!(
                "provided only by packages not installable on {host_arch}: {}",
                providers.join(", ")
            ),
            Hint::NotAvailable { providers } => format!(
                "provided by packages that are filtered out (--newest, --best, filters): {}",
                providers.join(", ")
            ),
            Hint::HiddenByModules { providers } => format!(
                "provided by packages hidden by module filtering: {}",
                providers.join(", ")
            ),
            Hint::DisabledRepo { repo, providers } => format!(
                "provided by {} in repo {repo}, which is not enabled",
                providers.join(", ")
            ),
            Hint::FilelistsNotLoaded => {
                "a file requirement, and not every repo's file lists were read".to_string()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::pool::SourceKind;
    use crate::model::pool::test_support::add;
    use crate::progress::NoProgress;

    /// `main` (checked) needs `libx` and `liby`; `off` (not enabled) has `libx`; `liby`
    /// is provided only by a package module filtering hides.
    fn pool() -> (Pool, RepoId) {
        let mut pool = Pool::new("x86_64");
        pool.add_repo("main", "/main", SourceKind::RpmMd);
        add(&mut pool, "app-1-1.x86_64", &["R:libx", "R:liby >= 2"]);
        add(&mut pool, "liby-2-1.x86_64", &[]);
        let off = pool.add_repo("off", "/off", SourceKind::RpmMd);
        add(&mut pool, "libx-1-1.x86_64", &["R:nothing-at-all"]);
        pool.build_indexes();
        (pool, off)
    }

    fn run(pool: &Pool, opts: &ClosureOptions) -> ClosureReport {
        closure(pool, opts, &NoProgress, &Cancel::new()).unwrap()
    }

    #[test]
    fn a_disabled_repo_is_neither_checked_nor_available_only_hinted() {
        let (pool, off) = pool();
        let everything = run(&pool, &ClosureOptions::default());
        assert_eq!(everything.checked, 3);
        let opts = ClosureOptions {
            disabled: vec![off],
            ..Default::default()
        };
        let r = run(&pool, &opts);
        assert_eq!(r.checked, 2, "libx of the disabled repo is not checked");
        assert_eq!(r.broken.len(), 1);
        let deps: Vec<&str> = r.broken[0].unresolved.iter().map(|u| &*u.dep).collect();
        assert_eq!(deps, ["libx"], "the disabled provider does not resolve");
        let hint = &r.broken[0].unresolved[0].hints;
        assert_eq!(
            hint,
            &[Hint::DisabledRepo {
                repo: "off".into(),
                providers: vec!["libx-1-1.x86_64".into()],
            }]
        );
        assert_eq!(
            hint[0].describe(),
            "provided by libx-1-1.x86_64 in repo off, which is not enabled"
        );
    }

    #[test]
    fn providers_hidden_by_module_filtering_are_named_with_the_reason() {
        let (pool, off) = pool();
        let mut available = vec![true; pool.len()];
        available[1] = false;
        let mut hidden = vec![None; pool.len()];
        hidden[1] = Some(Hidden::InactiveStream {
            stream: "liby:2".into(),
        });
        let opts = ClosureOptions {
            disabled: vec![off],
            available: Some(available.clone()),
            module_hidden: Some(hidden),
            ..Default::default()
        };
        let r = run(&pool, &opts);
        let liby = r.broken[0]
            .unresolved
            .iter()
            .find(|u| u.dep == "liby >= 2")
            .unwrap();
        assert_eq!(
            liby.hints,
            [Hint::HiddenByModules {
                providers: vec!["liby-2-1.x86_64 (artifact of inactive stream liby:2)".into()]
            }]
        );
        assert!(
            liby.hints[0]
                .describe()
                .contains("hidden by module filtering")
        );
        // Without the reasons, the provider is only "not available".
        let opts = ClosureOptions {
            disabled: vec![off],
            available: Some(available),
            ..Default::default()
        };
        let r = run(&pool, &opts);
        let liby = r.broken[0]
            .unresolved
            .iter()
            .find(|u| u.dep == "liby >= 2")
            .unwrap();
        assert!(matches!(liby.hints[..], [Hint::NotAvailable { .. }]));
    }
}
