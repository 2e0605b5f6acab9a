//! The buildroot repo of a Koji build tag for one arch, assembled as Koji assembles it, with
//! the origin of every package and the reason for every package left out.
//!
//! Two steps, as on a real Koji:
//! 1. The hub's `repoInit` writes the tag's own package list: the rpms of the latest builds
//!    with inheritance (`listTaggedRPMS(tag, inherit=True, latest=True)`), without
//!    debuginfo and source rpms, those of the repo's arch (by `koji.canonArch`) and noarch.
//!    Blocked packages never get here: the hub drops their builds.
//! 2. kojid's `createrepo` task merges that repo with the tag's external repos
//!    (`getExternalRepoList` order) with `mergerepo_c`, in one merge mode for all of them
//!    (kojid refuses to mix modes), the Koji repo first:
//!    - `koji` (`mergerepo_c --koji -b blocklist`): the first repo that has an srpm name
//!      owns it, and every rpm built from another srpm of that name is dropped, newer or
//!      not; within the owning repo the highest srpm version wins. So a Koji build of `foo`
//!      hides every external `foo` rpm, and subpackages the Koji build does not have
//!      disappear. Srpm names in the tag's blocklist are dropped; an rpm whose N-V-R.A an
//!      earlier repo already gave is dropped.
//!    - `simple` (`--koji --simple -b blocklist`): only the blocklist applies; every other
//!      package of every repo is kept, even identical N-V-R.As.
//!    - `bare` (`--pkgorigins --all --arch-expand`): no blocklist, no srpm rule; every
//!      version is kept, only an N-V-R.A an earlier repo already gave is dropped.
//!
//!    In all modes only the repo arch, its multilib companion (i386 family for x86_64,
//!    ppc for ppc64, s390 for s390x), their sub-arches and noarch are merged.
//!
//! These rules were checked against the real `mergerepo_c` 0.17.3 on the fixture in
//! `testdata/koji/` (see `build.py` there). The analysis needs no network: the external
//! repos' packages come in a [`Pool`], loaded by the caller.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::inherit::{BlockedBuild, LatestView};
use crate::model::evr::Evr;
use crate::model::package::PkgId;
use crate::model::pool::Pool;
use crate::model::tag::{LatestRpms, MergeMode, TagExternalRepo, TagId, TaggedBuild};

/// Koji's `canonArch`: the repo arch an rpm arch belongs to.
pub fn canon_arch(arch: &str) -> &str {
    match arch {
        "i386" | "i486" | "i586" | "i686" | "athlon" | "geode" | "pentium3" | "pentium4" => "i386",
        "x86_64" | "amd64" | "ia32e" => "x86_64",
        "ppc64" | "ppc64pseries" | "ppc64iseries" => "ppc64",
        "ppc64le" => "ppc64le",
        "sparc64" | "sparc64v" | "sparc64v2" => "sparc64",
        "sparc" | "sparcv8" | "sparcv9" | "sparcv9v" | "sparcv9v2" => "sparc",
        "armv7hl" | "armv7hnl" | "armv6hl" | "armv6hnl" | "armhfp" => "armhfp",
        "armv5tel" | "armv5tejl" | "armv6l" | "armv7l" | "arm" => "arm",
        "sh4" | "sh4a" => "sh4",
        a if a.starts_with("alpha") => "alpha",
        a => a,
    }
}

/// Sub-arches merged with a repo arch (mergerepos' `EXPAND_ARCHES`).
fn expand_arch(arch: &str) -> &'static [&'static str] {
    match arch {
        "i386" => &["i486", "i586", "geode", "i686", "athlon"],
        "x86_64" => &["ia32e", "amd64"],
        "ppc64" => &["ppc64pseries", "ppc64iseries"],
        "sparc64" => &["sparc64v", "sparc64v2"],
        "sparc" => &["sparcv8", "sparcv9", "sparcv9v", "sparcv9v2"],
        "armhfp" => &["armv7hl", "armv7hnl", "armv6hl", "armv6hnl"],
        "arm" => &["armv5tel", "armv5tejl", "armv6l", "armv7l"],
        "sh4" => &["sh4a"],
        _ => &[],
    }
}

