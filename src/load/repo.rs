//! Loading one rpm-md repository: `repomd.xml`, then `primary`, and on request the
//! file entries of `filelists` that dependencies need. Local directories, `file://`
//! and `http(s)://` base URLs are read the same way: every file is decompressed on a
//! worker thread and verified against repomd's checksum in the same pass (primary's
//! parse is itself spread over threads: see [`super::primary`]).

use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

use super::compress::{DecodedReader, io_ref_to_load_error, io_to_load_error, open_verified};
use super::error::LoadError;
use super::filelists::{FileWanted, FilelistsResult, scan_filelists};
use super::http::{HttpClient, join_url};
use super::modulemd::{ModulesLoad, parse_modules};
use super::primary::{PrimaryResult, parse_primary};
use super::repomd::{RepoMd, RepoMdRecord, parse_repomd};
use super::threaded::ThreadedReader;
use super::xml::{XmlError, line_col};
use crate::model::module::ModuleIndex;
use crate::model::package::RepoId;
use crate::model::pool::{Pool, SourceKind};
use crate::progress::Progress;

/// Where a repository lives: the directory holding `repodata/`, or a base URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RepoBase {
    Local(PathBuf),
    Remote(String),
}

impl RepoBase {
    pub fn display(&self) -> String {
        match self {
            RepoBase::Local(p) => p.display().to_string(),
            RepoBase::Remote(u) => u.clone(),
        }
    }

    /// The path or URL of `href` (relative to the repository base).
    fn join(&self, href: &str) -> String {
        match self {
            RepoBase::Local(p) => p.join(href).display().to_string(),
            RepoBase::Remote(u) => join_url(u, href),
        }
    }

    fn read_bytes(&self, href: &str, http: &HttpClient) -> Result<Vec<u8>, LoadError> {
        match self {
            RepoBase::Local(p) => {
                let path = p.join(href);
                std::fs::read(&path).map_err(|source| LoadError::Io { path, source })
            }
            RepoBase::Remote(u) => http.get_bytes(&join_url(u, href), 64 << 20),
        }
    }

    /// A decoded stream of a repomd record's file, verified against its checksum.
    fn open_decoded(
        &self,
        rec: &RepoMdRecord,
        http: &HttpClient,
    ) -> Result<DecodedReader, LoadError> {
        match self {
            RepoBase::Local(p) => open_verified(&p.join(&rec.href), rec.checksum.as_ref()),
            RepoBase::Remote(u) => {
                let url = join_url(u, &rec.href);
                let raw = http.get_reader(&url)?;
                DecodedReader::new(raw, Path::new(&url), rec.checksum.as_ref())
            }
        }
    }

    /// A decoded, verified stream of a repomd record's file, decoded on a worker thread.
    fn open(&self, rec: &RepoMdRecord, http: &HttpClient) -> Result<ThreadedReader, LoadError> {
        Ok(ThreadedReader::new(Box::new(self.open_decoded(rec, http)?)))
    }
}

/// A repository whose primary is loaded; keeps what is needed to read more of it later.
#[derive(Debug, Clone)]
pub struct LoadedRepo {
    pub id: RepoId,
    pub base: RepoBase,
    pub repomd: RepoMd,
    pub primary: PrimaryResult,
    /// Problems that did not stop loading (bad dependencies, repomd oddities).
    pub warnings: Vec<String>,
    /// The repository's module metadata (`modules` record), when it has one and it was
    /// read (see [`load_modules`]).
    pub modules: Option<ModuleIndex>,
}

impl LoadedRepo {
    pub fn record(&self, kind: &str) -> Option<&RepoMdRecord> {
        self.repomd.get(kind)
    }

    /// A decoded, verified stream of the repo's `kind` file (`other`, `updateinfo`,
    /// `group`, ...), or `None` when repomd has no such record.
    pub fn open_record(
        &self,
        kind: &str,
        http: &HttpClient,
    ) -> Result<Option<ThreadedReader>, LoadError> {
        match self.record(kind) {
            Some(rec) => self.base.open(rec, http).map(Some),
            None => Ok(None),
        }
    }

    /// The changelogs in the repo's `other.xml` of the packages `wanted(pkgid, name)`
    /// picks, as `(pkgid, name, changelogs)`; empty when repomd has no `other` record.
    pub fn read_changelogs(
        &self,
        http: &HttpClient,
        wanted: &dyn Fn(&str, &str) -> bool,
    ) -> Result<Vec<(String, String, Vec<super::other::Changelog>)>, LoadError> {
        match self.open_record("other", http)? {
            None => Ok(Vec::new()),
            Some(input) => super::other::parse_other_for(input, wanted)
                .map_err(|e| self.record_error("other", &e)),
        }
    }

    /// Turn a parse error of the repo's `kind` file into a `LoadError` naming it.
    pub fn record_error(&self, kind: &str, e: &XmlError) -> LoadError {
        match self.record(kind) {
            Some(rec) => xml_to_load_error(&self.base, rec, e),
            None => LoadError::Invalid {
                path: PathBuf::from(self.base.display()),
                msg: e.msg.clone(),
            },
        }
    }
}

