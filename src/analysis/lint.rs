//! Lints on a Koji build tag: the mistakes the people who run Koji have been burnt by
//! (JOURNEYS.md journey 2, seeds 001 and 004), each with the data that shows it.
//!
//! - [`tag_lints`] needs only the tag tree: external repos inherited through parents (the
//!   "f18-build inherited f17's and f16's external repos" story) and repos of an older
//!   release, merge modes kojid refuses to mix, a build tag without arches, blocks that a
//!   package listing earlier in the walk makes useless or that hide a listing of another
//!   parent, and blocked group entries.
//! - [`group_lints`] checks the buildroot groups (`build`, `srpm-build`) on their own:
//!   members that pull heavy tools (`fedpkg` pulls `mock`, which breaks buildroots with
//!   its users and groups) and essentials they lack (`tar`, rhbz#794675).
//! - [`buildroot_lints`] checks the groups against an assembled buildroot: members no
//!   package of the buildroot has, and requirement chains from a member to a heavy tool.
//!
//! Release numbers are read from names (`f18`, `fc17`, `el5`, `epel5`) and external repo
//! URLs (`releases/17/`, `updates/17/`): a heuristic, so it says "looks like".

use std::collections::{HashMap, HashSet, VecDeque};

use serde::Serialize;

use super::buildroot::{BuildrootPlan, Origin};
use super::inherit::BuildConfig;
use crate::model::package::{DepKind, PkgId};
use crate::model::pool::Pool;
use crate::model::tag::{InheritanceEntry, PackageEntry, TagExternalRepo, TagGroup, TagTree};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Koji cannot build in this tag as configured.
    Error,
    /// Probably not what the admin wants.
    Warning,
    /// Worth knowing.
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Lint {
    /// A stable name (`inherited-external-repos`, ...).
    pub code: &'static str,
    pub severity: Severity,
    /// What it is about: a repo, a package, a group.
    pub subject: String,
    pub message: String,
}

fn lint(code: &'static str, severity: Severity, subject: &str, message: String) -> Lint {
    Lint {
        code,
        severity,
        subject: subject.to_owned(),
        message,
    }
}

/// Packages that make a buildroot heavy or broken, and why.
pub const HEAVY_TOOLS: &[(&str, &str)] = &[(
    "mock",
    "mock inside a buildroot brings its own users and groups (conflicting group ids); \
     use fedpkg-minimal instead of fedpkg",
)];

/// Packages every `build`/`srpm-build` group needs, and why.
pub const ESSENTIALS: &[(&str, &str)] = &[(
    "tar",
    "rpmbuild unpacks sources with it, and libtoolize fails without it (rhbz#794675)",
)];

const BUILD_GROUPS: &[&str] = &["build", "srpm-build"];

/// The release number a tag or repo name (or URL) mentions.
pub fn release_of(text: &str) -> Option<u32> {
    use std::sync::OnceLock;
    static NAME: OnceLock<Option<regex::Regex>> = OnceLock::new();
    static URL: OnceLock<Option<regex::Regex>> = OnceLock::new();
    let lower = text.to_ascii_lowercase();
    let name = NAME.get_or_init(|| {
        regex::Regex::new(r"(?:^|[^a-z])(?:fc|f|el|epel|rhel|fedora)-?([0-9]{1,2})(?:[^0-9]|$)")
            .ok()
    });
    let url = URL.get_or_init(|| {
        regex::Regex::new(r"/(?:releases|updates)/(?:test/)?([0-9]{1,2})(?:[^0-9]|$)").ok()
    });
    [url, name]
        .into_iter()
        .filter_map(|re| re.as_ref())
        .find_map(|re| re.captures(&lower)?.get(1)?.as_str().parse().ok())
}

/// The path of tag names from the root to each walk entry.
fn walk_paths(root: &str, walk: &[InheritanceEntry]) -> Vec<Vec<String>> {
    let mut stack: Vec<String> = vec![root.to_owned()];
    walk.iter()
        .map(|e| {
            let depth = usize::try_from(e.currdepth).unwrap_or(1).max(1);
            stack.truncate(depth);
            stack.push(e.name.clone());
            stack.clone()
        })
        .collect()
}