/// The arches a merged repo for `arch` keeps: the arch, its multilib companion, their
/// sub-arches, noarch.
pub fn merge_archlist(arch: &str) -> Vec<String> {
    let mut out = vec![arch.to_owned()];
    out.extend(expand_arch(arch).iter().map(|a| (*a).to_owned()));
    let multilib = match arch {
        "x86_64" => Some("i386"),
        "ppc64" => Some("ppc"),
        "s390x" => Some("s390"),
        _ => None,
    };
    if let Some(m) = multilib {
        out.push(m.to_owned());
        out.extend(expand_arch(m).iter().map(|a| (*a).to_owned()));
    }
    out.push("noarch".to_owned());
    out
}

/// Koji's `is_debuginfo`.
fn is_debuginfo(name: &str) -> bool {
    name.ends_with("-debuginfo") || name.ends_with("-debugsource") || name.contains("-debuginfo-")
}

/// An rpm as the merge sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Rpm {
    pub name: String,
    pub epoch: u32,
    pub version: String,
    pub release: String,
    pub arch: String,
    /// The source rpm file name (`foo-1.0-1.fc19.src.rpm`).
    pub sourcerpm: String,
}

impl Rpm {
    /// `name-[epoch:]version-release.arch`.
    pub fn nevra(&self) -> String {
        if self.epoch == 0 {
            format!(
                "{}-{}-{}.{}",
                self.name, self.version, self.release, self.arch
            )
        } else {
            format!(
                "{}-{}:{}-{}.{}",
                self.name, self.epoch, self.version, self.release, self.arch
            )
        }
    }

    fn nvra(&self) -> (String, String, String, String) {
        (
            self.name.clone(),
            self.version.clone(),
            self.release.clone(),
            self.arch.clone(),
        )
    }

    /// The srpm name and version-release from the source rpm file name (rpmUtils'
    /// `splitFilename`); the rpm's own name when it has none.
    pub fn srpm(&self) -> (&str, &str, &str) {
        split_srpm(&self.sourcerpm).unwrap_or((&self.name, "", ""))
    }
}

/// `foo-1.0-1.fc19.src.rpm` -> (`foo`, `1.0`, `1.fc19`).
fn split_srpm(file: &str) -> Option<(&str, &str, &str)> {
    let base = file.strip_suffix(".rpm").unwrap_or(file);
    let (nvr, _arch) = base.rsplit_once('.')?;
    let (nv, release) = nvr.rsplit_once('-')?;
    let (name, version) = nv.rsplit_once('-')?;
    Some((name, version, release))
}

/// Where a package of the buildroot comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Origin {
    /// A Koji build, found in `tag` by the inheritance walk.
    Koji {
        tag_id: TagId,
        tag_name: String,
        build_id: i64,
        nvr: String,
    },
    /// An external repo, attached to `tag_name` (the root or an ancestor).
    External {
        repo_id: i64,
        repo_name: String,
        tag_name: String,
        #[serde(skip)]
        pkg: Option<PkgId>,
    },
}

impl Origin {
    /// A short label: `f19 (build foo-1.0-1.fc19)` or `dist-f19-updates`.
    pub fn label(&self) -> String {
        match self {
            Origin::Koji { tag_name, nvr, .. } => format!("{tag_name} (build {nvr})"),
            Origin::External { repo_name, .. } => repo_name.clone(),
        }
    }
}

/// One repo of the merge, in merge order (the Koji repo first).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlanRepo {
    pub name: String,
    /// The external repo's hub record (`None` for the Koji repo).
    pub external: Option<TagExternalRepo>,
    /// Whether its content was available; a repo that was not is merged as empty.
    pub loaded: bool,
    /// Packages it offered (before the arch filter).
    pub packages: usize,
}

/// Why a package is not in the buildroot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Reason {
    /// Its arch is not merged into this arch's repo.
    Arch,
    /// Its srpm name is blocked in the tag (the blocklist, modes koji and simple).
    Blocked { srpm_name: String },
    /// Mode koji: an earlier repo owns the srpm name, even if this rpm is newer.
    SrpmOwned {
        srpm_name: String,
        owner_repo: String,
        owner_srpm: String,
        /// The owner is the Koji repo (a Koji build of that name).
        by_koji_build: bool,
    },
    /// Mode koji: the same repo has a newer srpm of that name.
    OlderSrpm { srpm: String, newer_srpm: String },
    /// An earlier repo already gave this N-V-R.A (modes koji and bare).
    Duplicate { first_repo: String },
}

