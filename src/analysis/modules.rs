//! Module streams as dnf 4 (libdnf 0.69) sees them: which streams are active, which
//! packages modular filtering hides, and what is wrong with a repository's module
//! metadata.
//!
//! **Active streams** (`ModulePackageContainer::resolveActiveModulePackages`): every
//! module stream build is a solvable named `name:stream:context` that provides
//! `module(name)` and `module(name:stream)`, requires the streams of its `requires`
//! (`-x` entries are conflicts), and conflicts with every other stream of its module.
//! The platform (`--module-platform-id`, or a `system-release` package's
//! `base-module(platform:X)` provide) is installed. Enabled streams are hard jobs,
//! default streams of modules neither enabled nor disabled are weak jobs, disabled
//! modules are excluded; whatever the solver installs is active together with every
//! other version of the same `name:stream:context`. Without a platform nothing that
//! requires one can be active, so every modular package of such streams is hidden.
//!
//! **Filtering** (`setModuleExcludes` in `dnf-sack.cpp`): packages whose NEVRA is an
//! artifact of an active stream stay; outside repositories with `module_hotfixes`,
//! artifacts of inactive streams are hidden, and so is every package whose name, or a
//! provide's name, is the name of an active stream's artifact.

use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use crate::model::module::{
    Artifact, MergedDefaults, ModuleIndex, ModuleObsoletes, ModuleStream, StreamReq, merge_defaults,
};
use crate::model::package::{DepKind, PkgId, Reldep, RepoId};
use crate::model::pool::{Pool, compatible_arches};

/// The module state the user asks for (dnf: `/etc/dnf/modules.d` and options).
#[derive(Clone, Debug, Default)]
pub struct ModuleConfig {
    /// `platform:el9` (`--module-platform-id`); `None`: detect from packages.
    pub platform: Option<String>,
    /// Enabled streams, `(module, stream)`.
    pub enabled: Vec<(String, String)>,
    /// Disabled modules.
    pub disabled: Vec<String>,
}

/// One stream build of one repository.
#[derive(Clone, Copy, Debug)]
pub struct Entry<'a> {
    pub repo: RepoId,
    pub stream: &'a ModuleStream,
}

/// Where the platform came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum PlatformSource {
    /// `--module-platform-id`.
    Configured,
    /// The `base-module(...)` provide of this `system-release` package.
    ReleasePackage { package: String },
    /// None found: dnf says "Detection of Platform Module failed".
    Missing,
}

/// A module's state as dnf reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModState {
    Enabled,
    Disabled,
    Default,
    Unknown,
}

/// The result of resolving the module state.
#[derive(Debug)]
pub struct ModuleState<'a> {
    pub entries: Vec<Entry<'a>>,
    /// Parallel to `entries`.
    pub active: Vec<bool>,
    /// Defaults of all repositories, merged.
    pub defaults: BTreeMap<String, MergedDefaults>,
    pub enabled: BTreeMap<String, String>,
    pub disabled: BTreeSet<String>,
    /// `(name, stream)` of the platform, when known.
    pub platform: Option<(String, String)>,
    pub platform_source: PlatformSource,
    /// Requests that could not be satisfied (an enabled stream that cannot be active).
    pub problems: Vec<String>,
    /// Obsoletes of every repository.
    pub obsoletes: Vec<(RepoId, &'a ModuleObsoletes)>,
}

impl ModuleState<'_> {
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn default_stream(&self, module: &str) -> Option<&str> {
        self.defaults.get(module)?.stream.as_deref()
    }

    pub fn state_of(&self, module: &str) -> ModState {
        if self.disabled.contains(module) {
            ModState::Disabled
        } else if self.enabled.contains_key(module) {
            ModState::Enabled
        } else if self.default_stream(module).is_some() {
            ModState::Default
        } else {
            ModState::Unknown
        }
    }

    /// Active entries.
    pub fn active_entries(&self) -> impl Iterator<Item = &Entry<'_>> {
        self.entries
            .iter()
            .zip(&self.active)
            .filter(|(_, a)| **a)
            .map(|(e, _)| e)
    }
}

/// The platform from packages, as libdnf does without `module_platform_id`: the
/// `base-module(NAME:STREAM)` provide of the newest `system-release` providers, when
/// they agree on exactly one.
fn platform_from_packages(pool: &Pool) -> Option<(String, String, PkgId)> {
    let sym = pool.strings.get("system-release")?;
    let providers = pool.whatprovides(&Reldep::unversioned(sym));
    // newest per name.arch (hawkey's `latest`)
    let mut newest: FxHashMap<(u32, u32), PkgId> = FxHashMap::default();
    for p in providers {
        let k = (pool.pkg(p).name.0, pool.pkg(p).arch.0);
        match newest.get(&k) {
            Some(&o) if pool.evr(o).cmp_full(&pool.evr(p)).is_ge() => {}
            _ => {
                newest.insert(k, p);
            }
        }
    }
    let mut found: BTreeMap<String, PkgId> = BTreeMap::new();
    for &p in newest.values() {
        for d in pool.deps_of(p, DepKind::Provides) {
            if let Some(inner) = pool
                .str(d.name)
                .strip_prefix("base-module(")
                .and_then(|s| s.strip_suffix(')'))
            {
                found.insert(inner.to_string(), p);
            }
        }
    }
    if found.len() != 1 {
        return None;
    }
    let (text, pkg) = found.into_iter().next()?;
    let (n, s) = text.split_once(':')?;
    (!n.is_empty() && !s.is_empty()).then(|| (n.to_string(), s.to_string(), pkg))
}

const PLATFORM: usize = usize::MAX;

