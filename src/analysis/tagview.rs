//! Everything inheritance gives one tag, computed once for the CLI's `koji taginfo`,
//! `buildroot` and `lint` and for the TUI's Tags view: the walk, the package list with
//! blocks, the latest builds, external repos in merge order, effective groups and build
//! config; the buildroot arch; the buildroot plan and every lint.

use super::buildroot::{self, BuildrootInput, BuildrootPlan, ExternalContent};
use super::inherit::{self, BuildConfig, InheritError, LatestView};
use super::lint::{self, Lint};
use crate::model::pool::Pool;
use crate::model::tag::{
    InheritanceEntry, MergeMode, PackageEntry, TagExternalRepo, TagGroup, TagTree,
};

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
