//! The package pool: every package of every loaded source, with interned strings,
//! flat dependency storage and the indexes analyses need (provides, files, names).
//!
//! Loaders add repositories and packages with [`Pool::add_repo`] and
//! [`Pool::add_package`], then call [`Pool::build_indexes`]. After that the pool is
//! read-only and shared (`Arc<Pool>`) between threads; views and analyses hold
//! [`PkgId`]s, never copies.

use std::cmp::Ordering;
use std::fmt::Write as _;

use rustc_hash::FxHashMap;

use super::dep::Cmp;
use super::evr::{Evr, evr_cmp_match};
use super::intern::{Interner, Sym};
use super::package::{DepKind, Package, PackageInfo, PkgId, Reldep, RepoId};
use super::rich::{Rich, parse_rich};

/// What kind of source a repository came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// rpm-md metadata (`repodata/repomd.xml`).
    RpmMd,
    /// A directory or list of `.rpm` files read header by header.
    RpmFiles,
}

/// A loaded package source.
#[derive(Clone, Debug)]
pub struct Repo {
    pub id: RepoId,
    /// The repo id as dnf would name it (`--repofrompath NAME,...`, `.repo` section).
    pub name: String,
    /// Where it was read from (path or URL), for messages.
    pub location: String,
    pub kind: SourceKind,
    pub priority: i32,
    pub cost: i32,
    pub module_hotfixes: bool,
    /// Packages of this repo are `first_pkg..end_pkg`.
    pub first_pkg: u32,
    pub end_pkg: u32,
    /// Whether file lists beyond primary's were read (`filelists.xml`, or rpm headers).
    pub full_filelists: bool,
}

impl Repo {
    pub fn packages(&self) -> impl Iterator<Item = PkgId> + use<> {
        (self.first_pkg..self.end_pkg).map(PkgId)
    }
}

/// Architectures a package must have to be installable on a host, as libsolv's
/// `poolarch.c` (noarch is always compatible, `src`/`nosrc` never).
pub fn compatible_arches(host: &str) -> &'static [&'static str] {
    match host {
        "x86_64" | "amd64" => &["x86_64", "i686", "i586", "i486", "i386"],
        "x86_64_v2" => &["x86_64_v2", "x86_64", "i686", "i586", "i486", "i386"],
        "x86_64_v3" => &[
            "x86_64_v3",
            "x86_64_v2",
            "x86_64",
            "i686",
            "i586",
            "i486",
            "i386",
        ],
        "x86_64_v4" => &[
            "x86_64_v4",
            "x86_64_v3",
            "x86_64_v2",
            "x86_64",
            "i686",
            "i586",
            "i486",
            "i386",
        ],
        "i686" => &["i686", "i586", "i486", "i386"],
        "aarch64" | "arm64" => &["aarch64"],
        "ppc64le" => &["ppc64le"],
        "ppc64" => &["ppc64", "ppc"],
        "s390x" => &["s390x", "s390"],
        "riscv64" => &["riscv64"],
        "armv7hl" => &["armv7hl", "armv7hnl"],
        _ => &[],
    }
}

/// What a file entry is, when it is not a plain file: `filelists.xml`'s `type="dir"` /
/// `type="ghost"`, or an rpm header's mode and `%ghost` flag.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum FileKind {
    #[default]
    File,
    Dir,
    Ghost,
}

/// A file's header data, kept for packages read from `.rpm` files (rpm-md metadata has
/// none of it): what rpm compares to decide whether two packages' copies of one path
/// conflict (`rpmfilesCompare`, `handleColorConflict`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileMeta {
    /// `st_mode` (type and permission bits).
    pub mode: u16,
    /// `RPMTAG_FILEFLAGS` (`%config` = 1, `%ghost` = 64, ...).
    pub flags: u32,
    pub size: u64,
    /// Hex digest (empty for non-regular files).
    pub digest: Box<str>,
    /// Symlink target (empty unless a symlink).
    pub link: Box<str>,
    pub user: Box<str>,
    pub group: Box<str>,
    /// rpm's file colour: 1 = ELF32, 2 = ELF64, 0 = neither.
    pub color: u32,
}

impl FileMeta {
    pub const GHOST: u32 = 64;
    pub const S_IFMT: u16 = 0o170000;
    pub const S_IFDIR: u16 = 0o040000;
    pub const S_IFREG: u16 = 0o100000;
    pub const S_IFLNK: u16 = 0o120000;