/// libdnf's solvable name for a stream build is `name:stream:KEY`, where KEY is the
/// context for a `static_context` stream and otherwise the stream's runtime requirements
/// without the platform (`alpha:[a,b];beta:[1];zeta`, sorted; `NoRequires` when none).
/// Builds sharing a name are one package in different versions: the solver installs
/// one (the newest it can), and every build of that name is then active. Seen in dnf
/// 4.14's `--debugsolver` testcases.
pub fn solvable_key(s: &ModuleStream) -> String {
    if s.static_context {
        return s.context.clone();
    }
    let mut parts: Vec<String> = s
        .runtime_requires()
        .filter(|r| r.module != "platform")
        .map(|r| {
            if r.streams.is_empty() {
                r.module.to_string()
            } else {
                let mut st: Vec<&str> = r.streams.iter().map(String::as_str).collect();
                st.sort_unstable();
                format!("{}:[{}]", r.module, st.join(","))
            }
        })
        .collect();
    parts.sort();
    if parts.is_empty() {
        "NoRequires".to_string()
    } else {
        parts.join(";")
    }
}

/// The module solver: one solvable name per module (libdnf makes every build conflict
/// with `module(name)` and every other stream), stream requirements and `-stream`
/// conflicts honoured, with backtracking (what libsolv finds for these small,
/// conflict-light problems). Among several names that fit, the one with the newest
/// build is tried first.
struct Solver<'s, 'a> {
    entries: &'s [Entry<'a>],
    keys: &'s [String],
    by_module: FxHashMap<&'a str, Vec<usize>>,
    /// module → (stream, chosen build: entry index, or `PLATFORM`)
    chosen: BTreeMap<String, (String, usize)>,
    /// The stream each module is asked for (enabled, else default): libsolv decides
    /// every job before it resolves requirements, so a requirement on a module that has
    /// its own job is met by that job's stream when it can be.
    wanted: BTreeMap<String, String>,
}

impl Solver<'_, '_> {
    /// A stream of `module` is forbidden by a `-stream` of a chosen build.
    fn forbidden(&self, module: &str, stream: &str) -> bool {
        self.chosen.values().any(|&(_, i)| {
            i != PLATFORM
                && self.entries[i]
                    .stream
                    .runtime_requires()
                    .any(|r| r.module == module && r.excluded().any(|x| x == stream))
        })
    }

    /// Builds of `module` allowed by `allows`, grouped by solvable name, the group with
    /// the newest build first (then by name), the newest build first in a group.
    fn groups(&self, module: &str, allows: &dyn Fn(&str) -> bool) -> Vec<Vec<usize>> {
        let Some(all) = self.by_module.get(module) else {
            return Vec::new();
        };
        let mut groups: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
        for &i in all {
            let s = self.entries[i].stream;
            if allows(&s.stream) && !self.forbidden(module, &s.stream) {
                groups
                    .entry((s.stream.as_str(), self.keys[i].as_str()))
                    .or_default()
                    .push(i);
            }
        }
        let version = |i: usize| self.entries[i].stream.version;
        let mut groups: Vec<((&str, &str), Vec<usize>)> = groups.into_iter().collect();
        for (_, g) in &mut groups {
            g.sort_by_key(|&i| std::cmp::Reverse(version(i)));
        }
        let wanted = self.wanted.get(module).map(String::as_str);
        groups.sort_by(|(ka, a), (kb, b)| {
            (Some(kb.0) == wanted)
                .cmp(&(Some(ka.0) == wanted))
                .then_with(|| version(b[0]).cmp(&version(a[0])))
                .then_with(|| ka.cmp(kb))
        });
        groups.into_iter().map(|(_, g)| g).collect()
    }

    /// Satisfy "some stream of `module` allowed by `allows`", choosing a build if needed.
    fn satisfy(&mut self, module: &str, allows: &dyn Fn(&str) -> bool) -> bool {
        if let Some((s, _)) = self.chosen.get(module) {
            return allows(s);
        }
        for g in self.groups(module, allows) {
            for i in g {
                let snapshot = self.chosen.clone();
                let stream = self.entries[i].stream.stream.clone();
                self.chosen.insert(module.to_string(), (stream, i));
                if self.requires_hold(i) {
                    return true;
                }
                self.chosen = snapshot;
            }
        }
        false
    }

    fn requires_hold(&mut self, i: usize) -> bool {
        let s = self.entries[i].stream;
        let reqs: Vec<StreamReq<'_>> = s.runtime_requires().collect();
        // its conflicts against what is already chosen
        for r in &reqs {
            if let Some((cs, _)) = self.chosen.get(r.module)
                && r.excluded().any(|x| x == cs)
            {
                return false;
            }
        }
        reqs.iter()
            .all(|r| self.satisfy(r.module, &|st: &str| r.allows(st)))
    }
}

