//! What changed between two build trees (OLD and NEW), and which change broke what:
//! the analysis behind `bramble diff` (and the TUI's Diff view), for post-mortems like
//! the python-magic story (journey 1: "install of s3cmd now fails: `python3-file-magic`
//! is new in NEW, pulled by `insights-client`, which is new in NEW").
//!
//! A [`Side`] is a pool plus, optionally, the packages that make it up: every package of
//! the pool (two sets of repositories, each loaded into its own pool), or an image's
//! installed set (an image list solved to its closure with the install simulation; both
//! images usually share one pool). [`diff`] compares two sides and returns a
//! [`DiffReport`], plain serialisable data:
//!
//! * packages, per binary `name.arch`, newest version on each side (as `dnf repodiff
//!   --compare-arch` with `latest_per_arch`): added, removed, upgraded, downgraded
//!   (rpmvercmp over `epoch:version-release`), rebuilt (same NEVRA, different package
//!   checksum `pkgid`) and arch changes (a name that lost one arch and gained another,
//!   e.g. `x86_64` → `noarch`); and grouped per source package (`--srpm`, repodiff's
//!   default view), source EVRs read from the binaries' `sourcerpm` and from `src`
//!   packages;
//! * dependencies: per package present on both sides, the `Provides`, `Requires`,
//!   `Conflicts` and `Obsoletes` added and removed (the package's own `name = EVR`
//!   provide is left out: it changes with every version);
//! * consequences: closure problems (dnf repoclosure semantics, [`super::closure`]) new
//!   in NEW and fixed by NEW, keyed by `name.arch` and requirement so that an upgraded
//!   package keeping an old problem is not "new"; with roots, the install simulation on
//!   both sides ([`super::install::simulate_install`]; on top of the image in image mode)
//!   and how its outcome and package set changed; an image that no longer installs;
//! * blame: for each new problem, the changed packages it involves, each with the chain
//!   of `Requires` ([`super::why`]) from the roots / image entries that pulls it in, every
//!   link marked with its own change; for a new unresolved requirement, what provided it
//!   in OLD and what became of that provider.
//!
//! Koji: [`koji_diff`] compares what inheritance gives one tag in two snapshots or at two
//! events (two [`TagView`]s): inheritance links, external repos (merge order, priority,
//! merge mode, url), group entries, package-list blocks, latest builds with their origin
//! tag; [`buildroot_diff`] compares two merged buildroots (packages whose NEVRA or origin
//! changed, e.g. after a merge mode change).
//!
//! New *conflicts* (`bramble conflicts`) are not computed here yet: [`DiffReport::conflicts`]
//! is the hook, left `None` until the conflicts analysis lands.

use std::cmp::Ordering;

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use super::buildroot::BuildrootPlan;
use super::closure::{ClosureOptions, closure};
use super::install::{Explanation, Root, Step, simulate_install};
use super::tagview::TagView;
use super::why::why;
use crate::model::dep::Cmp;
use crate::model::evr::{Evr, evr_cmp_match};
use crate::model::nevra::Nevra;
use crate::model::package::{DepKind, PkgId, Reldep};
use crate::model::pool::Pool;
use crate::progress::{Cancel, NoProgress};

/// The dependency kinds compared per package.
pub const DIFF_KINDS: [DepKind; 4] = [
    DepKind::Provides,
    DepKind::Requires,
    DepKind::Conflicts,
    DepKind::Obsoletes,
];

/// One side of a diff.
#[derive(Clone)]
pub struct Side<'a> {
    /// What the user calls it (`OLD`, `NEW`, or the repo names).
    pub label: String,
    pub pool: &'a Pool,
    /// The packages that make up this side (an image's installed set); `None`: every
    /// package of the pool (repository mode).
    pub members: Option<Vec<PkgId>>,
    /// The packages the side was defined from (an image list's entries): blame chains
    /// start here and at the roots.
    pub listed: Vec<PkgId>,
    /// Roots of the install simulation, parsed in this side's pool (empty: none).
    pub roots: Vec<Root>,
    /// The roots as the user wrote them, for the report.
    pub roots_text: Vec<String>,
    /// Why the image itself cannot be installed (image mode only).
    pub image_error: Option<Explanation>,
}

impl<'a> Side<'a> {
    /// Repository mode: every package of `pool` belongs to the side.
    pub fn repos(label: &str, pool: &'a Pool) -> Self {
        Side {
            label: label.to_string(),
            pool,
            members: None,
            listed: Vec::new(),
            roots: Vec::new(),
            roots_text: Vec::new(),
            image_error: None,
        }
    }

    /// Image mode: the side is what installing `listed` into an empty system gives. When
    /// that fails, the members are the listed packages alone and `image_error` says why.
    pub fn image(label: &str, pool: &'a Pool, listed: Vec<PkgId>) -> Self {
        let roots: Vec<Root> = listed.iter().map(|&p| Root::Pkg(p)).collect();
        let (members, image_error) = match simulate_install(pool, &roots, &[], &[]) {
            Ok(t) => {
                let mut m: Vec<PkgId> = t.packages.iter().map(|x| x.0).collect();
                m.sort();
                m.dedup();
                (m, None)
            }
            Err(e) => (listed.clone(), Some(e)),
        };
        Side {
            label: label.to_string(),
            pool,
            members: Some(members),
            listed,
            roots: Vec::new(),
            roots_text: Vec::new(),
            image_error,
        }
    }

    /// Set the install-simulation roots (parsed in this side's pool).
    pub fn with_roots(mut self, roots: Vec<Root>, text: &[String]) -> Self {
        self.roots = roots;
        self.roots_text = text.to_vec();
        self
    }

    fn ids(&self) -> Vec<PkgId> {
        match &self.members {
            Some(m) => m.clone(),
            None => self.pool.ids().collect(),
        }
    }

    fn mask(&self) -> Option<Vec<bool>> {
        self.members.as_ref().map(|m| {
            let mut v = vec![false; self.pool.len()];
            for p in m {
                if let Some(x) = v.get_mut(p.index()) {
                    *x = true;
                }
            }
            v
        })
    }
}

/// Options of a diff.
#[derive(Clone, Debug)]
pub struct DiffOptions {
    /// Run closure on both sides and compare the problems.
    pub closure: bool,
    /// Compare dependencies of packages present on both sides.
    pub deps: bool,
}

impl Default for DiffOptions {
    fn default() -> Self {
        DiffOptions {
            closure: true,
            deps: true,
        }
    }
}

/// A package on one side.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PkgRef {
    pub nevra: String,
    pub repo: String,
    /// The package in its side's pool.
    #[serde(skip)]
    pub id: PkgId,
}

/// How a package changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    Added,
    Removed,
    Upgraded,
    Downgraded,
    /// Same NEVRA, different package checksum.
    Rebuilt,
    /// The name lost one arch and gained another.
    ArchChanged,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Upgraded => "upgraded",
            ChangeKind::Downgraded => "downgraded",
            ChangeKind::Rebuilt => "rebuilt",
            ChangeKind::ArchChanged => "arch changed",
        }
    }
}