    pub fn kind(&self) -> FileKind {
        if self.flags & Self::GHOST != 0 {
            FileKind::Ghost
        } else if self.mode & Self::S_IFMT == Self::S_IFDIR {
            FileKind::Dir
        } else {
            FileKind::File
        }
    }
}

/// A compressed-sparse-row index from a [`Sym`] to a list of entries.
#[derive(Default, Clone, Debug)]
struct SymIndex<T> {
    offsets: Vec<u32>,
    items: Vec<T>,
}

impl<T: Copy + Default> SymIndex<T> {
    fn build(nsyms: usize, entries: impl Iterator<Item = (Sym, T)> + Clone) -> Self {
        let mut offsets = vec![0u32; nsyms + 1];
        for (s, _) in entries.clone() {
            offsets[s.index() + 1] += 1;
        }
        for i in 1..offsets.len() {
            offsets[i] += offsets[i - 1];
        }
        let mut fill = offsets.clone();
        let mut items = vec![T::default(); offsets[nsyms] as usize];
        for (s, t) in entries {
            let at = &mut fill[s.index()];
            items[*at as usize] = t;
            *at += 1;
        }
        SymIndex { offsets, items }
    }

    fn get(&self, s: Sym) -> &[T] {
        match (self.offsets.get(s.index()), self.offsets.get(s.index() + 1)) {
            (Some(&a), Some(&b)) => &self.items[a as usize..b as usize],
            _ => &[],
        }
    }
}

/// All loaded packages and their indexes.
pub struct Pool {
    pub strings: Interner,
    pub repos: Vec<Repo>,
    pub packages: Vec<Package>,
    pub deps: Vec<Reldep>,
    rich_trees: Vec<Rich<Reldep>>,
    rich_by_name: FxHashMap<Sym, u32>,
    /// File entries `(package, path)`: primary's, and those of filelists that were read.
    pub files: Vec<(PkgId, Sym)>,
    /// File entries that are directories or ghosts (absent: a plain file).
    pub file_kinds: FxHashMap<(PkgId, Sym), FileKind>,
    /// Header data of the files of packages read from `.rpm` files.
    pub file_meta: FxHashMap<(PkgId, Sym), FileMeta>,
    /// The host architecture packages are judged installable for.
    pub host_arch: String,
    installable: Vec<bool>,
    provides: SymIndex<(PkgId, u32)>,
    file_index: SymIndex<PkgId>,
    names: SymIndex<PkgId>,
    indexed: bool,
}

impl Default for Pool {
    fn default() -> Self {
        Self::new(std::env::consts::ARCH)
    }
}

/// The fields of a package being added, before its dependencies.
pub struct NewPackage<'a> {
    pub name: &'a str,
    pub epoch: u32,
    pub version: &'a str,
    pub release: &'a str,
    pub arch: &'a str,
    pub info: PackageInfo,
}

impl Pool {
    pub fn new(host_arch: &str) -> Self {
        Self::with_capacity(host_arch, 0)
    }

    /// A pool whose interner has room for `strings` strings before it grows.
    pub fn with_capacity(host_arch: &str, strings: usize) -> Self {
        Pool {
            strings: Interner::with_capacity(strings),
            repos: Vec::new(),
            packages: Vec::new(),
            deps: Vec::new(),
            rich_trees: Vec::new(),
            rich_by_name: FxHashMap::default(),
            files: Vec::new(),
            file_kinds: FxHashMap::default(),
            file_meta: FxHashMap::default(),
            host_arch: host_arch.to_string(),
            installable: Vec::new(),
            provides: SymIndex::default(),
            file_index: SymIndex::default(),
            names: SymIndex::default(),
            indexed: false,
        }
    }

    // ---- building -------------------------------------------------------------

    /// Start a new source; packages added next belong to it until the next `add_repo`.
    pub fn add_repo(&mut self, name: &str, location: &str, kind: SourceKind) -> RepoId {
        let id = RepoId(self.repos.len() as u32);
        let n = self.packages.len() as u32;
        self.repos.push(Repo {
            id,
            name: name.to_string(),
            location: location.to_string(),
            kind,
            priority: 99,
            cost: 1000,
            module_hotfixes: false,
            first_pkg: n,
            end_pkg: n,
            full_filelists: false,
        });
        self.indexed = false;
        id
    }

    pub fn intern(&mut self, s: &str) -> Sym {
        self.strings.intern(s)
    }

    pub fn str(&self, s: Sym) -> &str {
        self.strings.resolve(s)
    }