/// Resolve the active streams of the given module metadata (every repository's index).
pub fn resolve<'a>(
    pool: &Pool,
    indexes: &[(RepoId, &'a ModuleIndex)],
    cfg: &ModuleConfig,
) -> ModuleState<'a> {
    let entries: Vec<Entry<'a>> = indexes
        .iter()
        .flat_map(|&(repo, idx)| idx.streams.iter().map(move |stream| Entry { repo, stream }))
        .collect();
    let defaults = merge_defaults(indexes.iter().flat_map(|(_, i)| i.defaults.iter()));
    let enabled: BTreeMap<String, String> = cfg.enabled.iter().cloned().collect();
    let disabled: BTreeSet<String> = cfg.disabled.iter().cloned().collect();
    let mut state = ModuleState {
        active: vec![false; entries.len()],
        entries,
        defaults,
        enabled,
        disabled,
        platform: None,
        platform_source: PlatformSource::Missing,
        problems: Vec::new(),
        obsoletes: indexes
            .iter()
            .flat_map(|&(r, i)| i.obsoletes.iter().map(move |o| (r, o)))
            .collect(),
    };
    if state.entries.is_empty() {
        return state;
    }
    match &cfg.platform {
        Some(p) => {
            if let Some((n, s)) = p.split_once(':')
                && !n.is_empty()
                && !s.is_empty()
            {
                state.platform = Some((n.to_string(), s.to_string()));
                state.platform_source = PlatformSource::Configured;
            } else {
                state
                    .problems
                    .push(format!("Invalid format of Platform module: {p}"));
            }
        }
        None => {
            if let Some((n, s, pkg)) = platform_from_packages(pool) {
                state.platform = Some((n, s));
                state.platform_source = PlatformSource::ReleasePackage {
                    package: pool.nevra(pkg),
                };
            }
        }
    }
    let host = compatible_arches(&pool.host_arch);
    let mut by_module: FxHashMap<&'a str, Vec<usize>> = FxHashMap::default();
    for (i, e) in state.entries.iter().enumerate() {
        let arch = e.stream.arch.as_str();
        let arch_ok = arch.is_empty() || arch == "noarch" || host.contains(&arch);
        if arch_ok && !state.disabled.contains(&e.stream.name) {
            by_module.entry(e.stream.name.as_str()).or_default().push(i);
        }
    }
    let keys: Vec<String> = state
        .entries
        .iter()
        .map(|e| solvable_key(e.stream))
        .collect();
    let mut wanted: BTreeMap<String, String> = BTreeMap::new();
    for (m, d) in &state.defaults {
        if let Some(s) = &d.stream
            && !state.disabled.contains(m)
        {
            wanted.insert(m.clone(), s.clone());
        }
    }
    for (m, s) in &state.enabled {
        wanted.insert(m.clone(), s.clone());
    }
    let mut solver = Solver {
        entries: &state.entries,
        keys: &keys,
        by_module,
        chosen: BTreeMap::new(),
        wanted,
    };
    if let Some((n, s)) = &state.platform {
        solver.chosen.insert(n.clone(), (s.clone(), PLATFORM));
    }
    // jobs: libdnf adds one per module stream build, in solvable order (repository by
    // repository, module names sorted as libmodulemd lists them); enabled streams are
    // hard, default streams weak (dropped when they cannot be met)
    let mut first_repo: BTreeMap<&str, usize> = BTreeMap::new();
    for e in solver.entries {
        let r = e.repo.index();
        let at = first_repo.entry(e.stream.name.as_str()).or_insert(r);
        *at = (*at).min(r);
    }
    let mut order: Vec<&str> = first_repo.keys().copied().collect();
    order.sort_by_key(|m| (first_repo[m], *m));
    let mut problems = Vec::new();
    for m in &order {
        if let Some(s) = state.enabled.get(*m)
            && !state.disabled.contains(*m)
            && !solver.satisfy(m, &|x: &str| x == s)
        {
            problems.push(format!(
                "module {m}:{s} is enabled but cannot be active (no such stream for this \
                 arch, or its module dependencies cannot be met)"
            ));
        }
    }
    for m in &order {
        if state.enabled.contains_key(*m) || state.disabled.contains(*m) {
            continue;
        }
        if let Some(s) = state.defaults.get(*m).and_then(|d| d.stream.as_deref()) {
            solver.satisfy(m, &|x: &str| x == s);
        }
    }
    // every build with a chosen solvable name is active
    let chosen: FxHashSet<(&str, &str, &str)> = solver
        .chosen
        .values()
        .filter(|(_, i)| *i != PLATFORM)
        .map(|&(_, i)| {
            let s = state.entries[i].stream;
            (s.name.as_str(), s.stream.as_str(), keys[i].as_str())
        })
        .collect();
    let active: Vec<bool> = state
        .entries
        .iter()
        .zip(&keys)
        .map(|(e, k)| {
            chosen.contains(&(e.stream.name.as_str(), e.stream.stream.as_str(), k.as_str()))
        })
        .collect();
    state.active = active;
    state.problems.extend(problems);
    state
}

impl ModuleConfig {
    /// This configuration with `module:stream` enabled instead of whatever was asked
    /// for the module (and the module no longer disabled): one run of
    /// `closure --each-stream`.
    pub fn with_stream(&self, module: &str, stream: &str) -> ModuleConfig {
        let mut cfg = self.clone();
        cfg.enabled.retain(|(m, _)| m != module);
        cfg.enabled.push((module.to_string(), stream.to_string()));
        cfg.disabled.retain(|m| m != module);
        cfg
    }
}

/// The `(module, stream)` pairs `closure --each-stream` tries one at a time: every
/// stream with a build for the host arch of every module the repositories `repos` carry
/// (all of `indexes` when `repos` is empty), sorted by module then stream.
pub fn each_stream(
    pool: &Pool,
    indexes: &[(RepoId, &ModuleIndex)],
    repos: &[RepoId],
) -> Vec<(String, String)> {
    let host = compatible_arches(&pool.host_arch);
    let mut out: BTreeSet<(String, String)> = BTreeSet::new();
    for (repo, idx) in indexes {
        if !repos.is_empty() && !repos.contains(repo) {
            continue;
        }
        for s in &idx.streams {
            let arch = s.arch.as_str();
            if arch.is_empty() || arch == "noarch" || host.contains(&arch) {
                out.insert((s.name.clone(), s.stream.clone()));
            }
        }
    }
    out.into_iter().collect()
}

/// The active streams of a state as `name:stream`, sorted, each once.
pub fn active_streams(state: &ModuleState<'_>) -> Vec<String> {
    let set: BTreeSet<String> = state
        .active_entries()
        .map(|e| format!("{}:{}", e.stream.name, e.stream.stream))
        .collect();
    set.into_iter().collect()
}

/// Why modular filtering hides a package.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Hidden {
    /// An artifact of a stream that is not active.
    InactiveStream { stream: String },
    /// Not an artifact of the active stream, but its name (or a provide's name) is the
    /// name of one of that stream's packages.
    ActiveName { name: String, stream: String },
}

/// The result of modular filtering.
#[derive(Clone, Debug, Default)]
pub struct ModularFilter {
    /// `available[pkg]`: visible to dependency solving.
    pub available: Vec<bool>,
    /// Why each hidden package is hidden.
    pub hidden: Vec<Option<Hidden>>,
}

impl ModularFilter {
    pub fn hidden_count(&self) -> usize {
        self.available.iter().filter(|a| !**a).count()
    }
}

type NevraKey<'a> = (&'a str, u32, &'a str, &'a str, &'a str);

fn key_of(a: &Artifact<'_>) -> (String, u32, String, String, String) {
    (
        a.name.to_string(),
        a.epoch,
        a.version.to_string(),
        a.release.to_string(),
        a.arch.to_string(),
    )
}

