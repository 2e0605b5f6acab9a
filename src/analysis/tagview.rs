//! Everything inheritance gives one tag, computed once for the CLI's `koji taginfo`,
//! `buildroot` and `lint` and for the TUI's Tags view: the walk, the package list with
//! blocks, the latest builds, external repos in merge order, effective groups and build
//! config; the buildroot arch; the buildroot plan and every lint.

use std::fmt::Write as _;

use super::buildroot::{self, BuildrootInput, BuildrootPlan, ExternalContent};
use super::inherit::{self, BuildConfig, InheritError, LatestView};
use super::install::{Explanation, Root, Transaction, simulate_install};
use super::lint::{self, Lint};
use crate::model::package::{PkgId, Reldep};
use crate::model::pool::Pool;
use crate::model::tag::{
    InheritanceEntry, MergeMode, PackageEntry, TagExternalRepo, TagGroup, TagTree,
};

/// A group installed into a tag's buildroot (see [`TagView::install_group`]).
pub struct GroupInstall {
    pub group: String,
    /// Members that no buildroot package has.
    pub missing: Vec<String>,
    /// Members the buildroot has only as Koji builds, whose dependencies are not known
    /// (left out of the simulation).
    pub koji_only: Vec<String>,
    pub result: Result<Transaction, Explanation>,
}

/// What inheritance gives a tag.
pub struct TagView {
    pub tree: TagTree,
    pub walk: Vec<InheritanceEntry>,
    pub packages: Vec<PackageEntry>,
    pub latest: LatestView,
    pub repos: Vec<TagExternalRepo>,
    pub groups: Vec<TagGroup>,
    pub config: BuildConfig,
}

impl TagView {
    /// Compute the view of the tree's root tag.
    pub fn new(tree: TagTree) -> Result<TagView, InheritError> {
        let walk = inherit::tree_inheritance(&tree)?;
        let packages = inherit::package_list(&tree, &walk)?;
        let latest = inherit::latest_builds(&tree, &walk, &packages)?;
        let repos = inherit::external_repos(&tree, &walk)?;
        let groups = inherit::effective_groups(tree.groups.as_deref().unwrap_or_default());
        let config = inherit::build_config(&tree, &walk)?;
        Ok(TagView {
            tree,
            walk,
            packages,
            latest,
            repos,
            groups,
            config,
        })
    }

    /// The buildroot arches of the build config (canonical, without `src`/`noarch`).
    pub fn arches(&self) -> Vec<&str> {
        self.config
            .arch_list()
            .into_iter()
            .map(buildroot::canon_arch)
            .filter(|a| *a != "src" && *a != "noarch")
            .collect()
    }

    /// The buildroot arch: `asked` (when the tag has it), or the first of the build config.
    pub fn pick_arch(&self, asked: Option<&str>) -> Result<String, String> {
        let arches = self.arches();
        match asked {
            Some(a) => {
                let a = buildroot::canon_arch(a);
                if arches.contains(&a) {
                    Ok(a.to_owned())
                } else {
                    Err(format!(
                        "`{}` has no repo for arch `{a}` (its arches: {})",
                        self.config.tag.name,
                        if arches.is_empty() {
                            "none".to_owned()
                        } else {
                            arches.join(" ")
                        }
                    ))
                }
            }
            None => arches.first().map(|a| (*a).to_owned()).ok_or_else(|| {
                format!(
                    "`{}` has no arches: Koji makes no buildroot repo for it",
                    self.config.tag.name
                )
            }),
        }
    }

    /// The blocked package names (the blocklist kojid hands to mergerepo_c).
    pub fn blocklist(&self) -> Vec<String> {
        self.packages
            .iter()
            .filter(|p| p.blocked)
            .map(|p| p.package_name.clone())
            .collect()
    }

    /// The buildroot repo for `arch` as kojid merges it, with the external repos'
    /// content in `pool`; `mode` overrides the configured merge mode.
    pub fn plan(
        &self,
        arch: &str,
        pool: &Pool,
        externals: &[ExternalContent],
        mode: Option<MergeMode>,
    ) -> Result<BuildrootPlan, String> {
        let rpms = self
            .tree
            .rpms
            .as_ref()
            .ok_or("the tag's rpms were not loaded")?;
        let blocklist = self.blocklist();
        Ok(buildroot::assemble(&BuildrootInput {
            tag: &self.config.tag.name,
            arch,
            rpms,
            latest: Some(&self.latest),
            blocklist: &blocklist,
            externals,
            pool,
            mode,
        }))
    }