/// Lints that need only the tag tree and what inheritance computes from it.
pub fn tag_lints(
    tree: &TagTree,
    walk: &[InheritanceEntry],
    packages: &[PackageEntry],
    repos: &[TagExternalRepo],
    config: Option<&BuildConfig>,
) -> Vec<Lint> {
    let mut out = Vec::new();
    let root = tree.name_of(tree.root).unwrap_or_default().to_owned();
    let paths = walk_paths(&root, walk);
    let path_to = |tag: &str| {
        walk.iter()
            .position(|e| e.name == tag)
            .map(|i| paths[i].join(" -> "))
            .unwrap_or_else(|| tag.to_owned())
    };

    // external repos inherited from ancestors
    let ancestors: Vec<&str> = {
        let mut v: Vec<&str> = repos
            .iter()
            .filter(|r| r.tag_id != tree.root)
            .map(|r| r.tag_name.as_str())
            .collect();
        v.dedup();
        v
    };
    let severity = if ancestors.len() > 1 {
        Severity::Warning
    } else {
        Severity::Info
    };
    for r in repos.iter().filter(|r| r.tag_id != tree.root) {
        out.push(lint(
            "inherited-external-repo",
            severity,
            &r.external_repo_name,
            format!(
                "`{root}` inherits external repo `{}` from `{}` ({}){}",
                r.external_repo_name,
                r.tag_name,
                path_to(&r.tag_name),
                if ancestors.len() > 1 {
                    format!(
                        "; external repos come from {} ancestors: {}",
                        ancestors.len(),
                        ancestors.join(", ")
                    )
                } else {
                    String::new()
                }
            ),
        ));
    }
    if let Some(mine) = release_of(&root) {
        for r in repos {
            let theirs = release_of(&r.external_repo_name).or_else(|| release_of(&r.url));
            if let Some(theirs) = theirs.filter(|t| *t < mine) {
                out.push(lint(
                    "old-release-external-repo",
                    Severity::Warning,
                    &r.external_repo_name,
                    format!(
                        "external repo `{}` (from `{}`) looks like release {theirs}, older than \
                         `{root}` (release {mine})",
                        r.external_repo_name, r.tag_name
                    ),
                ));
            }
        }
    }
    let mut modes: Vec<&str> = Vec::new();
    for r in repos {
        if !modes.contains(&r.merge_mode.as_str()) {
            modes.push(&r.merge_mode);
        }
    }
    if modes.len() > 1 {
        out.push(lint(
            "mixed-merge-modes",
            Severity::Error,
            &root,
            format!(
                "the external repos of `{root}` mix merge modes ({}): kojid refuses to make its repo",
                modes.join(", ")
            ),
        ));
    }

    // a build tag without arches
    let is_build_tag = tree
        .targets
        .as_deref()
        .unwrap_or_default()
        .iter()
        .any(|t| t.build_tag == tree.root);
    if let Some(cfg) = config
        && is_build_tag
        && cfg.arch_list().is_empty()
    {
        out.push(lint(
            "build-tag-without-arches",
            Severity::Error,
            &root,
            format!("`{root}` is the build tag of a target but has no arches: its repo is empty"),
        ));
    }

    // blocks against listings in other branches of the walk (a block of a package that an
    // ancestor of the blocking tag lists is what blocks are for)
    let first_path = |tag: &str| -> Vec<String> {
        walk.iter()
            .position(|e| e.name == tag)
            .map(|i| paths[i].clone())
            .unwrap_or_else(|| vec![root.clone()])
    };
    let related = |a: &str, b: &str| {
        a == root
            || b == root
            || first_path(a).iter().any(|t| t == b)
            || first_path(b).iter().any(|t| t == a)
    };
    let winners: HashMap<i64, &PackageEntry> = packages.iter().map(|p| (p.package_id, p)).collect();
    let mut seen_tags = HashSet::new();
    let mut reported = HashSet::new();
    let own = |tag| {
        tree.data(tag)
            .and_then(|d| d.packages.as_deref())
            .unwrap_or_default()
    };
    for tag in std::iter::once(tree.root).chain(walk.iter().map(|e| e.tag)) {
        if !seen_tags.insert(tag) {
            continue;
        }
        for p in own(tag) {
            let Some(w) = winners.get(&p.package_id) else {
                continue;
            };
            if w.tag_id == p.tag_id
                || w.blocked == p.blocked
                || related(&w.tag_name, &p.tag_name)
                || !reported.insert((p.package_id, p.tag_id))
            {
                continue;
            }
            if w.blocked {
                out.push(lint(
                    "blocked-but-listed",
                    Severity::Warning,
                    &p.package_name,
                    format!(
                        "`{}` is blocked in `{}` ({}) but listed in `{}` ({}), another branch: \
                         the block wins",
                        p.package_name,
                        w.tag_name,
                        path_to(&w.tag_name),
                        p.tag_name,
                        path_to(&p.tag_name)
                    ),
                ));
            } else {
                out.push(lint(
                    "block-without-effect",
                    Severity::Info,
                    &p.package_name,
                    format!(
                        "`{}` is blocked in `{}` but `{}`, another branch, lists it first: the \
                         block does not apply to `{root}`",
                        p.package_name, p.tag_name, w.tag_name
                    ),
                ));
            }
        }
    }

    // blocked group entries
    for g in tree.groups.as_deref().unwrap_or_default() {
        let tag = |id| tree.name_of(id).unwrap_or("?").to_owned();
        if g.blocked {
            out.push(lint(
                "blocked-group",
                Severity::Info,
                &g.name,
                format!("group `{}` is blocked in `{}`", g.name, tag(g.tag_id)),
            ));
        }
        for p in g.packages.iter().filter(|p| p.blocked) {
            out.push(lint(
                "blocked-group-entry",
                Severity::Info,
                &p.package,
                format!(
                    "`{}` is blocked in group `{}` (at `{}`)",
                    p.package,
                    g.name,
                    tag(p.tag_id)
                ),
            ));
        }
    }
    out
}