/// Modular filtering over the whole pool, as libdnf's `setModuleExcludes`.
pub fn modular_filter(pool: &Pool, state: &ModuleState<'_>) -> ModularFilter {
    let n = pool.len();
    let mut out = ModularFilter {
        available: vec![true; n],
        hidden: vec![None; n],
    };
    if state.is_empty() {
        return out;
    }
    let mut include: FxHashSet<NevraKey<'_>> = FxHashSet::default();
    let mut exclude: FxHashMap<NevraKey<'_>, &ModuleStream> = FxHashMap::default();
    let mut names: BTreeMap<&str, &ModuleStream> = BTreeMap::new();
    for (e, &active) in state.entries.iter().zip(&state.active) {
        for a in e.stream.parsed_artifacts() {
            let k = (a.name, a.epoch, a.version, a.release, a.arch);
            if active {
                include.insert(k);
                names.entry(a.name).or_insert(e.stream);
            } else {
                exclude.entry(k).or_insert(e.stream);
            }
        }
    }
    let key = |id: PkgId| -> NevraKey<'_> {
        let p = pool.pkg(id);
        (
            pool.str(p.name),
            p.epoch,
            pool.str(p.version),
            pool.str(p.release),
            pool.str(p.arch),
        )
    };
    // packages providing the name of an active stream's package (own name included)
    let mut by_provide: FxHashMap<PkgId, (&str, &ModuleStream)> = FxHashMap::default();
    for (&name, &s) in &names {
        if let Some(sym) = pool.strings.get(name) {
            for p in pool.whatprovides(&Reldep::unversioned(sym)) {
                by_provide.entry(p).or_insert((name, s));
            }
            for &p in pool.by_name(name) {
                by_provide.entry(p).or_insert((name, s));
            }
        }
    }
    for id in pool.ids() {
        if pool.repo_of(id).module_hotfixes {
            continue;
        }
        let k = key(id);
        if include.contains(&k) {
            continue;
        }
        let why = if let Some(s) = exclude.get(&k) {
            Some(Hidden::InactiveStream { stream: s.nsvca() })
        } else {
            by_provide.get(&id).map(|(name, s)| Hidden::ActiveName {
                name: name.to_string(),
                stream: s.name_stream(),
            })
        };
        if let Some(w) = why {
            out.available[id.index()] = false;
            out.hidden[id.index()] = Some(w);
        }
    }
    out
}

// ---- problems ----------------------------------------------------------------------

/// Something wrong with module metadata and the packages around it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ModuleProblem {
    /// Artifacts the stream lists that its repository does not carry (a pruned repo;
    /// metadata without packages of its own is checked against every loaded package);
    /// `broken_profiles` name a package none of whose artifacts is left.
    MissingArtifacts {
        repo: String,
        stream: String,
        missing: Vec<String>,
        broken_profiles: Vec<String>,
        active: bool,
    },
    /// A package whose `ModularityLabel` names no loaded stream (dnf treats it as
    /// non-modular; it was meant to be modular).
    UnknownModularityLabel {
        package: String,
        repo: String,
        label: String,
    },
    /// A package from a repository without module metadata that carries a
    /// `ModularityLabel`, or whose release looks modular, and that no stream lists.
    ModularWithoutMetadata {
        package: String,
        repo: String,
        evidence: String,
    },
    /// A stream requirement that no loaded stream (nor the platform) satisfies.
    UnresolvableRequirement { stream: String, requires: String },
    /// Defaults naming a stream that does not exist.
    DefaultStreamMissing { module: String, stream: String },
    /// Obsoletes pointing to a stream that does not exist.
    ObsoletesTargetMissing {
        module: String,
        stream: String,
        obsoleted_by: String,
    },
    /// The same NSVCA in two repositories with different artifacts.
    ConflictingDuplicate { stream: String, repos: Vec<String> },
    /// Defaults of several repositories that disagree.
    DefaultsConflict { module: String, detail: String },
    /// A request that cannot be met (an enabled stream that cannot be active).
    Request { detail: String },
}

impl ModuleProblem {
    /// One line, lower case first word, for text output.
    pub fn describe(&self) -> String {
        match self {
            ModuleProblem::MissingArtifacts {
                repo,
                stream,
                missing,
                broken_profiles,
                active,
            } => {
                let mut s = format!(
                    "{stream} ({repo}{}): {} artifact(s) missing from the repo: {}",
                    if *active { ", active" } else { "" },
                    missing.len(),
                    missing.join(", ")
                );
                if !broken_profiles.is_empty() {
                    s.push_str(&format!(
                        "; broken profiles: {}",
                        broken_profiles.join(", ")
                    ));
                }
                s
            }
            ModuleProblem::UnknownModularityLabel {
                package,
                repo,
                label,
            } => format!(
                "{package} ({repo}): ModularityLabel `{label}` names no loaded module stream"
            ),
            ModuleProblem::ModularWithoutMetadata {
                package,
                repo,
                evidence,
            } => format!("{package} ({repo}): modular ({evidence}) but no module stream lists it"),
            ModuleProblem::UnresolvableRequirement { stream, requires } => {
                format!("{stream}: requires {requires}, which no loaded stream provides")
            }
            ModuleProblem::DefaultStreamMissing { module, stream } => {
                format!("defaults of {module}: default stream {stream} does not exist")
            }
            ModuleProblem::ObsoletesTargetMissing {
                module,
                stream,
                obsoleted_by,
            } => format!(
                "obsoletes of {module}:{stream}: obsoleted by {obsoleted_by}, which does not exist"
            ),
            ModuleProblem::ConflictingDuplicate { stream, repos } => format!(
                "{stream}: in {} with different artifacts",
                repos.join(" and ")
            ),
            ModuleProblem::DefaultsConflict { module, detail } => {
                format!("defaults of {module}: {detail}")
            }
            ModuleProblem::Request { detail } => detail.clone(),
        }
    }
}

fn is_source_arch(arch: &str) -> bool {
    arch == "src" || arch == "nosrc"
}