/// One binary package change.
#[derive(Clone, Debug, Serialize)]
pub struct PkgChange {
    pub name: String,
    pub kind: ChangeKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<PkgRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<PkgRef>,
    /// Source package name (NEW side's when present).
    pub source: String,
    /// A removed package that a NEW package obsoletes (as repodiff's "Obsoleted by").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub obsoleted_by: Option<String>,
}

impl PkgChange {
    /// "new in NEW", "upgraded from 1.0-1 in NEW", ... for blame texts.
    pub fn describe(&self) -> String {
        let evr = |r: &Option<PkgRef>| r.as_ref().map(|r| r.nevra.clone()).unwrap_or_default();
        match self.kind {
            ChangeKind::Added => "new in NEW".to_string(),
            ChangeKind::Removed => "gone in NEW".to_string(),
            ChangeKind::Upgraded => format!("upgraded in NEW (was {})", evr(&self.old)),
            ChangeKind::Downgraded => format!("downgraded in NEW (was {})", evr(&self.old)),
            ChangeKind::Rebuilt => "rebuilt in NEW (same NEVRA, new checksum)".to_string(),
            ChangeKind::ArchChanged => format!("changed arch in NEW (was {})", evr(&self.old)),
        }
    }
}

/// A source package whose EVR changed or whose binaries did.
#[derive(Clone, Debug, Serialize)]
pub struct SrpmChange {
    pub name: String,
    pub kind: ChangeKind,
    /// Source `[E:]V-R` on each side (`None`: absent).
    pub old: Option<String>,
    pub new: Option<String>,
    /// Indices into [`DiffReport::packages`] of its binaries' changes.
    pub binaries: Vec<usize>,
}

/// Dependencies of one kind added and removed.
#[derive(Clone, Debug, Serialize)]
pub struct DepDelta {
    pub kind: DepKind,
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

/// Dependency changes of a package present on both sides.
#[derive(Clone, Debug, Serialize)]
pub struct DepChanges {
    pub name: String,
    pub arch: String,
    pub old: String,
    pub new: String,
    pub changes: Vec<DepDelta>,
}

/// What a problem is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemKind {
    /// A requirement no available package provides (repoclosure).
    Closure,
    /// The install simulation of the roots fails.
    Install,
    /// The image's own package list cannot be installed.
    Image,
    /// Two packages that cannot be installed together (`analysis::conflicts`).
    Conflict,
}

/// One link of a blame chain: `package` (with its change, if any) requires `via`.
#[derive(Clone, Debug, Serialize)]
pub struct BlameLink {
    pub package: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<String>,
    pub via: String,
}

/// A change held responsible for a problem.
#[derive(Clone, Debug, Serialize)]
pub struct Blame {
    /// The changed package (name).
    pub package: String,
    pub change: String,
    /// From a root / image entry down to `package` (empty: it is one itself, or no
    /// chain was found).
    pub chain: Vec<BlameLink>,
    /// The sentence: "`x` is new in NEW, pulled by `y`, which is new in NEW".
    pub text: String,
}

/// A problem present on one side only.
#[derive(Clone, Debug, Serialize)]
pub struct Problem {
    pub kind: ProblemKind,
    /// What fails: `install of s3cmd`, `app-1.0-1.x86_64 requires libwidget < 2`.
    pub subject: String,
    /// The derivation / details on the side that has the problem.
    pub detail: String,
    pub blame: Vec<Blame>,
}

/// The install simulation of the roots on both sides.
#[derive(Clone, Debug, Serialize)]
pub struct InstallDiff {
    pub roots: Vec<String>,
    pub old_ok: bool,
    pub new_ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_error: Option<String>,
    /// NEVRAs the transaction brings in only in NEW / only in OLD (both succeeded).
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

/// Conflicting pairs (explicit `Conflicts:`, `Obsoletes:`, alternatives that clash) new
/// in NEW and gone in NEW, by package names and capability.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ConflictsDiff {
    pub new: Vec<Problem>,
    pub fixed: Vec<Problem>,
}

/// Counts per change kind.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    pub added: usize,
    pub removed: usize,
    pub upgraded: usize,
    pub downgraded: usize,
    pub rebuilt: usize,
    pub arch_changed: usize,
    pub deps_changed: usize,
    pub new_problems: usize,
    pub fixed_problems: usize,
}

/// Everything [`diff`] found.
#[derive(Clone, Debug, Serialize)]
pub struct DiffReport {
    pub old: String,
    pub new: String,
    pub old_packages: usize,
    pub new_packages: usize,
    pub summary: Summary,
    /// Problems NEW has and OLD had not, with their blame.
    pub new_problems: Vec<Problem>,
    /// Problems OLD had and NEW has not.
    pub fixed_problems: Vec<Problem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub install: Option<InstallDiff>,
    /// Hook: new conflicts, filled once `analysis::conflicts` exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conflicts: Option<ConflictsDiff>,
    /// Binary package changes, by name then arch.
    pub packages: Vec<PkgChange>,
    /// Source package changes, by name.
    pub srpms: Vec<SrpmChange>,
    pub deps: Vec<DepChanges>,
}

impl DiffReport {
    /// Whether NEW has problems OLD had not (the CLI's exit 1).
    pub fn has_new_problems(&self) -> bool {
        !self.new_problems.is_empty() || self.conflicts.as_ref().is_some_and(|c| !c.new.is_empty())
    }
}

// ---- packages --------------------------------------------------------------------------

/// The newest package per `name.arch` of a side, keyed by (name, arch).
fn newest<'p>(pool: &'p Pool, ids: &[PkgId]) -> FxHashMap<(&'p str, &'p str), PkgId> {
    let mut m: FxHashMap<(&str, &str), PkgId> = FxHashMap::default();
    for &p in ids {
        let key = (pool.name(p), pool.arch(p));
        match m.get(&key) {
            Some(&q) if pool.evr(q).cmp_full(&pool.evr(p)) != Ordering::Less => {}
            _ => {
                m.insert(key, p);
            }
        }
    }
    m
}

fn pkg_ref(pool: &Pool, id: PkgId) -> PkgRef {
    PkgRef {
        nevra: pool.nevra(id),
        repo: pool.repo_of(id).name.clone(),
        id,
    }
}

/// Source package name and `[E:]V-R` of a package: from `sourcerpm`
/// (`name-V-R.src.rpm`, epoch taken from the binary), or itself for a `src` package.
pub fn source_of(pool: &Pool, id: PkgId) -> (String, String) {
    let p = pool.pkg(id);
    let srpm = pool.str(p.info.sourcerpm);
    let stem = srpm.strip_suffix(".rpm").unwrap_or(srpm);
    if !stem.is_empty()
        && let Some(n) = Nevra::parse(stem)
    {
        let evr = Evr::new(p.epoch, n.evr.version, n.evr.release);
        return (n.name.to_string(), evr.to_string());
    }
    (pool.name(id).to_string(), pool.evr(id).to_string())
}