/// Lints on the effective buildroot groups alone (by package name).
pub fn group_lints(groups: &[TagGroup]) -> Vec<Lint> {
    let mut out = Vec::new();
    for g in groups
        .iter()
        .filter(|g| BUILD_GROUPS.contains(&g.name.as_str()))
    {
        let has = |n: &str| g.packages.iter().any(|p| p.package == n);
        for p in &g.packages {
            if p.package == "fedpkg" {
                out.push(lint(
                    "group-pulls-heavy-tool",
                    Severity::Warning,
                    &g.name,
                    format!(
                        "group `{}` contains `fedpkg`, which pulls `mock` into the buildroot: {}",
                        g.name, HEAVY_TOOLS[0].1
                    ),
                ));
            }
            if let Some((tool, why)) = HEAVY_TOOLS.iter().find(|(t, _)| *t == p.package) {
                out.push(lint(
                    "group-pulls-heavy-tool",
                    Severity::Warning,
                    &g.name,
                    format!("group `{}` contains `{tool}`: {why}", g.name),
                ));
            }
        }
        for (pkg, why) in ESSENTIALS {
            if !has(pkg) {
                out.push(lint(
                    "group-lacks-essential",
                    Severity::Warning,
                    &g.name,
                    format!("group `{}` lacks `{pkg}`: {why}", g.name),
                ));
            }
        }
    }
    out
}

/// Lints of the effective buildroot groups against an assembled buildroot.
pub fn buildroot_lints(plan: &BuildrootPlan, groups: &[TagGroup], pool: &Pool) -> Vec<Lint> {
    let mut out = Vec::new();
    let kept: HashSet<PkgId> = plan
        .packages
        .iter()
        .filter_map(|p| match p.origin {
            Origin::External { pkg, .. } => pkg,
            Origin::Koji { .. } => None,
        })
        .collect();
    let incomplete: Vec<&str> = plan
        .repos
        .iter()
        .filter(|r| !r.loaded)
        .map(|r| r.name.as_str())
        .collect();
    for g in groups
        .iter()
        .filter(|g| BUILD_GROUPS.contains(&g.name.as_str()))
    {
        let missing: Vec<&str> = g
            .packages
            .iter()
            .map(|p| p.package.as_str())
            .filter(|p| !plan.has(p))
            .collect();
        if incomplete.is_empty() {
            for m in &missing {
                out.push(lint(
                    "group-member-missing",
                    Severity::Warning,
                    m,
                    format!(
                        "`{m}` of group `{}` is in no repo of the {} buildroot for {}",
                        g.name, plan.tag, plan.arch
                    ),
                ));
            }
        } else if !missing.is_empty() {
            out.push(lint(
                "group-member-unchecked",
                Severity::Info,
                &g.name,
                format!(
                    "{} members of group `{}` are in no loaded repo of the {} buildroot for {} \
                     (not loaded: {}): {}",
                    missing.len(),
                    g.name,
                    plan.tag,
                    plan.arch,
                    incomplete.join(", "),
                    missing.join(", ")
                ),
            ));
        }
        for p in &g.packages {
            // a requirement chain to a heavy tool (fedpkg itself is named by group_lints)
            if p.package == "fedpkg" || HEAVY_TOOLS.iter().any(|(t, _)| *t == p.package) {
                continue;
            }
            if let Some(chain) = chain_to_heavy(pool, &kept, &p.package) {
                out.push(lint(
                    "group-pulls-heavy-tool",
                    Severity::Warning,
                    &g.name,
                    format!(
                        "group `{}`: `{}` pulls {} into the buildroot",
                        g.name,
                        p.package,
                        chain.join(" -> ")
                    ),
                ));
            }
        }
    }
    out
}

