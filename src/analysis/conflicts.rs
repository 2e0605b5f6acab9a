//! Conflicts: every pair of available packages that cannot be installed together, and
//! why (`bramble conflicts`, the TUI's Conflicts view). Four kinds:
//!
//! * [`ConflictKind::Conflicts`]: `A` has `Conflicts: X` and `B` satisfies `X`, with
//!   versions evaluated as the solver does ([`Pool::whatprovides`] — provides, file
//!   lists — plus `B`'s own `name = EVR`, [`Pool::pkg_matches`]). Rich conflicts are
//!   reported against every package of their provider set. This is exactly the clause
//!   set `analysis::install` builds, so the two agree.
//! * [`ConflictKind::Obsoletes`]: `A` has `Obsoletes: X` and `B`'s name and version
//!   match `X` (names only, never provides: dnf's `obsoleteusesprovides` is off, as in
//!   rpm and libsolv). An obsolete of the package's own name is an upgrade path, not a
//!   conflict, and is never reported.
//! * [`ConflictKind::Alternatives`]: a capability some package requires is provided by
//!   packages of two or more names. Reported by default only when two of those providers
//!   conflict with or obsolete each other (`clash`): that is the precursor of a failed
//!   install — whichever one gets pulled in first locks out every requirer of the other,
//!   like `python3-magic` / `python3-file-magic`. Plain alternatives (no clash) are
//!   listed only with [`ConflictOptions::all_alternatives`], since a Fedora-size repo
//!   has thousands of harmless ones (`mail-transport-agent`, `/usr/bin/python`...).
//! * [`ConflictKind::FileConflict`]: the same path in two packages, unless both own it
//!   as a directory or either marks it `%ghost` (rpm never reports those). From
//!   metadata it is [`FileStatus::Possible`]; when both packages were read from `.rpm`
//!   headers the copies are compared as rpm's `rpmfilesCompare` does (file type and
//!   mode, size, owner, group, digest or link target) and a difference is then
//!   resolved by colour as `handleColorConflict` does (two ELF files of different
//!   colours on a multilib host: the preferred colour wins, no conflict): the result is
//!   [`FileStatus::Confirmed`] or [`FileStatus::Dismissed`] (rpmdeplint's
//!   `check-conflicts`). File conflicts need every file of both packages: packages of
//!   `.rpm` sources always have them; rpm-md sources only when their file lists were
//!   read whole ([`ConflictOptions::complete_filelists`], `--filelists all`). Other
//!   pairs are not checked, and [`ConflictReport::files`] says so.
//!
//! Only pairs that could otherwise be installed together count: both available and
//! installable on the host arch ([`Pool::is_installable`]: no source packages), and not
//! two versions of one name.arch (one replaces the other; a noarch package clashes with
//! every arch of its name). Multilib pairs (`libbar.x86_64` + `libbar.i686`) do count:
//! they co-install, so their shared files are checked like rpm does (identical copies
//! or differently coloured ELF files are fine). A package never conflicts with itself.
//!
//! Entries are data ([`PkgId`]s and interned symbols) and the report is `Send`; the TUI
//! runs [`find_conflicts`] on a worker thread and can stop it with its [`Cancel`].
//!
//! Cost: one pass over the packages' `Conflicts`/`Obsoletes` (in parallel), one pass
//! over the distinct requirements, one pass over the paths that have two owners.
//! Measured on `oracle/scale/debian-bookworm-files` (63,440 packages, 7,377,792 file
//! entries with `--filelists all`; release build, 2 busy cores): detection 0.18 s after a
//! 15 s load, 2,743 entries (913 conflicts groups, 103 clashing alternatives, 459 file
//! conflict pairs); without file lists (`debian-bookworm`) 0.19 s.

use std::cmp::Ordering;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::model::intern::Sym;
use crate::model::package::{DepKind, PkgId, Reldep};
use crate::model::pool::{FileKind, FileMeta, Pool, SourceKind};
use crate::model::rich::Rich;
use crate::progress::{Cancel, Progress};

/// What makes a pair clash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum ConflictKind {
    /// An explicit `Conflicts:` that the other package satisfies.
    Conflicts,
    /// An `Obsoletes:` that matches the other package's name and version.
    Obsoletes,
    /// A required capability provided by packages of several names.
    Alternatives,
    /// The same path in both packages.
    #[value(name = "file")]
    #[serde(rename = "file")]
    FileConflict,
}

impl ConflictKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ConflictKind::Conflicts => "conflicts",
            ConflictKind::Obsoletes => "obsoletes",
            ConflictKind::Alternatives => "alternatives",
            ConflictKind::FileConflict => "file",
        }
    }
}

/// How sure a file conflict is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileStatus {
    /// rpm would refuse: the headers' copies differ.
    Confirmed,
    /// Same path, from metadata only (no digests to compare).
    Possible,
    /// The headers' copies are identical (or resolved by colour): rpm allows it.
    Dismissed,
}

impl FileStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FileStatus::Confirmed => "confirmed",
            FileStatus::Possible => "possible",
            FileStatus::Dismissed => "dismissed",
        }
    }
}

