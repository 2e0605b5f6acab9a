//! Installability and install simulation: can a package be installed at all with the
//! available set (libsolv's `installcheck`, rpmdeplint's `check-sat`), and what would
//! installing some roots on top of an installed set bring in, or why it cannot work.
//!
//! Repoclosure only asks whether *some* package provides each requirement; this module
//! asks whether one consistent set exists: requirements (rich ones with real boolean
//! meaning), `Conflicts`, `Obsoletes` and one version per name.arch, all at once. When no
//! set exists the answer is an [`Explanation`]: a derivation from the roots to the clash
//! ("`s3cmd` requires `python3-magic`; `python3-file-magic` conflicts with
//! `python3-magic`; ...") built from the clauses the solver actually needed.
//!
//! # Semantics (rpm's, as libsolv encodes them for dnf)
//!
//! * A package may be used when it is in the available set and installable on the host
//!   arch ([`Pool::is_installable`]); installed packages always may.
//! * `Requires` (pre or not; `rpmlib(` and `solvable:` skipped): one of the providers
//!   ([`Pool::whatprovides`]: provides, the package's own `name = EVR`, file lists) must be
//!   installed; a package satisfies its own requirement.
//! * Rich requirements are evaluated as boolean formulas over "some provider is
//!   installed", not by libsolv's provider-set approximation that repoclosure uses:
//!   `and`/`or` as written, `(A with B)` one package satisfying both, `(A without B)` one
//!   satisfying A and not B, `(A if B)` "if B is installed, A must be", `(A if B else C)`
//!   adds "otherwise C", `(A unless B)` "if B is not installed, A must be", `unless ...
//!   else C` adds "if B is, C must be". The formula is put in conjunctive normal form
//!   (at most 1024 clauses per dependency; a larger one is ignored, never seen in practice).
//! * `Conflicts`: the package cannot be installed with any other package providing the
//!   capability (its own `name = EVR` included, as rpm); a self-conflict is ignored.
//!   Rich conflicts forbid the formula to hold.
//! * `Obsoletes` matches package names and versions only (dnf's default,
//!   `obsoleteusesprovides` off), across arches. Nothing is ever erased here, so an
//!   obsoleted package and its obsoleter are simply a conflict.
//! * One version per name.arch: two packages of one name conflict unless their arches
//!   differ and neither is `noarch` (multilib: `glibc.x86_64` and `glibc.i686` co-install,
//!   libsolv's `implicitobsoleteusescolors`). Installonly packages (kernels) are not
//!   special-cased.
//! * Installed packages (simulation) must stay: each keeps its name.arch installed, at
//!   its version or a newer one if a root needs it (dnf upgrades then); nothing is erased.
//!   An installed package whose requirement nothing provides at all is left alone, as
//!   libsolv does with packages that were already broken.
//!
//! # The solver, and why not `resolvo`
//!
//! `resolvo` 0.12 (CDCL, used by pixi) was evaluated first, modelling a resolvo package
//! as a name.arch, a requirement as the union of its providers' version sets, conflicts
//! and obsoletes as `constrains` with complement sets, and `(A if B)` as a conditional
//! requirement. Two things rule it out:
//!
//! 1. Its conditional requirements do not mean rpm's `(A if B)`. resolvo encodes
//!    "requires A if C" as `¬X ∨ C̄₁ ∨ … ∨ C̄ₙ ∨ A` where `C̄ᵢ` are the candidates of C's
//!    package *outside* the condition's version set: "unless another version of C is
//!    installed, A is required", which also forces A (or another C) when C is not
//!    installed at all. With `a` requiring `(foo = 99 if bar = 2)`, `bar-1` uninstallable
//!    and the root needing `(bar = 2 or baz)`, resolvo answers "unsolvable" although
//!    `{a, baz}` is a solution, and the answer depends on the order of the union
//!    (`[baz, bar=2]` solves). Building that conflict's explanation then panics
//!    (`conflict.rs:371`, assertion `left == right`). The reproduction was a 100-line
//!    provider against resolvo 0.12.2; rpm's `if` in a condition over optional packages
//!    is exactly the common case (`(foo-selinux if selinux-policy)`).
//! 2. `constrains` are per package name, so rich conflicts (`Conflicts: (a and b)`)
//!    cannot be said without proxy packages, and explanations come back as resolvo's
//!    graph of version sets, which would have to be mapped back to rpm terms anyway.
//!
//! So the engine is a small CDCL solver over [`PkgId`]s, as libsolv itself is: one
//! boolean per package, clauses made from each package's dependencies *lazily*, when
//! the package first becomes true (a check touches the packages it could install, never
//! the whole repo), two watched literals, first-UIP learning, and decisions taken only to
//! satisfy a requirement whose package is already in (the providers in a preference
//! order: installed, named as the requirement, same arch, newest), so every package left
//! undecided is simply not installed. Every learnt clause remembers the clauses it was
//! resolved from; an unsatisfiable problem yields the original clauses behind the final
//! conflict (an unsatisfiable core), which [`Explanation`] turns into a derivation.
//!
//! [`solve_request`] is the same engine with libsolv's rules where they differ from the
//! above (what `bramble testcase` needs to agree with libsolv's testsuite): erase and
//! lock requests, `allowuninstall` (installed packages kept where possible rather than
//! always), an installed package replaceable by a package obsoleting it, installed
//! packages not fixed (a requirement no installed package meets and clashes between
//! installed packages are left alone), one package per name unless multilib is asked
//! for, libsolv's provider policy (updates of installed packages, best arch, newest of
//! its name, highest provided version, name), requirements decided before installed
//! packages are kept, and weak dependencies (`Recommends`, `Supplements`) acted on once
//! every requirement is met. [`simulate_install`] and [`check_installable`] are
//! unchanged by it.
//!
//! [`check_installable`] runs one solve per candidate in parallel, sharing the
//! per-package clauses; every package of a solution found is installable too (the
//! solution proves it), so such candidates are skipped.
//!
//! Measured on the 63,440-package `oracle/scale/debian-bookworm` (2 cores, release): all
//! packages checked in 1.8 s (15,466 cannot be installed under rpm semantics, mostly
//! because the converted metadata keeps Debian's unversioned `Provides`, which match every
//! versioned `Conflicts`: `perl-base` conflicts with `perl-modules < 5.36.0~`, which
//! `perl-modules-5.36` provides unversioned); a 470-package install simulated in 15 ms,
//! one more root on top of that image in 8 ms. On that repo and on
//! `oracle/repos/broken-closure` the uninstallable set is exactly libsolv's (python3-solv
//! 0.7.23, rpm disttype, `implicitobsoleteusescolors`, one install job per package).

use std::cmp::Ordering;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering as AtomicOrdering};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::model::package::{DepKind, PkgId, Reldep};
use crate::model::pool::{Pool, compatible_arches};
use crate::model::rich::Rich;
use crate::progress::{Cancel, Progress};

/// Conflicts a single solve may meet before it gives up (the answer is then "undecided").
const MAX_CONFLICTS: u64 = 50_000;
/// Largest CNF a rich dependency may expand to.
const MAX_CNF: usize = 1024;

// ---- public types ------------------------------------------------------------------

/// Something to install.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Root {
    /// This exact package.
    Pkg(PkgId),
    /// Some package satisfying this requirement: a name, `name >= 1.0`, a file path, a
    /// rich dependency. Packages named as the requirement are preferred, as dnf does.
    Dep(Reldep),
}

impl Root {
    /// A root as a user writes it (`s3cmd`, `python3-magic >= 0.4`, `/usr/bin/python3`,
    /// `(a or b)`). Interns the text, which is why the pool is borrowed mutably; a name
    /// the pool has never seen simply has no provider.
    pub fn parse(pool: &mut Pool, text: &str) -> Result<Root, String> {
        pool.parse_reldep(text).map(Root::Dep)
    }

    /// A bare name in a frozen pool: the package, when only one has that name (so a
    /// derivation says "`x` (a root)"), else a requirement on the name; `None` when the
    /// pool has never seen it.
    pub fn named(pool: &Pool, name: &str) -> Option<Root> {
        match pool.by_name(name) {
            [only] => Some(Root::Pkg(*only)),
            _ => pool
                .strings
                .get(name)
                .map(|s| Root::Dep(Reldep::unversioned(s))),
        }
    }
}

/// One fact of a derivation. Packages are [`PkgId`]s and dependencies [`Reldep`]s of the
/// pool, so a view can link every name; [`Explanation::render`] writes them out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// `pkg` is one of the packages asked for.
    Root { pkg: PkgId },
    /// A requirement asked for, and the packages that could satisfy it (none: nothing
    /// provides it).
    RootRequires { dep: Reldep, providers: Vec<PkgId> },
    /// `pkg` is installed and must stay.
    Installed { pkg: PkgId },
    /// `pkg` requires `dep`; `providers` are the packages that could satisfy the part of
    /// it that matters here, `given` the installed packages that make a conditional
    /// (rich) requirement apply.
    Requires {
        pkg: PkgId,
        dep: Reldep,
        providers: Vec<PkgId>,
        given: Vec<PkgId>,
    },
    /// The same fact seen from the other end: `pkg` is needed because `by` requires `dep`.
    NeededBy { pkg: PkgId, by: PkgId, dep: Reldep },
    /// `pkg` requires `dep` and no usable package provides it.
    NothingProvides { pkg: PkgId, dep: Reldep },
    /// `pkg` has `Conflicts: dep`, which `other` satisfies.
    Conflicts {
        pkg: PkgId,
        dep: Reldep,
        other: PkgId,
    },
    /// `pkg` has `Obsoletes: dep`, which matches `other`.
    Obsoletes {
        pkg: PkgId,
        dep: Reldep,
        other: PkgId,
    },
    /// Two versions of one name.arch cannot be installed together.
    SameName { a: PkgId, b: PkgId },
    /// `pkg` cannot be installed on the host architecture (or is a source package).
    NotInstallable { pkg: PkgId },
    /// The solver stopped after this many conflicts without an answer.
    GaveUp { conflicts: u64 },
}

/// Why something cannot be installed: a derivation, in reading order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Explanation {
    pub steps: Vec<Step>,
}

/// A package that cannot be installed with the available set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Uninstallable {
    pub pkg: PkgId,
    pub reason: Explanation,
}

/// Why a package is part of a transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// It was asked for.
    Root,
    /// `by` (installed, asked for, or brought in) requires `dep`, and this package
    /// provides it.
    Required { by: PkgId, dep: Reldep },
    /// It replaces the installed `of` (same name.arch, newer), because something needs
    /// the newer version.
    Upgrade { of: PkgId },
}

/// The packages an install would add, in the order they were pulled in (roots first),
/// each with the reason.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Transaction {
    pub packages: Vec<(PkgId, Reason)>,
}

// ---- entry points --------------------------------------------------------------------

/// For each candidate: can it be installed alone into an empty system, using only the
/// `available` packages (`available[i]` for package `i`; an empty slice means every
/// package) that are installable on the host? Returns the ones that cannot, in the order
/// of `candidates`, each with the derivation of why. A candidate the solver could not
/// decide within its budget is reported with [`Step::GaveUp`]. Cancelling returns what
/// was found so far.
pub fn check_installable(
    pool: &Pool,
    candidates: &[PkgId],
    available: &[bool],
    progress: &dyn Progress,
    cancel: &Cancel,
) -> Vec<Uninstallable> {
    let candidates: Vec<PkgId> = candidates
        .iter()
        .copied()
        .filter(|p| p.index() < pool.len())
        .collect();
    let eng = Engine::new(pool, available, &[]);
    let proven: Vec<AtomicBool> = (0..pool.len()).map(|_| AtomicBool::new(false)).collect();
    let done = AtomicU64::new(0);
    progress.phase("installable", Some(candidates.len() as u64));
    let results: Vec<Option<Uninstallable>> = candidates
        .par_iter()
        .map_init(
            || Solver::new(&eng),
            |solver, &c| {
                let n = done.fetch_add(1, AtomicOrdering::Relaxed);
                if n % 256 == 255 {
                    progress.advance(256);
                }
                if cancel.is_cancelled()
                    || proven
                        .get(c.index())
                        .is_some_and(|p| p.load(AtomicOrdering::Relaxed))
                {
                    return None;
                }
                if !pool.is_installable(c) {
                    return Some(Uninstallable {
                        pkg: c,
                        reason: Explanation {
                            steps: vec![Step::NotInstallable { pkg: c }],
                        },
                    });
                }
                match solver.solve(&[Root::Pkg(c)], &[], Some(cancel)) {
                    Outcome::Sat(model) => {
                        for p in model {
                            if let Some(flag) = proven.get(p.index()) {
                                flag.store(true, AtomicOrdering::Relaxed);
                            }
                        }
                        None
                    }
                    Outcome::Unsat(core) => {
                        // The candidate being a root goes without saying.
                        let mut reason = solver.explain(&core, &[Root::Pkg(c)], &[]);
                        reason.steps.retain(|s| *s != Step::Root { pkg: c });
                        Some(Uninstallable { pkg: c, reason })
                    }
                    Outcome::GaveUp(n) if !cancel.is_cancelled() => Some(Uninstallable {
                        pkg: c,
                        reason: Explanation {
                            steps: vec![Step::GaveUp { conflicts: n }],
                        },
                    }),
                    Outcome::GaveUp(_) => None,
                }
            },
        )
        .collect();
    progress.advance(done.load(AtomicOrdering::Relaxed) % 256);
    results.into_iter().flatten().collect()
}

/// Install `roots` on top of `installed` (which must all stay; a newer version of an
/// installed package may replace it when something needs it, nothing is erased), using
/// the `available` packages (empty slice: all). On success, the packages added with the
/// reason each came in; on failure, the derivation of why it cannot work.
pub fn simulate_install(
    pool: &Pool,
    roots: &[Root],
    installed: &[PkgId],
    available: &[bool],
) -> Result<Transaction, Explanation> {
    let installed: Vec<PkgId> = installed
        .iter()
        .copied()
        .filter(|p| p.index() < pool.len())
        .collect();
    let eng = Engine::new(pool, available, &installed);
    let mut solver = Solver::new(&eng);
    match solver.solve(roots, &installed, None) {
        Outcome::Sat(model) => Ok(transaction(&eng, roots, &installed, &model)),
        Outcome::Unsat(core) => Err(solver.explain(&core, roots, &installed)),
        Outcome::GaveUp(n) => Err(Explanation {
            steps: vec![Step::GaveUp { conflicts: n }],
        }),
    }
}