/// The shortest requirement chain (package names) from the buildroot packages named
/// `start` to a heavy tool, through buildroot packages only.
fn chain_to_heavy(pool: &Pool, kept: &HashSet<PkgId>, start: &str) -> Option<Vec<String>> {
    let heavy = |id: PkgId| HEAVY_TOOLS.iter().any(|(t, _)| *t == pool.name(id));
    let mut parent: HashMap<PkgId, Option<PkgId>> = HashMap::new();
    let mut queue = VecDeque::new();
    for &id in pool.by_name(start) {
        if kept.contains(&id) && !heavy(id) {
            parent.insert(id, None);
            queue.push_back(id);
        }
    }
    while let Some(id) = queue.pop_front() {
        for dep in pool.deps_of(id, DepKind::Requires) {
            for q in pool.whatprovides(dep) {
                if !kept.contains(&q) || parent.contains_key(&q) {
                    continue;
                }
                parent.insert(q, Some(id));
                if heavy(q) {
                    let mut chain = vec![pool.name(q).to_owned()];
                    let mut cur = Some(id);
                    while let Some(c) = cur {
                        chain.push(pool.name(c).to_owned());
                        cur = parent.get(&c).copied().flatten();
                    }
                    chain.reverse();
                    return Some(chain);
                }
                queue.push_back(q);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tag::{GroupPackage, TagId};

    fn group(name: &str, pkgs: &[&str]) -> TagGroup {
        TagGroup {
            group_id: 1,
            name: name.into(),
            tag_id: TagId(1),
            blocked: false,
            display_name: name.into(),
            exported: true,
            is_default: None,
            uservisible: true,
            description: None,
            langonly: None,
            biarchonly: false,
            packages: pkgs
                .iter()
                .map(|p| GroupPackage {
                    package: (*p).into(),
                    tag_id: TagId(1),
                    blocked: false,
                    kind: "mandatory".into(),
                    basearchonly: None,
                    requires: None,
                })
                .collect(),
            requires: vec![],
        }
    }

    #[test]
    fn releases_from_names_and_urls() {
        assert_eq!(release_of("f18-build"), Some(18));
        assert_eq!(release_of("dist-f19-updates"), Some(19));
        assert_eq!(release_of("f17-ga-external-repo"), Some(17));
        assert_eq!(release_of("dist-epel5-centos5-repo"), Some(5));
        assert_eq!(
            release_of("http://m.invalid/fedora/linux/releases/17/Everything/"),
            Some(17)
        );
        assert_eq!(release_of("buildsys"), None);
        assert_eq!(release_of("x86_64"), None);
    }

    #[test]
    fn fedpkg_and_missing_tar_are_flagged() {
        let lints = group_lints(&[
            group("srpm-build", &["bash", "fedpkg", "rpm-build"]),
            group("build", &["bash", "tar"]),
            group("other", &["fedpkg"]),
        ]);
        let codes: Vec<_> = lints.iter().map(|l| (l.code, l.subject.as_str())).collect();
        assert_eq!(
            codes,
            [
                ("group-pulls-heavy-tool", "srpm-build"),
                ("group-lacks-essential", "srpm-build")
            ]
        );
        assert!(lints[0].message.contains("mock"));
    }

    #[test]
    fn paths_follow_depth() {
        let e = |name: &str, d| InheritanceEntry {
            link: crate::model::tag::InheritanceLink {
                child: TagId(0),
                child_name: String::new(),
                parent: TagId(0),
                parent_name: String::new(),
                priority: 0,
                maxdepth: None,
                intransitive: false,
                noconfig: false,
                pkg_filter: String::new(),
            },
            tag: TagId(0),
            name: name.into(),
            currdepth: d,
            nextdepth: None,
            filter: vec![],
        };
        let p = walk_paths("r", &[e("a", 1), e("b", 2), e("c", 1)]);
        assert_eq!(p[1], ["r", "a", "b"]);
        assert_eq!(p[2], ["r", "c"]);
    }
}
