//! Sources as users name them on the command line, and loading a set of them into one
//! pool. A source is a repository directory (holding `repodata/`), a `file://` or
//! `http(s)://` base URL, a dnf `.repo` file, a directory of `.rpm` files or single
//! `.rpm`s, each optionally named `NAME,PATH` as dnf's `--repofrompath`.
//!
//! Loading never stops at the first bad source: every problem is collected with the
//! source it belongs to, and whatever loaded stays in the pool.

use std::path::PathBuf;

use super::error::LoadError;
use super::filelists::FileWanted;
use super::http::{HttpClient, HttpOptions};
use super::repo::{LoadedRepo, RepoBase, load_filelists, load_modules, load_repo};
use super::repofile::{RepoLocation, Vars, read_repo_file};
use super::rpmfile::load_rpm_paths;
use crate::model::package::RepoId;
use crate::model::pool::Pool;
use crate::progress::Progress;

/// One source given by the user, classified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// An rpm-md repository.
    Repo {
        name: String,
        base: RepoBase,
        priority: i32,
        cost: i32,
        module_hotfixes: bool,
    },
    /// `.rpm` files and directories of them, read header by header.
    Rpms { name: String, paths: Vec<PathBuf> },
    /// A dnf `.repo` file: each enabled section is a repository.
    RepoFile(PathBuf),
}

/// Which file list entries to read from `filelists.xml`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Filelists {
    /// Only the paths that file dependencies name and primary does not already provide
    /// (libsolv's lazy file lists): the answer of closure is the same, the cost far lower.
    #[default]
    Auto,
    /// The paths that any file dependency names, even those primary already provides.
    Deps,
    /// Every path (large: 7 million entries on Fedora).
    All,
    /// None.
    Never,
}

/// Options for loading.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    pub filelists: Filelists,
    /// Paths to read from file lists in any case (`query --whatprovides /usr/bin/x`).
    pub extra_paths: Vec<String>,
    pub host_arch: Option<String>,
    pub releasever: Option<String>,
    pub http: HttpOptions,
    /// Do not read module metadata (`modules` records).
    pub skip_modules: bool,
    /// Also load the sections of `.repo` files that have `enabled=0`, as repositories
    /// that are not enabled (see [`Loaded::disabled`]).
    pub disabled_sections: bool,
    /// Sources loaded as repositories that are not enabled (`closure --disabled`).
    pub disabled: Vec<Source>,
}

/// A problem while loading, with the source it belongs to.
#[derive(Debug)]
pub struct LoadProblem {
    pub source: String,
    pub error: LoadError,
    /// false: a warning (the source loaded); true: the source (or part of it) failed.
    pub fatal: bool,
}

/// The result of loading: the indexed pool and every problem met.
pub struct Loaded {
    pub pool: Pool,
    pub repos: Vec<LoadedRepo>,
    pub problems: Vec<LoadProblem>,
    /// Repositories that are in the pool but not enabled (`enabled=0` sections with
    /// [`LoadOptions::disabled_sections`], and [`LoadOptions::disabled`]): they are never
    /// available nor checked, only named in hints. Problems loading them are warnings.
    pub disabled: Vec<RepoId>,
}

fn default_name(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    let last = trimmed.rsplit('/').next().unwrap_or(trimmed);
    let clean: String = last
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.:".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if clean.is_empty() {
        "repo".to_string()
    } else {
        clean
    }
}