    /// Build an interned dependency from its parts as rpm-md spells them
    /// (`flags="GE" epoch="0" ver="1.0" rel="1"`). Rich dependencies are parsed here;
    /// a malformed one is an error (the caller reports it with file and position).
    pub fn make_reldep(
        &mut self,
        name: &str,
        cmp: Cmp,
        epoch: Option<&str>,
        version: Option<&str>,
        release: Option<&str>,
        pre: bool,
    ) -> Result<Reldep, String> {
        let epoch = match epoch {
            None | Some("") => 0,
            Some(e) => e
                .parse::<u32>()
                .map_err(|_| format!("invalid epoch `{e}` in dependency `{name}`"))?,
        };
        let mut intern = |s: Option<&str>| match s {
            None | Some("") => Sym::EMPTY,
            Some(s) => self.strings.intern(s),
        };
        let mut dep = Reldep {
            name: intern(Some(name)),
            cmp,
            flags: if pre { Reldep::PRE } else { 0 },
            epoch,
            version: intern(version),
            release: intern(release),
        };
        if name.starts_with('(') {
            dep.flags |= Reldep::RICH;
            if !self.rich_by_name.contains_key(&dep.name) {
                let tree = parse_rich(name).map_err(|e| format!("`{name}`: {e}"))?;
                let tree = tree.map_leaves(|leaf| -> Result<Reldep, String> {
                    let evr = Evr::parse(leaf.evr)?;
                    Ok(Reldep {
                        name: self.strings.intern(leaf.name),
                        cmp: leaf.cmp,
                        flags: 0,
                        epoch: evr.epoch,
                        version: self.strings.intern(evr.version),
                        release: self.strings.intern(evr.release),
                    })
                })?;
                self.rich_by_name
                    .insert(dep.name, self.rich_trees.len() as u32);
                self.rich_trees.push(tree);
            }
        }
        Ok(dep)
    }

    /// Parse a dependency written as in a spec file or on the command line:
    /// `name`, `name >= [E:]V[-R]`, or a rich `(a or b)`.
    pub fn parse_reldep(&mut self, text: &str) -> Result<Reldep, String> {
        let text = text.trim();
        if text.starts_with('(') {
            return self.make_reldep(text, Cmp::Any, None, None, None, false);
        }
        let mut it = text.split_whitespace();
        let name = it.next().ok_or_else(|| "empty dependency".to_string())?;
        match (it.next(), it.next(), it.next()) {
            (None, _, _) => self.make_reldep(name, Cmp::Any, None, None, None, false),
            (Some(op), Some(evr), None) => {
                let cmp = Cmp::from_op(op).ok_or_else(|| format!("unknown operator `{op}`"))?;
                let evr = Evr::parse(evr)?;
                let e = evr.epoch.to_string();
                self.make_reldep(
                    name,
                    cmp,
                    Some(&e),
                    Some(evr.version),
                    Some(evr.release),
                    false,
                )
            }
            _ => Err(format!("cannot parse dependency `{text}`")),
        }
    }

    /// Add a package of the current (last added) repo with its dependencies, given
    /// per kind in [`DepKind::ALL`] order.
    pub fn add_package(&mut self, p: NewPackage<'_>, deps: &[Vec<Reldep>; 8]) -> PkgId {
        let id = PkgId(self.packages.len() as u32);
        let repo = self
            .repos
            .last_mut()
            .expect("add_repo must be called before add_package");
        repo.end_pkg = id.0 + 1;
        let repo_id = repo.id;
        let mut dep_start = [0u32; 9];
        for (k, list) in deps.iter().enumerate() {
            dep_start[k] = self.deps.len() as u32;
            self.deps.extend_from_slice(list);
        }
        dep_start[8] = self.deps.len() as u32;
        let pkg = Package {
            name: self.strings.intern(p.name),
            epoch: p.epoch,
            version: self.strings.intern(p.version),
            release: self.strings.intern(p.release),
            arch: self.strings.intern(p.arch),
            repo: repo_id,
            dep_start,
            info: p.info,
        };
        self.packages.push(pkg);
        self.indexed = false;
        id
    }

    /// Record a file entry. A relative path (createrepo_c writes a src.rpm's files so)
    /// is rooted at `/`, as libsolv does.
    pub fn add_file(&mut self, pkg: PkgId, path: &str) -> Sym {
        let s = if path.starts_with('/') {
            self.strings.intern(path)
        } else {
            self.strings.intern(&format!("/{path}"))
        };
        self.files.push((pkg, s));
        self.indexed = false;
        s
    }

