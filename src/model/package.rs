//! Packages and their dependencies as stored in the [`Pool`](super::pool::Pool):
//! plain data, indices and interned strings only.

use serde::Serialize;

use super::dep::Cmp;
use super::intern::Sym;

/// Index of a package in its pool.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct PkgId(pub u32);

impl PkgId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Index of a repository (or other package source) in its pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct RepoId(pub u32);

impl RepoId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// The dependency kinds rpm knows; `Requires` includes `Requires(pre)` and friends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DepKind {
    Provides,
    Requires,
    Conflicts,
    Obsoletes,
    Recommends,
    Suggests,
    Supplements,
    Enhances,
}

impl DepKind {
    pub const ALL: [DepKind; 8] = [
        DepKind::Provides,
        DepKind::Requires,
        DepKind::Conflicts,
        DepKind::Obsoletes,
        DepKind::Recommends,
        DepKind::Suggests,
        DepKind::Supplements,
        DepKind::Enhances,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DepKind::Provides => "provides",
            DepKind::Requires => "requires",
            DepKind::Conflicts => "conflicts",
            DepKind::Obsoletes => "obsoletes",
            DepKind::Recommends => "recommends",
            DepKind::Suggests => "suggests",
            DepKind::Supplements => "supplements",
            DepKind::Enhances => "enhances",
        }
    }

    /// The rpm-md element local name (`rpm:provides` → `provides`).
    pub fn from_element(name: &str) -> Option<DepKind> {
        Some(match name {
            "provides" => DepKind::Provides,
            "requires" => DepKind::Requires,
            "conflicts" => DepKind::Conflicts,
            "obsoletes" => DepKind::Obsoletes,
            "recommends" => DepKind::Recommends,
            "suggests" => DepKind::Suggests,
            "supplements" => DepKind::Supplements,
            "enhances" => DepKind::Enhances,
            _ => return None,
        })
    }
}

/// One relation `name [cmp epoch:version-release]`, interned.
///
/// A rich (boolean) dependency keeps its whole text in `name` and has `RICH` set; its
/// parsed tree is in the pool (`Pool::rich_tree`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Reldep {
    pub name: Sym,
    pub cmp: Cmp,
    pub flags: u8,
    pub epoch: u32,
    pub version: Sym,
    pub release: Sym,
}

impl Reldep {
    /// `Requires(pre)`, `(post)`, ... : rpm-md's `pre="1"`.
    pub const PRE: u8 = 1;
    /// A rich/boolean dependency (the name starts with `(`).
    pub const RICH: u8 = 2;

    pub fn unversioned(name: Sym) -> Self {
        Reldep {
            name,
            cmp: Cmp::Any,
            flags: 0,
            epoch: 0,
            version: Sym::EMPTY,
            release: Sym::EMPTY,
        }
    }

    pub fn is_pre(&self) -> bool {
        self.flags & Self::PRE != 0
    }

    pub fn is_rich(&self) -> bool {
        self.flags & Self::RICH != 0
    }
}

/// Where a package came from: a repository's metadata or an `.rpm` file.
#[derive(Clone, Debug, Default)]
pub struct PackageInfo {
    pub summary: Box<str>,
    pub description: Box<str>,
    pub url: Box<str>,
    pub license: Sym,
    pub group: Sym,
    pub vendor: Sym,
    pub packager: Sym,
    pub buildhost: Sym,
    pub sourcerpm: Sym,
    /// `location href` relative to the repository base, or the `.rpm` path.
    pub location: Box<str>,
    /// The package checksum (`pkgid`), hex.
    pub checksum: Box<str>,
    pub checksum_type: Sym,
    pub size_package: u64,
    pub size_installed: u64,
    pub size_archive: u64,
    pub time_file: u64,
    pub time_build: u64,
    pub header_start: u64,
    pub header_end: u64,
    /// rpm's `ModularityLabel` header (only from `.rpm` files; rpm-md does not carry it).
    pub modularity_label: Sym,
}

/// A package: its NEVRA, repository, and the ranges of its dependencies in the pool.
#[derive(Clone, Debug)]
pub struct Package {
    pub name: Sym,
    pub epoch: u32,
    pub version: Sym,
    pub release: Sym,
    pub arch: Sym,
    pub repo: RepoId,
    /// `deps[dep_start[k]..dep_start[k+1]]` in the pool are this package's deps of kind k.
    pub dep_start: [u32; 9],
    pub info: PackageInfo,
}