/// A request in libsolv's terms, as its testcases pose them: install `roots`, erase some
/// installed packages, lock others, on top of `installed`.
#[derive(Clone, Debug, Default)]
pub struct Request {
    pub roots: Vec<Root>,
    /// Further roots, each "one of these packages" (libsolv's selections: a name, an
    /// exact package, a list), tried in preference order.
    pub one_of: Vec<Vec<PkgId>>,
    /// The installed system.
    pub installed: Vec<PkgId>,
    /// Packages that must not be in the result (erase jobs); installed ones go.
    pub erase: Vec<PkgId>,
    /// Packages that must stay as they are: installed ones stay at their version,
    /// others are never installed.
    pub lock: Vec<PkgId>,
    /// Installed packages that need not stay (libsolv disables their update rule when an
    /// install job names another version of them); kept where possible.
    pub unkept: Vec<PkgId>,
    /// Installed packages may be erased when nothing else works (libsolv's
    /// `allowuninstall`); they are kept wherever possible.
    pub allow_uninstall: bool,
    /// An installed package may also be replaced by a package that obsoletes it (libsolv,
    /// zypper, dnf when upgrading). [`simulate_install`] never does this.
    pub obsoleters_replace: bool,
    /// `available[i]` for package `i` (empty: every package).
    pub available: Vec<bool>,
    /// Two arches of one name may be installed together (libsolv's
    /// `implicitobsoleteusescolors`, dnf's multilib); otherwise one name, one package.
    pub multilib: bool,
    /// Act on weak dependencies as libsolv does by default: once every requirement is
    /// met, install (where that breaks nothing) a provider of each `Recommends` of a
    /// newly installed package, and packages whose `Supplements` a newly installed
    /// package satisfies.
    pub weak_deps: bool,
    /// Also for packages already installed (libsolv's `addalreadyrecommended`).
    pub weak_deps_of_installed: bool,
}

/// What [`solve_request`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestOutcome {
    /// The packages installed afterwards (the whole system, sorted by id).
    Solved(Vec<PkgId>),
    /// No solution: the derivation, and the indexes of the roots, `one_of` sets and
    /// erased or locked packages ([`Request::erase`], [`Request::lock`]) it involves.
    Unsolvable {
        explanation: Explanation,
        roots: Vec<usize>,
        one_of: Vec<usize>,
        erase: Vec<usize>,
        lock: Vec<usize>,
    },
    /// The solver stopped after this many conflicts.
    GaveUp(u64),
}

/// Solve a [`Request`]: one solve, preferring (as [`simulate_install`]) installed
/// packages, then providers named as the requirement, then name order and the newest
/// version.
pub fn solve_request(pool: &Pool, req: &Request) -> RequestOutcome {
    let valid = |p: &&PkgId| p.index() < pool.len();
    let installed: Vec<PkgId> = req.installed.iter().filter(valid).copied().collect();
    let inst: FxHashSet<PkgId> = installed.iter().copied().collect();
    let erase: FxHashSet<PkgId> = req.erase.iter().copied().collect();
    let lock: FxHashSet<PkgId> = req.lock.iter().copied().collect();
    let mut eng = Engine::new(pool, &req.available, &installed);
    eng.libsolv = true;
    eng.multilib = req.multilib;
    let free: Vec<PkgId> = installed
        .iter()
        .copied()
        .filter(|p| !erase.contains(p) && !lock.contains(p))
        .collect();
    let pinned: Vec<PkgId> = req
        .lock
        .iter()
        .copied()
        .filter(|p| inst.contains(p))
        .collect();
    let mut forbid: Vec<PkgId> = req.erase.clone();
    forbid.extend(req.lock.iter().copied().filter(|p| !inst.contains(p)));
    let mut obsoleters: FxHashMap<PkgId, Vec<PkgId>> = FxHashMap::default();
    if req.obsoleters_replace {
        for q in pool.ids() {
            if !eng.usable(q) || inst.contains(&q) {
                continue;
            }
            for d in pool.deps_of(q, DepKind::Obsoletes) {
                if d.is_rich() {
                    continue;
                }
                for p in eng.targets(d, false) {
                    if inst.contains(&p) && p != q {
                        let v = obsoleters.entry(p).or_default();
                        if !v.contains(&q) {
                            v.push(q);
                        }
                    }
                }
            }
        }
    }
    let mut supplements: Vec<(PkgId, Reldep)> = Vec::new();
    if req.weak_deps {
        for q in pool.ids() {
            if eng.usable(q) && !inst.contains(&q) {
                for d in pool.deps_of(q, DepKind::Supplements) {
                    supplements.push((q, *d));
                }
            }
        }
    }
    let (keep, soft) = if req.allow_uninstall {
        (Vec::new(), free)
    } else {
        free.into_iter().partition(|p| !req.unkept.contains(p))
    };
    let extra = Extra {
        one_of: &req.one_of,
        pinned: &pinned,
        forbid: &forbid,
        soft: &soft,
        obsoleters,
        keep_last: true,
        weak: if !req.weak_deps {
            Weak::Off
        } else if req.weak_deps_of_installed {
            Weak::All
        } else {
            Weak::New
        },
        supplements,
    };
    let mut solver = Solver::new(&eng);
    match solver.solve_ext(&req.roots, &keep, &extra, None) {
        Outcome::Sat(mut model) => {
            model.sort_unstable();
            RequestOutcome::Solved(model)
        }
        Outcome::Unsat(core) => {
            let mut roots = Vec::new();
            let mut one_of = Vec::new();
            let mut erase_idx = Vec::new();
            let mut lock_idx = Vec::new();
            for o in &core {
                match *o {
                    Origin::Root(i) if (i as usize) < req.roots.len() => roots.push(i as usize),
                    Origin::Root(i) => one_of.push(i as usize - req.roots.len()),
                    Origin::Forbid(p) | Origin::Keep(p) => {
                        if let Some(i) = req.erase.iter().position(|&q| q == p) {
                            erase_idx.push(i);
                        } else if let Some(i) = req.lock.iter().position(|&q| q == p) {
                            lock_idx.push(i);
                        }
                    }
                    _ => {}
                }
            }
            for v in [&mut roots, &mut one_of, &mut erase_idx, &mut lock_idx] {
                v.sort_unstable();
                v.dedup();
            }
            RequestOutcome::Unsolvable {
                explanation: solver.explain(&core, &req.roots, &keep),
                roots,
                one_of,
                erase: erase_idx,
                lock: lock_idx,
            }
        }
        Outcome::GaveUp(n) => RequestOutcome::GaveUp(n),
    }
}

/// Constraints of a [`Request`] beyond roots and kept packages.
#[derive(Default)]
struct Extra<'a> {
    /// Roots given as package sets; their clauses' origins follow the roots' indexes.
    one_of: &'a [Vec<PkgId>],
    /// Installed packages that must stay at their version.
    pinned: &'a [PkgId],
    /// Packages that must not be installed.
    forbid: &'a [PkgId],
    /// Packages to keep where possible, in order.
    soft: &'a [PkgId],
    /// Per installed package, the packages obsoleting it that may replace it.
    obsoleters: FxHashMap<PkgId, Vec<PkgId>>,
    /// See [`Solver::keep_last`].
    keep_last: bool,
    weak: Weak,
    /// Packages that could come in by their `Supplements` ([`Request::weak_deps`]).
    supplements: Vec<(PkgId, Reldep)>,
}

/// Which weak dependencies a solve acts on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Weak {
    #[default]
    Off,
    /// Those of newly installed packages.
    New,
    /// Those of every package in the solution.
    All,
}

// ---- per-package clauses ---------------------------------------------------------------

/// A literal over packages: `pkg << 1 | negated`.
type PLit = u32;

fn plit(p: PkgId, neg: bool) -> PLit {
    (p.0 << 1) | neg as u32
}

fn plit_pkg(l: PLit) -> PkgId {
    PkgId(l >> 1)
}

fn plit_neg(l: PLit) -> bool {
    l & 1 == 1
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Requires,
    Conflicts,
    Obsoletes,
    SameName,
}

/// One clause of a package, in package literals; the package's own literal `¬pkg` is
/// the first one. Positive literals are in preference order.
#[derive(Clone, Copy, Debug)]
struct Template {
    kind: Kind,
    dep: Reldep,
    start: u32,
    end: u32,
}

#[derive(Default, Debug)]
struct Rules {
    templates: Vec<Template>,
    lits: Vec<PLit>,
}

impl Rules {
    fn lits_of(&self, t: &Template) -> &[PLit] {
        &self.lits[t.start as usize..t.end as usize]
    }

    /// Add a clause after removing repeated literals; tautologies and repeats of an
    /// earlier clause of this package are dropped.
    fn push(&mut self, kind: Kind, dep: Reldep, clause: &[PLit], seen: &mut FxHashSet<Vec<PLit>>) {
        let mut c: Vec<PLit> = Vec::with_capacity(clause.len());
        for &l in clause {
            if c.contains(&(l ^ 1)) {
                return;
            }
            if !c.contains(&l) {
                c.push(l);
            }
        }
        let mut key = c.clone();
        key.sort_unstable();
        if !seen.insert(key) {
            return;
        }
        let start = self.lits.len() as u32;
        self.lits.extend_from_slice(&c);
        self.templates.push(Template {
            kind,
            dep,
            start,
            end: self.lits.len() as u32,
        });
    }
}

/// A rich dependency in negation normal form over "some of these packages is installed".
#[derive(Debug)]
enum Nnf {
    Any(Vec<PkgId>),
    NoneOf(Vec<PkgId>),
    And(Vec<Nnf>),
    Or(Vec<Nnf>),
}

/// Conjunctive normal form of `f` (clauses of package literals), or `None` past `cap`.
fn cnf(f: &Nnf, cap: usize) -> Option<Vec<Vec<PLit>>> {
    match f {
        Nnf::Any(s) => Some(vec![s.iter().map(|&p| plit(p, false)).collect()]),
        Nnf::NoneOf(s) => Some(s.iter().map(|&p| vec![plit(p, true)]).collect()),
        Nnf::And(xs) => {
            let mut out = Vec::new();
            for x in xs {
                out.extend(cnf(x, cap)?);
                if out.len() > cap {
                    return None;
                }
            }
            Some(out)
        }
        Nnf::Or(xs) => {
            let mut acc: Vec<Vec<PLit>> = vec![Vec::new()];
            for x in xs {
                let c = cnf(x, cap)?;
                if acc.len().saturating_mul(c.len()) > cap {
                    return None;
                }
                let mut next = Vec::with_capacity(acc.len() * c.len());
                for a in &acc {
                    for b in &c {
                        let mut m = a.clone();
                        m.extend_from_slice(b);
                        next.push(m);
                    }
                }
                acc = next;
            }
            Some(acc)
        }
    }
}

/// The shared, read-only side of solving: which packages may be used, and each
/// package's clauses, built on first use (from any thread).
struct Engine<'p> {
    pool: &'p Pool,
    /// May be installed: available and installable on the host, or installed.
    usable: Vec<bool>,
    installed: Vec<bool>,
    rules: Vec<OnceLock<Rules>>,
    /// The host's own arch (`x86_64` on x86_64), preferred among providers.
    host_arch: Option<crate::model::intern::Sym>,
    noarch: Option<crate::model::intern::Sym>,
    /// libsolv's rules where they differ from dnf's view ([`solve_request`]): installed
    /// packages are not fixed (a requirement no installed package meets, and clashes
    /// between installed packages, are ignored) and providers are chosen by libsolv's
    /// policy (see [`Engine::sort_pref`]).
    libsolv: bool,
    /// The host's compatible arches, best first (libsolv's arch policy).
    arch_policy: Vec<crate::model::intern::Sym>,
    /// Two arches of one name (neither noarch) may be installed together.
    multilib: bool,
}

impl<'p> Engine<'p> {
    fn new(pool: &'p Pool, available: &[bool], installed: &[PkgId]) -> Self {
        let mut inst = vec![false; pool.len()];
        for &p in installed {
            if let Some(x) = inst.get_mut(p.index()) {
                *x = true;
            }
        }
        let usable = pool
            .ids()
            .map(|p| {
                inst[p.index()]
                    || ((available.is_empty()
                        || available.get(p.index()).copied().unwrap_or(false))
                        && pool.is_installable(p))
            })
            .collect();
        let host_arch = compatible_arches(&pool.host_arch)
            .first()
            .and_then(|a| pool.strings.get(a));
        Engine {
            pool,
            usable,
            installed: inst,
            rules: (0..pool.len()).map(|_| OnceLock::new()).collect(),
            host_arch,
            noarch: pool.strings.get("noarch"),
            libsolv: false,
            multilib: true,
            arch_policy: compatible_arches(&pool.host_arch)
                .iter()
                .filter_map(|a| pool.strings.get(a))
                .collect(),
        }
    }

    fn usable(&self, p: PkgId) -> bool {
        self.usable.get(p.index()).copied().unwrap_or(false)
    }

    fn is_installed(&self, p: PkgId) -> bool {
        self.installed.get(p.index()).copied().unwrap_or(false)
    }

    /// With `libsolv`: both installed, so a clash between them is left alone.
    fn both_installed(&self, p: PkgId, q: PkgId) -> bool {
        self.libsolv && self.is_installed(p) && self.is_installed(q)
    }

    fn rules(&self, p: PkgId) -> &Rules {
        self.rules[p.index()].get_or_init(|| self.build(p))
    }