impl Reason {
    /// A sentence for people.
    pub fn describe(&self, mode: Option<MergeMode>) -> String {
        let mode = mode.map_or("", mode_name);
        match self {
            Reason::Arch => "its arch is not merged into this repo".to_owned(),
            Reason::Blocked { srpm_name } => {
                format!("srpm `{srpm_name}` is blocked in the tag (merge mode {mode})")
            }
            Reason::SrpmOwned {
                srpm_name,
                owner_repo,
                owner_srpm,
                by_koji_build,
            } => {
                let srpm = owner_srpm.strip_suffix(".src.rpm").unwrap_or(owner_srpm);
                let owner = if *by_koji_build {
                    format!("the Koji build {srpm}")
                } else {
                    format!("{owner_repo} ({srpm})")
                };
                format!(
                    "srpm `{srpm_name}` is taken by {owner}: merge mode {mode} keeps the first \
                     repo with an srpm name, even over newer versions"
                )
            }
            Reason::OlderSrpm { srpm, newer_srpm } => {
                format!("{srpm} is older than {newer_srpm} in the same repo (merge mode {mode})")
            }
            Reason::Duplicate { first_repo } => {
                format!("the same N-V-R.A comes first from {first_repo} (merge mode {mode})")
            }
        }
    }
}

/// The name kojid and the hub give a merge mode.
pub fn mode_name(mode: MergeMode) -> &'static str {
    match mode {
        MergeMode::Koji => "koji",
        MergeMode::Simple => "simple",
        MergeMode::Bare => "bare",
    }
}

/// A build of the package that inheritance passed over (`listTagged` latest rule).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PassedBuild {
    pub nvr: String,
    pub tag_name: String,
}

/// A package of the buildroot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RootPackage {
    pub rpm: Rpm,
    pub origin: Origin,
    /// Index into [`BuildrootPlan::repos`].
    pub repo: usize,
    /// Indexes into [`BuildrootPlan::removed`] of the packages of the same name this one
    /// stands in for.
    pub shadowed: Vec<usize>,
    /// For a Koji build: other builds of the package inheritance reached and passed over
    /// (the first tag with a build wins, then its most recently tagged build).
    pub inherited_over: Vec<PassedBuild>,
}

/// A package left out of the buildroot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Removed {
    pub rpm: Rpm,
    pub origin: Origin,
    pub repo: usize,
    pub reason: Reason,
    /// Index into [`BuildrootPlan::packages`] of the package of the same name that is in
    /// the buildroot instead, if any.
    pub replaced_by: Option<usize>,
}

/// The buildroot repo of a tag for one arch.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BuildrootPlan {
    pub tag: String,
    pub arch: String,
    /// The merge mode applied (`None`: no external repos, nothing merged).
    pub mode: Option<MergeMode>,
    /// The merge modes the external repos are configured with, in order of appearance.
    pub configured_modes: Vec<String>,
    /// Whether `mode` was asked for instead of the configured one (a what-if).
    pub mode_overridden: bool,
    /// The arches merged (empty when nothing is merged).
    pub archlist: Vec<String>,
    pub repos: Vec<PlanRepo>,
    /// By name, then arch, then merge order.
    pub packages: Vec<RootPackage>,
    /// In merge order.
    pub removed: Vec<Removed>,
    /// Builds a block in the package list keeps out (never reach the repo).
    pub blocked_builds: Vec<BlockedBuild>,
    /// Things the user must know: kojid refusing the merge, repos not loaded.
    pub warnings: Vec<String>,
}

/// An external repo with its packages in the pool (`None`: content not available).
pub type ExternalContent = (TagExternalRepo, Option<Vec<PkgId>>);