/// One shared path of a file conflict, with its verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedPath {
    pub path: Sym,
    pub status: FileStatus,
    /// Why (`"digests differ"`, `"identical"`, `"file types differ"`, ...).
    pub reason: &'static str,
}

/// One clashing pair (or, for alternatives, one capability and its providers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conflict {
    pub kind: ConflictKind,
    /// The package whose `Conflicts`/`Obsoletes` it is; for alternatives and files,
    /// the first package of the pair.
    pub a: PkgId,
    /// The package hit.
    pub b: PkgId,
    /// The dependency of `a` (conflicts, obsoletes), the required capability
    /// (alternatives), or the first shared path as an unversioned dependency (files).
    pub dep: Reldep,
    /// Alternatives: the providers (newest first per name, by name), and some of the
    /// packages requiring the capability (at most [`MAX_REQUIRERS`]), with their count.
    pub providers: Vec<PkgId>,
    pub required_by: Vec<PkgId>,
    pub required_by_count: usize,
    /// Alternatives: whether two of the providers conflict or obsolete each other
    /// (`a` and `b` are then such a pair).
    pub clash: bool,
    /// Files: every shared path of the pair, sorted.
    pub paths: Vec<SharedPath>,
}

/// Requirers kept per alternative.
pub const MAX_REQUIRERS: usize = 5;

impl Conflict {
    fn pair(kind: ConflictKind, a: PkgId, b: PkgId, dep: Reldep) -> Self {
        Conflict {
            kind,
            a,
            b,
            dep,
            providers: Vec::new(),
            required_by: Vec::new(),
            required_by_count: 0,
            clash: false,
            paths: Vec::new(),
        }
    }

    /// A file conflict's overall verdict: confirmed if any path is, else possible if any
    /// is, else dismissed. `None` for other kinds.
    pub fn file_status(&self) -> Option<FileStatus> {
        self.paths.iter().map(|p| p.status).min()
    }

    /// Whether this entry is a real (or possible) conflict: not a dismissed file
    /// conflict, not a plain alternative.
    pub fn is_problem(&self) -> bool {
        match self.kind {
            ConflictKind::Conflicts | ConflictKind::Obsoletes => true,
            ConflictKind::Alternatives => self.clash,
            ConflictKind::FileConflict => self.file_status() != Some(FileStatus::Dismissed),
        }
    }

    /// The capability the entry is grouped under, as text.
    pub fn capability(&self, pool: &Pool) -> String {
        pool.dep_str(&self.dep)
    }

    /// One line of text: `A (repo) conflicts with B (repo) via `dep``.
    pub fn describe(&self, pool: &Pool) -> String {
        let side = |p: PkgId| format!("{} ({})", pool.nevra(p), pool.repo_of(p).name);
        let dep = pool.dep_str(&self.dep);
        match self.kind {
            ConflictKind::Conflicts => {
                format!("{} conflicts with `{dep}`: {}", side(self.a), side(self.b))
            }
            ConflictKind::Obsoletes => {
                format!("{} obsoletes `{dep}`: {}", side(self.a), side(self.b))
            }
            ConflictKind::Alternatives => {
                let provs: Vec<String> = self.providers.iter().map(|&p| side(p)).collect();
                let req = match self.required_by.first() {
                    Some(&r) if self.required_by_count > 1 => {
                        format!("{} and {} more", pool.nevra(r), self.required_by_count - 1)
                    }
                    Some(&r) => pool.nevra(r),
                    None => "nobody".into(),
                };
                let mut s = format!(
                    "`{dep}` (required by {req}) is provided by {}",
                    provs.join(", ")
                );
                if self.clash {
                    s.push_str(&format!(
                        "; {} and {} cannot be installed together",
                        pool.name(self.a),
                        pool.name(self.b)
                    ));
                }
                s
            }
            ConflictKind::FileConflict => {
                let status = self.file_status().unwrap_or(FileStatus::Possible);
                let first = self.paths.first();
                let more = match self.paths.len() {
                    0 | 1 => String::new(),
                    n => format!(" and {} more paths", n - 1),
                };
                format!(
                    "{}{more} is in both {} and {} ({}{})",
                    first.map_or(dep.as_str(), |p| pool.str(p.path)),
                    side(self.a),
                    side(self.b),
                    status.as_str(),
                    first.map(|p| format!(": {}", p.reason)).unwrap_or_default()
                )
            }
        }
    }
}

/// Which file lists the file conflict check could use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileCoverage {
    /// Every package's full file list: all pairs were checked.
    Complete,
    /// Only packages of some sources (`.rpm` files) had full lists; only pairs of those
    /// were checked.
    Partial,
    /// No full file lists: no file conflicts checked.
    None,
    /// File conflicts were not asked for.
    Skipped,
}

/// Options of [`find_conflicts`].
#[derive(Clone, Debug, Default)]
pub struct ConflictOptions {
    /// Kinds to look for; empty: all.
    pub kinds: Vec<ConflictKind>,
    /// Report alternatives whose providers do not clash too.
    pub all_alternatives: bool,
    /// rpm-md sources had their whole file lists loaded (`--filelists all`).
    pub complete_filelists: bool,
}

