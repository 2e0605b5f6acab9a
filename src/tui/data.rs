//! What the TUI shows, once loaded: the pool with the extra indexes an interactive
//! front end needs (a sorted package order, NEVRA strings to filter on, reverse
//! dependencies), and load problems as plain text. Built on a worker thread, then
//! shared read-only (`Arc<Catalog>`) by the views and the jobs.

use super::modules::ModulesPage;
use crate::analysis::closure::dnf_order;
use crate::analysis::reverse::ReverseIndex;
use crate::model::module::ModuleIndex;
use crate::model::package::{DepKind, PkgId, RepoId};
use crate::model::pool::Pool;
use crate::text::sanitize_line;

pub struct Catalog {
    pub pool: Pool,
    /// Every package in dnf's order (name, EVR, arch).
    pub order: Vec<PkgId>,
    /// Per package (by `PkgId`): its NEVRA, sanitised for display.
    pub nevra: Vec<Box<str>>,
    /// Per package: the NEVRA in lower case, for case-insensitive filtering.
    pub lower: Vec<Box<str>>,
    pub rev: ReverseIndex,
    /// Module metadata per repository, and the Modules view built from it.
    pub module_indexes: Vec<(RepoId, ModuleIndex)>,
    pub modules: ModulesPage,
    /// Comps groups per repository (for `:install @group`).
    pub groups: Vec<(RepoId, crate::model::comps::Comps)>,
    /// Where each repository's `other.xml` (changelogs) can be read, by repo index.
    pub other: Vec<OtherSource>,
}

/// Where a repository's changelogs come from, read on demand.
#[derive(Clone, Debug, Default)]
pub enum OtherSource {
    /// A loaded rpm-md repository (local or remote).
    Repo(Box<crate::load::repo::LoadedRepo>),
    /// An embedded demo repository.
    Embedded(&'static super::demo::DemoRepo),
    /// None (`.rpm` files carry their changelog in the header, not read here).
    #[default]
    None,
}

impl Catalog {
    /// Index an indexed pool.
    pub fn new(mut pool: Pool) -> Self {
        if !pool.is_indexed() {
            pool.build_indexes();
        }
        let mut order: Vec<PkgId> = pool.ids().collect();
        order.sort_by(|&a, &b| dnf_order(&pool, a, b).then(a.cmp(&b)));
        let nevra: Vec<Box<str>> = pool
            .ids()
            .map(|id| sanitize_line(&pool.nevra(id)).into())
            .collect();
        let lower = nevra.iter().map(|s| s.to_lowercase().into()).collect();
        let rev = ReverseIndex::build(&pool, &[DepKind::Requires, DepKind::Conflicts]);
        let modules = super::modules::build(&pool, &[]);
        Catalog {
            pool,
            order,
            nevra,
            lower,
            rev,
            module_indexes: Vec::new(),
            modules,
            groups: Vec::new(),
            other: Vec::new(),
        }
    }

    /// Say where changelogs are read from.
    pub fn with_other(mut self, other: Vec<OtherSource>) -> Self {
        self.other = other;
        self
    }

    /// Add comps groups.
    pub fn with_groups(mut self, groups: Vec<(RepoId, crate::model::comps::Comps)>) -> Self {
        self.groups = groups;
        self
    }

    /// Add module metadata (and build the Modules view from it).
    pub fn with_modules(mut self, indexes: Vec<(RepoId, ModuleIndex)>) -> Self {
        self.modules = super::modules::build(&self.pool, &indexes);
        self.module_indexes = indexes;
        self
    }

    pub fn nevra(&self, id: PkgId) -> &str {
        &self.nevra[id.index()]
    }

    /// The repository name of a package, sanitised.
    pub fn repo_name(&self, id: PkgId) -> String {
        sanitize_line(&self.pool.repo_of(id).name).into_owned()
    }
}

/// A load problem, as shown in the Errors view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub source: String,
    pub message: String,
    /// The source (or part of it) failed to load; otherwise a warning.
    pub fatal: bool,
}