/// What [`assemble`] needs.
pub struct BuildrootInput<'a> {
    pub tag: &'a str,
    /// The repo arch (canonical, e.g. `x86_64`, `i386`).
    pub arch: &'a str,
    /// The hub's latest rpms with inheritance.
    pub rpms: &'a LatestRpms,
    /// The latest builds with what they passed over, when known.
    pub latest: Option<&'a LatestView>,
    /// Names blocked in the tag's package list (the hub's blocklist).
    pub blocklist: &'a [String],
    /// The external repos in `getExternalRepoList` order, each with its packages in `pool`
    /// (`None`: content not available).
    pub externals: &'a [ExternalContent],
    pub pool: &'a Pool,
    /// A merge mode to apply instead of the configured one.
    pub mode: Option<MergeMode>,
}

struct Cand {
    rpm: Rpm,
    origin: Origin,
    repo: usize,
}

/// The Koji repo of `arch` as `repoInit` writes its pkglist.
fn koji_candidates(input: &BuildrootInput<'_>) -> Vec<Cand> {
    let builds: HashMap<i64, &TaggedBuild> =
        input.rpms.builds.iter().map(|b| (b.build_id, b)).collect();
    let mut out = Vec::new();
    for r in &input.rpms.rpms {
        if is_debuginfo(&r.name) || r.arch == "src" || r.arch == "nosrc" {
            continue;
        }
        if r.arch != "noarch" && canon_arch(&r.arch) != input.arch {
            continue;
        }
        let Some(b) = builds.get(&r.build_id) else {
            continue; // the hub always sends the build; a partial answer loses the rpm
        };
        out.push(Cand {
            rpm: Rpm {
                name: r.name.clone(),
                epoch: r.epoch.and_then(|e| u32::try_from(e).ok()).unwrap_or(0),
                version: r.version.clone(),
                release: r.release.clone(),
                arch: r.arch.clone(),
                sourcerpm: format!("{}.src.rpm", b.nvr),
            },
            origin: Origin::Koji {
                tag_id: b.tag_id,
                tag_name: b.tag_name.clone(),
                build_id: b.build_id,
                nvr: b.nvr.clone(),
            },
            repo: 0,
        });
    }
    out
}

fn external_candidates(
    pool: &Pool,
    repo: &TagExternalRepo,
    ids: &[PkgId],
    index: usize,
) -> Vec<Cand> {
    ids.iter()
        .map(|&id| {
            let p = pool.pkg(id);
            Cand {
                rpm: Rpm {
                    name: pool.str(p.name).to_owned(),
                    epoch: p.epoch,
                    version: pool.str(p.version).to_owned(),
                    release: pool.str(p.release).to_owned(),
                    arch: pool.str(p.arch).to_owned(),
                    sourcerpm: pool.str(p.info.sourcerpm).to_owned(),
                },
                origin: Origin::External {
                    repo_id: repo.external_repo_id,
                    repo_name: repo.external_repo_name.clone(),
                    tag_name: repo.tag_name.clone(),
                    pkg: Some(id),
                },
                repo: index,
            }
        })
        .collect()
}