    /// Record a file entry that is a directory or a ghost (see [`Pool::add_file`]).
    pub fn add_file_of_kind(&mut self, pkg: PkgId, path: &str, kind: FileKind) {
        let s = self.add_file(pkg, path);
        if kind != FileKind::File {
            self.file_kinds.insert((pkg, s), kind);
        }
    }

    /// Record a file entry with its rpm header data (see [`Pool::add_file`]).
    pub fn add_file_with_meta(&mut self, pkg: PkgId, path: &str, meta: FileMeta) {
        let s = self.add_file(pkg, path);
        let kind = meta.kind();
        if kind != FileKind::File {
            self.file_kinds.insert((pkg, s), kind);
        }
        self.file_meta.insert((pkg, s), meta);
    }

    /// What the entry `path` of `pkg` is ([`FileKind::File`] unless recorded otherwise).
    pub fn file_kind(&self, pkg: PkgId, path: Sym) -> FileKind {
        self.file_kinds
            .get(&(pkg, path))
            .copied()
            .unwrap_or_default()
    }

    /// Append every package of `part` to the current (last added) repo, as if they had
    /// been added here one by one with [`Pool::add_package`], [`Pool::add_file`] and
    /// [`Pool::make_reldep`]: the result is identical, symbol numbers included.
    ///
    /// This is how loaders fill a pool from several threads: each thread parses its
    /// piece of the input into a fresh `Pool` (`part`), and the owner absorbs the parts
    /// in input order. `part`'s strings are interned here in `part`'s own symbol order,
    /// which is the order they were first seen in the piece, so every string gets the
    /// symbol a sequential load would have given it; only one hash lookup per distinct
    /// string of the piece is done here.
    pub fn absorb(&mut self, part: Pool) {
        let map: Vec<Sym> = (0..part.strings.len())
            .map(|i| self.strings.intern(part.strings.resolve(Sym(i as u32))))
            .collect();
        // Every symbol of `part` comes from `part.strings`, so it is in `map`.
        let m = |s: Sym| map[s.index()];
        let dep = |d: &Reldep| Reldep {
            name: m(d.name),
            version: m(d.version),
            release: m(d.release),
            ..*d
        };

        // Rich trees in the order `part` first parsed them; a name this pool already
        // parsed keeps its tree, as `make_reldep` does.
        let mut rich: Vec<(u32, Sym)> = part.rich_by_name.iter().map(|(&n, &i)| (i, n)).collect();
        rich.sort_unstable();
        for (i, name) in rich {
            let name = m(name);
            if self.rich_by_name.contains_key(&name) {
                continue;
            }
            if let Ok(tree) = part.rich_trees[i as usize].map_leaves(|d| Ok::<_, ()>(dep(d))) {
                self.rich_by_name.insert(name, self.rich_trees.len() as u32);
                self.rich_trees.push(tree);
            }
        }

        let first = self.packages.len() as u32;
        let dep_base = self.deps.len() as u32;
        let repo = self
            .repos
            .last_mut()
            .expect("add_repo must be called before absorb");
        repo.end_pkg = first + part.packages.len() as u32;
        let repo_id = repo.id;
        self.deps.extend(part.deps.iter().map(dep));
        self.packages.extend(part.packages.into_iter().map(|p| {
            let mut info = p.info;
            for s in [
                &mut info.license,
                &mut info.group,
                &mut info.vendor,
                &mut info.packager,
                &mut info.buildhost,
                &mut info.sourcerpm,
                &mut info.checksum_type,
                &mut info.modularity_label,
            ] {
                *s = m(*s);
            }
            Package {
                name: m(p.name),
                epoch: p.epoch,
                version: m(p.version),
                release: m(p.release),
                arch: m(p.arch),
                repo: repo_id,
                dep_start: p.dep_start.map(|d| d + dep_base),
                info,
            }
        }));
        self.files
            .extend(part.files.iter().map(|&(p, s)| (PkgId(p.0 + first), m(s))));
        self.file_kinds.extend(
            part.file_kinds
                .iter()
                .map(|(&(p, s), &k)| ((PkgId(p.0 + first), m(s)), k)),
        );
        self.file_meta.extend(
            part.file_meta
                .into_iter()
                .map(|((p, s), v)| ((PkgId(p.0 + first), m(s)), v)),
        );
        self.indexed = false;
    }