    /// Usable providers of a simple dependency, sorted by id, without repeats.
    fn providers(&self, d: &Reldep) -> Vec<PkgId> {
        let mut v = Vec::new();
        self.pool.whatprovides_into(d, &mut v);
        v.retain(|&p| self.usable(p));
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Packages a simple `Conflicts`/`Obsoletes` entry hits: by provides (conflicts
    /// only) and by the package's own name and version.
    fn targets(&self, d: &Reldep, by_provides: bool) -> Vec<PkgId> {
        let mut v = if by_provides {
            self.providers(d)
        } else {
            Vec::new()
        };
        for &q in self.pool.by_name(self.pool.str(d.name)) {
            if self.usable(q) && self.pool.pkg_matches(q, d) {
                v.push(q);
            }
        }
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Preference among providers: installed first, then named as the requirement,
    /// then the requirer's arch, noarch, the host arch, then name and newest version.
    /// With `libsolv` set, libsolv's policy instead: installed first, then updates of an
    /// installed package, the best arch (noarch as good as the best), packages that are
    /// the newest of their name, the highest version of the provided capability, then
    /// name and newest version.
    fn sort_pref(
        &self,
        v: &mut [PkgId],
        requirer: Option<PkgId>,
        dep_name: Option<crate::model::intern::Sym>,
    ) {
        let pool = self.pool;
        if self.libsolv {
            self.sort_libsolv(v, dep_name);
            return;
        }
        let arch_rank = |q: PkgId| {
            let a = pool.pkg(q).arch;
            if requirer.is_some_and(|r| pool.pkg(r).arch == a && Some(a) != self.noarch) {
                0
            } else if Some(a) == self.noarch {
                1
            } else if Some(a) == self.host_arch {
                2
            } else {
                3
            }
        };
        v.sort_by(|&a, &b| {
            let key = |q: PkgId| {
                (
                    !self.is_installed(q),
                    dep_name.is_none_or(|n| pool.pkg(q).name != n),
                    arch_rank(q),
                )
            };
            key(a)
                .cmp(&key(b))
                .then_with(|| pool.name(a).cmp(pool.name(b)))
                .then_with(|| pool.evr(b).cmp_full(&pool.evr(a)))
                .then_with(|| a.cmp(&b))
        });
    }

    fn sort_libsolv(&self, v: &mut [PkgId], dep_name: Option<crate::model::intern::Sym>) {
        let pool = self.pool;
        let arch_rank = |q: PkgId| {
            let a = pool.pkg(q).arch;
            if Some(a) == self.noarch {
                0
            } else {
                self.arch_policy
                    .iter()
                    .position(|&x| x == a)
                    .unwrap_or(self.arch_policy.len())
            }
        };
        let updates_installed = |q: PkgId| {
            let own = pool.pkg(q);
            pool.by_name(pool.str(own.name))
                .iter()
                .any(|&i| i != q && self.is_installed(i))
        };
        let has_newer = |q: PkgId| {
            let own = pool.pkg(q);
            pool.by_name(pool.str(own.name)).iter().any(|&o| {
                o != q
                    && self.usable(o)
                    && pool.pkg(o).arch == own.arch
                    && pool.evr(o).cmp_full(&pool.evr(q)) == Ordering::Greater
            })
        };
        let provided = |q: PkgId| -> Option<Reldep> {
            let n = dep_name?;
            pool.deps_of(q, DepKind::Provides)
                .iter()
                .filter(|d| d.name == n && d.cmp != crate::model::dep::Cmp::Any)
                .max_by(|x, y| {
                    crate::model::evr::Evr::new(x.epoch, pool.str(x.version), pool.str(x.release))
                        .cmp_full(&crate::model::evr::Evr::new(
                            y.epoch,
                            pool.str(y.version),
                            pool.str(y.release),
                        ))
                })
                .copied()
        };
        let dep_evr = |d: &Option<Reldep>| {
            d.map(|d| {
                crate::model::evr::Evr::new(d.epoch, pool.str(d.version), pool.str(d.release))
            })
        };
        v.sort_by(|&a, &b| {
            let key = |q: PkgId| {
                (
                    !self.is_installed(q),
                    !updates_installed(q),
                    arch_rank(q),
                    has_newer(q),
                )
            };
            let (pa, pb) = (provided(a), provided(b));
            key(a)
                .cmp(&key(b))
                .then_with(|| match (dep_evr(&pa), dep_evr(&pb)) {
                    (Some(x), Some(y)) if pool.pkg(a).name != pool.pkg(b).name => y.cmp_full(&x),
                    _ => Ordering::Equal,
                })
                .then_with(|| pool.name(a).cmp(pool.name(b)))
                .then_with(|| pool.evr(b).cmp_full(&pool.evr(a)))
                .then_with(|| a.cmp(&b))
        });
    }

    /// Packages satisfying `t` on their own: libsolv's provider set (used for the
    /// operands of `with`/`without`, which name one package).
    fn pkgset(&self, t: &Rich<Reldep>) -> Vec<PkgId> {
        self.pool.rich_set(t, &|d| self.providers(d))
    }

    /// `t` (when `pos`) or its negation, in negation normal form; `me` is left out of
    /// every package set (a package never conflicts with itself).
    fn nnf(&self, t: &Rich<Reldep>, pos: bool, me: Option<PkgId>) -> Nnf {
        let set = |mut s: Vec<PkgId>| {
            if let Some(m) = me {
                s.retain(|&p| p != m);
            }
            if pos { Nnf::Any(s) } else { Nnf::NoneOf(s) }
        };
        let all = |xs: &[Rich<Reldep>], p: bool| xs.iter().map(|x| self.nnf(x, p, me)).collect();
        match t {
            Rich::Leaf(d) => set(self.providers(d)),
            Rich::With(_) | Rich::Without(..) => set(self.pkgset(t)),
            Rich::And(xs) if pos => Nnf::And(all(xs, true)),
            Rich::And(xs) => Nnf::Or(all(xs, false)),
            Rich::Or(xs) if pos => Nnf::Or(all(xs, true)),
            Rich::Or(xs) => Nnf::And(all(xs, false)),
            Rich::If {
                then,
                cond,
                otherwise,
            }
            | Rich::Unless {
                then,
                cond,
                otherwise,
            } => {
                // if: (cond → then) ∧ (¬cond → otherwise); unless: the same with ¬cond.
                // `holds(p)`: the condition as it applies (p) or its negation (!p).
                let unless = matches!(t, Rich::Unless { .. });
                let holds = |p: bool| self.nnf(cond, p != unless, me);
                if pos {
                    let mut v = vec![Nnf::Or(vec![holds(false), self.nnf(then, true, me)])];
                    if let Some(o) = otherwise {
                        v.push(Nnf::Or(vec![holds(true), self.nnf(o, true, me)]));
                    }
                    Nnf::And(v)
                } else {
                    let mut v = vec![Nnf::And(vec![holds(true), self.nnf(then, false, me)])];
                    if let Some(o) = otherwise {
                        v.push(Nnf::And(vec![holds(false), self.nnf(o, false, me)]));
                    }
                    Nnf::Or(v)
                }
            }
        }
    }

    /// Clauses a requirement (of `requirer`, or of the user when `None`) stands for,
    /// positive literals in preference order, without the requirer's own literal.
    fn requirement_clauses(&self, d: &Reldep, requirer: Option<PkgId>) -> Vec<Vec<PLit>> {
        if d.is_rich() {
            let Some(tree) = self.pool.rich_tree(d) else {
                return Vec::new();
            };
            let Some(mut clauses) = cnf(&self.nnf(tree, true, None), MAX_CNF) else {
                return Vec::new();
            };
            for c in &mut clauses {
                let mut pos: Vec<PkgId> = c
                    .iter()
                    .filter(|&&l| !plit_neg(l))
                    .map(|&l| plit_pkg(l))
                    .collect();
                self.sort_pref(&mut pos, requirer, None);
                c.retain(|&l| plit_neg(l));
                c.extend(pos.into_iter().map(|p| plit(p, false)));
            }
            clauses
        } else {
            let mut prov = self.providers(d);
            self.sort_pref(&mut prov, requirer, Some(d.name));
            vec![prov.into_iter().map(|p| plit(p, false)).collect()]
        }
    }

    fn build(&self, p: PkgId) -> Rules {
        let pool = self.pool;
        let me = plit(p, true);
        let mut r = Rules::default();
        let mut seen = FxHashSet::default();
        let mut clause = Vec::new();
        for d in pool.deps_of(p, DepKind::Requires) {
            let name = pool.str(d.name);
            if name.starts_with("rpmlib(") || name.starts_with("solvable:") {
                continue;
            }
            let mut d = *d;
            d.flags &= !Reldep::PRE;
            if self.libsolv
                && self.is_installed(p)
                && !d.is_rich()
                && !self.providers(&d).iter().any(|&q| self.is_installed(q))
            {
                continue; // libsolv does not fix an installed package's broken requirement
            }
            for c in self.requirement_clauses(&d, Some(p)) {
                clause.clear();
                clause.push(me);
                clause.extend_from_slice(&c);
                r.push(Kind::Requires, d, &clause, &mut seen);
            }
        }
        for d in pool.deps_of(p, DepKind::Conflicts) {
            if d.is_rich() {
                let Some(tree) = pool.rich_tree(d) else {
                    continue;
                };
                if let Some(cs) = cnf(&self.nnf(tree, false, Some(p)), MAX_CNF) {
                    for c in cs {
                        clause.clear();
                        clause.push(me);
                        clause.extend_from_slice(&c);
                        r.push(Kind::Conflicts, *d, &clause, &mut seen);
                    }
                }
                continue;
            }
            for q in self.targets(d, true) {
                if q != p && !self.both_installed(p, q) {
                    r.push(Kind::Conflicts, *d, &[me, plit(q, true)], &mut seen);
                }
            }
        }
        for d in pool.deps_of(p, DepKind::Obsoletes) {
            if d.is_rich() {
                continue;
            }
            for q in self.targets(d, false) {
                if q != p && !self.both_installed(p, q) {
                    r.push(Kind::Obsoletes, *d, &[me, plit(q, true)], &mut seen);
                }
            }
        }
        let own = pool.pkg(p);
        for &q in pool.by_name(pool.str(own.name)) {
            let other = pool.pkg(q).arch;
            let clash = !self.multilib
                || other == own.arch
                || Some(other) == self.noarch
                || Some(own.arch) == self.noarch;
            if q != p && clash && self.usable(q) && !self.both_installed(p, q) {
                let dep = Reldep::unversioned(own.name);
                r.push(Kind::SameName, dep, &[me, plit(q, true)], &mut seen);
            }
        }
        r
    }
}

// ---- the CDCL solver ------------------------------------------------------------------

const NONE: u32 = u32::MAX;

/// Where a solver clause came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    /// The i-th root.
    Root(u32),
    /// An installed package must stay (or be upgraded).
    Keep(PkgId),
    /// A package that must not be installed (an erase or lock request).
    Forbid(PkgId),
    /// The t-th template of a package.
    Template(PkgId, u32),
    /// Learnt; the index of its antecedent list.
    Learned(u32),
}

#[derive(Clone, Copy, Debug)]
struct Clause {
    start: u32,
    len: u32,
    origin: Origin,
}

enum Outcome {
    Sat(Vec<PkgId>),
    Unsat(Vec<Origin>),
    GaveUp(u64),
}

enum Attach {
    Ok,
    Unit(u32),
    Conflict,
}

/// One solver, reused across solves on one thread. Variables are packages, created on
/// first mention; a literal is `var << 1 | negated`.
struct Solver<'e, 'p> {
    eng: &'e Engine<'p>,
    var_of: Vec<u32>,
    pkg_of: Vec<PkgId>,
    val: Vec<i8>,
    lvl: Vec<u32>,
    reason: Vec<u32>,
    expanded: Vec<bool>,
    seen: Vec<bool>,
    /// Per variable: original clauses holding its negative literal and some positive one
    /// (requirements waiting for that package).
    occurs: Vec<Vec<u32>>,
    watches: Vec<Vec<u32>>,
    trail: Vec<u32>,
    lim: Vec<usize>,
    qhead: usize,
    scan: usize,
    clauses: Vec<Clause>,
    lits: Vec<u32>,
    /// Clauses without negative literals (roots, installed packages) with their
    /// literals in preference order.
    top: Vec<(u32, Vec<u32>)>,
    antecedents: Vec<Vec<u32>>,
    conflicts: u64,
    /// Sets of literals to make one of true, in order, once the roots and kept packages
    /// are satisfied (installed packages kept where possible, [`Request::allow_uninstall`]).
    soft: Vec<Vec<u32>>,
    /// Decide what the roots need before keeping installed packages (libsolv's order:
    /// a requirement met by an update of an installed package takes the update).
    keep_last: bool,
    weak: Weak,
    supplements: Vec<(PkgId, Reldep)>,
    /// Per variable: its package's `Recommends` are in `weak_list`.
    weak_seen: Vec<bool>,
    /// `Recommends` clauses (all positive) with the variable of their package.
    weak_list: Vec<(u32, Vec<u32>)>,
    /// Per entry of `supplements`, the clauses of its dependency (built on first use).
    supp_clauses: Vec<Option<Vec<Vec<u32>>>>,
}

impl<'e, 'p> Solver<'e, 'p> {
    fn new(eng: &'e Engine<'p>) -> Self {
        Solver {
            eng,
            var_of: vec![NONE; eng.pool.len()],
            pkg_of: Vec::new(),
            val: Vec::new(),
            lvl: Vec::new(),
            reason: Vec::new(),
            expanded: Vec::new(),
            seen: Vec::new(),
            occurs: Vec::new(),
            watches: Vec::new(),
            trail: Vec::new(),
            lim: Vec::new(),
            qhead: 0,
            scan: 0,
            clauses: Vec::new(),
            lits: Vec::new(),
            top: Vec::new(),
            antecedents: Vec::new(),
            conflicts: 0,
            soft: Vec::new(),
            keep_last: false,
            weak: Weak::Off,
            supplements: Vec::new(),
            weak_seen: Vec::new(),
            weak_list: Vec::new(),
            supp_clauses: Vec::new(),
        }
    }

    fn reset(&mut self) {
        for p in &self.pkg_of {
            self.var_of[p.index()] = NONE;
        }
        let n = self.pkg_of.len();
        for o in &mut self.occurs[..n] {
            o.clear();
        }
        for w in &mut self.watches[..2 * n] {
            w.clear();
        }
        self.pkg_of.clear();
        self.val.clear();
        self.lvl.clear();
        self.reason.clear();
        self.expanded.clear();
        self.seen.clear();
        self.trail.clear();
        self.lim.clear();
        self.qhead = 0;
        self.scan = 0;
        self.clauses.clear();
        self.lits.clear();
        self.top.clear();
        self.antecedents.clear();
        self.conflicts = 0;
        self.soft.clear();
        self.keep_last = false;
        self.weak = Weak::Off;
        self.supplements.clear();
        self.weak_seen.clear();
        self.weak_list.clear();
        self.supp_clauses.clear();
    }

    fn var(&mut self, p: PkgId) -> u32 {
        let v = self.var_of[p.index()];
        if v != NONE {
            return v;
        }
        let v = self.pkg_of.len() as u32;
        self.var_of[p.index()] = v;
        self.pkg_of.push(p);
        self.val.push(0);
        self.lvl.push(0);
        self.reason.push(NONE);
        self.expanded.push(false);
        self.seen.push(false);
        let n = self.pkg_of.len();
        if self.occurs.len() < n {
            self.occurs.push(Vec::new());
        }
        while self.watches.len() < 2 * n {
            self.watches.push(Vec::new());
        }
        v
    }

    fn lit(&mut self, l: PLit) -> u32 {
        (self.var(plit_pkg(l)) << 1) | (l & 1)
    }

    fn value(&self, l: u32) -> i8 {
        let v = self.val[(l >> 1) as usize];
        if l & 1 == 1 { -v } else { v }
    }

    fn level(&self) -> u32 {
        self.lim.len() as u32
    }

    fn assign(&mut self, l: u32, reason: u32) {
        let v = (l >> 1) as usize;
        self.val[v] = if l & 1 == 1 { -1 } else { 1 };
        self.lvl[v] = self.level();
        self.reason[v] = reason;
        self.trail.push(l);
    }

    fn backtrack(&mut self, to: u32) {
        if self.level() <= to {
            return;
        }
        let keep = self.lim[to as usize];
        for &l in &self.trail[keep..] {
            let v = (l >> 1) as usize;
            self.val[v] = 0;
            self.reason[v] = NONE;
        }
        self.trail.truncate(keep);
        self.lim.truncate(to as usize);
        self.qhead = self.qhead.min(keep);
        self.scan = 0;
    }

    fn clause_lits(&self, ci: u32) -> &[u32] {
        let c = self.clauses[ci as usize];
        &self.lits[c.start as usize..(c.start + c.len) as usize]
    }

    /// Store an original clause (indexing it for decisions) and return its index.
    fn add_clause(&mut self, lits: &[u32], origin: Origin) -> u32 {
        let ci = self.clauses.len() as u32;
        self.clauses.push(Clause {
            start: self.lits.len() as u32,
            len: lits.len() as u32,
            origin,
        });
        self.lits.extend_from_slice(lits);
        if !matches!(origin, Origin::Learned(_)) {
            let has_pos = lits.iter().any(|&l| l & 1 == 0);
            let has_neg = lits.iter().any(|&l| l & 1 == 1);
            if has_pos && has_neg {
                for &l in lits {
                    if l & 1 == 1 {
                        self.occurs[(l >> 1) as usize].push(ci);
                    }
                }
            } else if has_pos {
                self.top.push((ci, lits.to_vec()));
            }
        }
        ci
    }

    /// Watch a new clause under the current assignment: its two best literals (true or
    /// unassigned first, then false ones of the highest level) go first.
    fn attach(&mut self, ci: u32) -> Attach {
        let c = self.clauses[ci as usize];
        let (s, n) = (c.start as usize, c.len as usize);
        let rank = |this: &Self, l: u32| -> u64 {
            if this.value(l) != -1 {
                u64::MAX
            } else {
                this.lvl[(l >> 1) as usize] as u64
            }
        };
        for slot in 0..n.min(2) {
            let mut best = slot;
            for k in slot + 1..n {
                if rank(self, self.lits[s + k]) > rank(self, self.lits[s + best]) {
                    best = k;
                }
            }
            self.lits.swap(s + slot, s + best);
        }
        if n >= 2 {
            self.watches[self.lits[s] as usize].push(ci);
            self.watches[self.lits[s + 1] as usize].push(ci);
        }
        if n == 0 || self.value(self.lits[s]) == -1 {
            return Attach::Conflict;
        }
        if n == 1 || self.value(self.lits[s + 1]) == -1 {
            if self.value(self.lits[s]) == 1 {
                return Attach::Ok;
            }
            return Attach::Unit(self.lits[s]);
        }
        Attach::Ok
    }

    /// Add the clauses of the package of variable `v` (just set true).
    fn expand(&mut self, v: u32) -> Option<u32> {
        let p = self.pkg_of[v as usize];
        let eng = self.eng;
        let rules = eng.rules(p);
        let installed = eng.is_installed(p);
        let mut units = Vec::new();
        let mut conflict = None;
        let mut buf = Vec::new();
        for (t, tpl) in rules.templates.iter().enumerate() {
            let pl = rules.lits_of(tpl);
            if installed && tpl.kind == Kind::Requires && pl.iter().all(|&l| plit_neg(l)) {
                continue; // already broken where it is installed: left alone
            }
            buf.clear();
            for &l in pl {
                let x = self.lit(l);
                buf.push(x);
            }
            let ci = self.add_clause(&buf, Origin::Template(p, t as u32));
            match self.attach(ci) {
                Attach::Ok => {}
                Attach::Unit(l) => units.push((l, ci)),
                Attach::Conflict => {
                    conflict.get_or_insert(ci);
                }
            }
        }
        if conflict.is_some() {
            return conflict;
        }
        for (l, ci) in units {
            match self.value(l) {
                0 => self.assign(l, ci),
                1 => {}
                _ => return Some(ci),
            }
        }
        None
    }

    fn propagate(&mut self) -> Option<u32> {
        while self.qhead < self.trail.len() {
            let p = self.trail[self.qhead];
            self.qhead += 1;
            let v = p >> 1;
            if p & 1 == 0 && !self.expanded[v as usize] {
                self.expanded[v as usize] = true;
                if let Some(c) = self.expand(v) {
                    return Some(c);
                }
            }
            let f = p ^ 1;
            let mut ws = std::mem::take(&mut self.watches[f as usize]);
            let (mut i, mut j) = (0, 0);
            let mut conflict = None;
            while i < ws.len() {
                let ci = ws[i];
                i += 1;
                let c = self.clauses[ci as usize];
                let (s, n) = (c.start as usize, c.len as usize);
                if self.lits[s] == f {
                    self.lits.swap(s, s + 1);
                }
                let first = self.lits[s];
                if self.value(first) == 1 {
                    ws[j] = ci;
                    j += 1;
                    continue;
                }
                let mut moved = false;
                for k in 2..n {
                    let l = self.lits[s + k];
                    if self.value(l) != -1 {
                        self.lits.swap(s + 1, s + k);
                        self.watches[l as usize].push(ci);
                        moved = true;
                        break;
                    }
                }
                if moved {
                    continue;
                }
                ws[j] = ci;
                j += 1;
                if self.value(first) == -1 {
                    conflict = Some(ci);
                    while i < ws.len() {
                        ws[j] = ws[i];
                        j += 1;
                        i += 1;
                    }
                } else {
                    self.assign(first, ci);
                }
            }
            ws.truncate(j);
            self.watches[f as usize] = ws;
            if conflict.is_some() {
                return conflict;
            }
        }
        None
    }

    /// First-UIP learning. The conflict clause has a literal at the current level.
    fn analyze(&mut self, conflict: u32) -> (Vec<u32>, u32, Vec<u32>) {
        let cur = self.level();
        let mut learnt = vec![0u32];
        let mut ante = Vec::new();
        let mut pathc = 0usize;
        let mut p = NONE;
        let mut idx = self.trail.len();
        let mut c = conflict;
        loop {
            ante.push(c);
            let cl = self.clauses[c as usize];
            for k in 0..cl.len as usize {
                let q = self.lits[cl.start as usize + k];
                if q == p {
                    continue;
                }
                let v = (q >> 1) as usize;
                if self.seen[v] || self.lvl[v] == 0 {
                    continue;
                }
                self.seen[v] = true;
                if self.lvl[v] >= cur {
                    pathc += 1;
                } else {
                    learnt.push(q);
                }
            }
            loop {
                idx -= 1;
                if self.seen[(self.trail[idx] >> 1) as usize] {
                    break;
                }
            }
            p = self.trail[idx];
            let v = (p >> 1) as usize;
            self.seen[v] = false;
            pathc -= 1;
            if pathc == 0 {
                break;
            }
            c = self.reason[v];
        }
        learnt[0] = p ^ 1;
        let mut bj = 0;
        let mut at = 1;
        for (k, &l) in learnt.iter().enumerate().skip(1) {
            let v = (l >> 1) as usize;
            self.seen[v] = false;
            if self.lvl[v] > bj {
                bj = self.lvl[v];
                at = k;
            }
        }
        if learnt.len() > 1 {
            learnt.swap(1, at);
        }
        (learnt, bj, ante)
    }

    /// The decision literal for a requirement of a package in the solution that nothing
    /// satisfies yet, in the requirement's preference order; `Err` for a clause found
    /// false (a safety net: propagation finds those).
    fn decide(&mut self) -> Result<Option<u32>, u32> {
        if let Some(l) = self.decide_top(!self.keep_last)? {
            return Ok(Some(l));
        }
        if !self.keep_last
            && let Some(l) = self.decide_soft()
        {
            return Ok(Some(l));
        }
        while self.scan < self.trail.len() {
            let l = self.trail[self.scan];
            if l & 1 == 0 {
                let v = (l >> 1) as usize;
                for k in 0..self.occurs[v].len() {
                    let ci = self.occurs[v][k];
                    if let Some(l) = self.pending(ci)? {
                        return Ok(Some(self.preferred(ci).unwrap_or(l)));
                    }
                }
            }
            self.scan += 1;
        }
        if self.keep_last {
            if let Some(l) = self.decide_top(true)? {
                return Ok(Some(l));
            }
            if let Some(l) = self.decide_soft() {
                return Ok(Some(l));
            }
        }
        if self.weak != Weak::Off {
            return Ok(self.decide_weak());
        }
        Ok(None)
    }

    /// A decision for a weak dependency: a provider of an unmet `Recommends` of a
    /// package in the solution, or a package whose `Supplements` the solution meets
    /// (not already met by installed packages alone, unless [`Weak::All`]).
    fn decide_weak(&mut self) -> Option<u32> {
        let eng = self.eng;
        // Collect the recommends of packages newly in the solution.
        let n = self.pkg_of.len();
        self.weak_seen.resize(n, false);
        for v in 0..n {
            if self.val[v] != 1 || self.weak_seen[v] {
                continue;
            }
            let p = self.pkg_of[v];
            if eng.is_installed(p) && self.weak != Weak::All {
                continue;
            }
            self.weak_seen[v] = true;
            for d in eng.pool.deps_of(p, DepKind::Recommends) {
                for c in eng.requirement_clauses(d, Some(p)) {
                    if c.iter().any(|&l| plit_neg(l)) {
                        continue;
                    }
                    let lits: Vec<u32> = c.iter().map(|&l| self.lit(l)).collect();
                    self.weak_list.push((v as u32, lits));
                }
            }
        }
        self.weak_seen.resize(self.pkg_of.len(), false);
        for (owner, lits) in &self.weak_list {
            if self.val[*owner as usize] != 1 || lits.iter().any(|&l| self.value(l) == 1) {
                continue;
            }
            if let Some(&l) = lits.iter().find(|&&l| self.value(l) == 0) {
                return Some(l);
            }
        }
        for k in 0..self.supplements.len() {
            let (q, d) = self.supplements[k];
            let vq = self.var_of[q.index()];
            if vq != NONE && self.val[vq as usize] != 0 {
                continue;
            }
            if self.supp_clauses[k].is_none() {
                let cs: Vec<Vec<u32>> = eng
                    .requirement_clauses(&d, None)
                    .iter()
                    .map(|c| c.iter().map(|&l| self.lit(l)).collect())
                    .collect();
                self.supp_clauses[k] = Some(cs);
            }
            let Some(clauses) = &self.supp_clauses[k] else {
                continue;
            };
            if clauses.is_empty() {
                continue;
            }
            // Met by the solution; and by installed packages alone?
            let mut met = true;
            let mut met_by_installed = true;
            for c in clauses {
                let mut any = false;
                let mut any_inst = false;
                for &l in c {
                    let v = (l >> 1) as usize;
                    let on = self.val[v] == 1;
                    if l & 1 == 1 {
                        any |= !on;
                        any_inst |= !on;
                    } else {
                        any |= on;
                        any_inst |= on && eng.is_installed(self.pkg_of[v]);
                    }
                }
                met &= any;
                met_by_installed &= any_inst;
                if !met {
                    break;
                }
            }
            if met && (self.weak == Weak::All || !met_by_installed) {
                return Some(self.lit(plit(q, false)));
            }
        }
        None
    }

    /// The first open literal of the first soft set none of whose literals is true.
    fn decide_soft(&self) -> Option<u32> {
        self.soft
            .iter()
            .filter(|set| !set.iter().any(|&l| self.value(l) == 1))
            .find_map(|set| set.iter().copied().find(|&l| self.value(l) == 0))
    }

    /// A decision for the first pending clause without negative literals (roots, and
    /// kept installed packages when `keeps`).
    fn decide_top(&mut self, keeps: bool) -> Result<Option<u32>, u32> {
        for k in 0..self.top.len() {
            let ci = self.top[k].0;
            if !keeps && matches!(self.clauses[ci as usize].origin, Origin::Keep(_)) {
                continue;
            }
            if let Some(l) = self.pending(ci)? {
                let order = &self.top[k].1;
                return Ok(order
                    .iter()
                    .copied()
                    .find(|&x| self.value(x) == 0)
                    .or(Some(l)));
            }
        }
        Ok(None)
    }

    /// For a clause that leaving its unassigned packages out would falsify: one of its
    /// unassigned positive literals.
    fn pending(&self, ci: u32) -> Result<Option<u32>, u32> {
        let mut open = None;
        for &l in self.clause_lits(ci) {
            match (l & 1, self.value(l)) {
                (_, 1) | (1, 0) => return Ok(None),
                (0, 0) => open = open.or(Some(l)),
                _ => {}
            }
        }
        match open {
            Some(l) => Ok(Some(l)),
            None => Err(ci),
        }
    }

    /// The first unassigned positive literal of a template clause in its stored order.
    fn preferred(&mut self, ci: u32) -> Option<u32> {
        let Origin::Template(p, t) = self.clauses[ci as usize].origin else {
            return None;
        };
        let rules = self.eng.rules(p);
        let tpl = rules.templates[t as usize];
        for &pl in rules.lits_of(&tpl) {
            if !plit_neg(pl) {
                let x = self.lit(pl);
                if self.value(x) == 0 {
                    return Some(x);
                }
            }
        }
        None
    }

    fn max_level(&self, ci: u32) -> u32 {
        self.clause_lits(ci)
            .iter()
            .map(|&l| self.lvl[(l >> 1) as usize])
            .max()
            .unwrap_or(0)
    }

    fn solve(&mut self, roots: &[Root], installed: &[PkgId], cancel: Option<&Cancel>) -> Outcome {
        self.solve_ext(roots, installed, &Extra::default(), cancel)
    }

    /// What may stand for installed package `p` afterwards: itself (first), a newer
    /// version of its name.arch (with `libsolv`: also from or to noarch, the same
    /// version from elsewhere, and never another installed package), and the packages
    /// obsoleting it that `extra` allows.
    fn keep_set(&self, p: PkgId, extra: &Extra<'_>) -> Vec<PkgId> {
        let eng = self.eng;
        let mut keep = vec![p];
        let own = eng.pool.pkg(p);
        for &q in eng.pool.by_name(eng.pool.str(own.name)) {
            if q != p
                && eng.usable(q)
                && !(eng.libsolv && eng.is_installed(q))
                && (eng.pool.pkg(q).arch == own.arch
                    || (eng.libsolv
                        && (Some(own.arch) == eng.noarch
                            || Some(eng.pool.pkg(q).arch) == eng.noarch)))
                && match eng.pool.evr(q).cmp_full(&eng.pool.evr(p)) {
                    Ordering::Greater => true,
                    Ordering::Equal => eng.libsolv,
                    Ordering::Less => false,
                }
            {
                keep.push(q);
            }
        }
        eng.sort_pref(&mut keep, Some(p), Some(own.name));
        if let Some(obs) = extra.obsoleters.get(&p) {
            for &q in obs {
                if !keep.contains(&q) {
                    keep.push(q);
                }
            }
        }
        keep
    }

    /// [`Solver::solve`] with the further constraints of a [`Request`]; `installed` are
    /// the packages that must stay or be replaced.
    fn solve_ext(
        &mut self,
        roots: &[Root],
        installed: &[PkgId],
        extra: &Extra<'_>,
        cancel: Option<&Cancel>,
    ) -> Outcome {
        self.reset();
        let eng = self.eng;
        let mut initial: Vec<(Vec<u32>, Origin)> = Vec::new();
        for (i, r) in roots.iter().enumerate() {
            let clauses: Vec<Vec<PLit>> = match r {
                // A package the pool does not have cannot be installed.
                Root::Pkg(p) if p.index() >= eng.pool.len() => vec![Vec::new()],
                Root::Pkg(p) => vec![vec![plit(*p, false)]],
                Root::Dep(d) => eng.requirement_clauses(d, None),
            };
            for c in clauses {
                let lits: Vec<u32> = c.iter().map(|&l| self.lit(l)).collect();
                initial.push((lits, Origin::Root(i as u32)));
            }
        }
        for (k, set) in extra.one_of.iter().enumerate() {
            let mut v: Vec<PkgId> = set.iter().copied().filter(|&p| eng.usable(p)).collect();
            v.sort_unstable();
            v.dedup();
            eng.sort_pref(&mut v, None, None);
            let lits: Vec<u32> = v.iter().map(|&p| self.lit(plit(p, false))).collect();
            initial.push((lits, Origin::Root((roots.len() + k) as u32)));
        }
        for &p in installed {
            if p.index() >= eng.pool.len() {
                continue;
            }
            let keep = self.keep_set(p, extra);
            let lits: Vec<u32> = keep.iter().map(|&q| self.lit(plit(q, false))).collect();
            initial.push((lits, Origin::Keep(p)));
        }
        for &p in extra.pinned.iter().filter(|p| p.index() < eng.pool.len()) {
            let lits = vec![self.lit(plit(p, false))];
            initial.push((lits, Origin::Keep(p)));
        }
        for &p in extra.forbid.iter().filter(|p| p.index() < eng.pool.len()) {
            let lits = vec![self.lit(plit(p, true))];
            initial.push((lits, Origin::Forbid(p)));
        }
        for &p in extra.soft.iter().filter(|p| p.index() < eng.pool.len()) {
            let set = self.keep_set(p, extra);
            let lits: Vec<u32> = set.iter().map(|&q| self.lit(plit(q, false))).collect();
            self.soft.push(lits);
        }
        self.keep_last = extra.keep_last;
        self.weak = extra.weak;
        self.supplements = extra.supplements.clone();
        self.supp_clauses = vec![None; self.supplements.len()];
        for (lits, origin) in initial {
            let ci = self.add_clause(&lits, origin);
            match self.attach(ci) {
                Attach::Ok => {}
                Attach::Unit(l) => self.assign(l, ci),
                Attach::Conflict => return Outcome::Unsat(self.core(ci)),
            }
        }
        loop {
            let conflict = match self.propagate() {
                Some(c) => Some(c),
                None => match self.decide() {
                    Ok(Some(l)) => {
                        self.lim.push(self.trail.len());
                        self.assign(l, NONE);
                        None
                    }
                    Ok(None) => {
                        let model = (0..self.pkg_of.len())
                            .filter(|&v| self.val[v] == 1)
                            .map(|v| self.pkg_of[v])
                            .collect();
                        return Outcome::Sat(model);
                    }
                    Err(c) => Some(c),
                },
            };
            let Some(c) = conflict else { continue };
            let m = self.max_level(c);
            if m == 0 {
                return Outcome::Unsat(self.core(c));
            }
            self.conflicts += 1;
            if self.conflicts > MAX_CONFLICTS || cancel.is_some_and(Cancel::is_cancelled) {
                return Outcome::GaveUp(self.conflicts);
            }
            self.backtrack(m);
            let (learnt, bj, ante) = self.analyze(c);
            self.backtrack(bj);
            let ai = self.antecedents.len() as u32;
            self.antecedents.push(ante);
            let ci = self.add_clause(&learnt, Origin::Learned(ai));
            if learnt.len() >= 2 {
                self.watches[learnt[0] as usize].push(ci);
                self.watches[learnt[1] as usize].push(ci);
            }
            self.assign(learnt[0], ci);
        }
    }

    /// The original clauses behind a conflict at level 0.
    fn core(&self, conflict: u32) -> Vec<Origin> {
        let mut in_core = vec![false; self.clauses.len()];
        let mut vseen = vec![false; self.pkg_of.len()];
        let mut stack = vec![conflict];
        let mut out = Vec::new();
        while let Some(ci) = stack.pop() {
            if std::mem::replace(&mut in_core[ci as usize], true) {
                continue;
            }
            match self.clauses[ci as usize].origin {
                Origin::Learned(a) => stack.extend_from_slice(&self.antecedents[a as usize]),
                o => out.push(o),
            }
            for &l in self.clause_lits(ci) {
                let v = (l >> 1) as usize;
                if !std::mem::replace(&mut vseen[v], true)
                    && self.val[v] != 0
                    && self.lvl[v] == 0
                    && self.reason[v] != NONE
                {
                    stack.push(self.reason[v]);
                }
            }
        }
        out.sort_by_key(|o| match *o {
            Origin::Root(i) => (0, i, 0),
            Origin::Keep(p) => (1, p.0, 0),
            Origin::Forbid(p) => (1, p.0, 1),
            Origin::Template(p, t) => (2, p.0, t),
            Origin::Learned(a) => (3, a, 0),
        });
        out
    }
}

// ---- explanations ----------------------------------------------------------------------

/// How a package of an explanation is reached from a seed (a root or installed package).
#[derive(Clone, Copy, Debug)]
enum Via {
    /// It is the seed of this fact (`Root` or `Installed`).
    Seed(usize),
    /// The `Requires` fact at this index, of package `by`.
    Req(usize, PkgId),
    /// The `RootRequires` fact at this index.
    RootReq(usize),
}

impl Solver<'_, '_> {
    /// Turn an unsatisfiable core into facts, then into a derivation.
    fn explain(&self, core: &[Origin], roots: &[Root], installed: &[PkgId]) -> Explanation {
        let eng = self.eng;
        let mut facts: Vec<Step> = Vec::new();
        let add = |s: Step, facts: &mut Vec<Step>| {
            if !facts.contains(&s) {
                facts.push(s);
            }
        };
        for o in core {
            match *o {
                Origin::Root(i) => match roots.get(i as usize) {
                    Some(Root::Pkg(p)) => add(Step::Root { pkg: *p }, &mut facts),
                    Some(Root::Dep(d)) => {
                        let mut providers: Vec<PkgId> = Vec::new();
                        for c in eng.requirement_clauses(d, None) {
                            for l in c {
                                if !plit_neg(l) && !providers.contains(&plit_pkg(l)) {
                                    providers.push(plit_pkg(l));
                                }
                            }
                        }
                        add(Step::RootRequires { dep: *d, providers }, &mut facts);
                    }
                    None => {}
                },
                Origin::Keep(p) => add(Step::Installed { pkg: p }, &mut facts),
                Origin::Template(p, t) => {
                    let rules = eng.rules(p);
                    let Some(tpl) = rules.templates.get(t as usize) else {
                        continue;
                    };
                    let lits = rules.lits_of(tpl);
                    let others = lits
                        .iter()
                        .filter(|&&l| plit_neg(l) && plit_pkg(l) != p)
                        .map(|&l| plit_pkg(l));
                    match tpl.kind {
                        Kind::Requires => {
                            let pos: Vec<PkgId> = lits
                                .iter()
                                .filter(|&&l| !plit_neg(l))
                                .map(|&l| plit_pkg(l))
                                .collect();
                            let given: Vec<PkgId> = others.collect();
                            if pos.is_empty() && given.is_empty() {
                                add(
                                    Step::NothingProvides {
                                        pkg: p,
                                        dep: tpl.dep,
                                    },
                                    &mut facts,
                                );
                                continue;
                            }
                            let same = facts.iter_mut().find_map(|f| match f {
                                Step::Requires {
                                    pkg,
                                    dep,
                                    providers,
                                    given: g,
                                } if *pkg == p && *dep == tpl.dep => Some((providers, g)),
                                _ => None,
                            });
                            match same {
                                Some((providers, g)) => {
                                    for q in pos {
                                        if !providers.contains(&q) {
                                            providers.push(q);
                                        }
                                    }
                                    for q in given {
                                        if !g.contains(&q) {
                                            g.push(q);
                                        }
                                    }
                                }
                                None => facts.push(Step::Requires {
                                    pkg: p,
                                    dep: tpl.dep,
                                    providers: pos,
                                    given,
                                }),
                            }
                        }
                        Kind::Conflicts => {
                            for q in others {
                                add(
                                    Step::Conflicts {
                                        pkg: p,
                                        dep: tpl.dep,
                                        other: q,
                                    },
                                    &mut facts,
                                );
                            }
                        }
                        Kind::Obsoletes => {
                            for q in others {
                                add(
                                    Step::Obsoletes {
                                        pkg: p,
                                        dep: tpl.dep,
                                        other: q,
                                    },
                                    &mut facts,
                                );
                            }
                        }
                        Kind::SameName => {
                            for q in others {
                                let (a, b) = (p.min(q), p.max(q));
                                add(Step::SameName { a, b }, &mut facts);
                            }
                        }
                    }
                }
                Origin::Learned(_) | Origin::Forbid(_) => {}
            }
        }
        Explanation {
            steps: derivation(eng, facts, installed),
        }
    }
}

/// Order facts as a derivation: for each clash (a conflict, a missing provider), the
/// chain from a root to its first package, the clash, then the chain from the other
/// package back up to its root or installed package.
fn derivation(eng: &Engine<'_>, facts: Vec<Step>, installed: &[PkgId]) -> Vec<Step> {
    let mut via: FxHashMap<PkgId, Via> = FxHashMap::default();
    let mut depth: FxHashMap<PkgId, u32> = FxHashMap::default();
    let mut queue = std::collections::VecDeque::new();
    for (i, f) in facts.iter().enumerate() {
        if let Step::Root { pkg } | Step::Installed { pkg } = *f
            && !via.contains_key(&pkg)
        {
            via.insert(pkg, Via::Seed(i));
            depth.insert(pkg, 0);
            queue.push_back(pkg);
        }
    }
    for (i, f) in facts.iter().enumerate() {
        if let Step::RootRequires { providers, .. } = f {
            for &q in providers {
                if let std::collections::hash_map::Entry::Vacant(e) = via.entry(q) {
                    e.insert(Via::RootReq(i));
                    depth.insert(q, 1);
                    queue.push_back(q);
                }
            }
        }
    }
    while let Some(x) = queue.pop_front() {
        let d = depth.get(&x).copied().unwrap_or(0);
        for (i, f) in facts.iter().enumerate() {
            if let Step::Requires { pkg, providers, .. } = f
                && *pkg == x
            {
                for &q in providers {
                    if let std::collections::hash_map::Entry::Vacant(e) = via.entry(q) {
                        e.insert(Via::Req(i, x));
                        depth.insert(q, d + 1);
                        queue.push_back(q);
                    }
                }
            }
        }
    }
    // The links from a seed down to `x`, seed first.
    let chain = |x: PkgId| -> Vec<(Via, PkgId)> {
        let mut out = Vec::new();
        let mut cur = x;
        let mut guard = 0;
        while let Some(&v) = via.get(&cur) {
            out.push((v, cur));
            guard += 1;
            match v {
                Via::Req(_, by) if guard < 64 => cur = by,
                _ => break,
            }
        }
        out.reverse();
        out
    };
    let seed_key = |x: PkgId| -> (bool, std::cmp::Reverse<usize>) {
        match chain(x).first() {
            Some((Via::Seed(i), _)) => (
                matches!(facts[*i], Step::Installed { .. }),
                std::cmp::Reverse(*i),
            ),
            Some((Via::RootReq(i), _)) => (false, std::cmp::Reverse(*i)),
            _ => (true, std::cmp::Reverse(0)),
        }
    };
    // The packages a clash involves: the one whose dependency it is, then the others.
    let sides = |f: &Step| -> Option<Vec<PkgId>> {
        match f {
            Step::NothingProvides { pkg, .. } | Step::NotInstallable { pkg } => Some(vec![*pkg]),
            Step::Requires {
                pkg,
                providers,
                given,
                ..
            } if providers.is_empty() => {
                Some(std::iter::once(*pkg).chain(given.iter().copied()).collect())
            }
            Step::Conflicts { pkg, other, .. } | Step::Obsoletes { pkg, other, .. } => {
                Some(vec![*pkg, *other])
            }
            Step::SameName { a, b } => Some(vec![*a, *b]),
            _ => None,
        }
    };
    let mut cruxes: Vec<usize> = (0..facts.len())
        .filter(|&i| {
            sides(&facts[i]).is_some()
                || matches!(&facts[i], Step::RootRequires { providers, .. } if providers.is_empty())
                || matches!(facts[i], Step::GaveUp { .. })
        })
        .collect();
    let depth_of = |p: PkgId| depth.get(&p).copied().unwrap_or(u32::MAX);
    let crux_depth = |i: usize| -> u32 {
        sides(&facts[i])
            .map(|s| s.iter().map(|&p| depth_of(p)).min().unwrap_or(0))
            .unwrap_or(0)
    };
    cruxes.sort_by_key(|&i| (crux_depth(i), i));

    let mut emitted = vec![false; facts.len()];
    let mut out: Vec<Step> = Vec::new();
    let emit = |i: usize, out: &mut Vec<Step>, emitted: &mut Vec<bool>| {
        if !std::mem::replace(&mut emitted[i], true) {
            out.push(facts[i].clone());
        }
    };
    let mut why_cache: FxHashMap<PkgId, Vec<(PkgId, Reldep)>> = FxHashMap::default();
    for &c in &cruxes {
        let Some(mut involved) = sides(&facts[c]) else {
            emit(c, &mut out, &mut emitted);
            continue;
        };
        // Lead with the side reached from the most recent root (the one being added),
        // the deepest when they share a root: its chain reads forward into the clash.
        let lead = (0..involved.len())
            .min_by_key(|&k| {
                let p = involved[k];
                (
                    seed_key(p),
                    std::cmp::Reverse(depth_of(p).wrapping_add(1)),
                    k,
                )
            })
            .unwrap_or(0);
        let a = involved.remove(lead);
        for (v, _) in chain(a) {
            match v {
                Via::Seed(i) | Via::Req(i, _) | Via::RootReq(i) => emit(i, &mut out, &mut emitted),
            }
        }
        emit(c, &mut out, &mut emitted);
        for b in involved {
            let links = chain(b);
            for &(v, to) in links.iter().rev() {
                match v {
                    Via::Req(i, by) => {
                        if !std::mem::replace(&mut emitted[i], true)
                            && let Step::Requires { dep, .. } = facts[i]
                        {
                            out.push(Step::NeededBy { pkg: to, by, dep });
                        }
                    }
                    Via::RootReq(i) => emit(i, &mut out, &mut emitted),
                    Via::Seed(i) => {
                        if emitted[i] {
                            continue;
                        }
                        emitted[i] = true;
                        out.push(facts[i].clone());
                        if let Step::Installed { pkg } = facts[i] {
                            let why = why_cache
                                .entry(pkg)
                                .or_insert_with(|| installed_why(eng, pkg, installed));
                            let mut cur = pkg;
                            for &(by, dep) in why.iter() {
                                out.push(Step::NeededBy { pkg: cur, by, dep });
                                cur = by;
                            }
                            if cur != pkg {
                                out.push(Step::Installed { pkg: cur });
                            }
                        }
                    }
                }
            }
        }
    }
    for (i, f) in facts.iter().enumerate() {
        if !emitted[i] {
            out.push(f.clone());
        }
    }
    out
}

/// Why an installed package is there: the chain of installed packages requiring it, up
/// to one nothing installed requires (at most 8 links).
fn installed_why(eng: &Engine<'_>, pkg: PkgId, installed: &[PkgId]) -> Vec<(PkgId, Reldep)> {
    let mut out = Vec::new();
    let mut cur = pkg;
    let mut visited = FxHashSet::default();
    visited.insert(pkg);
    'up: for _ in 0..8 {
        for &y in installed {
            if visited.contains(&y) {
                continue;
            }
            let rules = eng.rules(y);
            for t in &rules.templates {
                if t.kind == Kind::Requires
                    && rules
                        .lits_of(t)
                        .iter()
                        .any(|&l| !plit_neg(l) && plit_pkg(l) == cur)
                {
                    out.push((y, t.dep));
                    visited.insert(y);
                    cur = y;
                    continue 'up;
                }
            }
        }
        break;
    }
    out
}

// ---- transactions ----------------------------------------------------------------------

/// The added packages of a solution with the reason each came in, breadth first from the
/// roots (then from installed packages). Packages no requirement reaches are left out
/// when the rest stays consistent without them.
fn transaction(
    eng: &Engine<'_>,
    roots: &[Root],
    installed: &[PkgId],
    model: &[PkgId],
) -> Transaction {
    let pool = eng.pool;
    let in_model: FxHashSet<PkgId> = model.iter().copied().collect();
    let inst: FxHashSet<PkgId> = installed.iter().copied().collect();
    let mut reason: FxHashMap<PkgId, Reason> = FxHashMap::default();
    let mut order: Vec<PkgId> = Vec::new();
    let mut queue = std::collections::VecDeque::new();
    let give = |p: PkgId,
                r: Reason,
                reason: &mut FxHashMap<PkgId, Reason>,
                order: &mut Vec<PkgId>,
                queue: &mut std::collections::VecDeque<PkgId>| {
        if in_model.contains(&p) && !inst.contains(&p) && !reason.contains_key(&p) {
            reason.insert(p, r);
            order.push(p);
            queue.push_back(p);
        }
    };
    for r in roots {
        match r {
            Root::Pkg(p) => give(*p, Reason::Root, &mut reason, &mut order, &mut queue),
            Root::Dep(d) => {
                for c in eng.requirement_clauses(d, None) {
                    if let Some(p) = c
                        .iter()
                        .filter(|&&l| !plit_neg(l))
                        .map(|&l| plit_pkg(l))
                        .find(|p| in_model.contains(p))
                    {
                        give(p, Reason::Root, &mut reason, &mut order, &mut queue);
                    }
                }
            }
        }
    }
    for &i in installed {
        if in_model.contains(&i) {
            queue.push_back(i);
        } else if i.index() < pool.len() {
            let own = pool.pkg(i);
            if let Some(&q) = model.iter().find(|&&q| {
                let p = pool.pkg(q);
                p.name == own.name && p.arch == own.arch
            }) {
                give(
                    q,
                    Reason::Upgrade { of: i },
                    &mut reason,
                    &mut order,
                    &mut queue,
                );
            }
        }
    }
    let satisfied_by_neg = |lits: &[PLit], set: &dyn Fn(PkgId) -> bool| {
        lits.iter().any(|&l| plit_neg(l) && !set(plit_pkg(l)))
    };
    while let Some(x) = queue.pop_front() {
        let rules = eng.rules(x);
        for t in &rules.templates {
            if t.kind != Kind::Requires {
                continue;
            }
            let lits = rules.lits_of(t);
            if satisfied_by_neg(&lits[1..], &|p| in_model.contains(&p)) {
                continue;
            }
            if lits.iter().any(|&l| {
                !plit_neg(l)
                    && in_model.contains(&plit_pkg(l))
                    && (inst.contains(&plit_pkg(l)) || reason.contains_key(&plit_pkg(l)))
            }) {
                continue;
            }
            if let Some(p) = lits
                .iter()
                .filter(|&&l| !plit_neg(l))
                .map(|&l| plit_pkg(l))
                .find(|p| in_model.contains(p))
            {
                give(
                    p,
                    Reason::Required { by: x, dep: t.dep },
                    &mut reason,
                    &mut order,
                    &mut queue,
                );
            }
        }
    }
    // Packages nothing reached (a second provider of something): drop them if the rest
    // holds without them, else keep them with the first requirer found.
    let unreached: Vec<PkgId> = model
        .iter()
        .copied()
        .filter(|p| !inst.contains(p) && !reason.contains_key(p))
        .collect();
    if !unreached.is_empty() {
        let kept = |p: PkgId| in_model.contains(&p) && !unreached.contains(&p);
        let consistent = model.iter().copied().filter(|&p| kept(p)).all(|p| {
            let rules = eng.rules(p);
            rules.templates.iter().all(|t| {
                let lits = rules.lits_of(t);
                (eng.is_installed(p)
                    && t.kind == Kind::Requires
                    && lits.iter().all(|&l| plit_neg(l)))
                    || lits.iter().any(|&l| kept(plit_pkg(l)) != plit_neg(l))
            })
        });
        if !consistent {
            for u in unreached {
                let by = model.iter().copied().find_map(|x| {
                    let rules = eng.rules(x);
                    rules.templates.iter().find_map(|t| {
                        (t.kind == Kind::Requires && rules.lits_of(t).contains(&plit(u, false)))
                            .then_some((x, t.dep))
                    })
                });
                let r = match by {
                    Some((by, dep)) => Reason::Required { by, dep },
                    None => Reason::Root,
                };
                reason.insert(u, r);
                order.push(u);
            }
        }
    }
    Transaction {
        packages: order.into_iter().map(|p| (p, reason[&p])).collect(),
    }
}

// ---- rendering -----------------------------------------------------------------------

impl Step {
    /// Every package the step names.
    pub fn packages(&self) -> Vec<PkgId> {
        match self {
            Step::Root { pkg }
            | Step::Installed { pkg }
            | Step::NothingProvides { pkg, .. }
            | Step::NotInstallable { pkg } => vec![*pkg],
            Step::RootRequires { providers, .. } => providers.clone(),
            Step::Requires {
                pkg,
                providers,
                given,
                ..
            } => std::iter::once(*pkg)
                .chain(providers.iter().copied())
                .chain(given.iter().copied())
                .collect(),
            Step::NeededBy { pkg, by, .. } => vec![*pkg, *by],
            Step::Conflicts { pkg, other, .. } | Step::Obsoletes { pkg, other, .. } => {
                vec![*pkg, *other]
            }
            Step::SameName { a, b } => vec![*a, *b],
            Step::GaveUp { .. } => Vec::new(),
        }
    }
}

/// Names packages for a text: the bare name, or the full NEVRA where two packages of the
/// same name appear.
struct Namer<'a> {
    pool: &'a Pool,
    ambiguous: FxHashSet<crate::model::intern::Sym>,
}