/// Assembles the buildroot repo.
pub fn assemble(input: &BuildrootInput<'_>) -> BuildrootPlan {
    let mut warnings = Vec::new();
    let mut repos = vec![PlanRepo {
        name: format!("{} (Koji builds)", input.tag),
        external: None,
        loaded: true,
        packages: 0,
    }];
    let mut cands = koji_candidates(input);
    repos[0].packages = cands.len();
    let mut configured: Vec<String> = Vec::new();
    for (repo, content) in input.externals {
        if !configured.contains(&repo.merge_mode) {
            configured.push(repo.merge_mode.clone());
        }
        let applies = repo
            .arches
            .as_deref()
            .is_none_or(|a| a.split_whitespace().any(|x| canon_arch(x) == input.arch));
        let index = repos.len();
        let mut n = 0;
        if applies && let Some(ids) = content {
            let c = external_candidates(input.pool, repo, ids, index);
            n = c.len();
            cands.extend(c);
        } else if applies {
            warnings.push(format!(
                "the content of external repo `{}` was not loaded: the buildroot lacks its packages",
                repo.external_repo_name
            ));
        }
        repos.push(PlanRepo {
            name: repo.external_repo_name.clone(),
            external: Some(repo.clone()),
            loaded: content.is_some(),
            packages: n,
        });
    }
    let configured_mode = match configured.as_slice() {
        [] => None,
        [one] => Some(MergeMode::parse(one).unwrap_or_else(|| {
            warnings.push(format!("unknown merge mode `{one}`: merged as `koji`"));
            MergeMode::Koji
        })),
        [first, ..] => {
            warnings.push(format!(
                "kojid refuses to merge external repos with different merge modes ({}): \
                 no repo can be made for this tag; shown merged as `{first}`",
                configured.join(", ")
            ));
            Some(MergeMode::parse(first).unwrap_or(MergeMode::Koji))
        }
    };
    let mode = if input.externals.is_empty() {
        None
    } else {
        input.mode.or(configured_mode)
    };
    let mode_overridden = mode.is_some() && input.mode.is_some() && input.mode != configured_mode;
    let archlist = if mode.is_some() {
        merge_archlist(input.arch)
    } else {
        Vec::new()
    };

    let names = |c: &Cand| repos[c.repo].name.clone();
    let mut keep: Vec<usize> = Vec::new();
    let mut removed: Vec<(usize, Reason)> = Vec::new();
    let allowed: Vec<bool> = cands
        .iter()
        .map(|c| mode.is_none() || archlist.contains(&c.rpm.arch))
        .collect();
    for (i, ok) in allowed.iter().enumerate() {
        if !ok {
            removed.push((i, Reason::Arch));
        }
    }
    let blocked: HashSet<&str> = input.blocklist.iter().map(String::as_str).collect();
    match mode {
        None => keep.extend(0..cands.len()),
        Some(MergeMode::Koji) => {
            // pass 1: which srpm each srpm name is taken from
            let mut owner: HashMap<String, (String, usize)> = HashMap::new();
            let mut seen: HashSet<&str> = HashSet::new();
            for (i, c) in cands.iter().enumerate() {
                if !allowed[i] || !seen.insert(c.rpm.sourcerpm.as_str()) {
                    continue;
                }
                let (name, ver, rel) = c.rpm.srpm();
                match owner.get(name) {
                    Some((other, repo)) if *repo == c.repo => {
                        let (_, over, orel) = split_srpm(other).unwrap_or((name, "", ""));
                        if Evr::new(0, ver, rel)
                            .cmp_full(&Evr::new(0, over, orel))
                            .is_gt()
                        {
                            owner.insert(name.to_owned(), (c.rpm.sourcerpm.clone(), c.repo));
                        }
                    }
                    Some(_) => {}
                    None if blocked.contains(name) => {}
                    None => {
                        owner.insert(name.to_owned(), (c.rpm.sourcerpm.clone(), c.repo));
                    }
                }
            }
            // pass 2: keep the rpms of the chosen srpms
            let mut given: HashMap<_, usize> = HashMap::new();
            for (i, c) in cands.iter().enumerate() {
                if !allowed[i] {
                    continue;
                }
                let (name, _, _) = c.rpm.srpm();
                if let Some(&first) = given.get(&c.rpm.nvra()) {
                    removed.push((
                        i,
                        Reason::Duplicate {
                            first_repo: names(&cands[first]),
                        },
                    ));
                    continue;
                }
                match owner.get(name) {
                    None => removed.push((
                        i,
                        Reason::Blocked {
                            srpm_name: name.to_owned(),
                        },
                    )),
                    Some((srpm, _)) if *srpm == c.rpm.sourcerpm => {
                        given.insert(c.rpm.nvra(), i);
                        keep.push(i);
                    }
                    Some((srpm, repo)) if *repo != c.repo => removed.push((
                        i,
                        Reason::SrpmOwned {
                            srpm_name: name.to_owned(),
                            owner_repo: repos[*repo].name.clone(),
                            owner_srpm: srpm.clone(),
                            by_koji_build: *repo == 0,
                        },
                    )),
                    Some((srpm, _)) => removed.push((
                        i,
                        Reason::OlderSrpm {
                            srpm: c.rpm.sourcerpm.clone(),
                            newer_srpm: srpm.clone(),
                        },
                    )),
                }
            }
        }
        Some(MergeMode::Simple) => {
            for (i, c) in cands.iter().enumerate() {
                if !allowed[i] {
                    continue;
                }
                let (name, _, _) = c.rpm.srpm();
                if blocked.contains(name) {
                    removed.push((
                        i,
                        Reason::Blocked {
                            srpm_name: name.to_owned(),
                        },
                    ));
                } else {
                    keep.push(i);
                }
            }
        }
        Some(MergeMode::Bare) => {
            let mut given: HashMap<_, usize> = HashMap::new();
            for (i, c) in cands.iter().enumerate() {
                if !allowed[i] {
                    continue;
                }
                if let Some(&first) = given.get(&c.rpm.nvra()) {
                    removed.push((
                        i,
                        Reason::Duplicate {
                            first_repo: names(&cands[first]),
                        },
                    ));
                } else {
                    given.insert(c.rpm.nvra(), i);
                    keep.push(i);
                }
            }
        }
    }

    // the kept packages, sorted, with what inheritance passed over
    keep.sort_by(|&a, &b| {
        let (x, y) = (&cands[a], &cands[b]);
        x.rpm
            .name
            .cmp(&y.rpm.name)
            .then_with(|| x.rpm.arch.cmp(&y.rpm.arch))
            .then_with(|| a.cmp(&b))
    });
    let passed: HashMap<i64, Vec<PassedBuild>> = input
        .latest
        .map(|v| {
            v.builds
                .iter()
                .map(|l| {
                    let over = l
                        .shadowed
                        .iter()
                        .map(|s| PassedBuild {
                            nvr: s.nvr.clone(),
                            tag_name: s.tag_name.clone(),
                        })
                        .collect();
                    (l.build.build_id, over)
                })
                .collect()
        })
        .unwrap_or_default();
    let mut packages: Vec<RootPackage> = keep
        .iter()
        .map(|&i| {
            let c = &cands[i];
            let inherited_over = match &c.origin {
                Origin::Koji { build_id, .. } => passed.get(build_id).cloned().unwrap_or_default(),
                Origin::External { .. } => Vec::new(),
            };
            RootPackage {
                rpm: c.rpm.clone(),
                origin: c.origin.clone(),
                repo: c.repo,
                shadowed: Vec::new(),
                inherited_over,
            }
        })
        .collect();
    removed.sort_by_key(|(i, _)| *i);
    let removed: Vec<Removed> = removed
        .into_iter()
        .enumerate()
        .map(|(k, (i, reason))| {
            let c = &cands[i];
            let same_arch = packages
                .iter()
                .position(|p| p.rpm.name == c.rpm.name && p.rpm.arch == c.rpm.arch);
            let replaced_by = if reason == Reason::Arch {
                None
            } else {
                same_arch.or_else(|| packages.iter().position(|p| p.rpm.name == c.rpm.name))
            };
            if let Some(p) = replaced_by {
                packages[p].shadowed.push(k);
            }
            Removed {
                rpm: c.rpm.clone(),
                origin: c.origin.clone(),
                repo: c.repo,
                reason,
                replaced_by,
            }
        })
        .collect();
    BuildrootPlan {
        tag: input.tag.to_owned(),
        arch: input.arch.to_owned(),
        mode,
        configured_modes: configured,
        mode_overridden,
        archlist,
        repos,
        packages,
        removed,
        blocked_builds: input.latest.map(|v| v.blocked.clone()).unwrap_or_default(),
        warnings,
    }
}