    /// Build the provides, file and name indexes. Call once loading is done.
    pub fn build_indexes(&mut self) {
        self.files.sort_unstable();
        self.files.dedup();
        let nsyms = self.strings.len();
        let compat = compatible_arches(&self.host_arch);
        let noarch = self.strings.get("noarch");
        let compat_syms: Vec<Sym> = compat.iter().filter_map(|a| self.strings.get(a)).collect();
        self.installable = self
            .packages
            .iter()
            .map(|p| Some(p.arch) == noarch || compat_syms.contains(&p.arch))
            .collect();
        let packages = &self.packages;
        let deps = &self.deps;
        let prov_iter = packages.iter().enumerate().flat_map(move |(i, p)| {
            let k = DepKind::Provides.index();
            (p.dep_start[k]..p.dep_start[k + 1])
                .map(move |d| (deps[d as usize].name, (PkgId(i as u32), d)))
        });
        self.provides = SymIndex::build(nsyms, prov_iter);
        self.file_index = SymIndex::build(nsyms, self.files.iter().map(|&(p, s)| (s, p)));
        self.names = SymIndex::build(
            nsyms,
            packages
                .iter()
                .enumerate()
                .map(|(i, p)| (p.name, PkgId(i as u32))),
        );
        self.indexed = true;
    }

    // ---- reading --------------------------------------------------------------

    pub fn is_indexed(&self) -> bool {
        self.indexed
    }

    pub fn len(&self) -> usize {
        self.packages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.packages.is_empty()
    }

    pub fn pkg(&self, id: PkgId) -> &Package {
        &self.packages[id.index()]
    }

    pub fn ids(&self) -> impl Iterator<Item = PkgId> + use<> {
        (0..self.packages.len() as u32).map(PkgId)
    }

    pub fn repo_of(&self, id: PkgId) -> &Repo {
        &self.repos[self.pkg(id).repo.index()]
    }

    /// Installable on the host architecture (not `src`, arch compatible): libsolv's
    /// `pool_installable`, which decides who may provide a dependency.
    pub fn is_installable(&self, id: PkgId) -> bool {
        self.installable.get(id.index()).copied().unwrap_or(false)
    }

    pub fn deps_of(&self, id: PkgId, kind: DepKind) -> &[Reldep] {
        let p = self.pkg(id);
        let k = kind.index();
        &self.deps[p.dep_start[k] as usize..p.dep_start[k + 1] as usize]
    }