impl<'a> Namer<'a> {
    fn new(pool: &'a Pool, steps: &[Step]) -> Self {
        let mut by_name: FxHashMap<crate::model::intern::Sym, PkgId> = FxHashMap::default();
        let mut ambiguous = FxHashSet::default();
        for p in steps.iter().flat_map(Step::packages) {
            if p.index() >= pool.len() {
                continue;
            }
            let n = pool.pkg(p).name;
            if *by_name.entry(n).or_insert(p) != p {
                ambiguous.insert(n);
            }
        }
        Namer { pool, ambiguous }
    }

    fn plain(&self, p: PkgId) -> String {
        if p.index() >= self.pool.len() {
            return format!("#{}", p.0);
        }
        if self.ambiguous.contains(&self.pool.pkg(p).name) {
            self.pool.nevra(p)
        } else {
            self.pool.name(p).to_string()
        }
    }

    fn pkg(&self, p: PkgId) -> String {
        format!("`{}`", self.plain(p))
    }

    fn list(&self, ps: &[PkgId]) -> String {
        const MAX: usize = 5;
        let names: Vec<String> = ps.iter().take(MAX).map(|&p| self.pkg(p)).collect();
        let mut s = match names.len() {
            0 => String::new(),
            1 => names[0].clone(),
            n => format!("{} or {}", names[..n - 1].join(", "), names[n - 1]),
        };
        if ps.len() > MAX {
            s = format!("{} (or {} more)", names.join(", "), ps.len() - MAX);
        }
        s
    }