impl BuildrootPlan {
    /// Whether a package of this name is in the buildroot.
    pub fn has(&self, name: &str) -> bool {
        self.packages.iter().any(|p| p.rpm.name == name)
    }

    /// Whether every external repo's content was available.
    pub fn complete(&self) -> bool {
        self.repos.iter().all(|r| r.loaded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::pool::{NewPackage, SourceKind};
    use crate::model::tag::TaggedRpm;

    fn build(id: i64, nvr: &str, tag: &str) -> TaggedBuild {
        let (nv, release) = nvr.rsplit_once('-').unwrap();
        let (name, version) = nv.rsplit_once('-').unwrap();
        TaggedBuild {
            build_id: id,
            package_id: id,
            package_name: name.into(),
            version: version.into(),
            release: release.into(),
            epoch: None,
            nvr: nvr.into(),
            tag_id: TagId(2),
            tag_name: tag.into(),
            owner_name: "o".into(),
            create_event: 1,
            state: 1,
            completion_time: None,
            draft: false,
        }
    }

    fn rpm(build: &TaggedBuild, name: &str, arch: &str) -> TaggedRpm {
        TaggedRpm {
            id: 0,
            build_id: build.build_id,
            name: name.into(),
            epoch: None,
            version: build.version.clone(),
            release: build.release.clone(),
            arch: arch.into(),
            draft: false,
        }
    }

    fn ext(id: i64, name: &str, mode: &str) -> TagExternalRepo {
        TagExternalRepo {
            tag_id: TagId(4),
            tag_name: "f19-build".into(),
            external_repo_id: id,
            external_repo_name: name.into(),
            url: format!("http://x.invalid/{name}/$arch/"),
            priority: id,
            merge_mode: mode.into(),
            arches: None,
        }
    }

    /// (name, version, release, arch, srpm)
    type Pkg<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str);

    fn pool_of(repos: &[(&str, &[Pkg<'_>])]) -> (Pool, Vec<Vec<PkgId>>) {
        let mut pool = Pool::new("x86_64");
        let mut ids = Vec::new();
        for (name, pkgs) in repos {
            pool.add_repo(name, name, SourceKind::RpmMd);
            let mut v = Vec::new();
            for (n, ver, rel, arch, srpm) in *pkgs {
                let info = crate::model::package::PackageInfo {
                    sourcerpm: pool.intern(srpm),
                    ..Default::default()
                };
                let p = NewPackage {
                    name: n,
                    epoch: 0,
                    version: ver,
                    release: rel,
                    arch,
                    info,
                };
                v.push(pool.add_package(p, &Default::default()));
            }
            ids.push(v);
        }
        pool.build_indexes();
        (pool, ids)
    }

    fn plan(mode: Option<MergeMode>) -> BuildrootPlan {
        let foo = build(1, "foo-1.0-1.fc19", "f19");
        let rpms = LatestRpms {
            rpms: vec![
                rpm(&foo, "foo", "src"),
                rpm(&foo, "foo", "x86_64"),
                rpm(&foo, "foo", "i686"),
                rpm(&foo, "foo-debuginfo", "x86_64"),
            ],
            builds: vec![foo],
        };
        let (pool, ids) = pool_of(&[
            (
                "base",
                &[
                    ("foo", "1.0.5", "1", "x86_64", "foo-1.0.5-1.src.rpm"),
                    ("bash", "4.2", "1", "x86_64", "bash-4.2-1.src.rpm"),
                    ("vim", "7", "1", "x86_64", "vim-7-1.src.rpm"),
                    ("vim", "7", "2", "x86_64", "vim-7-2.src.rpm"),
                    ("sendmail", "8", "1", "x86_64", "sendmail-8-1.src.rpm"),
                    ("zipl", "1", "1", "s390x", "zipl-1-1.src.rpm"),
                ],
            ),
            (
                "updates",
                &[
                    ("foo", "1.1", "1", "x86_64", "foo-1.1-1.src.rpm"),
                    ("foo-libs", "1.1", "1", "x86_64", "foo-1.1-1.src.rpm"),
                    ("bash", "4.3", "1", "x86_64", "bash-4.3-1.src.rpm"),
                    ("bash", "4.2", "1", "x86_64", "bash-4.2-1.src.rpm"),
                    ("glibc", "2", "1", "i686", "glibc-2-1.src.rpm"),
                ],
            ),
        ]);
        let externals = vec![
            (ext(1, "base", "koji"), Some(ids[0].clone())),
            (ext(2, "updates", "koji"), Some(ids[1].clone())),
        ];
        let blocklist = vec!["sendmail".to_owned()];
        assemble(&BuildrootInput {
            tag: "f19-build",
            arch: "x86_64",
            rpms: &rpms,
            latest: None,
            blocklist: &blocklist,
            externals: &externals,
            pool: &pool,
            mode,
        })
    }

    fn kept(p: &BuildrootPlan) -> Vec<String> {
        p.packages.iter().map(|p| p.rpm.nevra()).collect()
    }

    #[test]
    fn koji_mode_first_srpm_name_wins() {
        let p = plan(None);
        assert_eq!(p.mode, Some(MergeMode::Koji));
        assert!(!p.mode_overridden);
        // the Koji i686 rpm is not in the x86_64 Koji repo (canonArch), debuginfo never
        assert_eq!(
            kept(&p),
            [
                "bash-4.2-1.x86_64",
                "foo-1.0-1.fc19.x86_64",
                "glibc-2-1.i686",
                "vim-7-2.x86_64"
            ]
        );
        let foo = &p.packages[1];
        assert_eq!(foo.origin.label(), "f19 (build foo-1.0-1.fc19)");
        let shadowed: Vec<_> = foo
            .shadowed
            .iter()
            .map(|&i| p.removed[i].rpm.nevra())
            .collect();
        assert_eq!(shadowed, ["foo-1.0.5-1.x86_64", "foo-1.1-1.x86_64"]);
        let libs = p.removed.iter().find(|r| r.rpm.name == "foo-libs").unwrap();
        assert_eq!(libs.replaced_by, None);
        assert!(
            matches!(&libs.reason, Reason::SrpmOwned { owner_repo, .. } if owner_repo == "f19-build (Koji builds)")
        );
        let why = |n: &str, v: &str| {
            p.removed
                .iter()
                .find(|r| r.rpm.name == n && r.rpm.version == v)
                .map(|r| r.reason.clone())
        };
        assert!(matches!(why("sendmail", "8"), Some(Reason::Blocked { .. })));
        assert!(matches!(why("zipl", "1"), Some(Reason::Arch)));
        assert!(matches!(why("vim", "7"), Some(Reason::OlderSrpm { .. })));
        // updates' bash 4.2-1 is the same N-V-R.A as base's; 4.3 loses to base's srpm
        assert!(matches!(why("bash", "4.3"), Some(Reason::SrpmOwned { .. })));
        let dups = p
            .removed
            .iter()
            .filter(|r| matches!(r.reason, Reason::Duplicate { .. }))
            .count();
        assert_eq!(dups, 1);
        assert!(p.has("glibc") && !p.has("foo-libs") && p.complete());
    }

    #[test]
    fn bare_keeps_every_version_and_ignores_blocks() {
        let p = plan(Some(MergeMode::Bare));
        assert!(p.mode_overridden);
        let k = kept(&p);
        assert!(k.contains(&"foo-1.1-1.x86_64".to_owned()));
        assert!(k.contains(&"foo-libs-1.1-1.x86_64".to_owned()));
        assert!(k.contains(&"sendmail-8-1.x86_64".to_owned()));
        assert_eq!(k.iter().filter(|n| n.starts_with("bash-")).count(), 2);
        assert!(!k.iter().any(|n| n.starts_with("zipl")));
    }

    #[test]
    fn simple_only_applies_the_blocklist() {
        let p = plan(Some(MergeMode::Simple));
        let k = kept(&p);
        assert!(!k.iter().any(|n| n.starts_with("sendmail")));
        // identical N-V-R.As are all kept
        assert_eq!(k.iter().filter(|n| *n == "bash-4.2-1.x86_64").count(), 2);
    }

    #[test]
    fn mixed_modes_and_missing_content_are_warned() {
        let rpms = LatestRpms::default();
        let (pool, _) = pool_of(&[]);
        let externals = vec![(ext(1, "a", "koji"), None), (ext(2, "b", "bare"), None)];
        let p = assemble(&BuildrootInput {
            tag: "t",
            arch: "x86_64",
            rpms: &rpms,
            latest: None,
            blocklist: &[],
            externals: &externals,
            pool: &pool,
            mode: None,
        });
        assert_eq!(p.mode, Some(MergeMode::Koji));
        assert_eq!(p.warnings.len(), 3, "{:?}", p.warnings);
        assert!(p.warnings[2].contains("kojid refuses"));
        assert!(!p.complete());
    }

    #[test]
    fn arches() {
        assert_eq!(canon_arch("i686"), "i386");
        assert_eq!(canon_arch("amd64"), "x86_64");
        let l = merge_archlist("x86_64");
        assert!(l.contains(&"i686".to_owned()) && l.contains(&"noarch".to_owned()));
        assert!(!l.contains(&"src".to_owned()));
        assert_eq!(
            split_srpm("a-b-1.0-1.fc19.src.rpm"),
            Some(("a-b", "1.0", "1.fc19"))
        );
        assert_eq!(split_srpm("junk"), None);
    }
}