fn compare_evr(a: &str, b: &str) -> Ordering {
    match (Evr::parse(a), Evr::parse(b)) {
        (Ok(x), Ok(y)) => x.cmp_full(&y),
        _ => a.cmp(b),
    }
}

/// Binary package changes between two sides, by name then arch.
pub fn package_changes(old: &Side, new: &Side) -> Vec<PkgChange> {
    let (op, np) = (old.pool, new.pool);
    let o = newest(op, &old.ids());
    let n = newest(np, &new.ids());
    let mut names: Vec<&str> = o.keys().chain(n.keys()).map(|k| k.0).collect();
    names.sort_unstable();
    names.dedup();
    let mut by_name_o: FxHashMap<&str, Vec<&str>> = FxHashMap::default();
    for k in o.keys() {
        by_name_o.entry(k.0).or_default().push(k.1);
    }
    let mut by_name_n: FxHashMap<&str, Vec<&str>> = FxHashMap::default();
    for k in n.keys() {
        by_name_n.entry(k.0).or_default().push(k.1);
    }
    let mut out = Vec::new();
    for name in names {
        let mut oa = by_name_o.get(name).cloned().unwrap_or_default();
        let mut na = by_name_n.get(name).cloned().unwrap_or_default();
        oa.sort_unstable();
        na.sort_unstable();
        let mut only_o = Vec::new();
        for &a in &oa {
            let Some(&po) = o.get(&(name, a)) else {
                continue;
            };
            let Some(&pn) = n.get(&(name, a)) else {
                only_o.push(po);
                continue;
            };
            let kind = match op.evr(po).cmp_full(&np.evr(pn)) {
                Ordering::Less => Some(ChangeKind::Upgraded),
                Ordering::Greater => Some(ChangeKind::Downgraded),
                Ordering::Equal => {
                    let (co, cn) = (&op.pkg(po).info.checksum, &np.pkg(pn).info.checksum);
                    (!co.is_empty() && !cn.is_empty() && co != cn).then_some(ChangeKind::Rebuilt)
                }
            };
            if let Some(kind) = kind {
                out.push(change(old, new, name, kind, Some(po), Some(pn)));
            }
        }
        let only_n: Vec<PkgId> = na
            .iter()
            .filter(|a| !oa.contains(a))
            .filter_map(|&a| n.get(&(name, a)).copied())
            .collect();
        // A name that lost some arches and gained others: pair them as arch changes.
        let pairs = only_o.len().min(only_n.len());
        for i in 0..pairs {
            out.push(change(
                old,
                new,
                name,
                ChangeKind::ArchChanged,
                Some(only_o[i]),
                Some(only_n[i]),
            ));
        }
        for &p in &only_o[pairs..] {
            out.push(change(old, new, name, ChangeKind::Removed, Some(p), None));
        }
        for &p in &only_n[pairs..] {
            out.push(change(old, new, name, ChangeKind::Added, None, Some(p)));
        }
    }
    // Removed packages a NEW package obsoletes.
    if out.iter().any(|c| c.kind == ChangeKind::Removed) {
        let mut obs: FxHashMap<&str, Vec<(PkgId, &Reldep)>> = FxHashMap::default();
        let mut nids: Vec<PkgId> = n.values().copied().collect();
        nids.sort_unstable();
        for p in nids {
            for d in np.deps_of(p, DepKind::Obsoletes) {
                obs.entry(np.str(d.name)).or_default().push((p, d));
            }
        }
        for c in out.iter_mut().filter(|c| c.kind == ChangeKind::Removed) {
            let Some(r) = &c.old else { continue };
            let evr = op.evr(r.id);
            c.obsoleted_by = obs.get(c.name.as_str()).and_then(|v| {
                v.iter()
                    .find(|(_, d)| obsoletes_match(np, d, &evr))
                    .map(|(p, _)| np.nevra(*p))
            });
        }
    }
    out
}

/// Does the Obsoletes `d` (of pool `pool`) match a package of that name at `evr`?
fn obsoletes_match(pool: &Pool, d: &Reldep, evr: &Evr) -> bool {
    if d.cmp == Cmp::Any {
        return true;
    }
    let de = Evr::new(d.epoch, pool.str(d.version), pool.str(d.release));
    let bits = d.cmp.bits();
    match evr_cmp_match(evr, &de) {
        Ordering::Less => bits & Cmp::LESS != 0,
        Ordering::Greater => bits & Cmp::GREATER != 0,
        Ordering::Equal => bits & Cmp::EQUAL != 0,
    }
}

fn change(
    old: &Side,
    new: &Side,
    name: &str,
    kind: ChangeKind,
    po: Option<PkgId>,
    pn: Option<PkgId>,
) -> PkgChange {
    let source = match (pn, po) {
        (Some(p), _) => source_of(new.pool, p).0,
        (None, Some(p)) => source_of(old.pool, p).0,
        (None, None) => name.to_string(),
    };
    PkgChange {
        name: name.to_string(),
        kind,
        old: po.map(|p| pkg_ref(old.pool, p)),
        new: pn.map(|p| pkg_ref(new.pool, p)),
        source,
        obsoleted_by: None,
    }
}

/// Source packages of a side: name → newest source EVR.
fn sources(side: &Side) -> FxHashMap<String, String> {
    let mut m: FxHashMap<String, String> = FxHashMap::default();
    for p in side.ids() {
        let (name, evr) = source_of(side.pool, p);
        match m.get(&name) {
            Some(e) if compare_evr(e, &evr) != Ordering::Less => {}
            _ => {
                m.insert(name, evr);
            }
        }
    }
    m
}

/// Source package changes (repodiff's view): EVR changes of source packages, and source
/// packages whose binaries changed (kind `rebuilt` when the EVR stayed).
pub fn srpm_changes(old: &Side, new: &Side, packages: &[PkgChange]) -> Vec<SrpmChange> {
    let o = sources(old);
    let n = sources(new);
    let mut bins: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
    for (i, c) in packages.iter().enumerate() {
        bins.entry(c.source.as_str()).or_default().push(i);
    }
    let mut names: Vec<&String> = o.keys().chain(n.keys()).collect();
    names.sort_unstable();
    names.dedup();
    let mut out = Vec::new();
    for name in names {
        let (eo, en) = (o.get(name), n.get(name));
        let binaries = bins.get(name.as_str()).cloned().unwrap_or_default();
        let kind = match (eo, en) {
            (None, Some(_)) => ChangeKind::Added,
            (Some(_), None) => ChangeKind::Removed,
            (Some(a), Some(b)) => match compare_evr(a, b) {
                Ordering::Less => ChangeKind::Upgraded,
                Ordering::Greater => ChangeKind::Downgraded,
                Ordering::Equal if binaries.is_empty() => continue,
                Ordering::Equal => ChangeKind::Rebuilt,
            },
            (None, None) => continue,
        };
        out.push(SrpmChange {
            name: name.clone(),
            kind,
            old: eo.cloned(),
            new: en.cloned(),
            binaries,
        });
    }
    out
}