    fn dep(&self, d: &Reldep) -> String {
        format!("`{}`", self.pool.dep_str(d))
    }

    /// `it` when the dependency is just the package's name, else the dependency.
    fn dep_or_it(&self, d: &Reldep, p: PkgId) -> String {
        if self.pool.dep_str(d) == self.plain(p) {
            "it".to_string()
        } else {
            self.dep(d)
        }
    }

    /// `` (`dep`)`` unless the dependency is just the other package's name.
    fn via(&self, d: &Reldep, other: PkgId) -> String {
        if self.pool.dep_str(d) == self.plain(other) {
            String::new()
        } else {
            format!(" (via {})", self.dep(d))
        }
    }

    fn requires(
        &self,
        subject: String,
        dep: &Reldep,
        providers: &[PkgId],
        given: &[PkgId],
    ) -> String {
        let mut s = format!("{subject} requires {}", self.dep(dep));
        let text = self.pool.dep_str(dep);
        if providers.is_empty() {
            s.push_str(", which nothing satisfies");
        } else if !(providers.len() == 1
            && (self.plain(providers[0]) == text
                || (!dep.is_rich() && self.pool.pkg(providers[0]).name == dep.name)))
        {
            s.push_str(&format!(", provided by {}", self.list(providers)));
        }
        if !given.is_empty() {
            s.push_str(&format!(
                " (it applies because of {})",
                self.list(given).replace(" or ", " and ")
            ));
        }
        s
    }