impl ConflictOptions {
    fn wants(&self, k: ConflictKind) -> bool {
        self.kinds.is_empty() || self.kinds.contains(&k)
    }
}

/// What [`find_conflicts`] found.
#[derive(Clone, Debug)]
pub struct ConflictReport {
    pub entries: Vec<Conflict>,
    pub files: FileCoverage,
    /// Packages considered (available and installable).
    pub packages: usize,
    /// The cancel flag was set: the entries are incomplete.
    pub cancelled: bool,
}

impl ConflictReport {
    /// Entries that are problems ([`Conflict::is_problem`]).
    pub fn problems(&self) -> usize {
        self.entries.iter().filter(|c| c.is_problem()).count()
    }

    /// Sort the entries by `key`, ties broken by kind, capability, names, ids.
    pub fn sort(&mut self, pool: &Pool, key: SortKey) {
        let repo = |c: &Conflict| {
            (
                pool.repo_of(c.a).name.clone(),
                pool.repo_of(c.b).name.clone(),
            )
        };
        let mut keyed: Vec<(String, Conflict)> = std::mem::take(&mut self.entries)
            .into_iter()
            .map(|c| (c.capability(pool), c))
            .collect();
        keyed.sort_by(|(ca, a), (cb, b)| {
            let base = |x: &Conflict, y: &Conflict, cx: &str, cy: &str| {
                cx.cmp(cy)
                    .then_with(|| x.kind.cmp(&y.kind))
                    .then_with(|| pool.name(x.a).cmp(pool.name(y.a)))
                    .then_with(|| pool.name(x.b).cmp(pool.name(y.b)))
                    .then_with(|| (x.a, x.b).cmp(&(y.a, y.b)))
            };
            match key {
                SortKey::Name => base(a, b, ca, cb),
                SortKey::Kind => a.kind.cmp(&b.kind).then_with(|| base(a, b, ca, cb)),
                SortKey::Repo => repo(a).cmp(&repo(b)).then_with(|| base(a, b, ca, cb)),
            }
        });
        self.entries = keyed.into_iter().map(|(_, c)| c).collect();
    }
}

/// Orders of [`ConflictReport::sort`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum SortKey {
    /// By capability (the dependency, or the path).
    #[default]
    Name,
    /// By kind, then capability.
    Kind,
    /// By the repos of both sides, then capability.
    Repo,
}

/// rpm's transaction colour for the host: 3 (ELF32 | ELF64) on 64-bit multilib hosts,
/// 0 elsewhere (no colour resolution).
fn transaction_color(host: &str) -> u32 {
    if host.contains("64") || host == "s390x" {
        3
    } else {
        0
    }
}

/// Can `a` and `b` be installed together as far as names go (not one name.arch twice)?
fn coinstallable(pool: &Pool, noarch: Option<Sym>, a: PkgId, b: PkgId) -> bool {
    if a == b {
        return false;
    }
    let (pa, pb) = (pool.pkg(a), pool.pkg(b));
    if pa.name != pb.name {
        return true;
    }
    pa.arch != pb.arch && Some(pa.arch) != noarch && Some(pb.arch) != noarch
}

/// Find every conflict among the usable packages (`available[id]`, or all when
/// `available` is empty, and installable on the host arch).
pub fn find_conflicts(
    pool: &Pool,
    available: &[bool],
    opts: &ConflictOptions,
    progress: &dyn Progress,
    cancel: &Cancel,
) -> ConflictReport {
    let usable = |p: PkgId| {
        (available.is_empty() || available.get(p.index()).copied().unwrap_or(false))
            && pool.is_installable(p)
    };
    let noarch = pool.strings.get("noarch");
    let pkgs: Vec<PkgId> = pool.ids().filter(|&p| usable(p)).collect();
    let mut entries = Vec::new();
    let mut report = ConflictReport {
        entries: Vec::new(),
        files: FileCoverage::Skipped,
        packages: pkgs.len(),
        cancelled: false,
    };

    // Conflicts and Obsoletes, per package in parallel; always computed when
    // alternatives are asked for (a clash is one of these pairs).
    let want_pairs = opts.wants(ConflictKind::Conflicts)
        || opts.wants(ConflictKind::Obsoletes)
        || opts.wants(ConflictKind::Alternatives);
    let mut pairs: Vec<Conflict> = Vec::new();
    if want_pairs {
        progress.phase("conflicts", Some(pkgs.len() as u64));
        pairs = pkgs
            .par_chunks(512)
            .flat_map_iter(|chunk| {
                let mut out = Vec::new();
                if cancel.is_cancelled() {
                    return out;
                }
                let mut scratch = Vec::new();
                for &p in chunk {
                    explicit_pairs(pool, p, &usable, noarch, &mut scratch, &mut out);
                }
                progress.advance(chunk.len() as u64);
                out
            })
            .collect();
        if cancel.is_cancelled() {
            report.cancelled = true;
            return report;
        }
    }

    if opts.wants(ConflictKind::Alternatives) {
        progress.phase("alternatives", None);
        let mut clashes: FxHashMap<PkgId, Vec<PkgId>> = FxHashMap::default();
        for c in &pairs {
            clashes.entry(c.a).or_default().push(c.b);
            clashes.entry(c.b).or_default().push(c.a);
        }
        entries.extend(alternatives(pool, &pkgs, &usable, &clashes, opts));
        if cancel.is_cancelled() {
            report.cancelled = true;
            return report;
        }
    }
    entries.extend(pairs.into_iter().filter(|c| opts.wants(c.kind)));

    if opts.wants(ConflictKind::FileConflict) {
        let complete: Vec<bool> = pool
            .repos
            .iter()
            .map(|r| {
                r.kind == SourceKind::RpmFiles || (opts.complete_filelists && r.full_filelists)
            })
            .collect();
        let has_files = |p: PkgId| complete[pool.pkg(p).repo.index()];
        report.files = if pkgs.iter().all(|&p| has_files(p)) {
            FileCoverage::Complete
        } else if pkgs.iter().any(|&p| has_files(p)) {
            FileCoverage::Partial
        } else {
            FileCoverage::None
        };
        if report.files != FileCoverage::None {
            progress.phase("file conflicts", None);
            let color = transaction_color(&pool.host_arch);
            let checked = |p: PkgId| usable(p) && has_files(p);
            match file_conflicts(pool, &checked, noarch, color, cancel) {
                Some(f) => entries.extend(f),
                None => {
                    report.cancelled = true;
                    return report;
                }
            }
        }
    }
    report.entries = entries;
    report.sort(pool, SortKey::Name);
    report
}