// ---- dependencies ----------------------------------------------------------------------

fn dep_set(pool: &Pool, id: PkgId, kind: DepKind) -> FxHashSet<String> {
    let self_provide = format!("{} = {}", pool.name(id), pool.evr(id));
    pool.deps_of(id, kind)
        .iter()
        .map(|d| pool.dep_str(d))
        .filter(|s| kind != DepKind::Provides || *s != self_provide)
        .collect()
}

/// Dependency changes of one package between its OLD and NEW versions (empty: none).
pub fn dep_deltas(op: &Pool, po: PkgId, np: &Pool, pn: PkgId) -> Vec<DepDelta> {
    let mut out = Vec::new();
    for kind in DIFF_KINDS {
        let a = dep_set(op, po, kind);
        let b = dep_set(np, pn, kind);
        let mut added: Vec<String> = b.difference(&a).cloned().collect();
        let mut removed: Vec<String> = a.difference(&b).cloned().collect();
        if added.is_empty() && removed.is_empty() {
            continue;
        }
        added.sort();
        removed.sort();
        out.push(DepDelta {
            kind,
            added,
            removed,
        });
    }
    out
}

/// Dependency changes of every `name.arch` present on both sides (newest each), skipping
/// identical packages (same NEVRA and checksum).
pub fn dep_changes(old: &Side, new: &Side) -> Vec<DepChanges> {
    let (op, np) = (old.pool, new.pool);
    let o = newest(op, &old.ids());
    let n = newest(np, &new.ids());
    let mut keys: Vec<(&str, &str)> = o.keys().filter(|k| n.contains_key(*k)).copied().collect();
    keys.sort_unstable();
    let mut out = Vec::new();
    for key in keys {
        let (Some(&po), Some(&pn)) = (o.get(&key), n.get(&key)) else {
            continue;
        };
        let (co, cn) = (&op.pkg(po).info.checksum, &np.pkg(pn).info.checksum);
        if !co.is_empty() && co == cn && op.nevra(po) == np.nevra(pn) {
            continue;
        }
        let changes = dep_deltas(op, po, np, pn);
        if !changes.is_empty() {
            out.push(DepChanges {
                name: key.0.to_string(),
                arch: key.1.to_string(),
                old: op.nevra(po),
                new: np.nevra(pn),
                changes,
            });
        }
    }
    out
}

// ---- problems and blame ----------------------------------------------------------------

/// A closure problem: (name, arch, requirement) on a side, with the package.
struct ClosureProblem {
    key: (String, String, String),
    pkg: PkgId,
    nevra: String,
}

fn closure_problems(side: &Side) -> Vec<ClosureProblem> {
    let opts = ClosureOptions {
        available: side.mask(),
        ..Default::default()
    };
    let Ok(report) = closure(side.pool, &opts, &NoProgress, &Cancel::new()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for b in report.broken {
        for u in b.unresolved {
            out.push(ClosureProblem {
                key: (
                    side.pool.name(b.pkg).to_string(),
                    side.pool.arch(b.pkg).to_string(),
                    u.dep,
                ),
                pkg: b.pkg,
                nevra: b.nevra.clone(),
            });
        }
    }
    out
}

/// Changes indexed by package id on each side.
struct ChangeIndex<'r> {
    changes: &'r [PkgChange],
    by_new: FxHashMap<PkgId, usize>,
    by_old: FxHashMap<PkgId, usize>,
}

impl<'r> ChangeIndex<'r> {
    fn new(changes: &'r [PkgChange]) -> Self {
        let mut by_new = FxHashMap::default();
        let mut by_old = FxHashMap::default();
        for (i, c) in changes.iter().enumerate() {
            if let Some(r) = &c.new {
                by_new.insert(r.id, i);
            }
            if let Some(r) = &c.old {
                by_old.insert(r.id, i);
            }
        }
        ChangeIndex {
            changes,
            by_new,
            by_old,
        }
    }

    fn of_new(&self, p: PkgId) -> Option<&'r PkgChange> {
        self.by_new.get(&p).map(|&i| &self.changes[i])
    }

    fn of_old(&self, p: PkgId) -> Option<&'r PkgChange> {
        self.by_old.get(&p).map(|&i| &self.changes[i])
    }
}

/// Where blame chains start on the NEW side: the image entries and the package roots.
fn chain_starts(side: &Side) -> Vec<PkgId> {
    let mut v = side.listed.clone();
    for r in &side.roots {
        if let Root::Pkg(p) = r {
            v.push(*p);
        }
    }
    v
}