    fn step(&self, st: &Step) -> String {
        match st {
            Step::Root { pkg } => format!("{} is a root", self.pkg(*pkg)),
            Step::RootRequires { dep, providers } if providers.is_empty() => {
                format!("nothing provides {}, which was asked for", self.dep(dep))
            }
            Step::RootRequires { dep, providers } => format!(
                "{} was asked for, provided by {}",
                self.dep(dep),
                self.list(providers)
            ),
            Step::Installed { pkg } => format!("{} is installed", self.pkg(*pkg)),
            Step::Requires {
                pkg,
                dep,
                providers,
                given,
            } => self.requires(self.pkg(*pkg), dep, providers, given),
            Step::NeededBy { pkg, by, dep } => format!(
                "{} is needed because {} requires {}",
                self.pkg(*pkg),
                self.pkg(*by),
                self.dep_or_it(dep, *pkg)
            ),
            Step::NothingProvides { pkg, dep } => format!(
                "nothing {} {} needed by {}",
                if dep.is_rich() {
                    "satisfies"
                } else {
                    "provides"
                },
                self.dep(dep),
                self.pkg(*pkg)
            ),
            Step::Conflicts { pkg, dep, other } => format!(
                "{} conflicts with {}{}",
                self.pkg(*pkg),
                self.pkg(*other),
                self.via(dep, *other)
            ),
            Step::Obsoletes { pkg, dep, other } => format!(
                "{} obsoletes {}{}",
                self.pkg(*pkg),
                self.pkg(*other),
                self.via(dep, *other)
            ),
            Step::SameName { a, b } => format!(
                "only one of `{}` and `{}` can be installed (same name and arch)",
                self.pool.nevra(*a),
                self.pool.nevra(*b)
            ),
            Step::NotInstallable { pkg } => format!(
                "`{}` cannot be installed on `{}`",
                self.pool.nevra(*pkg),
                self.pool.host_arch
            ),
            Step::GaveUp { conflicts } => {
                format!("undecided: the solver gave up after {conflicts} conflicts")
            }
        }
    }
}