/// The `Conflicts` and `Obsoletes` pairs of one package, as the solver's clauses.
fn explicit_pairs(
    pool: &Pool,
    p: PkgId,
    usable: &(dyn Fn(PkgId) -> bool + Sync),
    noarch: Option<Sym>,
    scratch: &mut Vec<PkgId>,
    out: &mut Vec<Conflict>,
) {
    let push = |kind, d: &Reldep, targets: &mut Vec<PkgId>, out: &mut Vec<Conflict>| {
        targets.sort_unstable();
        targets.dedup();
        for &q in targets.iter() {
            if usable(q) && coinstallable(pool, noarch, p, q) {
                out.push(Conflict::pair(kind, p, q, *d));
            }
        }
    };
    for d in pool.deps_of(p, DepKind::Conflicts) {
        scratch.clear();
        pool.whatprovides_into(d, scratch);
        if d.is_rich() {
            // a rich conflict holds for a pair when the expression is true of the two:
            // `(a unless b)` hits a, and not b
            if let Some(tree) = pool.rich_tree(d) {
                scratch.retain(|&q| rich_conflict_holds(pool, tree, &[p, q]));
            }
        } else {
            scratch.extend(
                pool.by_name(pool.str(d.name))
                    .iter()
                    .filter(|&&q| pool.pkg_matches(q, d)),
            );
        }
        push(ConflictKind::Conflicts, d, scratch, out);
    }
    for d in pool.deps_of(p, DepKind::Obsoletes) {
        if d.is_rich() {
            continue;
        }
        scratch.clear();
        let own = pool.pkg(p).name;
        scratch.extend(
            pool.by_name(pool.str(d.name))
                .iter()
                .filter(|&&q| pool.pkg(q).name != own && pool.pkg_matches(q, d)),
        );
        push(ConflictKind::Obsoletes, d, scratch, out);
    }
}

/// Whether a rich `Conflicts:` expression is true of the installed set `set`. Conditions
/// follow rpm: `(a if b)` conflicts with a only when b is there, `(a unless b)` only when
/// it is not; without an `else`, a condition that does not apply means no conflict.
fn rich_conflict_holds(pool: &Pool, tree: &Rich<Reldep>, set: &[PkgId]) -> bool {
    let leaf = |d: &Reldep, set: &[PkgId]| set.iter().any(|&q| pool.whatprovides(d).contains(&q));
    match tree {
        Rich::Leaf(d) => leaf(d, set),
        Rich::And(xs) => xs.iter().all(|x| rich_conflict_holds(pool, x, set)),
        Rich::Or(xs) => xs.iter().any(|x| rich_conflict_holds(pool, x, set)),
        Rich::With(xs) => set
            .iter()
            .any(|&q| xs.iter().all(|x| rich_conflict_holds(pool, x, &[q]))),
        Rich::Without(a, b) => set
            .iter()
            .any(|&q| rich_conflict_holds(pool, a, &[q]) && !rich_conflict_holds(pool, b, &[q])),
        Rich::If {
            then,
            cond,
            otherwise,
        } => {
            if rich_conflict_holds(pool, cond, set) {
                rich_conflict_holds(pool, then, set)
            } else {
                otherwise
                    .as_ref()
                    .is_some_and(|o| rich_conflict_holds(pool, o, set))
            }
        }
        Rich::Unless {
            then,
            cond,
            otherwise,
        } => {
            if rich_conflict_holds(pool, cond, set) {
                otherwise
                    .as_ref()
                    .is_some_and(|o| rich_conflict_holds(pool, o, set))
            } else {
                rich_conflict_holds(pool, then, set)
            }
        }
    }
}