/// Blame for a changed package of NEW: the change, and the chain that pulls it in.
fn blame_pkg(new: &Side, idx: &ChangeIndex, pref: &[bool], p: PkgId) -> Option<Blame> {
    let pool = new.pool;
    let c = idx.of_new(p)?;
    let starts = chain_starts(new);
    let chain = why(pool, &starts, p, pref, 1)
        .into_iter()
        .next()
        .map(|ch| {
            ch.links
                .iter()
                .map(|l| BlameLink {
                    package: pool.name(l.pkg).to_string(),
                    change: idx.of_new(l.pkg).map(PkgChange::describe),
                    via: pool.dep_str(&l.dep),
                })
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let mut text = format!("`{}` is {}", pool.name(p), c.describe());
    for l in chain.iter().rev() {
        text.push_str(&format!(", pulled by `{}`", l.package));
        if let Some(ch) = &l.change {
            text.push_str(&format!(", which is {ch}"));
        }
    }
    if new.listed.contains(&p) {
        text.push_str(" (listed in the image)");
    } else if let Some(first) = chain.first()
        && new.listed.iter().any(|&q| pool.name(q) == first.package)
    {
        text.push_str(&format!(" (`{}` is listed in the image)", first.package));
    }
    Some(Blame {
        package: pool.name(p).to_string(),
        change: c.describe(),
        chain,
        text,
    })
}

/// Blame for a derivation of NEW: every changed package it names, most specific first;
/// a package that lies on another's chain is folded into it.
fn blame_explanation(
    old: &Side,
    new: &Side,
    idx: &ChangeIndex,
    pref: &[bool],
    e: &Explanation,
) -> Vec<Blame> {
    let mut seen = FxHashSet::default();
    let mut pkgs = Vec::new();
    for s in &e.steps {
        for p in s.packages() {
            if seen.insert(p) && idx.of_new(p).is_some() {
                pkgs.push(p);
            }
        }
    }
    let mut blames: Vec<Blame> = pkgs
        .iter()
        .filter_map(|&p| blame_pkg(new, idx, pref, p))
        .collect();
    let mut lost = Vec::new();
    for s in &e.steps {
        if let Step::NothingProvides { pkg, dep } = s {
            let np = new.pool;
            lost.extend(blame_lost_provider(
                old,
                idx,
                np.name(*pkg),
                np.arch(*pkg),
                &np.dep_str(dep),
            ));
        }
    }
    // Longest chains first, then drop blames whose package is on a kept chain.
    blames.sort_by_key(|b| std::cmp::Reverse(b.chain.len()));
    let mut kept: Vec<Blame> = Vec::new();
    for b in blames {
        let covered = kept
            .iter()
            .any(|k| k.chain.iter().any(|l| l.package == b.package));
        if !covered {
            kept.push(b);
        }
    }
    kept.extend(lost);
    kept
}

/// Blame for a requirement of NEW nobody provides: the broken package's own change, and
/// what provided the requirement in OLD and what became of it.
fn blame_unresolved(
    old: &Side,
    new: &Side,
    idx: &ChangeIndex,
    pref: &[bool],
    pb: &ClosureProblem,
) -> Vec<Blame> {
    let mut out = Vec::new();
    if let Some(b) = blame_pkg(new, idx, pref, pb.pkg) {
        out.push(b);
    }
    let (name, arch, dep) = &pb.key;
    out.extend(blame_lost_provider(old, idx, name, arch, dep));
    out
}

/// `name.arch` requires `dep` (as text) in NEW and nothing provides it: what provided
/// the same requirement of the OLD `name.arch` in OLD, and what became of it in NEW.
fn blame_lost_provider(
    old: &Side,
    idx: &ChangeIndex,
    name: &str,
    arch: &str,
    dep: &str,
) -> Vec<Blame> {
    let mut out = Vec::new();
    let op = old.pool;
    let old_mask = old.mask();
    let in_old = |p: PkgId| old_mask.as_ref().is_none_or(|m| m[p.index()]);
    // The same requirement on the OLD package of this name.arch (if any).
    let Some(po) = op
        .by_name(name)
        .iter()
        .copied()
        .filter(|&p| op.arch(p) == arch && in_old(p))
        .max_by(|&a, &b| op.evr(a).cmp_full(&op.evr(b)))
    else {
        return out;
    };
    let Some(req) = op
        .deps_of(po, DepKind::Requires)
        .iter()
        .find(|d| op.dep_str(d) == dep)
    else {
        return out;
    };
    let providers: Vec<PkgId> = op
        .whatprovides(req)
        .into_iter()
        .filter(|&p| in_old(p) && op.is_installable(p))
        .collect();
    for q in providers {
        let Some(c) = idx.of_old(q) else {
            continue;
        };
        let now = match &c.new {
            Some(r) => format!("{} ({})", c.kind.as_str(), r.nevra),
            None => c.kind.as_str().to_string(),
        };
        let text = format!(
            "`{dep}` was provided in OLD by `{}`, which is {now} in NEW",
            op.nevra(q)
        );
        out.push(Blame {
            package: op.name(q).to_string(),
            change: c.describe(),
            chain: Vec::new(),
            text,
        });
    }
    out
}

fn roots_label(side: &Side) -> String {
    side.roots_text.join(" ")
}

/// Compare two sides. Both pools must be indexed (as loading leaves them).
pub fn diff(old: &Side, new: &Side, opts: &DiffOptions) -> DiffReport {
    let packages = package_changes(old, new);
    let srpms = srpm_changes(old, new, &packages);
    let deps = if opts.deps {
        dep_changes(old, new)
    } else {
        Vec::new()
    };
    let idx = ChangeIndex::new(&packages);
    let pref_new = new.mask().unwrap_or_default();
    let mut new_problems = Vec::new();
    let mut fixed_problems = Vec::new();

    // The image itself.
    match (&old.image_error, &new.image_error) {
        (None, Some(e)) => new_problems.push(Problem {
            kind: ProblemKind::Image,
            subject: format!("image {} cannot be installed", new.label),
            detail: e.render(new.pool),
            blame: blame_explanation(old, new, &idx, &pref_new, e),
        }),
        (Some(e), None) => fixed_problems.push(Problem {
            kind: ProblemKind::Image,
            subject: format!("image {} cannot be installed", old.label),
            detail: e.render(old.pool),
            blame: Vec::new(),
        }),
        _ => {}
    }

    // The install simulation.
    let install = (!new.roots.is_empty() || !old.roots.is_empty()).then(|| {
        let run = |s: &Side| {
            let installed = s.members.clone().unwrap_or_default();
            simulate_install(s.pool, &s.roots, &installed, &[])
        };
        let (ro, rn) = (run(old), run(new));
        let label = roots_label(new);
        match (&ro, &rn) {
            (Ok(_), Err(e)) => new_problems.push(Problem {
                kind: ProblemKind::Install,
                subject: format!("install of {label} now fails"),
                detail: e.render(new.pool),
                blame: blame_explanation(old, new, &idx, &pref_new, e),
            }),
            (Err(e), Ok(_)) => fixed_problems.push(Problem {
                kind: ProblemKind::Install,
                subject: format!("install of {label} failed in OLD"),
                detail: e.render(old.pool),
                blame: Vec::new(),
            }),
            _ => {}
        }
        let set = |s: &Side, r: &Result<super::install::Transaction, Explanation>| {
            r.as_ref()
                .map(|t| {
                    t.packages
                        .iter()
                        .map(|x| s.pool.nevra(x.0))
                        .collect::<FxHashSet<String>>()
                })
                .unwrap_or_default()
        };
        let (so, sn) = (set(old, &ro), set(new, &rn));
        let (mut added, mut removed) = (Vec::new(), Vec::new());
        if ro.is_ok() && rn.is_ok() {
            added = sn.difference(&so).cloned().collect();
            removed = so.difference(&sn).cloned().collect();
            added.sort();
            removed.sort();
        }
        InstallDiff {
            roots: new.roots_text.clone(),
            old_ok: ro.is_ok(),
            new_ok: rn.is_ok(),
            old_error: ro.as_ref().err().map(|e| e.render(old.pool)),
            new_error: rn.as_ref().err().map(|e| e.render(new.pool)),
            added,
            removed,
        }
    });

    // Closure.
    if opts.closure {
        let (co, cn) = std::thread::scope(|s| {
            let h = s.spawn(|| closure_problems(old));
            let cn = closure_problems(new);
            (h.join().unwrap_or_default(), cn)
        });
        let ko: FxHashSet<&(String, String, String)> = co.iter().map(|p| &p.key).collect();
        let kn: FxHashSet<&(String, String, String)> = cn.iter().map(|p| &p.key).collect();
        for p in cn.iter().filter(|p| !ko.contains(&p.key)) {
            new_problems.push(Problem {
                kind: ProblemKind::Closure,
                subject: format!("{} requires {}", p.nevra, p.key.2),
                detail: "nothing provides it".to_string(),
                blame: blame_unresolved(old, new, &idx, &pref_new, p),
            });
        }
        for p in co.iter().filter(|p| !kn.contains(&p.key)) {
            fixed_problems.push(Problem {
                kind: ProblemKind::Closure,
                subject: format!("{} requires {}", p.nevra, p.key.2),
                detail: "nothing provided it in OLD".to_string(),
                blame: Vec::new(),
            });
        }
    }

    // Conflicts.
    let conflicts = opts
        .closure
        .then(|| conflicts_diff(old, new, &idx, &pref_new));
    if let Some(c) = &conflicts {
        new_problems.extend(c.new.iter().cloned());
        fixed_problems.extend(c.fixed.iter().cloned());
    }

    let count = |k: ChangeKind| packages.iter().filter(|c| c.kind == k).count();
    let summary = Summary {
        added: count(ChangeKind::Added),
        removed: count(ChangeKind::Removed),
        upgraded: count(ChangeKind::Upgraded),
        downgraded: count(ChangeKind::Downgraded),
        rebuilt: count(ChangeKind::Rebuilt),
        arch_changed: count(ChangeKind::ArchChanged),
        deps_changed: deps.len(),
        new_problems: new_problems.len(),
        fixed_problems: fixed_problems.len(),
    };
    DiffReport {
        old: old.label.clone(),
        new: new.label.clone(),
        old_packages: old.members.as_ref().map_or(old.pool.len(), Vec::len),
        new_packages: new.members.as_ref().map_or(new.pool.len(), Vec::len),
        summary,
        new_problems,
        fixed_problems,
        install,
        conflicts,
        packages,
        srpms,
        deps,
    }
}

/// A conflict by (kind, name a, name b, capability).
type ConflictKey = (String, String, String, String);

/// The conflicting pairs of one side: key → the pair and its one-line description.
fn conflict_keys(side: &Side) -> FxHashMap<ConflictKey, (PkgId, PkgId, String)> {
    use super::conflicts::{ConflictKind, ConflictOptions, find_conflicts};
    let mask = side.mask().unwrap_or_default();
    let opts = ConflictOptions {
        kinds: vec![
            ConflictKind::Conflicts,
            ConflictKind::Obsoletes,
            ConflictKind::Alternatives,
        ],
        ..ConflictOptions::default()
    };
    let r = find_conflicts(side.pool, &mask, &opts, &NoProgress, &Cancel::new());
    let pool = side.pool;
    r.entries
        .iter()
        .filter(|c| c.is_problem())
        .map(|c| {
            (
                (
                    c.kind.as_str().to_string(),
                    pool.name(c.a).to_string(),
                    pool.name(c.b).to_string(),
                    c.capability(pool),
                ),
                (c.a, c.b, c.describe(pool)),
            )
        })
        .collect()
}

/// New and fixed conflicts; each new one blamed on the changed packages of its pair.
fn conflicts_diff(old: &Side, new: &Side, idx: &ChangeIndex, pref: &[bool]) -> ConflictsDiff {
    let (ko, kn) = std::thread::scope(|s| {
        let h = s.spawn(|| conflict_keys(old));
        let kn = conflict_keys(new);
        (h.join().unwrap_or_default(), kn)
    });
    let mut out = ConflictsDiff::default();
    let mut new_keys: Vec<_> = kn.keys().filter(|k| !ko.contains_key(*k)).collect();
    new_keys.sort();
    for k in new_keys {
        let (a, b, text) = &kn[k];
        let blame = [*a, *b]
            .into_iter()
            .filter_map(|p| blame_pkg(new, idx, pref, p))
            .collect();
        out.new.push(Problem {
            kind: ProblemKind::Conflict,
            subject: format!("new conflict: {text}"),
            detail: format!("{} and {} cannot be installed together", k.1, k.2),
            blame,
        });
    }
    let mut fixed: Vec<_> = ko.keys().filter(|k| !kn.contains_key(*k)).collect();
    fixed.sort();
    for k in fixed {
        out.fixed.push(Problem {
            kind: ProblemKind::Conflict,
            subject: format!("conflict gone: {}", ko[k].2),
            detail: String::new(),
            blame: Vec::new(),
        });
    }
    out
}

// ---- Koji -----------------------------------------------------------------------------

/// One field of a Koji item that differs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: String,
    pub old: String,
    pub new: String,
}

/// How a Koji item (inheritance link, external repo, group entry, block, latest build)
/// changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ItemKind {
    Added,
    Removed,
    Changed,
}