/// Turn a parse failure into a `LoadError` naming the file, with line and column when
/// the file is local (re-decoded up to the offset: errors are rare, so this costs nothing
/// on the good path), or the decompression/checksum error underneath.
pub fn xml_to_load_error(base: &RepoBase, rec: &RepoMdRecord, e: &XmlError) -> LoadError {
    let name = PathBuf::from(base.join(&rec.href));
    if let Some(io) = &e.io {
        return io_ref_to_load_error(&name, io);
    }
    let (line, column) = match base {
        RepoBase::Local(p) => locate(&p.join(&rec.href), e.offset).unwrap_or((0, 0)),
        RepoBase::Remote(_) => (0, 0),
    };
    if line == 0 {
        return LoadError::Invalid {
            path: name,
            msg: format!("{} (at byte {} of the decompressed data)", e.msg, e.offset),
        };
    }
    LoadError::Syntax {
        path: name,
        line,
        column,
        msg: e.msg.clone(),
    }
}

fn locate(path: &Path, offset: u64) -> Option<(u64, u64)> {
    let mut r = open_verified(path, None).ok()?;
    let mut data = Vec::new();
    let mut chunk = r.fill_buf().ok()?.to_vec();
    while !chunk.is_empty() && (data.len() as u64) < offset + 1 {
        let n = chunk.len();
        data.extend_from_slice(&chunk);
        r.consume(n);
        chunk = match r.fill_buf() {
            Ok(c) => c.to_vec(),
            Err(_) => break,
        };
    }
    Some(line_col(&data, offset))
}

/// Read `repomd.xml` and `primary` of one repository into `pool` as a new repo `name`.
///
/// On a primary that fails half-way, the packages read before the failure stay in the
/// pool (and the repo), and the error is returned with them, so the caller can report
/// it and go on.
pub fn load_repo(
    pool: &mut Pool,
    name: &str,
    base: RepoBase,
    http: &HttpClient,
    progress: &dyn Progress,
) -> Result<LoadedRepo, Box<(Option<LoadedRepo>, LoadError)>> {
    let repomd_path = PathBuf::from(base.join("repodata/repomd.xml"));
    let bytes = base
        .read_bytes("repodata/repomd.xml", http)
        .map_err(|e| Box::new((None, e)))?;
    let repomd = parse_repomd(&bytes, &repomd_path).map_err(|e| Box::new((None, e)))?;
    let Some(rec) = repomd.get("primary").cloned() else {
        return Err(Box::new((
            None,
            LoadError::Invalid {
                path: repomd_path,
                msg: "no `primary` record".to_string(),
            },
        )));
    };
    let id = pool.add_repo(name, &base.display(), SourceKind::RpmMd);
    let mut missing = Vec::new();
    if let RepoBase::Local(dir) = &base {
        // dnf refuses a repo whose repomd names a file that is not there; bramble reads
        // what it needs, and says which files are missing up front.
        for r in &repomd.records {
            if r.kind != "primary" && !dir.join(&r.href).exists() {
                missing.push(format!(
                    "repomd's `{}` record names a missing file `{}`",
                    r.kind, r.href
                ));
            }
        }
    }
    progress.phase(&format!("{name}: primary"), rec.open_size.or(rec.size));
    let mut loaded = LoadedRepo {
        id,
        base,
        warnings: repomd.warnings.iter().cloned().chain(missing).collect(),
        repomd,
        primary: PrimaryResult::default(),
        modules: None,
    };
    // Decoded on this thread while worker threads parse it (see `primary`).
    let input = match loaded.base.open_decoded(&rec, http) {
        Ok(i) => i,
        Err(e) => return Err(Box::new((Some(loaded), e))),
    };
    match parse_primary(pool, input, progress) {
        Ok(r) => {
            for w in &r.warnings {
                let e = xml_to_load_error(&loaded.base, &rec, w);
                loaded.warnings.push(e.to_string());
            }
            loaded.primary = r;
            Ok(loaded)
        }
        Err(e) => {
            let err = xml_to_load_error(&loaded.base, &rec, &e);
            Err(Box::new((Some(loaded), err)))
        }
    }
}

/// Scan the repo's `filelists` for the wanted paths. A repo without a filelists record
/// is not an error (nothing to read).
pub fn load_filelists(
    pool: &mut Pool,
    repo: &LoadedRepo,
    wanted: &FileWanted,
    http: &HttpClient,
    progress: &dyn Progress,
) -> Result<Option<FilelistsResult>, LoadError> {
    let Some(rec) = repo.record("filelists") else {
        return Ok(None);
    };
    progress.phase(
        &format!("{}: filelists", pool.repos[repo.id.index()].name),
        rec.open_size.or(rec.size),
    );
    let input = repo.base.open(rec, http)?;
    let r = scan_filelists(pool, repo.id, input, wanted, progress)
        .map_err(|e| xml_to_load_error(&repo.base, rec, &e))?;
    pool.repos[repo.id.index()].full_filelists = true;
    Ok(Some(r))
}

/// Read the repo's module metadata (the `modules` record: plain, gz, xz, zst, bz2),
/// verified against repomd's checksum. `Ok(None)` when the repo has none; a bad
/// document is an error in the result, not a failure of the whole file.
pub fn load_modules(
    repo: &LoadedRepo,
    http: &HttpClient,
) -> Result<Option<ModulesLoad>, LoadError> {
    let Some(rec) = repo.record("modules") else {
        return Ok(None);
    };
    let name = PathBuf::from(repo.base.join(&rec.href));
    let mut input = repo.base.open(rec, http)?;
    let mut data = Vec::new();
    input
        .read_to_end(&mut data)
        .map_err(|e| io_to_load_error(&name, e))?;
    Ok(Some(parse_modules(&data, &name)))
}