    pub fn evr(&self, id: PkgId) -> Evr<'_> {
        let p = self.pkg(id);
        Evr::new(p.epoch, self.str(p.version), self.str(p.release))
    }

    pub fn name(&self, id: PkgId) -> &str {
        self.str(self.pkg(id).name)
    }

    pub fn arch(&self, id: PkgId) -> &str {
        self.str(self.pkg(id).arch)
    }

    /// `name-[epoch:]version-release.arch`, the form dnf prints (epoch 0 left out).
    pub fn nevra(&self, id: PkgId) -> String {
        let p = self.pkg(id);
        let mut s = String::with_capacity(48);
        let _ = write!(
            s,
            "{}-{}.{}",
            self.str(p.name),
            self.evr(id),
            self.str(p.arch)
        );
        s
    }

    /// `name-epoch:version-release.arch` with the epoch always written (`%{full_nevra}`).
    pub fn full_nevra(&self, id: PkgId) -> String {
        let p = self.pkg(id);
        format!(
            "{}-{}:{}-{}.{}",
            self.str(p.name),
            p.epoch,
            self.str(p.version),
            self.str(p.release),
            self.str(p.arch)
        )
    }

    /// Every path owned by two or more packages, with its owners (sorted by id; a
    /// package appears once per path).
    pub fn shared_paths(&self) -> impl Iterator<Item = (Sym, &[PkgId])> + '_ {
        let offs = &self.file_index.offsets;
        (0..offs.len().saturating_sub(1)).filter_map(move |i| {
            let (a, b) = (offs[i] as usize, offs[i + 1] as usize);
            (b - a >= 2).then(|| (Sym(i as u32), &self.file_index.items[a..b]))
        })
    }

    /// Packages with this exact name.
    pub fn by_name(&self, name: &str) -> &[PkgId] {
        match self.strings.get(name) {
            Some(s) => self.names.get(s),
            None => &[],
        }
    }

    pub fn rich_tree(&self, dep: &Reldep) -> Option<&Rich<Reldep>> {
        self.rich_by_name
            .get(&dep.name)
            .map(|&i| &self.rich_trees[i as usize])
    }

    /// The dependency as dnf prints it: `name`, `name >= [E:]V[-R]`, or the rich text.
    pub fn dep_str(&self, dep: &Reldep) -> String {
        if dep.is_rich() {
            if let Some(tree) = self.rich_tree(dep)
                && let Ok(t) = tree.map_leaves(|leaf| Ok::<_, ()>(self.dep_str(leaf)))
            {
                return t.to_string();
            }
            return self.str(dep.name).to_string();
        }
        let mut s = self.str(dep.name).to_string();
        if dep.cmp != Cmp::Any {
            let evr = Evr::new(dep.epoch, self.str(dep.version), self.str(dep.release));
            let _ = write!(s, " {} {}", dep.cmp.as_str(), evr);
        }
        s
    }

    // ---- matching -------------------------------------------------------------

    /// Does `provide` satisfy `req`? rpm's `rpmdsCompare` (and libsolv's
    /// `pool_match_flags_evr`): an unversioned side matches everything; otherwise the
    /// ranges must overlap, comparing releases only when both sides have one.
    pub fn dep_matches(&self, provide: &Reldep, req: &Reldep) -> bool {
        if provide.name != req.name {
            return false;
        }
        self.range_overlaps(provide, req)
    }

    fn range_overlaps(&self, a: &Reldep, b: &Reldep) -> bool {
        if a.cmp == Cmp::Any || b.cmp == Cmp::Any {
            return true;
        }
        let ea = Evr::new(a.epoch, self.str(a.version), self.str(a.release));
        let eb = Evr::new(b.epoch, self.str(b.version), self.str(b.release));
        let (fa, fb) = (a.cmp.bits(), b.cmp.bits());
        match evr_cmp_match(&ea, &eb) {
            Ordering::Less => fa & Cmp::GREATER != 0 || fb & Cmp::LESS != 0,
            Ordering::Greater => fa & Cmp::LESS != 0 || fb & Cmp::GREATER != 0,
            Ordering::Equal => {
                (fa & fb & Cmp::EQUAL != 0)
                    || (fa & fb & Cmp::LESS != 0)
                    || (fa & fb & Cmp::GREATER != 0)
            }
        }
    }

    /// Does package `id` itself (its NEVR, as `name = EVR`) satisfy `req`? Used for
    /// Conflicts/Obsoletes matching against package names.
    pub fn pkg_matches(&self, id: PkgId, req: &Reldep) -> bool {
        let p = self.pkg(id);
        if p.name != req.name {
            return false;
        }
        let own = Reldep {
            name: p.name,
            cmp: Cmp::Eq,
            flags: 0,
            epoch: p.epoch,
            version: p.version,
            release: p.release,
        };
        self.range_overlaps(&own, req)
    }

    /// Every package that provides `dep` (unsorted, may contain duplicates), regardless
    /// of installability; the caller filters by the set it considers available.
    /// Rich dependencies are evaluated as libsolv's `whatprovides` of the expression
    /// (see [`Pool::whatprovides`]).
    pub fn whatprovides_into(&self, dep: &Reldep, out: &mut Vec<PkgId>) {
        debug_assert!(self.indexed, "build_indexes() before queries");
        if dep.is_rich() {
            if let Some(tree) = self.rich_tree(dep) {
                out.extend(self.rich_providers(tree));
            }
            return;
        }
        for &(pkg, d) in self.provides.get(dep.name) {
            if self.range_overlaps(&self.deps[d as usize], dep) {
                out.push(pkg);
            }
        }
        if dep.cmp == Cmp::Any && self.str(dep.name).starts_with('/') {
            out.extend_from_slice(self.file_index.get(dep.name));
        }
    }

    /// Sorted, de-duplicated providers of `dep` (see [`Pool::whatprovides_into`]).
    pub fn whatprovides(&self, dep: &Reldep) -> Vec<PkgId> {
        let mut v = Vec::new();
        self.whatprovides_into(dep, &mut v);
        v.sort_unstable();
        v.dedup();
        v
    }

    /// libsolv's provider set of a rich dependency, which is what dnf's repoclosure
    /// tests (not boolean truth): `or`/`and` = union, `with` = intersection,
    /// `without` = A minus B's providers, `if`/`unless` = A (∪ C with `else`).
    fn rich_providers(&self, tree: &Rich<Reldep>) -> Vec<PkgId> {
        self.rich_set(tree, &|d| {
            let mut v = Vec::new();
            self.whatprovides_into(d, &mut v);
            v
        })
    }

    /// The provider-set algebra of a rich dependency over any leaf: `leaf` gives the
    /// packages of a simple dependency (all providers, or those a solver may use), the
    /// operators combine them as [`Pool::rich_providers`] says. Sorted, de-duplicated.
    pub fn rich_set(
        &self,
        tree: &Rich<Reldep>,
        leaf: &dyn Fn(&Reldep) -> Vec<PkgId>,
    ) -> Vec<PkgId> {
        let mut v = match tree {
            Rich::Leaf(d) => leaf(d),
            Rich::And(xs) | Rich::Or(xs) => {
                xs.iter().flat_map(|x| self.rich_set(x, leaf)).collect()
            }
            Rich::With(xs) => {
                let mut it = xs.iter();
                let mut acc = match it.next() {
                    Some(first) => self.rich_set(first, leaf),
                    None => return Vec::new(),
                };
                for x in it {
                    let other = self.rich_set(x, leaf);
                    acc.retain(|p| other.binary_search(p).is_ok());
                }
                acc
            }
            Rich::Without(a, b) => {
                let other = self.rich_set(b, leaf);
                let mut acc = self.rich_set(a, leaf);
                acc.retain(|p| other.binary_search(p).is_err());
                acc
            }
            Rich::If {
                then, otherwise, ..
            }
            | Rich::Unless {
                then, otherwise, ..
            } => {
                let mut v = self.rich_set(then, leaf);
                if let Some(o) = otherwise {
                    v.extend(self.rich_set(o, leaf));
                }
                v
            }
        };
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Reverse dependencies: packages with a dependency of `kind` that `target` satisfies.
    pub fn what_depends(&self, target: PkgId, kind: DepKind) -> Vec<PkgId> {
        let mut out = Vec::new();
        let mut scratch = Vec::new();
        for id in self.ids() {
            for d in self.deps_of(id, kind) {
                scratch.clear();
                self.whatprovides_into(d, &mut scratch);
                if scratch.contains(&target) {
                    out.push(id);
                    break;
                }
            }
        }
        out
    }
}