/// A Koji item on one side only, or with fields that differ.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ItemChange {
    pub item: String,
    pub kind: ItemKind,
    /// The item's fields (added/removed) or only those that differ (changed).
    pub fields: Vec<FieldChange>,
}

/// What changed in what a tag's inheritance gives it between two snapshots/events.
#[derive(Clone, Debug, Default, Serialize)]
pub struct KojiDiff {
    pub tag: String,
    /// Links of the inheritance walk, `child -> parent`.
    pub inheritance: Vec<ItemChange>,
    /// External repos in merge order: priority, merge mode, url, arches, owning tag.
    pub external_repos: Vec<ItemChange>,
    /// Group entries (`group` and `group: package`) of the effective groups.
    pub groups: Vec<ItemChange>,
    /// Package list entries: blocked or not, and in which tag.
    pub packages: Vec<ItemChange>,
    /// Latest builds per package: NVR and the tag it comes from (its origin).
    pub builds: Vec<ItemChange>,
    /// Packages of the merged buildroot repo (`name.arch`): NEVRA and origin (Koji build
    /// or external repo), when the external repos' content was given.
    pub buildroot: Vec<ItemChange>,
}

impl KojiDiff {
    pub fn is_empty(&self) -> bool {
        self.inheritance.is_empty()
            && self.external_repos.is_empty()
            && self.groups.is_empty()
            && self.packages.is_empty()
            && self.builds.is_empty()
            && self.buildroot.is_empty()
    }
}

/// Packages of two buildroot plans whose NEVRA or origin differ (a merge mode change
/// shows here as packages taken from another repo).
pub fn buildroot_diff(old: &BuildrootPlan, new: &BuildrootPlan) -> Vec<ItemChange> {
    let items = |p: &BuildrootPlan| {
        let mut m = std::collections::BTreeMap::new();
        for r in &p.packages {
            m.insert(
                format!("{}.{}", r.rpm.name, r.rpm.arch),
                vec![("nevra", r.rpm.nevra()), ("origin", r.origin.label())],
            );
        }
        m
    };
    compare_items(&items(old), &items(new))
}