impl Explanation {
    /// The derivation as one readable line: facts in order, separated by `; `, names in
    /// backticks, no colour. Adjacent facts about one package are merged ("`x` (a root)
    /// requires ...", "`y` is installed because `x` requires it (`x` is installed)").
    pub fn render(&self, pool: &Pool) -> String {
        let n = Namer::new(pool, &self.steps);
        let steps = &self.steps;
        let mut out: Vec<String> = Vec::new();
        let mut i = 0;
        // A `(... is a root)` tail for a sentence ending with `by` when the next step is
        // that seed; returns how many steps it used.
        let tail = |by: PkgId, next: Option<&Step>| -> (String, usize) {
            match next {
                Some(Step::Root { pkg }) if *pkg == by => {
                    (format!(" ({} is a root)", n.pkg(by)), 1)
                }
                Some(Step::Installed { pkg }) if *pkg == by => {
                    (format!(" ({} is installed)", n.pkg(by)), 1)
                }
                _ => (String::new(), 0),
            }
        };
        while i < steps.len() {
            let next = steps.get(i + 1);
            match (&steps[i], next) {
                (
                    Step::Root { pkg: x } | Step::Installed { pkg: x },
                    Some(Step::Requires {
                        pkg,
                        dep,
                        providers,
                        given,
                    }),
                ) if x == pkg => {
                    let what = if matches!(steps[i], Step::Root { .. }) {
                        "a root"
                    } else {
                        "installed"
                    };
                    out.push(n.requires(format!("{} ({what})", n.pkg(*x)), dep, providers, given));
                    i += 2;
                }
                (Step::Installed { pkg: x }, Some(Step::NeededBy { pkg, by, dep })) if x == pkg => {
                    let (t, used) = tail(*by, steps.get(i + 2));
                    out.push(format!(
                        "{} is installed because {} requires {}{t}",
                        n.pkg(*x),
                        n.pkg(*by),
                        n.dep_or_it(dep, *x)
                    ));
                    i += 2 + used;
                }
                (Step::NeededBy { by, .. }, _) => {
                    let (t, used) = tail(*by, next);
                    out.push(format!("{}{t}", n.step(&steps[i])));
                    i += 1 + used;
                }
                (st, _) => {
                    out.push(n.step(st));
                    i += 1;
                }
            }
        }
        out.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::pool::SourceKind;
    use crate::model::pool::test_support::add;
    use crate::progress::NoProgress;

    fn new_pool() -> Pool {
        let mut pool = Pool::new("x86_64");
        pool.add_repo("t", "/t", SourceKind::RpmMd);
        pool
    }

    fn uninstallable(pool: &Pool) -> Vec<String> {
        let all: Vec<PkgId> = pool.ids().collect();
        check_installable(pool, &all, &[], &NoProgress, &Cancel::new())
            .into_iter()
            .map(|u| pool.nevra(u.pkg))
            .collect()
    }

    fn names(pool: &Pool, t: &Transaction) -> Vec<String> {
        t.packages
            .iter()
            .map(|(p, _)| pool.name(*p).to_string())
            .collect()
    }

    fn magic_pool() -> (Pool, [PkgId; 4]) {
        let mut pool = new_pool();
        let s3 = add(
            &mut pool,
            "s3cmd-2.3.0-4.el9.noarch",
            &["R:python3-magic", "R:python3"],
        );
        let pm = add(
            &mut pool,
            "python3-magic-0.4.27-1.el9.noarch",
            &["R:python3"],
        );
        let ic = add(
            &mut pool,
            "insights-client-3.2.2-1.el9.noarch",
            &["R:python3-file-magic", "R:python3"],
        );
        let pfm = add(
            &mut pool,
            "python3-file-magic-5.39-16.el9.noarch",
            &["C:python3-magic", "R:python3"],
        );
        add(&mut pool, "python3-3.9.18-1.el9.x86_64", &[]);
        pool.build_indexes();
        (pool, [s3, pm, ic, pfm])
    }

    #[test]
    fn simple_chain_installs_with_reasons() {
        let mut pool = new_pool();
        let a = add(&mut pool, "a-1-1.x86_64", &["R:b"]);
        let b = add(&mut pool, "b-1-1.x86_64", &["R:libc.so.6()(64bit)"]);
        let c = add(&mut pool, "c-1-1.x86_64", &["P:libc.so.6()(64bit)"]);
        pool.build_indexes();
        assert!(uninstallable(&pool).is_empty());
        let t = simulate_install(&pool, &[Root::Pkg(a)], &[], &[]).unwrap();
        assert_eq!(names(&pool, &t), ["a", "b", "c"]);
        assert_eq!(t.packages[0].1, Reason::Root);
        assert!(matches!(t.packages[1].1, Reason::Required { by, .. } if by == a));
        match t.packages[2].1 {
            Reason::Required { by, dep } => {
                assert_eq!(by, b);
                assert_eq!(pool.dep_str(&dep), "libc.so.6()(64bit)");
            }
            r => panic!("{r:?}"),
        }
        let _ = c;
    }

    #[test]
    fn missing_provider_names_the_chain() {
        let mut pool = new_pool();
        add(&mut pool, "a-1-1.x86_64", &["R:b"]);
        add(&mut pool, "b-1-1.x86_64", &["R:missing >= 2"]);
        add(&mut pool, "missing-1-1.x86_64", &[]);
        pool.build_indexes();
        let all: Vec<PkgId> = pool.ids().collect();
        let bad = check_installable(&pool, &all, &[], &NoProgress, &Cancel::new());
        let got: Vec<(String, String)> = bad
            .iter()
            .map(|u| (pool.nevra(u.pkg), u.reason.render(&pool)))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "a-1-1.x86_64".to_string(),
                    "`a` requires `b`; nothing provides `missing >= 2` needed by `b`".to_string()
                ),
                (
                    "b-1-1.x86_64".to_string(),
                    "nothing provides `missing >= 2` needed by `b`".to_string()
                ),
            ]
        );
    }

    #[test]
    fn magic_conflict_with_an_installed_image() {
        let (pool, [s3, pm, ic, pfm]) = magic_pool();
        assert!(uninstallable(&pool).is_empty(), "each alone is fine");
        let python = pool.by_name("python3")[0];
        let err = simulate_install(&pool, &[Root::Pkg(s3)], &[ic, pfm, python], &[]).unwrap_err();
        assert!(err.steps.contains(&Step::Conflicts {
            pkg: pfm,
            dep: pool.deps_of(pfm, DepKind::Conflicts)[0],
            other: pm
        }));
        assert_eq!(
            err.render(&pool),
            "`s3cmd` (a root) requires `python3-magic`; `python3-file-magic` conflicts with \
             `python3-magic`; `python3-file-magic` is installed because `insights-client` \
             requires it (`insights-client` is installed)"
        );
        // Both as roots, as `dnf install insights-client s3cmd`.
        let err = simulate_install(&pool, &[Root::Pkg(ic), Root::Pkg(s3)], &[], &[]).unwrap_err();
        assert_eq!(
            err.render(&pool),
            "`s3cmd` (a root) requires `python3-magic`; `python3-file-magic` conflicts with \
             `python3-magic`; `python3-file-magic` is needed because `insights-client` \
             requires it (`insights-client` is a root)"
        );
        // Without the image, s3cmd comes with python3-magic.
        let t = simulate_install(&pool, &[Root::Pkg(s3)], &[], &[]).unwrap();
        assert_eq!(names(&pool, &t), ["s3cmd", "python3-magic", "python3"]);
    }

    #[test]
    fn versioned_conflict_that_does_not_match() {
        let mut pool = new_pool();
        let a = add(&mut pool, "a-1-1.x86_64", &["R:b", "C:b < 2.0"]);
        add(&mut pool, "b-2.0-1.x86_64", &[]);
        let c = add(&mut pool, "c-1-1.x86_64", &["R:b", "C:b < 3.0"]);
        pool.build_indexes();
        assert_eq!(uninstallable(&pool), ["c-1-1.x86_64"]);
        assert!(simulate_install(&pool, &[Root::Pkg(a)], &[], &[]).is_ok());
        let err = simulate_install(&pool, &[Root::Pkg(c)], &[], &[]).unwrap_err();
        assert_eq!(
            err.render(&pool),
            "`c` (a root) requires `b`; `c` conflicts with `b` (via `b < 3.0`)"
        );
    }

    #[test]
    fn conflicts_match_provides_obsoletes_only_names() {
        let mut pool = new_pool();
        add(
            &mut pool,
            "virt-user-1-1.x86_64",
            &["R:impl", "C:virt >= 2"],
        );
        add(&mut pool, "impl-1-1.x86_64", &["P:virt = 2"]);
        add(&mut pool, "obs-user-1-1.x86_64", &["R:impl2", "O:virt2"]);
        add(&mut pool, "impl2-1-1.x86_64", &["P:virt2"]);
        add(&mut pool, "new-1-1.x86_64", &["O:old < 2"]);
        add(&mut pool, "old-1-1.x86_64", &[]);
        add(&mut pool, "both-1-1.x86_64", &["R:new", "R:old"]);
        pool.build_indexes();
        assert_eq!(
            uninstallable(&pool),
            ["virt-user-1-1.x86_64", "both-1-1.x86_64"]
        );
        let both = pool.by_name("both")[0];
        let err = simulate_install(&pool, &[Root::Pkg(both)], &[], &[]).unwrap_err();
        let text = err.render(&pool);
        assert!(
            text.contains("`new` obsoletes `old` (via `old < 2`)"),
            "{text}"
        );
    }

    #[test]
    fn alternatives_avoid_the_conflicting_provider() {
        let mut pool = new_pool();
        let x = add(&mut pool, "x-1-1.x86_64", &["R:mta", "R:y"]);
        add(&mut pool, "aaa-mta-1-1.x86_64", &["P:mta", "C:y"]);
        add(&mut pool, "zzz-mta-1-1.x86_64", &["P:mta"]);
        add(&mut pool, "y-1-1.x86_64", &[]);
        pool.build_indexes();
        assert!(uninstallable(&pool).is_empty());
        let t = simulate_install(&pool, &[Root::Pkg(x)], &[], &[]).unwrap();
        let mut got = names(&pool, &t);
        got.sort();
        assert_eq!(got, ["x", "y", "zzz-mta"]);
        // Both alternatives blocked: the explanation names each.
        let mut pool = new_pool();
        add(&mut pool, "x-1-1.x86_64", &["R:mta", "R:y"]);
        add(&mut pool, "aaa-mta-1-1.x86_64", &["P:mta", "C:y"]);
        add(&mut pool, "zzz-mta-1-1.x86_64", &["P:mta", "R:nothing"]);
        add(&mut pool, "y-1-1.x86_64", &[]);
        pool.build_indexes();
        let x = pool.by_name("x")[0];
        let err = simulate_install(&pool, &[Root::Pkg(x)], &[], &[]).unwrap_err();
        let text = err.render(&pool);
        assert!(
            text.contains("provided by `aaa-mta` or `zzz-mta`"),
            "{text}"
        );
        assert!(text.contains("`aaa-mta` conflicts with `y`"), "{text}");
        assert!(
            text.contains("nothing provides `nothing` needed by `zzz-mta`"),
            "{text}"
        );
    }

    #[test]
    fn rich_if_applies_only_when_the_condition_is_installed() {
        let mut pool = new_pool();
        let x = add(
            &mut pool,
            "x-1-1.x86_64",
            &["R:(x-selinux if selinux-policy)"],
        );
        let pol = add(&mut pool, "selinux-policy-1-1.noarch", &[]);
        pool.build_indexes();
        // x-selinux does not exist: fine alone, impossible with the policy.
        assert!(uninstallable(&pool).is_empty());
        let t = simulate_install(&pool, &[Root::Pkg(x)], &[], &[]).unwrap();
        assert_eq!(names(&pool, &t), ["x"]);
        let err = simulate_install(&pool, &[Root::Pkg(x)], &[pol], &[]).unwrap_err();
        assert_eq!(
            err.render(&pool),
            "`x` (a root) requires `(x-selinux if selinux-policy)`, which nothing satisfies \
             (it applies because of `selinux-policy`); `selinux-policy` is installed"
        );
        // With the sub-package present it comes along only with the policy.
        let mut pool = new_pool();
        let x = add(
            &mut pool,
            "x-1-1.x86_64",
            &["R:(x-selinux if selinux-policy)"],
        );
        let pol = add(&mut pool, "selinux-policy-1-1.noarch", &[]);
        add(&mut pool, "x-selinux-1-1.noarch", &[]);
        pool.build_indexes();
        let t = simulate_install(&pool, &[Root::Pkg(x)], &[pol], &[]).unwrap();
        assert_eq!(names(&pool, &t), ["x", "x-selinux"]);
        let t = simulate_install(&pool, &[Root::Pkg(x)], &[], &[]).unwrap();
        assert_eq!(names(&pool, &t), ["x"]);
    }

    #[test]
    fn rich_or_with_without_unless_else() {
        let mut pool = new_pool();
        add(&mut pool, "or-user-1-1.x86_64", &["R:(broken or good)"]);
        add(&mut pool, "broken-1-1.x86_64", &["R:absent"]);
        add(&mut pool, "good-1-1.x86_64", &[]);
        add(
            &mut pool,
            "with-user-1-1.x86_64",
            &["R:(lib with lib(abi2))"],
        );
        add(&mut pool, "lib-1-1.x86_64", &["P:lib(abi1)"]);
        add(&mut pool, "lib-2-1.x86_64", &["P:lib(abi2)"]);
        add(
            &mut pool,
            "with-bad-1-1.x86_64",
            &["R:(lib with lib(abi3))"],
        );
        add(
            &mut pool,
            "without-user-1-1.x86_64",
            &["R:(lib without lib(abi2))"],
        );
        add(&mut pool, "and-user-1-1.x86_64", &["R:(good and absent)"]);
        add(
            &mut pool,
            "unless-user-1-1.x86_64",
            &["R:(absent unless good)"],
        );
        add(
            &mut pool,
            "else-user-1-1.x86_64",
            &["R:(absent if broken else good)"],
        );
        pool.build_indexes();
        assert_eq!(
            uninstallable(&pool),
            [
                "broken-1-1.x86_64",
                "with-bad-1-1.x86_64",
                "and-user-1-1.x86_64"
            ]
        );
        let pick = |name: &str| {
            let p = pool.by_name(name)[0];
            let t = simulate_install(&pool, &[Root::Pkg(p)], &[], &[]).unwrap();
            t.packages
                .iter()
                .map(|(p, _)| pool.nevra(*p))
                .collect::<Vec<_>>()
        };
        assert_eq!(pick("or-user"), ["or-user-1-1.x86_64", "good-1-1.x86_64"]);
        assert_eq!(
            pick("with-user"),
            ["with-user-1-1.x86_64", "lib-2-1.x86_64"]
        );
        assert_eq!(
            pick("without-user"),
            ["without-user-1-1.x86_64", "lib-1-1.x86_64"]
        );
        assert_eq!(
            pick("unless-user"),
            ["unless-user-1-1.x86_64", "good-1-1.x86_64"]
        );
        assert_eq!(
            pick("else-user"),
            ["else-user-1-1.x86_64", "good-1-1.x86_64"]
        );
    }

    #[test]
    fn one_version_per_name_arch_but_multilib_coinstalls() {
        let mut pool = new_pool();
        let x64 = add(&mut pool, "foo-1-1.x86_64", &[]);
        let x32 = add(&mut pool, "foo-1-1.i686", &[]);
        let x64b = add(&mut pool, "foo-2-1.x86_64", &[]);
        let na = add(&mut pool, "bar-1-1.noarch", &[]);
        let ar = add(&mut pool, "bar-1-1.x86_64", &[]);
        let both = add(
            &mut pool,
            "both-1-1.x86_64",
            &["R:foo = 1-1", "R:foo = 2-1"],
        );
        pool.build_indexes();
        assert!(simulate_install(&pool, &[Root::Pkg(x64), Root::Pkg(x32)], &[], &[]).is_ok());
        let err =
            simulate_install(&pool, &[Root::Pkg(x64), Root::Pkg(x64b)], &[], &[]).unwrap_err();
        assert_eq!(
            err.render(&pool),
            "`foo-2-1.x86_64` is a root; only one of `foo-1-1.x86_64` and `foo-2-1.x86_64` \
             can be installed (same name and arch); `foo-1-1.x86_64` is a root"
        );
        assert!(simulate_install(&pool, &[Root::Pkg(na), Root::Pkg(ar)], &[], &[]).is_err());
        // foo = 1-1 is satisfied by the i686 build next to foo-2.x86_64.
        let t = simulate_install(&pool, &[Root::Pkg(both)], &[], &[]).unwrap();
        let mut got: Vec<String> = t.packages.iter().map(|(p, _)| pool.nevra(*p)).collect();
        got.sort();
        assert_eq!(got, ["both-1-1.x86_64", "foo-1-1.i686", "foo-2-1.x86_64"]);
    }

    #[test]
    fn installed_packages_stay_but_may_be_upgraded() {
        let mut pool = new_pool();
        let old = add(&mut pool, "lib-1-1.x86_64", &[]);
        let new = add(&mut pool, "lib-2-1.x86_64", &[]);
        let app = add(&mut pool, "app-1-1.x86_64", &["R:lib >= 2"]);
        let pin = add(&mut pool, "pin-1-1.x86_64", &["R:lib < 2"]);
        pool.build_indexes();
        let t = simulate_install(&pool, &[Root::Pkg(app)], &[old], &[]).unwrap();
        assert_eq!(
            t.packages,
            [(app, Reason::Root), (new, Reason::Upgrade { of: old })]
        );
        let err = simulate_install(&pool, &[Root::Pkg(app)], &[old, pin], &[]).unwrap_err();
        let text = err.render(&pool);
        assert_eq!(
            text,
            "`app` (a root) requires `lib >= 2`; only one of \
             `lib-1-1.x86_64` and `lib-2-1.x86_64` can be installed (same name and arch); \
             `lib-1-1.x86_64` is needed because `pin` requires `lib < 2` (`pin` is installed)"
        );
        // Requirement strings as roots; unknown names have no provider.
        let mut pool2 = new_pool();
        add(&mut pool2, "lib-1-1.x86_64", &[]);
        add(&mut pool2, "lib-2-1.x86_64", &[]);
        pool2.build_indexes();
        let r = Root::parse(&mut pool2, "lib < 2").unwrap();
        let t = simulate_install(&pool2, &[r], &[], &[]).unwrap();
        assert_eq!(t.packages.len(), 1);
        assert_eq!(pool2.nevra(t.packages[0].0), "lib-1-1.x86_64");
        let r = Root::parse(&mut pool2, "lib").unwrap();
        let t = simulate_install(&pool2, &[r], &[], &[]).unwrap();
        assert_eq!(
            pool2.nevra(t.packages[0].0),
            "lib-2-1.x86_64",
            "newest first"
        );
        let r = Root::parse(&mut pool2, "nosuch >= 1").unwrap();
        let err = simulate_install(&pool2, &[r], &[], &[]).unwrap_err();
        assert_eq!(
            err.render(&pool2),
            "nothing provides `nosuch >= 1`, which was asked for"
        );
    }

    #[test]
    fn unavailable_and_foreign_packages_do_not_provide() {
        let mut pool = new_pool();
        add(&mut pool, "a-1-1.x86_64", &["R:b"]);
        let b = add(&mut pool, "b-1-1.x86_64", &[]);
        add(&mut pool, "c-1-1.x86_64", &["R:d"]);
        add(&mut pool, "d-1-1.aarch64", &[]);
        pool.build_indexes();
        let mut avail = vec![true; pool.len()];
        avail[b.index()] = false;
        let all: Vec<PkgId> = pool.ids().collect();
        let bad: Vec<String> = check_installable(&pool, &all, &avail, &NoProgress, &Cancel::new())
            .iter()
            .map(|u| format!("{}: {}", pool.nevra(u.pkg), u.reason.render(&pool)))
            .collect();
        assert_eq!(
            bad,
            [
                "a-1-1.x86_64: nothing provides `b` needed by `a`",
                "c-1-1.x86_64: nothing provides `d` needed by `c`",
                "d-1-1.aarch64: `d-1-1.aarch64` cannot be installed on `x86_64`",
            ]
        );
        // Ids the pool does not have: ignored as candidates, impossible as roots.
        let ghost = PkgId(999);
        assert!(check_installable(&pool, &[ghost], &[], &NoProgress, &Cancel::new()).is_empty());
        let err = simulate_install(&pool, &[Root::Pkg(ghost)], &[ghost], &[]).unwrap_err();
        assert_eq!(err.render(&pool), "`#999` is a root");
    }

    #[test]
    fn learning_solves_a_pigeonhole_trap() {
        // root needs hole0..hole3, each provided by any of 3 pigeons, every pigeon
        // conflicting with the others of its own hole: needs backtracking to refute.
        let mut pool = new_pool();
        let mut reqs = Vec::new();
        for h in 0..4 {
            reqs.push(format!("R:hole{h}"));
        }
        let r: Vec<&str> = reqs.iter().map(String::as_str).collect();
        let root = add(&mut pool, "root-1-1.x86_64", &r);
        let mut specs = Vec::new();
        for p in 0..3 {
            for h in 0..4 {
                let mut d = vec![format!("P:hole{h}")];
                for h2 in 0..4 {
                    if h2 != h {
                        d.push(format!("C:pigeon{p}-in-{h2}"));
                    }
                }
                specs.push((format!("pigeon{p}-in-{h}-1-1.x86_64"), d));
            }
        }
        for (n, d) in &specs {
            let d: Vec<&str> = d.iter().map(String::as_str).collect();
            add(&mut pool, n, &d);
        }
        pool.build_indexes();
        // 4 holes, 3 pigeons, each pigeon in at most one hole: impossible.
        let err = simulate_install(&pool, &[Root::Pkg(root)], &[], &[]).unwrap_err();
        assert!(
            err.steps
                .iter()
                .any(|s| matches!(s, Step::Conflicts { .. }))
        );
    }

    /// Brute force over every subset of a small pool: installable means some consistent
    /// set contains the package. Compared with the solver on many random pools.
    #[test]
    fn agrees_with_brute_force_on_random_pools() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut rnd = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for round in 0..400 {
            let mut pool = new_pool();
            let n = 3 + rnd(6) as usize;
            let mut specs = Vec::new();
            for i in 0..n {
                let name = format!("p{}", rnd(n as u64 - 1));
                let arch = ["x86_64", "i686", "noarch"][rnd(3) as usize];
                let mut deps = Vec::new();
                for _ in 0..rnd(3) {
                    let t = format!("p{}", rnd(n as u64));
                    deps.push(match rnd(9) {
                        0..=2 => format!("R:{t}"),
                        3 => format!("R:({t} or cap{})", rnd(3)),
                        4 => format!("R:({t} if cap{})", rnd(3)),
                        5 => format!("C:{t}"),
                        6 => format!("C:cap{}", rnd(3)),
                        7 => format!("O:{t} < 2"),
                        _ => format!("P:cap{}", rnd(3)),
                    });
                }
                specs.push((format!("{name}-{}-1.{arch}", 1 + i % 2), deps));
            }
            for (s, d) in &specs {
                let d: Vec<&str> = d.iter().map(String::as_str).collect();
                add(&mut pool, s, &d);
            }
            pool.build_indexes();
            let eng = Engine::new(&pool, &[], &[]);
            let ok_set = |set: u32| -> bool {
                let has = |p: PkgId| set >> p.0 & 1 == 1;
                pool.ids().filter(|&p| has(p)).all(|p| {
                    let r = eng.rules(p);
                    r.templates.iter().all(|t| {
                        r.lits_of(t)
                            .iter()
                            .any(|&l| has(plit_pkg(l)) != plit_neg(l))
                    })
                })
            };
            let consistent: Vec<u32> = (0..1u32 << n).filter(|&s| ok_set(s)).collect();
            let want: Vec<String> = pool
                .ids()
                .filter(|p| !consistent.iter().any(|s| s >> p.0 & 1 == 1))
                .map(|p| pool.nevra(p))
                .collect();
            assert_eq!(uninstallable(&pool), want, "round {round}: {specs:?}");
        }
    }

    #[test]
    fn rich_clauses_follow_boolean_meaning() {
        // The CNF of each operator, checked against a truth table over two packages.
        let mut pool = new_pool();
        let a = add(&mut pool, "a-1-1.noarch", &[]);
        let b = add(&mut pool, "b-1-1.noarch", &[]);
        let c = add(&mut pool, "c-1-1.noarch", &["P:b"]);
        pool.build_indexes();
        type Truth = fn(bool, bool, bool) -> bool;
        let cases: [(&str, Truth); 6] = [
            ("(a or b)", |a, b, c| a || b || c),
            ("(a and b)", |a, b, c| a && (b || c)),
            ("(a if b)", |a, b, c| !(b || c) || a),
            ("(a unless b)", |a, b, c| (b || c) || a),
            ("(a if b else c)", |a, b, c| if b || c { a } else { c }),
            ("(a unless b else c)", |a, b, c| if b || c { c } else { a }),
        ];
        let deps: Vec<Reldep> = cases
            .iter()
            .map(|(t, _)| pool.parse_reldep(t).unwrap())
            .collect();
        let eng = Engine::new(&pool, &[], &[]);
        for ((text, truth), d) in cases.into_iter().zip(deps) {
            let clauses = eng.requirement_clauses(&d, None);
            for bits in 0..8u32 {
                let has = |p: PkgId| {
                    (p == a && bits & 1 != 0)
                        || (p == b && bits & 2 != 0)
                        || (p == c && bits & 4 != 0)
                };
                let sat = clauses
                    .iter()
                    .all(|cl| cl.iter().any(|&l| has(plit_pkg(l)) != plit_neg(l)));
                assert_eq!(
                    sat,
                    truth(bits & 1 != 0, bits & 2 != 0, bits & 4 != 0),
                    "{text} with {bits:03b}"
                );
            }
        }
    }
}