/// Building pools in tests of the layers above.
#[cfg(test)]
pub(crate) mod test_support {
    use super::{NewPackage, Pool};
    use crate::model::package::{PackageInfo, PkgId, Reldep};

    /// Add `name-[E:]V-R.arch` with dependencies written `P:`/`R:`/`C:`/`O:` + text; the
    /// package's own `name = EVR` is provided, as rpm-md always says.
    pub(crate) fn add(pool: &mut Pool, nevra: &str, deps: &[&str]) -> PkgId {
        let (rest, arch) = nevra.rsplit_once('.').unwrap();
        let (rest, release) = rest.rsplit_once('-').unwrap();
        let (name, version) = rest.rsplit_once('-').unwrap();
        let (epoch, version) = match version.split_once(':') {
            Some((e, v)) => (e.parse().unwrap(), v),
            None => (0, version),
        };
        let mut d: [Vec<Reldep>; 8] = Default::default();
        d[0].push(
            pool.parse_reldep(&format!("{name} = {epoch}:{version}-{release}"))
                .unwrap(),
        );
        for dep in deps {
            let (k, text) = dep.split_once(':').unwrap();
            let kind = match k {
                "P" => 0,
                "R" => 1,
                "C" => 2,
                "O" => 3,
                _ => panic!("kind {k}"),
            };
            d[kind].push(pool.parse_reldep(text).unwrap());
        }
        pool.add_package(
            NewPackage {
                name,
                epoch,
                version,
                release,
                arch,
                info: PackageInfo::default(),
            },
            &d,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn empty_deps() -> [Vec<Reldep>; 8] {
        Default::default()
    }

    #[allow(clippy::too_many_arguments)]
    fn add(
        pool: &mut Pool,
        name: &str,
        epoch: u32,
        v: &str,
        r: &str,
        arch: &str,
        provides: &[&str],
        requires: &[&str],
    ) -> PkgId {
        let mut deps = empty_deps();
        for p in provides {
            deps[0].push(pool.parse_reldep(p).unwrap());
        }
        for q in requires {
            deps[1].push(pool.parse_reldep(q).unwrap());
        }
        pool.add_package(
            NewPackage {
                name,
                epoch,
                version: v,
                release: r,
                arch,
                info: PackageInfo::default(),
            },
            &deps,
        )
    }

    #[test]
    fn versioned_matching_follows_rpm() {
        let mut pool = Pool::new("x86_64");
        pool.add_repo("t", "/t", SourceKind::RpmMd);
        let libfoo = add(
            &mut pool,
            "libfoo",
            2,
            "1.6",
            "1",
            "x86_64",
            &["libfoo = 2:1.6-1"],
            &[],
        );
        let virt = add(
            &mut pool,
            "v",
            0,
            "1",
            "1",
            "noarch",
            &["virt(foo) = 2.0", "unver"],
            &[],
        );
        pool.build_indexes();
        let mut q = |s: &str| pool.parse_reldep(s).unwrap();
        let cases = [
            ("libfoo", true),
            ("libfoo = 2:1.6", true),
            ("libfoo = 1.6", false),
            ("libfoo < 2.0", false),
            ("libfoo >= 2:1.5", true),
            ("libfoo > 2:1.6", false),
            ("libfoo <= 2:1.6-0", false),
            ("libfoo = 2:1.6-1", true),
        ];
        let deps: Vec<_> = cases.iter().map(|(s, _)| q(s)).collect();
        let v1 = q("virt(foo) >= 1.5");
        let v2 = q("virt(foo) > 2.0");
        let u = q("unver >= 7");
        pool.build_indexes();
        for ((s, want), d) in cases.iter().zip(&deps) {
            assert_eq!(pool.whatprovides(d).contains(&libfoo), *want, "{s}");
        }
        assert_eq!(pool.whatprovides(&v1), vec![virt]);
        assert!(pool.whatprovides(&v2).is_empty());
        assert_eq!(
            pool.whatprovides(&u),
            vec![virt],
            "unversioned provide matches all"
        );
    }

    /// Everything a load leaves in a pool, symbols included, as text to compare.
    fn snapshot(pool: &Pool) -> String {
        let strings: Vec<&str> = (0..pool.strings.len())
            .map(|i| pool.str(Sym(i as u32)))
            .collect();
        let rich: Vec<String> = pool
            .deps
            .iter()
            .map(|d| format!("{:?}", pool.rich_tree(d)))
            .collect();
        format!(
            "{strings:?}\n{:?}\n{:?}\n{:?}\n{rich:?}\n{:?}",
            pool.packages, pool.deps, pool.files, pool.rich_trees
        )
    }

    #[test]
    fn absorbing_parts_equals_adding_sequentially() {
        // (name, provides, requires, files)
        type Spec<'a> = (&'a str, &'a [&'a str], &'a [&'a str], &'a [&'a str]);
        let pkgs: [Spec<'_>; 4] = [
            ("a", &["a = 1.0-1", "liba"], &["(b or c)"], &["/usr/bin/a"]),
            ("b", &["b"], &["(b or c)", "(x if y)", "a >= 1:2"], &[]),
            (
                "c",
                &["c", "liba"],
                &["(d and (a or b))"],
                &["/usr/bin/c", "/usr/bin/a"],
            ),
            ("d", &[], &["(x if y)", "(d and (a or b))", "zz"], &[]),
        ];
        let fill = |pool: &mut Pool, range: std::ops::Range<usize>| {
            for (name, prov, req, files) in &pkgs[range] {
                let info = PackageInfo {
                    license: pool.intern(&format!("lic-{name}")),
                    summary: format!("the {name}").into(),
                    ..PackageInfo::default()
                };
                let id = add(pool, name, 0, "1.0", name, "noarch", prov, req);
                pool.packages[id.index()].info = info;
                for f in *files {
                    pool.add_file(id, f);
                }
            }
        };
        let mut seq = Pool::new("x86_64");
        seq.add_repo("t", "/t", SourceKind::RpmMd);
        fill(&mut seq, 0..4);

        let mut merged = Pool::new("x86_64");
        merged.add_repo("t", "/t", SourceKind::RpmMd);
        for range in [0..1, 1..3, 3..4] {
            let mut part = Pool::new("");
            part.add_repo("part", "", SourceKind::RpmMd);
            fill(&mut part, range);
            merged.absorb(part);
        }
        assert_eq!(snapshot(&merged), snapshot(&seq));
        assert_eq!(merged.repos[0].end_pkg, 4);
        merged.build_indexes();
        let d = merged.parse_reldep("liba").unwrap();
        assert_eq!(merged.whatprovides(&d), vec![PkgId(0), PkgId(2)]);
    }
}