/// A Koji repo directory (`/mnt/koji/repos/TAG/ID/`: `repo.json`, `groups/comps.xml`,
/// `ARCH/pkglist`, `ARCH/repodata/`): the buildroot repo of the arch this machine builds
/// for, or of the only arch there is; named `TAG-repo-ID` after `repo.json`. Give
/// `DIR/ARCH` to pick another arch.
fn koji_repo_dir(dir: &std::path::Path, name: Option<String>) -> Result<Source, LoadError> {
    let json = dir.join("repo.json");
    let text = std::fs::read_to_string(&json).map_err(|source| LoadError::Io {
        path: json.clone(),
        source,
    })?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| LoadError::Syntax {
        path: json.clone(),
        line: e.line() as u64,
        column: e.column() as u64,
        msg: e.to_string(),
    })?;
    let tag = v.get("tag").and_then(|t| t.as_str()).unwrap_or("koji");
    let id = v.get("id").and_then(serde_json::Value::as_i64).unwrap_or(0);
    let mut arches: Vec<String> = std::fs::read_dir(dir)
        .map_err(|source| LoadError::Io {
            path: dir.to_path_buf(),
            source,
        })?
        .flatten()
        .filter(|e| e.path().join("repodata/repomd.xml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    arches.sort();
    let host = super::repofile::host_arch();
    let arch = match arches.as_slice() {
        [] => {
            return Err(LoadError::Invalid {
                path: dir.to_path_buf(),
                msg: "a Koji repo directory with no ARCH/repodata".into(),
            });
        }
        [only] => only.clone(),
        many => match many.iter().find(|a| a.as_str() == host) {
            Some(a) => a.clone(),
            None => {
                return Err(LoadError::Invalid {
                    path: dir.to_path_buf(),
                    msg: format!(
                        "a Koji repo directory with arches {}: give DIR/ARCH",
                        many.join(", ")
                    ),
                });
            }
        },
    };
    Ok(Source::Repo {
        name: name.unwrap_or_else(|| default_name(&format!("{tag}-repo-{id}"))),
        base: RepoBase::Local(dir.join(&arch)),
        priority: 99,
        cost: 1000,
        module_hotfixes: false,
    })
}

impl Source {
    /// Classify a command-line source: `[NAME,]PATH-OR-URL`.
    pub fn parse(arg: &str) -> Result<Source, LoadError> {
        let (name, target) = match arg.split_once(',') {
            Some((n, t)) if !n.is_empty() && !n.contains('/') && !t.is_empty() => {
                (Some(n.to_string()), t)
            }
            _ => (None, arg),
        };
        let name_or = |t: &str| name.clone().unwrap_or_else(|| default_name(t));
        if let Some(rest) = target.strip_prefix("file://") {
            let path = PathBuf::from(rest);
            return Ok(Source::Repo {
                name: name_or(rest),
                base: RepoBase::Local(path),
                priority: 99,
                cost: 1000,
                module_hotfixes: false,
            });
        }
        if target.starts_with("http://") || target.starts_with("https://") {
            return Ok(Source::Repo {
                name: name_or(target),
                base: RepoBase::Remote(target.to_string()),
                priority: 99,
                cost: 1000,
                module_hotfixes: false,
            });
        }
        let path = PathBuf::from(target);
        if path.is_dir() && path.join("repo.json").is_file() {
            return koji_repo_dir(&path, name);
        }
        if path.is_dir() {
            if path.join("repodata/repomd.xml").is_file() {
                return Ok(Source::Repo {
                    name: name_or(target),
                    base: RepoBase::Local(path),
                    priority: 99,
                    cost: 1000,
                    module_hotfixes: false,
                });
            }
            return Ok(Source::Rpms {
                name: name_or(target),
                paths: vec![path],
            });
        }
        if path.is_file() {
            if target.ends_with(".repo") {
                return Ok(Source::RepoFile(path));
            }
            return Ok(Source::Rpms {
                name: name_or(target),
                paths: vec![path],
            });
        }
        Err(LoadError::Io {
            path,
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or directory"),
        })
    }

    fn label(&self) -> String {
        match self {
            Source::Repo { name, base, .. } => format!("{name} ({})", base.display()),
            Source::Rpms { name, .. } => name.clone(),
            Source::RepoFile(p) => p.display().to_string(),
        }
    }
}

/// Load every source into one pool, then read the file lists the dependencies need and
/// build the indexes.
pub fn load_sources(sources: &[Source], opts: &LoadOptions, progress: &dyn Progress) -> Loaded {
    let host = opts
        .host_arch
        .clone()
        .unwrap_or_else(|| super::repofile::host_arch().to_string());
    let mut pool = Pool::new(&host);
    let http = HttpClient::new(opts.http.clone());
    let mut repos = Vec::new();
    let mut problems = Vec::new();
    let mut expanded: Vec<(Source, bool)> = Vec::new();
    let given = sources.iter().map(|s| (s, false));
    for (s, off) in given.chain(opts.disabled.iter().map(|s| (s, true))) {
        let first_problem = problems.len();
        match s {
            Source::RepoFile(path) => {
                let vars = Vars::for_arch(&host, opts.releasever.as_deref());
                match read_repo_file(path, &vars) {
                    Ok(specs) => {
                        let wanted = |s: &super::repofile::RepoSpec| {
                            s.enabled || off || opts.disabled_sections
                        };
                        for spec in specs.into_iter().filter(wanted) {
                            let spec_off = off || !spec.enabled;
                            for w in &spec.warnings {
                                problems.push(LoadProblem {
                                    source: spec.id.clone(),
                                    error: LoadError::Invalid {
                                        path: path.clone(),
                                        msg: w.clone(),
                                    },
                                    fatal: false,
                                });
                            }
                            match spec.location() {
                                Ok(loc) => expanded.push((
                                    Source::Repo {
                                        name: spec.id.clone(),
                                        base: match loc {
                                            RepoLocation::Local(p) => RepoBase::Local(p),
                                            RepoLocation::Remote(u) => RepoBase::Remote(u),
                                        },
                                        priority: spec.priority,
                                        cost: spec.cost,
                                        module_hotfixes: spec.module_hotfixes,
                                    },
                                    spec_off,
                                )),
                                Err(error) => problems.push(LoadProblem {
                                    source: spec.id.clone(),
                                    error,
                                    fatal: !spec_off,
                                }),
                            }
                        }
                    }
                    Err(error) => problems.push(LoadProblem {
                        source: s.label(),
                        error,
                        fatal: true,
                    }),
                }
            }
            other => expanded.push((other.clone(), off)),
        }
        if off {
            problems[first_problem..]
                .iter_mut()
                .for_each(|p| p.fatal = false);
        }
    }
    let mut disabled = Vec::new();
    let mut disabled_loaded = Vec::new();
    for (s, off) in &expanded {
        let (first_problem, first_repo, first_loaded) =
            (problems.len(), pool.repos.len(), repos.len());
        match s {
            Source::Repo {
                name,
                base,
                priority,
                cost,
                module_hotfixes,
            } => match load_repo(&mut pool, name, base.clone(), &http, progress) {
                Ok(mut r) => {
                    if !opts.skip_modules {
                        read_modules(&mut r, &http, &s.label(), &mut problems);
                    }
                    let repo = &mut pool.repos[r.id.index()];
                    repo.priority = *priority;
                    repo.cost = *cost;
                    repo.module_hotfixes = *module_hotfixes;
                    for w in &r.warnings {
                        problems.push(LoadProblem {
                            source: s.label(),
                            error: LoadError::Invalid {
                                path: PathBuf::from(base.display()),
                                msg: w.clone(),
                            },
                            fatal: false,
                        });
                    }
                    repos.push(r);
                }
                Err(e) => {
                    let (partial, error) = *e;
                    if let Some(r) = partial {
                        repos.push(r);
                    }
                    problems.push(LoadProblem {
                        source: s.label(),
                        error,
                        fatal: true,
                    });
                }
            },
            Source::Rpms { name, paths } => {
                match load_rpm_paths(&mut pool, name, paths, progress) {
                    Ok(r) if r.packages == 0 && r.errors.is_empty() => {
                        let path = paths.first().cloned().unwrap_or_default();
                        problems.push(LoadProblem {
                            source: s.label(),
                            error: LoadError::Invalid {
                                msg: "no repodata/repomd.xml and no .rpm files here".into(),
                                path,
                            },
                            fatal: true,
                        });
                    }
                    Ok(r) => {
                        for error in r.errors {
                            problems.push(LoadProblem {
                                source: s.label(),
                                error,
                                fatal: true,
                            });
                        }
                        for error in r.warnings {
                            problems.push(LoadProblem {
                                source: s.label(),
                                error,
                                fatal: false,
                            });
                        }
                    }
                    Err(error) => problems.push(LoadProblem {
                        source: s.label(),
                        error,
                        fatal: true,
                    }),
                }
            }
            Source::RepoFile(_) => {}
        }
        if *off {
            problems[first_problem..]
                .iter_mut()
                .for_each(|p| p.fatal = false);
            disabled.extend((first_repo..pool.repos.len()).map(|i| RepoId(i as u32)));
            disabled_loaded.extend(first_loaded..repos.len());
        }
    }
    if opts.filelists != Filelists::Never {
        let wanted = match opts.filelists {
            Filelists::All => Some(FileWanted::All),
            Filelists::Deps => Some(FileWanted::file_deps_of(&pool)),
            Filelists::Auto => {
                pool.build_indexes();
                FileWanted::unresolved_file_deps_of(&pool)
            }
            Filelists::Never => None,
        };
        let wanted = match (wanted, opts.extra_paths.is_empty()) {
            (w, true) => w,
            (Some(FileWanted::All), false) => Some(FileWanted::All),
            (Some(FileWanted::Only(mut set)), false) => {
                set.extend(opts.extra_paths.iter().map(|p| Box::from(p.as_str())));
                Some(FileWanted::Only(set))
            }
            (_, false) => Some(FileWanted::Only(
                opts.extra_paths
                    .iter()
                    .map(|p| Box::from(p.as_str()))
                    .collect(),
            )),
        };
        if let Some(wanted) = wanted {
            for (i, r) in repos.iter().enumerate() {
                if let Err(error) = load_filelists(&mut pool, r, &wanted, &http, progress) {
                    problems.push(LoadProblem {
                        source: pool.repos[r.id.index()].name.clone(),
                        error,
                        fatal: !disabled_loaded.contains(&i),
                    });
                }
            }
        }
    }
    pool.build_indexes();
    Loaded {
        pool,
        repos,
        problems,
        disabled,
    }
}

/// Read a repo's module metadata into it; bad documents and an unreadable file are
/// warnings (dnf, too, goes on without what it cannot read).
fn read_modules(
    r: &mut LoadedRepo,
    http: &HttpClient,
    label: &str,
    problems: &mut Vec<LoadProblem>,
) {
    match load_modules(r, http) {
        Ok(None) => {}
        Ok(Some(m)) => {
            for error in m.errors {
                problems.push(LoadProblem {
                    source: label.to_string(),
                    error,
                    fatal: false,
                });
            }
            r.modules = Some(m.index);
        }
        Err(error) => problems.push(LoadProblem {
            source: label.to_string(),
            error,
            fatal: false,
        }),
    }
}

impl Loaded {
    /// The module metadata of every loaded, enabled repository that has some.
    pub fn module_indexes(
        &self,
    ) -> impl Iterator<
        Item = (
            crate::model::package::RepoId,
            &crate::model::module::ModuleIndex,
        ),
    > {
        self.repos
            .iter()
            .filter(|r| !self.disabled.contains(&r.id))
            .filter_map(|r| r.modules.as_ref().map(|m| (r.id, m)))
    }

    /// Read every file list entry of `pkgs` (for `query -l` or a details view), from the
    /// repositories they belong to. Packages from `.rpm` headers already have theirs.
    pub fn read_files_of(
        &mut self,
        pkgs: &[crate::model::package::PkgId],
        opts: &LoadOptions,
    ) -> Vec<LoadProblem> {
        let http = HttpClient::new(opts.http.clone());
        let wanted = FileWanted::Packages(pkgs.iter().copied().collect());
        let mut problems = Vec::new();
        for r in &self.repos {
            if !pkgs.iter().any(|p| self.pool.pkg(*p).repo == r.id) {
                continue;
            }
            if let Err(error) = load_filelists(
                &mut self.pool,
                r,
                &wanted,
                &http,
                &crate::progress::NoProgress,
            ) {
                problems.push(LoadProblem {
                    source: self.pool.repos[r.id.index()].name.clone(),
                    error,
                    fatal: true,
                });
            }
        }
        self.pool.build_indexes();
        problems
    }
}

impl Loaded {
    /// Changelogs (from `other.xml`) of `pkgs`, keyed by package.
    pub fn changelogs_of(
        &self,
        pkgs: &[crate::model::package::PkgId],
        opts: &LoadOptions,
    ) -> (
        rustc_hash::FxHashMap<crate::model::package::PkgId, Vec<super::other::Changelog>>,
        Vec<LoadProblem>,
    ) {
        let http = HttpClient::new(opts.http.clone());
        let mut out = rustc_hash::FxHashMap::default();
        let mut problems = Vec::new();
        for r in &self.repos {
            let mine: Vec<_> = pkgs
                .iter()
                .copied()
                .filter(|p| self.pool.pkg(*p).repo == r.id)
                .collect();
            if mine.is_empty() {
                continue;
            }
            let by_sum: rustc_hash::FxHashMap<&str, crate::model::package::PkgId> = mine
                .iter()
                .map(|&p| (&*self.pool.pkg(p).info.checksum, p))
                .collect();
            let res = r.read_changelogs(&http, &|pkgid, _| by_sum.contains_key(pkgid));
            match res {
                Ok(found) => {
                    for (pkgid, _, logs) in found {
                        if let Some(&p) = by_sum.get(pkgid.as_str()) {
                            out.insert(p, logs);
                        }
                    }
                }
                Err(error) => problems.push(LoadProblem {
                    source: self.pool.repos[r.id.index()].name.clone(),
                    error,
                    fatal: true,
                }),
            }
        }
        (out, problems)
    }

    /// The comps groups of every repository that has them (`group`, else `group_gz`),
    /// read on demand; a file that cannot be read is a problem, the rest stays usable.
    pub fn comps(
        &self,
        opts: &LoadOptions,
    ) -> (
        Vec<(crate::model::package::RepoId, crate::model::comps::Comps)>,
        Vec<LoadProblem>,
    ) {
        let http = HttpClient::new(opts.http.clone());
        let mut out = Vec::new();
        let mut problems = Vec::new();
        for r in &self.repos {
            let Some(kind) = ["group", "group_gz"]
                .into_iter()
                .find(|k| r.record(k).is_some())
            else {
                continue;
            };
            let res = r.open_record(kind, &http).and_then(|input| match input {
                None => Ok(None),
                Some(input) => super::comps::parse_comps(std::io::BufReader::new(input))
                    .map(Some)
                    .map_err(|e| r.record_error(kind, &e)),
            });
            match res {
                Ok(Some(c)) => out.push((r.id, c)),
                Ok(None) => {}
                Err(error) => problems.push(LoadProblem {
                    source: self.pool.repos[r.id.index()].name.clone(),
                    error,
                    fatal: false,
                }),
            }
        }
        (out, problems)
    }

    /// Every advisory of every repo's `updateinfo`, with the repo it came from.
    pub fn advisories(
        &self,
        opts: &LoadOptions,
    ) -> (
        Vec<(
            crate::model::package::RepoId,
            crate::model::advisory::Advisory,
        )>,
        Vec<LoadProblem>,
    ) {
        let http = HttpClient::new(opts.http.clone());
        let mut out = Vec::new();
        let mut problems = Vec::new();
        for r in &self.repos {
            let res = r
                .open_record("updateinfo", &http)
                .and_then(|input| match input {
                    None => Ok(Vec::new()),
                    Some(input) => super::updateinfo::parse_updateinfo(input)
                        .map_err(|e| r.record_error("updateinfo", &e)),
                });
            match res {
                Ok(advs) => out.extend(advs.into_iter().map(|a| (r.id, a))),
                Err(error) => problems.push(LoadProblem {
                    source: self.pool.repos[r.id.index()].name.clone(),
                    error,
                    fatal: true,
                }),
            }
        }
        (out, problems)
    }
}

/// Convenience for tests and simple callers: load `[NAME,]PATH` arguments.
pub fn load_args(
    args: &[&str],
    opts: &LoadOptions,
    progress: &dyn Progress,
) -> Result<Loaded, LoadError> {
    let sources = args
        .iter()
        .map(|a| Source::parse(a))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(load_sources(&sources, opts, progress))
}