    /// Simulate installing a group of the tag (`build`, `srpm-build`) into an empty
    /// buildroot, as mock does at the start of every build: the group's packages (not
    /// blocked) from the buildroot's packages whose metadata the external repos' `pool`
    /// holds. Returns the members no buildroot package has, and the transaction or the
    /// derivation of why it fails. Koji builds count only through their metadata in the
    /// pool (the external repos'); a build known only by its NVR cannot be solved for.
    pub fn install_group(
        &self,
        group: &str,
        plan: &BuildrootPlan,
        pool: &Pool,
    ) -> Result<GroupInstall, String> {
        let g = self
            .groups
            .iter()
            .find(|g| g.name == group && !g.blocked)
            .ok_or_else(|| format!("`{}` has no group `{group}`", self.config.tag.name))?;
        let mut available = vec![false; pool.len()];
        for p in &plan.packages {
            if let buildroot::Origin::External { pkg: Some(id), .. } = &p.origin
                && let Some(a) = available.get_mut(id.index())
            {
                *a = true;
            }
        }
        let mut roots = Vec::new();
        let mut missing = Vec::new();
        let mut koji_only = Vec::new();
        for m in g.packages.iter().filter(|m| !m.blocked) {
            if plan.packages.iter().any(|p| {
                p.rpm.name == m.package && matches!(p.origin, buildroot::Origin::Koji { .. })
            }) {
                koji_only.push(m.package.clone());
                continue;
            }
            let found: Vec<PkgId> = pool
                .by_name(&m.package)
                .iter()
                .copied()
                .filter(|p| available[p.index()])
                .collect();
            match found.as_slice() {
                [] => missing.push(m.package.clone()),
                [one] => roots.push(Root::Pkg(*one)),
                _ => match pool.strings.get(&m.package) {
                    Some(sym) => roots.push(Root::Dep(Reldep::unversioned(sym))),
                    None => missing.push(m.package.clone()),
                },
            }
        }
        let result = simulate_install(pool, &roots, &[], &available);
        Ok(GroupInstall {
            group: g.name.clone(),
            missing,
            koji_only,
            result,
        })
    }

    /// Every lint of the tag: inheritance, external repos, blocks, groups, and (given the
    /// buildroot plan) what the groups need that the buildroot lacks. Errors first.
    pub fn lints(&self, plan: Option<(&BuildrootPlan, &Pool)>) -> Vec<Lint> {
        let mut lints = lint::tag_lints(
            &self.tree,
            &self.walk,
            &self.packages,
            &self.repos,
            Some(&self.config),
        );
        lints.extend(lint::group_lints(&self.groups));
        if let Some((plan, pool)) = plan {
            lints.extend(lint::buildroot_lints(plan, &self.groups, pool));
        }
        lints.sort_by_key(|l| l.severity);
        lints
    }
}

/// `koji list-tag-inheritance` text: the root line, then one line per entry with the
/// flags (`M` maxdepth, `F` filter, `I` intransitive, `N` noconfig) and the tree drawing.
pub fn render_inheritance(
    root_name: &str,
    root_id: i64,
    entries: &[InheritanceEntry],
    reverse: bool,
) -> String {
    let mut s = format!("     {root_name} ({root_id})\n");
    let mut sibdepths: Vec<i64> = Vec::new();
    let spaces = |n: i64| " ".repeat(usize::try_from(n).unwrap_or(0));
    for (i, cur) in entries.iter().enumerate() {
        let siblings = entries[i + 1..]
            .iter()
            .filter(|t| {
                if reverse {
                    t.link.parent == cur.link.parent
                } else {
                    t.link.child == cur.link.child
                }
            })
            .count();
        let l = &cur.link;
        for (on, c) in [
            (l.maxdepth.is_some(), 'M'),
            (!l.pkg_filter.is_empty(), 'F'),
            (l.intransitive, 'I'),
            (l.noconfig, 'N'),
        ] {
            s.push(if on { c } else { '.' });
        }
        let mut outdepth = 0;
        for &depth in &sibdepths {
            if depth < cur.currdepth {
                s.push_str(&spaces((depth - outdepth) * 3 - 1));
                s.push('\u{2502}');
                outdepth = depth;
            }
        }
        s.push_str(&spaces((cur.currdepth - outdepth) * 3 - 1));
        s.push(if siblings > 0 { '\u{251c}' } else { '\u{2514}' });
        s.push('\u{2500}');
        let _ = writeln!(s, "{} ({})", cur.name, cur.tag);
        if siblings > 0 {
            if sibdepths.last() != Some(&cur.currdepth) {
                sibdepths.push(cur.currdepth);
            }
        } else if sibdepths.last() == Some(&cur.currdepth) {
            sibdepths.pop();
        }
    }
    s
}