/// A requirement's first-seen order, number of requirers and the first few of them.
type Requirers = (usize, usize, Vec<PkgId>);

/// Required capabilities with providers of two or more names.
fn alternatives(
    pool: &Pool,
    pkgs: &[PkgId],
    usable: &(dyn Fn(PkgId) -> bool + Sync),
    clashes: &FxHashMap<PkgId, Vec<PkgId>>,
    opts: &ConflictOptions,
) -> Vec<Conflict> {
    // Distinct requirements, in first-seen order, with their requirers.
    let mut reqs: FxHashMap<Reldep, Requirers> = FxHashMap::default();
    for &p in pkgs {
        for d in pool.deps_of(p, DepKind::Requires) {
            let mut d = *d;
            d.flags &= !Reldep::PRE;
            if d.is_rich() {
                continue;
            }
            let name = pool.str(d.name);
            if name.starts_with("rpmlib(") || name.starts_with("solvable:") {
                continue;
            }
            let n = reqs.len();
            let e = reqs.entry(d).or_insert((n, 0, Vec::new()));
            e.1 += 1;
            if e.2.len() < MAX_REQUIRERS && e.2.last() != Some(&p) {
                e.2.push(p);
            }
        }
    }
    let mut reqs: Vec<(Reldep, Requirers)> = reqs.into_iter().collect();
    reqs.sort_unstable_by_key(|(_, (i, _, _))| *i);
    reqs.par_iter()
        .filter_map(|(d, (_, count, requirers))| {
            let mut prov = Vec::new();
            pool.whatprovides_into(d, &mut prov);
            prov.retain(|&q| usable(q));
            prov.sort_unstable();
            prov.dedup();
            if prov.len() < 2 {
                return None;
            }
            let first_name = pool.pkg(prov[0]).name;
            if prov.iter().all(|&q| pool.pkg(q).name == first_name) {
                return None;
            }
            let clash = prov.iter().find_map(|&x| {
                let partners = clashes.get(&x)?;
                partners
                    .iter()
                    .find(|y| {
                        pool.pkg(**y).name != pool.pkg(x).name && prov.binary_search(y).is_ok()
                    })
                    .map(|&y| {
                        if pool.name(x) <= pool.name(y) {
                            (x, y)
                        } else {
                            (y, x)
                        }
                    })
            });
            if clash.is_none() && !opts.all_alternatives {
                return None;
            }
            // Providers by name, newest first within a name.
            prov.sort_by(|&x, &y| {
                pool.name(x)
                    .cmp(pool.name(y))
                    .then_with(|| pool.evr(y).cmp_full(&pool.evr(x)))
                    .then_with(|| x.cmp(&y))
            });
            let (a, b) = clash.unwrap_or_else(|| {
                let other = prov
                    .iter()
                    .copied()
                    .find(|&q| pool.pkg(q).name != pool.pkg(prov[0]).name)
                    .unwrap_or(prov[0]);
                (prov[0], other)
            });
            let mut c = Conflict::pair(ConflictKind::Alternatives, a, b, *d);
            c.providers = prov;
            c.required_by = requirers.clone();
            c.required_by_count = *count;
            c.clash = clash.is_some();
            Some(c)
        })
        .collect()
}

/// rpm's comparison of two header copies of one path (`rpmfilesCompare`, then
/// `handleColorConflict`): `None` when they do not conflict, else why.
fn compare_meta(a: &FileMeta, b: &FileMeta, tscolor: u32) -> Option<&'static str> {
    let differ = rpm_files_differ(a, b)?;
    if tscolor != 0 {
        let (ca, cb) = (a.color & tscolor, b.color & tscolor);
        if ca != 0 && cb != 0 && ca != cb {
            return None;
        }
    }
    Some(differ)
}

fn rpm_files_differ(a: &FileMeta, b: &FileMeta) -> Option<&'static str> {
    if a.flags & FileMeta::GHOST != 0 || b.flags & FileMeta::GHOST != 0 {
        return None;
    }
    let (ta, tb) = (a.mode & FileMeta::S_IFMT, b.mode & FileMeta::S_IFMT);
    let links = ta == FileMeta::S_IFLNK && tb == FileMeta::S_IFLNK;
    if ta != tb {
        return Some("file types differ");
    }
    if !links && a.mode != b.mode {
        return Some("modes differ");
    }
    if (ta == FileMeta::S_IFREG || links) && a.size != b.size {
        return Some("sizes differ");
    }
    if a.user != b.user || a.group != b.group {
        return Some("owners differ");
    }
    if links && a.link != b.link {
        return Some("link targets differ");
    }
    if ta == FileMeta::S_IFREG && a.digest != b.digest {
        return Some("digests differ");
    }
    None
}