/// Everything [`ModuleProblem`] describes, for the loaded pool and module metadata.
pub fn module_problems(pool: &Pool, state: &ModuleState<'_>) -> Vec<ModuleProblem> {
    let mut out = Vec::new();
    // 1. artifacts missing from the repository that lists them (source artifacts are
    //    never in a binary repository and are not counted)
    let mut present: FxHashMap<RepoId, FxHashSet<NevraKey<'_>>> = FxHashMap::default();
    for id in pool.ids() {
        let p = pool.pkg(id);
        present.entry(p.repo).or_default().insert((
            pool.str(p.name),
            p.epoch,
            pool.str(p.version),
            pool.str(p.release),
            pool.str(p.arch),
        ));
    }
    // module metadata read on its own (a modules.yaml given as a file, a repository
    // with no packages) is checked against every loaded package
    let everywhere: FxHashSet<NevraKey<'_>> = present.values().flatten().copied().collect();
    for (e, &active) in state.entries.iter().zip(&state.active) {
        let have = match present.get(&e.repo) {
            Some(h) => h,
            None => &everywhere,
        };
        let mut missing = Vec::new();
        let mut gone_names: BTreeMap<&str, bool> = BTreeMap::new();
        for a in e.stream.parsed_artifacts() {
            if is_source_arch(a.arch) {
                continue;
            }
            let here = have.contains(&(a.name, a.epoch, a.version, a.release, a.arch));
            if !here {
                missing.push(format!(
                    "{}-{}:{}-{}.{}",
                    a.name, a.epoch, a.version, a.release, a.arch
                ));
            }
            *gone_names.entry(a.name).or_insert(true) &= !here;
        }
        if missing.is_empty() {
            continue;
        }
        let broken_profiles = e
            .stream
            .profiles
            .iter()
            .filter(|(_, p)| {
                p.rpms
                    .iter()
                    .any(|r| gone_names.get(r.as_str()).copied().unwrap_or(false))
            })
            .map(|(n, _)| n.clone())
            .collect();
        out.push(ModuleProblem::MissingArtifacts {
            repo: pool.repos[e.repo.index()].name.clone(),
            stream: e.stream.nsvca(),
            missing,
            broken_profiles,
            active,
        });
    }
    // 2. modular packages without module metadata
    let mut listed: FxHashSet<(String, u32, String, String, String)> = FxHashSet::default();
    for e in &state.entries {
        for a in e.stream.parsed_artifacts() {
            listed.insert(key_of(&a));
        }
    }
    let known_streams: FxHashSet<(&str, &str)> = state
        .entries
        .iter()
        .map(|e| (e.stream.name.as_str(), e.stream.stream.as_str()))
        .collect();
    let with_modules: FxHashSet<RepoId> = state.entries.iter().map(|e| e.repo).collect();
    for id in pool.ids() {
        let p = pool.pkg(id);
        if is_source_arch(pool.str(p.arch)) {
            continue;
        }
        let k = (
            pool.str(p.name).to_string(),
            p.epoch,
            pool.str(p.version).to_string(),
            pool.str(p.release).to_string(),
            pool.str(p.arch).to_string(),
        );
        if listed.contains(&k) {
            continue;
        }
        let label = pool.str(p.info.modularity_label);
        let repo = pool.repos[p.repo.index()].name.clone();
        if !label.is_empty() {
            let mut parts = label.split(':');
            let (n, s) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            if !with_modules.contains(&p.repo) {
                out.push(ModuleProblem::ModularWithoutMetadata {
                    package: pool.nevra(id),
                    repo,
                    evidence: format!("ModularityLabel `{label}`"),
                });
            } else if !known_streams.contains(&(n, s)) {
                out.push(ModuleProblem::UnknownModularityLabel {
                    package: pool.nevra(id),
                    repo,
                    label: label.to_string(),
                });
            } else {
                out.push(ModuleProblem::ModularWithoutMetadata {
                    package: pool.nevra(id),
                    repo,
                    evidence: format!("ModularityLabel `{label}`"),
                });
            }
        } else {
            let rel = pool.str(p.release);
            if rel.contains(".module+") || rel.contains(".module_") {
                out.push(ModuleProblem::ModularWithoutMetadata {
                    package: pool.nevra(id),
                    repo,
                    evidence: "release tag `.module`".to_string(),
                });
            }
        }
    }
    // 3. stream requirements nothing satisfies (each name:stream:context once)
    let mut streams_of: FxHashMap<&str, FxHashSet<&str>> = FxHashMap::default();
    for e in &state.entries {
        streams_of
            .entry(e.stream.name.as_str())
            .or_default()
            .insert(e.stream.stream.as_str());
    }
    let mut seen: FxHashSet<(&str, &str, &str, String)> = FxHashSet::default();
    for e in &state.entries {
        for r in e.stream.runtime_requires() {
            let satisfied = match &state.platform {
                Some((pn, ps)) if pn == r.module => r.allows(ps),
                _ => false,
            } || streams_of
                .get(r.module)
                .is_some_and(|ss| ss.iter().any(|s| r.allows(s)));
            let platform_unknown = state.platform.is_none() && r.module == "platform";
            if !satisfied
                && !platform_unknown
                && seen.insert((
                    &e.stream.name,
                    &e.stream.stream,
                    &e.stream.context,
                    r.display(),
                ))
            {
                out.push(ModuleProblem::UnresolvableRequirement {
                    stream: e.stream.nsvca(),
                    requires: r.display(),
                });
            }
        }
    }
    // 4. defaults and obsoletes pointing nowhere; defaults conflicts
    for (module, d) in &state.defaults {
        if let Some(s) = &d.stream
            && !known_streams.contains(&(module.as_str(), s.as_str()))
            && state.entries.iter().any(|e| &e.stream.name == module)
        {
            out.push(ModuleProblem::DefaultStreamMissing {
                module: module.clone(),
                stream: s.clone(),
            });
        }
        for c in &d.conflicts {
            out.push(ModuleProblem::DefaultsConflict {
                module: module.clone(),
                detail: c.clone(),
            });
        }
    }
    for (_, o) in &state.obsoletes {
        if let Some((m, st)) = &o.obsoleted_by
            && !known_streams.contains(&(m.as_str(), st.as_str()))
        {
            out.push(ModuleProblem::ObsoletesTargetMissing {
                module: o.module.clone(),
                stream: o.stream.clone(),
                obsoleted_by: format!("{m}:{st}"),
            });
        }
    }
    // 5. the same NSVCA with different artifacts in two repositories
    let mut by_nsvca: BTreeMap<String, Vec<&Entry<'_>>> = BTreeMap::new();
    for e in &state.entries {
        by_nsvca.entry(e.stream.nsvca()).or_default().push(e);
    }
    for (nsvca, es) in by_nsvca {
        if es.len() > 1
            && es
                .iter()
                .any(|e| e.stream.artifacts != es[0].stream.artifacts)
        {
            out.push(ModuleProblem::ConflictingDuplicate {
                stream: nsvca,
                repos: es
                    .iter()
                    .map(|e| pool.repos[e.repo.index()].name.clone())
                    .collect(),
            });
        }
    }
    for p in &state.problems {
        out.push(ModuleProblem::Request { detail: p.clone() });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::module::{Dependencies, ModuleDefaults, Profile};
    use crate::model::package::PackageInfo;
    use crate::model::pool::{NewPackage, SourceKind};

    fn pkg(pool: &mut Pool, nevra: &str, provides: &[&str]) -> PkgId {
        let a = Artifact::parse(nevra).unwrap();
        let mut deps: [Vec<Reldep>; 8] = Default::default();
        let own = format!("{} = {}:{}-{}", a.name, a.epoch, a.version, a.release);
        for p in std::iter::once(own.as_str()).chain(provides.iter().copied()) {
            deps[0].push(pool.parse_reldep(p).unwrap());
        }
        pool.add_package(
            NewPackage {
                name: a.name,
                epoch: a.epoch,
                version: a.version,
                release: a.release,
                arch: a.arch,
                info: PackageInfo::default(),
            },
            &deps,
        )
    }

    fn stream(
        name: &str,
        st: &str,
        version: u64,
        requires: &[(&str, &[&str])],
        artifacts: &[&str],
    ) -> ModuleStream {
        let mut deps = Dependencies::default();
        for (m, s) in requires {
            deps.requires
                .insert(m.to_string(), s.iter().map(|x| x.to_string()).collect());
        }
        ModuleStream {
            name: name.into(),
            stream: st.into(),
            version,
            context: "c0ffee".into(),
            arch: "x86_64".into(),
            mdversion: 2,
            summary: format!("{name} summary"),
            dependencies: if requires.is_empty() {
                vec![]
            } else {
                vec![deps]
            },
            artifacts: artifacts.iter().map(|a| a.to_string()).collect(),
            profiles: [(
                "common".to_string(),
                Profile {
                    description: String::new(),
                    rpms: vec![name.to_string()],
                },
            )]
            .into(),
            ..Default::default()
        }
    }

    fn defaults(module: &str, st: &str) -> ModuleDefaults {
        ModuleDefaults {
            module: module.into(),
            stream: Some(st.into()),
            ..Default::default()
        }
    }

    /// The oracle's `modular` scenario in miniature: nodejs 18 (default) and 20, a
    /// non-modular nodejs 16, and an unrelated package that provides `npm`.
    fn scenario() -> (Pool, ModuleIndex) {
        let mut pool = Pool::new("x86_64");
        pool.add_repo("r", "/r", SourceKind::RpmMd);
        pkg(&mut pool, "nodejs-1:18.1-1.module.x86_64", &[]);
        pkg(&mut pool, "npm-1:9.8-1.module.x86_64", &[]);
        pkg(&mut pool, "nodejs-1:20.1-1.module.x86_64", &[]);
        pkg(&mut pool, "nodejs-1:16.2-1.el9.x86_64", &[]);
        pkg(&mut pool, "yarnpkg-1.22-1.el9.noarch", &["npm = 8"]);
        pkg(&mut pool, "glibc-2.34-1.el9.x86_64", &[]);
        pool.build_indexes();
        let plat: &[(&str, &[&str])] = &[("platform", &["el9"])];
        let mut idx = ModuleIndex::default();
        idx.add_stream(stream(
            "nodejs",
            "18",
            1,
            plat,
            &[
                "nodejs-1:18.1-1.module.x86_64",
                "nodejs-1:18.1-1.module.src",
                "npm-1:9.8-1.module.x86_64",
            ],
        ));
        idx.add_stream(stream(
            "nodejs",
            "20",
            2,
            plat,
            &[
                "nodejs-1:20.1-1.module.x86_64",
                "npm-1:10.2-1.module.x86_64",
            ],
        ));
        idx.add_defaults(defaults("nodejs", "18"));
        (pool, idx)
    }

    fn visible(pool: &Pool, f: &ModularFilter) -> Vec<String> {
        pool.ids()
            .filter(|id| f.available[id.index()])
            .map(|id| pool.nevra(id))
            .collect()
    }

    fn cfg(platform: Option<&str>) -> ModuleConfig {
        ModuleConfig {
            platform: platform.map(String::from),
            ..Default::default()
        }
    }

    #[test]
    fn each_stream_tries_every_stream_with_the_others_as_configured() {
        let (pool, mut idx) = scenario();
        let mut other = stream("ruby", "3.1", 1, &[], &[]);
        other.arch = "aarch64".into();
        idx.add_stream(other);
        let idx = [(RepoId(0), &idx)];
        assert_eq!(
            each_stream(&pool, &idx, &[]),
            [
                ("nodejs".to_string(), "18".to_string()),
                ("nodejs".to_string(), "20".to_string())
            ],
            "streams without a build for the host arch are left out"
        );
        assert!(each_stream(&pool, &idx, &[RepoId(1)]).is_empty());
        let base = ModuleConfig {
            platform: Some("platform:el9".into()),
            enabled: vec![("nodejs".into(), "18".into()), ("x".into(), "1".into())],
            disabled: vec!["nodejs".into(), "y".into()],
        };
        let c = base.with_stream("nodejs", "20");
        assert_eq!(
            c.enabled,
            [
                ("x".to_string(), "1".to_string()),
                ("nodejs".to_string(), "20".to_string())
            ]
        );
        assert_eq!(c.disabled, ["y"]);
        let state = resolve(&pool, &idx, &c);
        assert_eq!(active_streams(&state), ["nodejs:20"]);
        let f = modular_filter(&pool, &state);
        assert!(f.available[2] && !f.available[0]);
    }

    #[test]
    fn default_stream_filters_like_dnf() {
        let (pool, idx) = scenario();
        let state = resolve(&pool, &[(RepoId(0), &idx)], &cfg(Some("platform:el9")));
        assert_eq!(state.active, [true, false]);
        let f = modular_filter(&pool, &state);
        assert_eq!(
            visible(&pool, &f),
            [
                "nodejs-1:18.1-1.module.x86_64",
                "npm-1:9.8-1.module.x86_64",
                "glibc-2.34-1.el9.x86_64"
            ]
        );
        assert_eq!(
            f.hidden[3],
            Some(Hidden::ActiveName {
                name: "nodejs".into(),
                stream: "nodejs:18".into()
            })
        );
        // yarnpkg provides `npm`, a package name of the active stream
        assert!(!f.available[4]);
        assert!(matches!(f.hidden[2], Some(Hidden::InactiveStream { .. })));
    }

    #[test]
    fn without_a_platform_every_modular_package_is_hidden() {
        let (pool, idx) = scenario();
        let state = resolve(&pool, &[(RepoId(0), &idx)], &cfg(None));
        assert_eq!(state.platform_source, PlatformSource::Missing);
        assert_eq!(state.active, [false, false]);
        let f = modular_filter(&pool, &state);
        assert_eq!(
            visible(&pool, &f),
            [
                "nodejs-1:16.2-1.el9.x86_64",
                "yarnpkg-1.22-1.el9.noarch",
                "glibc-2.34-1.el9.x86_64"
            ]
        );
    }

    #[test]
    fn enable_and_disable_override_defaults() {
        let (pool, idx) = scenario();
        let mut c = cfg(Some("platform:el9"));
        c.enabled.push(("nodejs".into(), "20".into()));
        let state = resolve(&pool, &[(RepoId(0), &idx)], &c);
        assert_eq!(state.active, [false, true]);
        assert_eq!(state.state_of("nodejs"), ModState::Enabled);
        let f = modular_filter(&pool, &state);
        // npm 9.8 is an artifact of the inactive 18; npm 10.2 is not in the repo
        assert_eq!(
            visible(&pool, &f),
            ["nodejs-1:20.1-1.module.x86_64", "glibc-2.34-1.el9.x86_64"]
        );
        let mut c = cfg(Some("platform:el9"));
        c.disabled.push("nodejs".into());
        let state = resolve(&pool, &[(RepoId(0), &idx)], &c);
        assert_eq!(state.active, [false, false]);
        // an enabled stream that cannot be active is reported
        let mut c = cfg(Some("platform:el8"));
        c.enabled.push(("nodejs".into(), "20".into()));
        let state = resolve(&pool, &[(RepoId(0), &idx)], &c);
        assert_eq!(state.problems.len(), 1);
    }

    #[test]
    fn hotfix_repositories_are_not_filtered() {
        let (mut pool, idx) = scenario();
        pool.repos[0].module_hotfixes = true;
        let state = resolve(&pool, &[(RepoId(0), &idx)], &cfg(Some("platform:el9")));
        let f = modular_filter(&pool, &state);
        assert_eq!(f.hidden_count(), 0);
    }

    #[test]
    fn requirements_pull_streams_and_exclusions_hold() {
        let pool = {
            let mut p = Pool::new("x86_64");
            p.add_repo("r", "/r", SourceKind::RpmMd);
            p.build_indexes();
            p
        };
        let mut idx = ModuleIndex::default();
        idx.add_stream(stream(
            "app",
            "1",
            1,
            &[("perl", &["5.26"]), ("platform", &["-el8"])],
            &[],
        ));
        idx.add_stream(stream("perl", "5.26", 1, &[], &[]));
        idx.add_stream(stream("perl", "5.30", 1, &[], &[]));
        idx.add_defaults(defaults("app", "1"));
        let state = resolve(&pool, &[(RepoId(0), &idx)], &cfg(Some("platform:el9")));
        assert_eq!(state.active, [true, true, false]);
        // `-el8`: not on el8
        let state = resolve(&pool, &[(RepoId(0), &idx)], &cfg(Some("platform:el8")));
        assert_eq!(state.active, [false, false, false]);
        // the default perl:5.30 conflicts with what app needs: the first weak job wins
        idx.add_defaults(defaults("perl", "5.30"));
        let state = resolve(&pool, &[(RepoId(0), &idx)], &cfg(Some("platform:el9")));
        assert_eq!(state.active, [true, true, false]);
    }

    /// The solvable names of dnf 4.14's `--debugsolver` testcases.
    #[test]
    fn solvable_names_are_libdnfs() {
        let reqs: &[(&str, &[&str])] = &[
            ("zeta", &[]),
            ("alpha", &["b", "a"]),
            ("platform", &["el9"]),
            ("neg", &["-x"]),
        ];
        let mut s = stream("test", "s", 1, reqs, &[]);
        s.dependencies.push(Dependencies {
            requires: [("beta".to_string(), vec!["1".to_string()])].into(),
            ..Default::default()
        });
        assert_eq!(solvable_key(&s), "alpha:[a,b];beta:[1];neg:[-x];zeta");
        let plain = stream("other", "s", 1, &[("platform", &[])], &[]);
        assert_eq!(solvable_key(&plain), "NoRequires");
        let mut st = plain.clone();
        st.static_context = true;
        assert_eq!(solvable_key(&st), "c0ffee");
    }

    /// RHEL 8 AppStream's php:7.2 has two contexts with different requirements
    /// (`httpd:[2.4];nginx` and `httpd:[2.4];nginx:[1.14]`): dnf 4.14 activates one,
    /// the newest, although both could be installed.
    #[test]
    fn one_solvable_name_per_module() {
        let pool = {
            let mut p = Pool::new("x86_64");
            p.add_repo("r", "/r", SourceKind::RpmMd);
            p.build_indexes();
            p
        };
        let mut idx = ModuleIndex::default();
        let mut a = stream("php", "7.2", 820181215112050, &[("nginx", &["1.14"])], &[]);
        a.context = "76554e01".into();
        let mut b = stream("php", "7.2", 8020020191108065827, &[("nginx", &[])], &[]);
        b.context = "2c7ca891".into();
        idx.add_stream(a);
        idx.add_stream(b);
        idx.add_stream(stream("nginx", "1.14", 1, &[], &[]));
        idx.add_defaults(defaults("php", "7.2"));
        idx.add_defaults(defaults("nginx", "1.14"));
        let state = resolve(&pool, &[(RepoId(0), &idx)], &cfg(None));
        assert_eq!(state.active, [false, true, true]);
    }

    /// RHEL 8 with php:7.3 enabled: php requires any nginx stream, and dnf meets it with
    /// the default nginx:1.14, not the newest nginx.
    #[test]
    fn a_requirement_prefers_the_stream_a_module_is_asked_for() {
        let pool = {
            let mut p = Pool::new("x86_64");
            p.add_repo("r", "/r", SourceKind::RpmMd);
            p.build_indexes();
            p
        };
        let mut idx = ModuleIndex::default();
        idx.add_stream(stream("php", "7.3", 1, &[("nginx", &[])], &[]));
        idx.add_stream(stream("nginx", "1.14", 1, &[], &[]));
        idx.add_stream(stream("nginx", "1.20", 9, &[], &[]));
        idx.add_defaults(defaults("nginx", "1.14"));
        let mut c = cfg(None);
        c.enabled.push(("php".into(), "7.3".into()));
        let state = resolve(&pool, &[(RepoId(0), &idx)], &c);
        assert_eq!(state.active, [true, true, false]);
        // without the default, the newest
        idx.defaults.clear();
        let state = resolve(&pool, &[(RepoId(0), &idx)], &c);
        assert_eq!(state.active, [true, false, true]);
    }

    /// Checked against dnf 4.14 on libdnf's `advisories` test repo: builds of a stream
    /// whose requirements are the same are one solvable name, so every context and
    /// version of it is active; a context with other requirements is another name.
    #[test]
    fn every_installable_context_of_a_requested_stream_is_active() {
        let mut pool = Pool::new("x86_64");
        pool.add_repo("r", "/r", SourceKind::RpmMd);
        pool.build_indexes();
        let mut idx = ModuleIndex::default();
        idx.add_stream(stream("perl", "5.23", 1, &[], &[]));
        let mut b = stream("perl-DBI", "master", 3, &[("perl", &["5.23"])], &[]);
        b.context = "2b".into();
        let mut c = stream("perl-DBI", "master", 2, &[("perl", &["5.23"])], &[]);
        c.context = "2c".into();
        let mut d = stream("perl-DBI", "master", 2, &[("perl", &["9.99"])], &[]);
        d.context = "2d".into();
        idx.add_stream(b);
        idx.add_stream(c);
        idx.add_stream(d);
        let mut conf = cfg(None);
        conf.enabled.push(("perl-DBI".into(), "master".into()));
        let state = resolve(&pool, &[(RepoId(0), &idx)], &conf);
        assert_eq!(state.active, [true, true, true, false]);
        assert!(state.problems.is_empty());
        idx.add_defaults(defaults("perl-DBI", "master"));
        let state = resolve(&pool, &[(RepoId(0), &idx)], &cfg(None));
        assert_eq!(state.active, [true, true, true, false]);
    }

    #[test]
    fn platform_from_a_release_package_and_module_arch() {
        let (mut pool, mut idx) = scenario();
        pool.add_repo("base", "/b", SourceKind::RpmMd);
        pkg(
            &mut pool,
            "redhat-release-9.3-1.el9.x86_64",
            &["system-release", "base-module(platform:el9)"],
        );
        pool.build_indexes();
        let state = resolve(&pool, &[(RepoId(0), &idx)], &cfg(None));
        assert_eq!(state.platform, Some(("platform".into(), "el9".into())));
        assert_eq!(state.active, [true, false]);
        // a build for another arch cannot be active
        idx.streams[0].arch = "s390x".into();
        let state = resolve(&pool, &[(RepoId(0), &idx)], &cfg(None));
        assert_eq!(state.active, [false, false]);
    }

    #[test]
    fn problems_of_a_pruned_repository() {
        let (pool, mut idx) = scenario();
        idx.add_defaults(defaults("ghost", "1"));
        idx.add_obsoletes(crate::model::module::ModuleObsoletes {
            module: "nodejs".into(),
            stream: "16".into(),
            obsoleted_by: Some(("nodejs".into(), "22".into())),
            ..Default::default()
        });
        idx.add_stream(stream("ghost", "2", 1, &[("perl", &[])], &[]));
        let state = resolve(&pool, &[(RepoId(0), &idx)], &cfg(Some("platform:el9")));
        let problems = module_problems(&pool, &state);
        let text: Vec<String> = problems.iter().map(|p| p.describe()).collect();
        // nodejs:20's npm is gone; its profile `common` names nodejs, which is present
        assert!(
            matches!(
                &problems[0],
                ModuleProblem::MissingArtifacts { missing, active: false, broken_profiles, .. }
                    if missing == &["npm-1:10.2-1.module.x86_64"] && broken_profiles.is_empty()
            ),
            "{text:?}"
        );
        assert!(text.iter().any(|t| t.contains("requires perl")), "{text:?}");
        assert!(
            text.iter()
                .any(|t| t.contains("default stream 1 does not exist")),
            "{text:?}"
        );
        assert!(
            text.iter().any(|t| t.contains("obsoleted by nodejs:22")),
            "{text:?}"
        );
        assert_eq!(problems.len(), 4, "{text:?}");
    }
}