type Fields = Vec<(&'static str, String)>;

fn compare_items(
    old: &std::collections::BTreeMap<String, Fields>,
    new: &std::collections::BTreeMap<String, Fields>,
) -> Vec<ItemChange> {
    let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
    keys.sort();
    keys.dedup();
    let all = |f: &Fields, old_side: bool| -> Vec<FieldChange> {
        f.iter()
            .map(|(k, v)| FieldChange {
                field: (*k).to_string(),
                old: if old_side { v.clone() } else { String::new() },
                new: if old_side { String::new() } else { v.clone() },
            })
            .collect()
    };
    let mut out = Vec::new();
    for k in keys {
        match (old.get(k), new.get(k)) {
            (Some(o), None) => out.push(ItemChange {
                item: k.clone(),
                kind: ItemKind::Removed,
                fields: all(o, true),
            }),
            (None, Some(n)) => out.push(ItemChange {
                item: k.clone(),
                kind: ItemKind::Added,
                fields: all(n, false),
            }),
            (Some(o), Some(n)) => {
                let mut fields = Vec::new();
                for (name, ov) in o {
                    let nv = n
                        .iter()
                        .find(|x| x.0 == *name)
                        .map(|x| x.1.clone())
                        .unwrap_or_default();
                    if *ov != nv {
                        fields.push(FieldChange {
                            field: (*name).to_string(),
                            old: ov.clone(),
                            new: nv,
                        });
                    }
                }
                if !fields.is_empty() {
                    out.push(ItemChange {
                        item: k.clone(),
                        kind: ItemKind::Changed,
                        fields,
                    });
                }
            }
            (None, None) => {}
        }
    }
    out
}

fn koji_items(v: &TagView) -> [std::collections::BTreeMap<String, Fields>; 5] {
    let mut inh = std::collections::BTreeMap::new();
    for e in &v.walk {
        let l = &e.link;
        inh.insert(
            format!("{} -> {}", l.child_name, l.parent_name),
            vec![
                ("priority", l.priority.to_string()),
                (
                    "maxdepth",
                    l.maxdepth
                        .map_or_else(|| "-".to_string(), |d| d.to_string()),
                ),
                ("intransitive", l.intransitive.to_string()),
                ("noconfig", l.noconfig.to_string()),
                ("pkg_filter", l.pkg_filter.clone()),
            ],
        );
    }
    let mut repos = std::collections::BTreeMap::new();
    for (i, r) in v.repos.iter().enumerate() {
        repos.insert(
            r.external_repo_name.clone(),
            vec![
                ("order", (i + 1).to_string()),
                ("tag", r.tag_name.clone()),
                ("priority", r.priority.to_string()),
                ("merge_mode", r.merge_mode.clone()),
                ("url", r.url.clone()),
                ("arches", r.arches.clone().unwrap_or_default()),
            ],
        );
    }
    let mut groups = std::collections::BTreeMap::new();
    for g in &v.groups {
        groups.insert(
            g.name.clone(),
            vec![("display_name", g.display_name.clone())],
        );
        for p in &g.packages {
            groups.insert(
                format!("{}: {}", g.name, p.package),
                vec![("type", p.kind.clone())],
            );
        }
    }
    let mut pkgs = std::collections::BTreeMap::new();
    for p in &v.packages {
        pkgs.insert(
            p.package_name.clone(),
            vec![
                ("blocked", p.blocked.to_string()),
                ("tag", p.tag_name.clone()),
            ],
        );
    }
    let mut builds = std::collections::BTreeMap::new();
    for b in &v.latest.builds {
        builds.insert(
            b.build.package_name.clone(),
            vec![
                ("nvr", b.build.nvr.clone()),
                ("tag", b.build.tag_name.clone()),
            ],
        );
    }
    [inh, repos, groups, pkgs, builds]
}

/// Compare what inheritance gives one tag on two sides (two snapshots, or two events).
pub fn koji_diff(old: &TagView, new: &TagView) -> KojiDiff {
    let [oi, or, og, op, ob] = koji_items(old);
    let [ni, nr, ng, np, nb] = koji_items(new);
    KojiDiff {
        tag: new
            .tree
            .tags
            .get(&new.tree.root)
            .and_then(|t| t.tag.as_ref())
            .map_or_else(String::new, |t| t.name.clone()),
        inheritance: compare_items(&oi, &ni),
        external_repos: compare_items(&or, &nr),
        groups: compare_items(&og, &ng),
        packages: compare_items(&op, &np),
        builds: compare_items(&ob, &nb),
        buildroot: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::package::PackageInfo;
    use crate::model::pool::{NewPackage, SourceKind};

    /// `name-version.arch` with checksum `sum`, provides, requires, conflicts, obsoletes.
    struct P<'a> {
        name: &'a str,
        version: &'a str,
        arch: &'a str,
        sum: &'a str,
        requires: &'a [&'a str],
        conflicts: &'a [&'a str],
        obsoletes: &'a [&'a str],
    }

    fn p<'a>(name: &'a str, version: &'a str) -> P<'a> {
        P {
            name,
            version,
            arch: "noarch",
            sum: "",
            requires: &[],
            conflicts: &[],
            obsoletes: &[],
        }
    }

    fn pool(pkgs: &[P]) -> Pool {
        let mut pool = Pool::new("x86_64");
        pool.add_repo("r", "r", SourceKind::RpmMd);
        for x in pkgs {
            let mut deps: [Vec<Reldep>; 8] = Default::default();
            let own = format!("{} = {}-1", x.name, x.version);
            deps[0] = vec![pool.parse_reldep(&own).unwrap()];
            deps[1] = x
                .requires
                .iter()
                .map(|r| pool.parse_reldep(r).unwrap())
                .collect();
            deps[2] = x
                .conflicts
                .iter()
                .map(|r| pool.parse_reldep(r).unwrap())
                .collect();
            deps[3] = x
                .obsoletes
                .iter()
                .map(|r| pool.parse_reldep(r).unwrap())
                .collect();
            let info = PackageInfo {
                checksum: x.sum.into(),
                sourcerpm: pool.intern(&format!("{}-{}-1.src.rpm", x.name, x.version)),
                ..Default::default()
            };
            pool.add_package(
                NewPackage {
                    name: x.name,
                    epoch: 0,
                    version: x.version,
                    release: "1",
                    arch: x.arch,
                    info,
                },
                &deps,
            );
        }
        pool.build_indexes();
        pool
    }

    fn kinds(r: &DiffReport) -> Vec<(String, ChangeKind)> {
        r.packages
            .iter()
            .map(|c| (c.name.clone(), c.kind))
            .collect()
    }

    #[test]
    fn package_changes_of_every_kind() {
        let old = pool(&[
            P {
                arch: "x86_64",
                ..p("tools", "1.0")
            },
            p("lib", "1.0"),
            p("gadget", "1.5"),
            P {
                sum: "aa",
                ..p("app", "1.0")
            },
            p("legacy", "0.9"),
            p("same", "1.0"),
        ]);
        let new = pool(&[
            p("tools", "1.0"),
            p("lib", "2.0"),
            p("gadget", "1.4"),
            P {
                sum: "bb",
                ..p("app", "1.0")
            },
            P {
                obsoletes: &["legacy < 1.0"],
                ..p("ng", "2.0")
            },
            p("same", "1.0"),
        ]);
        let r = diff(
            &Side::repos("OLD", &old),
            &Side::repos("NEW", &new),
            &DiffOptions::default(),
        );
        assert_eq!(
            kinds(&r),
            [
                ("app".to_string(), ChangeKind::Rebuilt),
                ("gadget".to_string(), ChangeKind::Downgraded),
                ("legacy".to_string(), ChangeKind::Removed),
                ("lib".to_string(), ChangeKind::Upgraded),
                ("ng".to_string(), ChangeKind::Added),
                ("tools".to_string(), ChangeKind::ArchChanged),
            ]
        );
        let legacy = &r.packages[2];
        assert_eq!(legacy.obsoleted_by.as_deref(), Some("ng-2.0-1.noarch"));
        let tools = &r.packages[5];
        assert_eq!(tools.old.as_ref().unwrap().nevra, "tools-1.0-1.x86_64");
        assert_eq!(tools.new.as_ref().unwrap().nevra, "tools-1.0-1.noarch");
        // Source packages: lib upgraded, app rebuilt (same EVR, binary changed).
        let srpm: Vec<(&str, ChangeKind)> =
            r.srpms.iter().map(|s| (s.name.as_str(), s.kind)).collect();
        assert!(srpm.contains(&("lib", ChangeKind::Upgraded)));
        assert!(srpm.contains(&("app", ChangeKind::Rebuilt)));
        assert!(srpm.contains(&("ng", ChangeKind::Added)));
        assert!(!srpm.iter().any(|s| s.0 == "same"));
        assert!(!r.has_new_problems());
    }

    #[test]
    fn dependency_changes_leave_out_the_own_provide() {
        let old = pool(&[P {
            requires: &["a", "b"],
            ..p("x", "1")
        }]);
        let new = pool(&[P {
            requires: &["a", "c >= 2"],
            conflicts: &["d"],
            ..p("x", "2")
        }]);
        let r = diff(
            &Side::repos("OLD", &old),
            &Side::repos("NEW", &new),
            &DiffOptions {
                closure: false,
                deps: true,
            },
        );
        assert_eq!(r.deps.len(), 1);
        let d = &r.deps[0];
        assert_eq!(
            (d.old.as_str(), d.new.as_str()),
            ("x-1-1.noarch", "x-2-1.noarch")
        );
        let by_kind: Vec<(DepKind, Vec<String>, Vec<String>)> = d
            .changes
            .iter()
            .map(|c| (c.kind, c.added.clone(), c.removed.clone()))
            .collect();
        assert_eq!(
            by_kind,
            [
                (DepKind::Requires, vec!["c >= 2".into()], vec!["b".into()]),
                (DepKind::Conflicts, vec!["d".into()], vec![]),
            ]
        );
    }

    #[test]
    fn new_closure_problem_blames_the_upgraded_provider() {
        let old = pool(&[
            P {
                requires: &["lib < 2.0"],
                ..p("app", "1.0")
            },
            p("lib", "1.0"),
        ]);
        let new = pool(&[
            P {
                requires: &["lib < 2.0"],
                ..p("app", "1.0")
            },
            p("lib", "2.0"),
        ]);
        let r = diff(
            &Side::repos("OLD", &old),
            &Side::repos("NEW", &new),
            &DiffOptions::default(),
        );
        assert!(r.has_new_problems());
        assert_eq!(r.new_problems.len(), 1);
        let pb = &r.new_problems[0];
        assert_eq!(pb.kind, ProblemKind::Closure);
        assert_eq!(pb.subject, "app-1.0-1.noarch requires lib < 2.0");
        assert_eq!(pb.blame.len(), 1);
        assert_eq!(
            pb.blame[0].text,
            "`lib < 2.0` was provided in OLD by `lib-1.0-1.noarch`, which is upgraded \
             (lib-2.0-1.noarch) in NEW"
        );
        // And the reverse diff reports it fixed.
        let back = diff(
            &Side::repos("OLD", &new),
            &Side::repos("NEW", &old),
            &DiffOptions::default(),
        );
        assert!(!back.has_new_problems());
        assert_eq!(back.fixed_problems.len(), 1);
    }

    #[test]
    fn image_gaining_a_package_breaks_an_install_and_is_blamed() {
        // The python-magic story in miniature: one pool, two image lists.
        let pl = pool(&[
            p("base", "1"),
            P {
                requires: &["file-magic"],
                ..p("insights", "1")
            },
            P {
                conflicts: &["magic"],
                ..p("file-magic", "1")
            },
            p("magic", "1"),
            P {
                requires: &["magic"],
                ..p("s3cmd", "1")
            },
        ]);
        let id = |n: &str| pl.by_name(n)[0];
        let roots = vec![Root::Pkg(id("s3cmd"))];
        let text = ["s3cmd".to_string()];
        let old = Side::image("old", &pl, vec![id("base")]).with_roots(roots.clone(), &text);
        let new =
            Side::image("new", &pl, vec![id("base"), id("insights")]).with_roots(roots, &text);
        assert_eq!(new.members.as_ref().map(Vec::len), Some(3));
        let r = diff(&old, &new, &DiffOptions::default());
        assert_eq!(kinds(&r).len(), 2, "{:?}", kinds(&r));
        let inst = r.install.as_ref().unwrap();
        assert!(inst.old_ok && !inst.new_ok);
        assert_eq!(r.new_problems.len(), 1, "{:?}", r.new_problems);
        let pb = &r.new_problems[0];
        assert_eq!(pb.subject, "install of s3cmd now fails");
        assert_eq!(
            pb.blame[0].text,
            "`file-magic` is new in NEW, pulled by `insights`, which is new in NEW \
             (`insights` is listed in the image)"
        );
        assert_eq!(pb.blame.len(), 1, "insights is folded into the chain");
    }

    #[test]
    fn koji_items_compare_by_field() {
        let m = |v: &[(&str, &[(&'static str, &str)])]| {
            v.iter()
                .map(|(k, f)| {
                    let f: Fields = f.iter().map(|(a, b)| (*a, b.to_string())).collect();
                    (k.to_string(), f)
                })
                .collect::<std::collections::BTreeMap<String, Fields>>()
        };
        let old = m(&[
            ("repo-a", &[("merge_mode", "koji"), ("priority", "5")]),
            ("repo-gone", &[("merge_mode", "koji")]),
        ]);
        let new = m(&[
            ("repo-a", &[("merge_mode", "bare"), ("priority", "5")]),
            ("repo-new", &[("merge_mode", "bare")]),
        ]);
        let got = compare_items(&old, &new);
        let kinds: Vec<(&str, ItemKind)> = got.iter().map(|c| (c.item.as_str(), c.kind)).collect();
        assert_eq!(
            kinds,
            [
                ("repo-a", ItemKind::Changed),
                ("repo-gone", ItemKind::Removed),
                ("repo-new", ItemKind::Added),
            ]
        );
        assert_eq!(
            got[0].fields,
            [FieldChange {
                field: "merge_mode".into(),
                old: "koji".into(),
                new: "bare".into(),
            }]
        );
    }
}