/// Paths owned by two co-installable packages of `checked`; `None` when cancelled.
fn file_conflicts(
    pool: &Pool,
    checked: &(dyn Fn(PkgId) -> bool + Sync),
    noarch: Option<Sym>,
    tscolor: u32,
    cancel: &Cancel,
) -> Option<Vec<Conflict>> {
    let mut by_pair: FxHashMap<(PkgId, PkgId), Vec<SharedPath>> = FxHashMap::default();
    let mut owners = Vec::new();
    for (n, (path, all)) in pool.shared_paths().enumerate() {
        if n % 4096 == 0 && cancel.is_cancelled() {
            return None;
        }
        owners.clear();
        owners.extend(all.iter().copied().filter(|&p| checked(p)));
        if owners.len() < 2 {
            continue;
        }
        for (i, &a) in owners.iter().enumerate() {
            let ka = pool.file_kind(a, path);
            if ka == FileKind::Ghost {
                continue;
            }
            for &b in &owners[i + 1..] {
                let kb = pool.file_kind(b, path);
                if kb == FileKind::Ghost
                    || (ka == FileKind::Dir && kb == FileKind::Dir)
                    || !coinstallable(pool, noarch, a, b)
                {
                    continue;
                }
                let verdict = match (
                    pool.file_meta.get(&(a, path)),
                    pool.file_meta.get(&(b, path)),
                ) {
                    (Some(ma), Some(mb)) => match compare_meta(ma, mb, tscolor) {
                        Some(why) => (FileStatus::Confirmed, why),
                        None => (FileStatus::Dismissed, "identical for rpm"),
                    },
                    _ if ka != kb => (
                        FileStatus::Possible,
                        "a directory in one, a file in the other",
                    ),
                    _ => (FileStatus::Possible, "same path (no digests in metadata)"),
                };
                by_pair.entry((a, b)).or_default().push(SharedPath {
                    path,
                    status: verdict.0,
                    reason: verdict.1,
                });
            }
        }
    }
    let mut out: Vec<Conflict> = by_pair
        .into_iter()
        .map(|((a, b), mut paths)| {
            paths.sort_by(|x, y| {
                x.status
                    .cmp(&y.status)
                    .then_with(|| pool.str(x.path).cmp(pool.str(y.path)))
            });
            let dep = Reldep::unversioned(paths[0].path);
            let mut c = Conflict::pair(ConflictKind::FileConflict, a, b, dep);
            c.paths = paths;
            c
        })
        .collect();
    out.sort_by(|x, y| (x.a, x.b).cmp(&(y.a, y.b)).then(Ordering::Equal));
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::package::PackageInfo;
    use crate::model::pool::NewPackage;
    use crate::progress::NoProgress;

    /// `(name, evr, arch, [(kind, dep)...], [files])`; a file ending in `/` is a
    /// directory, one starting with `~` a ghost.
    type Spec<'a> = (
        &'a str,
        &'a str,
        &'a str,
        &'a [(DepKind, &'a str)],
        &'a [&'a str],
    );

    fn pool_of(specs: &[Spec<'_>], kind: SourceKind) -> Pool {
        let mut pool = Pool::new("x86_64");
        pool.add_repo("r", "/r", kind);
        pool.repos[0].full_filelists = true;
        for (name, evr, arch, deps, files) in specs {
            let mut all: [Vec<Reldep>; 8] = Default::default();
            let own = pool.parse_reldep(&format!("{name} = {evr}")).unwrap();
            all[DepKind::Provides.index()].push(own);
            for (k, d) in *deps {
                let d = pool.parse_reldep(d).unwrap();
                all[k.index()].push(d);
            }
            let (v, r) = evr.split_once('-').unwrap();
            let id = pool.add_package(
                NewPackage {
                    name,
                    epoch: 0,
                    version: v,
                    release: r,
                    arch,
                    info: PackageInfo::default(),
                },
                &all,
            );
            for f in *files {
                if let Some(d) = f.strip_suffix('/') {
                    pool.add_file_of_kind(id, d, FileKind::Dir);
                } else if let Some(g) = f.strip_prefix('~') {
                    pool.add_file_of_kind(id, g, FileKind::Ghost);
                } else {
                    pool.add_file(id, f);
                }
            }
        }
        pool.build_indexes();
        pool
    }

    fn find(pool: &Pool, opts: &ConflictOptions) -> Vec<String> {
        let r = find_conflicts(pool, &[], opts, &NoProgress, &Cancel::new());
        r.entries
            .iter()
            .map(|c| {
                format!(
                    "{} {} {} {}",
                    c.kind.as_str(),
                    pool.nevra(c.a),
                    pool.nevra(c.b),
                    c.capability(pool)
                )
            })
            .collect()
    }

    use DepKind::{Conflicts as C, Obsoletes as O, Provides as P, Requires as R};

    #[test]
    fn rich_conflicts_hold_only_for_the_pairs_they_describe() {
        let pool = pool_of(
            &[
                ("c", "1-1", "noarch", &[(C, "(legacy unless ng)")], &[]),
                ("d", "1-1", "noarch", &[(C, "(old if plugin)")], &[]),
                ("legacy", "1-1", "noarch", &[], &[]),
                ("ng", "2-1", "noarch", &[], &[]),
                ("old", "1-1", "noarch", &[], &[]),
                ("plugin", "1-1", "noarch", &[], &[]),
            ],
            SourceKind::RpmMd,
        );
        let got = find(&pool, &ConflictOptions::default());
        // `c` conflicts with legacy (ng absent from the pair), not with ng itself
        assert!(
            got.iter()
                .any(|l| l.starts_with("conflicts c-1-1.noarch legacy-1-1.noarch")),
            "{got:?}"
        );
        assert!(
            !got.iter()
                .any(|l| l.starts_with("conflicts c-1-1.noarch ng-")),
            "{got:?}"
        );
        // `(old if plugin)`: neither old nor plugin alone with d is a conflict
        assert!(
            !got.iter().any(|l| l.starts_with("conflicts d-1-1.noarch")),
            "{got:?}"
        );
    }

    #[test]
    fn explicit_conflicts_evaluate_versions_and_skip_one_name_arch() {
        let pool = pool_of(
            &[
                ("a", "1-1", "noarch", &[(C, "b < 2")], &[]),
                ("b", "1-1", "noarch", &[], &[]),
                ("b", "2-1", "noarch", &[], &[]),
                // An old version of its own name: an upgrade, never a conflict.
                ("foo", "2-1", "x86_64", &[(C, "foo < 2")], &[]),
                ("foo", "1-1", "x86_64", &[], &[]),
                // By provides: virt(x) of c.
                ("d", "1-1", "noarch", &[(C, "virt(x) >= 3")], &[]),
                ("c", "1-1", "noarch", &[(P, "virt(x) = 3")], &[]),
                ("e", "1-1", "noarch", &[(P, "virt(x) = 2")], &[]),
            ],
            SourceKind::RpmMd,
        );
        let opts = ConflictOptions {
            kinds: vec![ConflictKind::Conflicts],
            ..Default::default()
        };
        assert_eq!(
            find(&pool, &opts),
            [
                "conflicts a-1-1.noarch b-1-1.noarch b < 2",
                "conflicts d-1-1.noarch c-1-1.noarch virt(x) >= 3"
            ]
        );
    }

    #[test]
    fn obsoletes_match_names_not_provides_and_not_the_own_name() {
        let pool = pool_of(
            &[
                (
                    "new",
                    "2-1",
                    "noarch",
                    &[(O, "old < 2"), (O, "new < 2"), (O, "virt")],
                    &[],
                ),
                ("old", "1-1", "noarch", &[], &[]),
                ("old", "2-1", "noarch", &[], &[]),
                ("new", "1-1", "noarch", &[], &[]),
                ("p", "1-1", "noarch", &[(P, "virt")], &[]),
            ],
            SourceKind::RpmMd,
        );
        assert_eq!(
            find(&pool, &ConflictOptions::default()),
            ["obsoletes new-2-1.noarch old-1-1.noarch old < 2"]
        );
    }

    #[test]
    fn alternatives_are_reported_when_providers_clash_or_when_asked() {
        let pool = pool_of(
            &[
                ("s3cmd", "2-1", "noarch", &[(R, "magic")], &[]),
                ("tool", "1-1", "noarch", &[(R, "magic"), (R, "mta")], &[]),
                ("pm", "1-1", "noarch", &[(P, "magic")], &[]),
                ("pfm", "1-1", "noarch", &[(P, "magic"), (C, "pm")], &[]),
                ("postfix", "1-1", "x86_64", &[(P, "mta")], &[]),
                ("exim", "1-1", "x86_64", &[(P, "mta")], &[]),
            ],
            SourceKind::RpmMd,
        );
        let r = find_conflicts(
            &pool,
            &[],
            &ConflictOptions::default(),
            &NoProgress,
            &Cancel::new(),
        );
        let alt: Vec<&Conflict> = r
            .entries
            .iter()
            .filter(|c| c.kind == ConflictKind::Alternatives)
            .collect();
        assert_eq!(alt.len(), 1);
        let c = alt[0];
        assert!(c.clash && c.is_problem());
        assert_eq!(c.capability(&pool), "magic");
        assert_eq!((pool.name(c.a), pool.name(c.b)), ("pfm", "pm"));
        assert_eq!(c.required_by_count, 2);
        assert_eq!(
            c.describe(&pool),
            "`magic` (required by s3cmd-2-1.noarch and 1 more) is provided by \
             pfm-1-1.noarch (r), pm-1-1.noarch (r); pfm and pm cannot be installed together"
        );
        assert_eq!(r.problems(), 2, "the conflict and the clashing alternative");

        let opts = ConflictOptions {
            kinds: vec![ConflictKind::Alternatives],
            all_alternatives: true,
            ..Default::default()
        };
        let r = find_conflicts(&pool, &[], &opts, &NoProgress, &Cancel::new());
        assert_eq!(r.entries.len(), 2);
        let mta = r
            .entries
            .iter()
            .find(|c| c.capability(&pool) == "mta")
            .unwrap();
        assert!(!mta.clash && !mta.is_problem());
        assert_eq!(r.problems(), 1);
    }

    #[test]
    fn the_report_can_cross_threads() {
        fn send<T: Send + Sync>() {}
        send::<ConflictReport>();
        send::<ConflictOptions>();
    }

    #[test]
    fn availability_and_cancel() {
        let pool = pool_of(
            &[
                ("a", "1-1", "noarch", &[(C, "b")], &[]),
                ("b", "1-1", "noarch", &[], &[]),
                ("src", "1-1", "src", &[(C, "b")], &[]),
            ],
            SourceKind::RpmMd,
        );
        let opts = ConflictOptions::default();
        let r = find_conflicts(
            &pool,
            &[true, false, true],
            &opts,
            &NoProgress,
            &Cancel::new(),
        );
        assert!(r.entries.is_empty());
        assert_eq!(
            r.packages, 1,
            "b hidden, the source package not installable"
        );
        let cancel = Cancel::new();
        cancel.cancel();
        let r = find_conflicts(&pool, &[], &opts, &NoProgress, &cancel);
        assert!(r.cancelled);
    }

    #[test]
    fn file_conflicts_skip_directories_ghosts_and_one_name_arch() {
        let specs: &[Spec<'_>] = &[
            (
                "a",
                "1-1",
                "noarch",
                &[],
                &["/etc/x.conf", "/usr/share/d/", "~/var/log/a", "/opt/t/"],
            ),
            (
                "b",
                "1-1",
                "noarch",
                &[],
                &["/etc/x.conf", "/usr/share/d/", "/var/log/a", "/opt/t"],
            ),
            ("a", "2-1", "noarch", &[], &["/etc/x.conf"]),
            ("lib", "1-1", "x86_64", &[], &["/usr/share/lib/h"]),
            ("lib", "1-1", "i686", &[], &["/usr/share/lib/h"]),
        ];
        let pool = pool_of(specs, SourceKind::RpmMd);
        let opts = ConflictOptions {
            kinds: vec![ConflictKind::FileConflict],
            complete_filelists: true,
            ..Default::default()
        };
        let r = find_conflicts(&pool, &[], &opts, &NoProgress, &Cancel::new());
        assert_eq!(r.files, FileCoverage::Complete);
        let got: Vec<String> = r
            .entries
            .iter()
            .map(|c| {
                let paths: Vec<&str> = c.paths.iter().map(|p| pool.str(p.path)).collect();
                format!(
                    "{} {} {}",
                    pool.nevra(c.a),
                    pool.nevra(c.b),
                    paths.join(",")
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                "a-1-1.noarch b-1-1.noarch /etc/x.conf,/opt/t",
                "b-1-1.noarch a-2-1.noarch /etc/x.conf",
                "lib-1-1.x86_64 lib-1-1.i686 /usr/share/lib/h",
            ]
        );
        assert!(
            r.entries
                .iter()
                .all(|c| c.file_status() == Some(FileStatus::Possible))
        );
        // Without complete lists, nothing is claimed.
        let opts = ConflictOptions {
            complete_filelists: false,
            ..opts
        };
        let r = find_conflicts(&pool, &[], &opts, &NoProgress, &Cancel::new());
        assert_eq!((r.files, r.entries.len()), (FileCoverage::None, 0));
    }

    fn meta(mode: u16, digest: &str, color: u32) -> FileMeta {
        FileMeta {
            mode,
            flags: 0,
            size: 10,
            digest: digest.into(),
            link: "".into(),
            user: "root".into(),
            group: "root".into(),
            color,
        }
    }

    #[test]
    fn header_comparison_follows_rpm() {
        let reg = FileMeta::S_IFREG | 0o644;
        let same = meta(reg, "aa", 0);
        assert_eq!(compare_meta(&same, &same.clone(), 3), None);
        assert_eq!(
            compare_meta(&same, &meta(reg, "bb", 0), 3),
            Some("digests differ")
        );
        assert_eq!(
            compare_meta(&same, &meta(FileMeta::S_IFREG | 0o755, "aa", 0), 3),
            Some("modes differ")
        );
        assert_eq!(
            compare_meta(&same, &meta(FileMeta::S_IFDIR | 0o755, "", 0), 3),
            Some("file types differ")
        );
        let owner = FileMeta {
            user: "nobody".into(),
            ..same.clone()
        };
        assert_eq!(compare_meta(&same, &owner, 3), Some("owners differ"));
        // ELF32 vs ELF64 on a multilib host: resolved by colour; not on a 0-colour host.
        let (e32, e64) = (meta(reg, "aa", 1), meta(reg, "bb", 2));
        assert_eq!(compare_meta(&e32, &e64, 3), None);
        assert_eq!(compare_meta(&e32, &e64, 0), Some("digests differ"));
        // Same colour, different content: a conflict.
        assert_eq!(
            compare_meta(&e64, &meta(reg, "cc", 2), 3),
            Some("digests differ")
        );
        let ghost = FileMeta {
            flags: FileMeta::GHOST,
            ..meta(reg, "zz", 0)
        };
        assert_eq!(compare_meta(&same, &ghost, 3), None);
    }
}
