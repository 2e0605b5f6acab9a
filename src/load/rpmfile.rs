//! `.rpm` files read header by header into the [`Pool`]: the "directory of packages with
//! no metadata yet" source (`yum_data/packages`, a Koji build's output, a mock result dir).
//!
//! The pool must end up exactly as if `createrepo_c` (0.17, the version the oracle repos
//! were built with) had been run on the same files and its `primary.xml` loaded, because
//! that is what dnf would see. So the header is turned into dependencies by the rules of
//! createrepo_c's `parsehdr.c`, not by rpm's own view:
//!
//! * `Requires: rpmlib(...)` are dropped;
//! * a Requires on one of the package's own files is dropped when the path is a
//!   "primary" one (`/etc/*`, `*bin/*`, `/usr/lib/sendmail`);
//! * a Requires identical (name, flags, version text) to one of the package's Provides
//!   is dropped, and so is a Requires equal to the previous one of the same name;
//! * only the highest `libc.so.6(GLIBC_x)` Requires is kept, and moved last;
//! * `pre` is set for `Requires(pre)`, `Requires(post)` and legacy `PreReq`;
//! * legacy weak dependencies (createrepo_c built with `LegacyWeakdeps`, as Debian's and
//!   Fedora's are): a Requires with `RPMSENSE_MISSINGOK` is a Recommends, the old SUSE
//!   `Suggests`/`Enhances` tags become Recommends/Supplements when `RPMSENSE_STRONG` is
//!   set and Suggests/Enhances otherwise;
//! * a dependency version is split createrepo_c's way (epoch before the first `:`, release
//!   after the *first* `-`); one with a non-numeric epoch is skipped with a warning;
//! * only the comparison bits of the flags count (`LT`, `GT`, `EQ`, `LE`, `GE`); any other
//!   combination is written unversioned, and so is the version of an unversioned flag;
//! * a source package (`RPMTAG_SOURCEPACKAGE`, or rpm's heuristic for old ones) gets arch
//!   `src`; its Requires are its BuildRequires;
//! * headers of truly ancient packages get rpm's retrofits (implicit `name = EVR` provide,
//!   `OLDFILENAMES`), because createrepo_c reads them through librpm, which applies them.
//!
//! What createrepo_c does not do, and this loader does: every byte of the lead and the
//! two headers is bounds-checked before the `rpm` crate sees it (its parser indexes
//! without checking and allocates what the file asks for), the header's SHA-256/SHA-1
//! digests are verified, and (with [`RpmLoadOptions::read_payload`]) the payload is
//! checked against its digest and the signature's size. A file whose header cannot be
//! trusted is an error and is not loaded; a file whose header is sound but whose payload
//! is damaged or truncated is loaded (createrepo_c would list it) with a warning.
//!
//! The payload is never decompressed nor kept: with `read_payload` it streams through
//! the hashers once, giving the file's SHA-256, which is createrepo_c's `pkgid`.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::fs::{self, File};
use std::io::{self, Read};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use rayon::prelude::*;
use rpm::{IndexSignatureTag, IndexTag, PackageMetadata};
use rustc_hash::{FxHashMap, FxHashSet};
use sha2::Digest;

use super::compress::{ChecksumKind, Hasher, to_hex};
use super::error::LoadError;
use crate::model::dep::Cmp;
use crate::model::evr::rpmvercmp;
use crate::model::package::{DepKind, PackageInfo, PkgId, Reldep};
use crate::model::pool::{FileMeta, NewPackage, Pool, SourceKind};
use crate::progress::Progress;

// ---- public API ----------------------------------------------------------------------

/// How much of each file to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RpmLoadOptions {
    /// Read the whole file, not only the headers: compute its SHA-256 (the `pkgid`
    /// createrepo_c writes, stored in [`PackageInfo::checksum`]) and check the payload
    /// against the package's payload digest / MD5. Without it only the lead and headers
    /// are read (a few KiB per package) and the checksum is left empty.
    pub read_payload: bool,
}

impl Default for RpmLoadOptions {
    fn default() -> Self {
        RpmLoadOptions { read_payload: true }
    }
}

/// What loading a set of `.rpm` files produced besides the packages themselves.
#[derive(Debug, Default)]
pub struct RpmLoadResult {
    /// Packages added to the pool.
    pub packages: usize,
    /// Files that were not loaded (not an rpm, truncated or corrupt headers, unreadable),
    /// one error each, naming the file and, where there is one, the byte offset.
    pub errors: Vec<LoadError>,
    /// Files that were loaded but have a problem: a damaged or truncated payload, or a
    /// dependency createrepo_c would skip or primary.xml could not express.
    pub warnings: Vec<LoadError>,
}

/// One dependency as createrepo_c writes it into primary.xml: the `rpm:entry` attributes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RpmDep {
    pub name: String,
    pub cmp: Cmp,
    pub epoch: Option<String>,
    pub version: Option<String>,
    pub release: Option<String>,
    pub pre: bool,
}

/// One `.rpm` file's header, already shaped as createrepo_c would present it.
#[derive(Debug, Default)]
pub struct RpmPackage {
    pub path: PathBuf,
    pub name: String,
    pub epoch: u32,
    pub version: String,
    pub release: String,
    /// `src` for source packages, the header's arch otherwise.
    pub arch: String,
    pub summary: String,
    pub description: String,
    pub url: String,
    pub license: String,
    pub group: String,
    pub vendor: String,
    pub packager: String,
    pub buildhost: String,
    pub sourcerpm: String,
    /// The `ModularityLabel` header (`name:stream:version:context`), empty if none.
    pub modularity_label: String,
    /// SHA-256 of the whole file, hex (only with [`RpmLoadOptions::read_payload`]).
    pub checksum: Option<String>,
    pub size_package: u64,
    pub size_installed: u64,
    pub size_archive: u64,
    /// The file's modification time (createrepo_c's `time file`).
    pub time_file: u64,
    pub time_build: u64,
    /// Byte range of the main header in the file (`rpm:header-range`).
    pub header_start: u64,
    pub header_end: u64,
    /// Dependencies per kind, in [`DepKind::ALL`] order.
    pub deps: [Vec<RpmDep>; 8],
    /// Every path the package owns (files, directories, ghosts).
    pub files: Vec<String>,
    /// Header data of each of `files` (same order), for file conflict checks; empty when
    /// the header lacks one of the per-file tags or their lengths disagree.
    pub file_meta: Vec<FileMeta>,
    /// Problems that did not stop the package from loading.
    pub warnings: Vec<LoadError>,
}

/// Load `.rpm` files into a new repository `repo_name` of `pool`, reading the whole files
/// (see [`RpmLoadOptions`]). Each path is a file (taken whatever its name) or a directory
/// searched recursively for `*.rpm` (source packages included), in sorted order.
///
/// A path that does not exist is an error of the whole call; every problem inside (a bad
/// file, an unreadable sub-directory) is collected in the result and loading goes on.
pub fn load_rpm_paths(
    pool: &mut Pool,
    repo_name: &str,
    paths: &[PathBuf],
    progress: &dyn Progress,
) -> Result<RpmLoadResult, LoadError> {
    load_rpm_paths_with(pool, repo_name, paths, &RpmLoadOptions::default(), progress)
}

/// [`load_rpm_paths`] with explicit options.
pub fn load_rpm_paths_with(
    pool: &mut Pool,
    repo_name: &str,
    paths: &[PathBuf],
    opts: &RpmLoadOptions,
    progress: &dyn Progress,
) -> Result<RpmLoadResult, LoadError> {
    let (files, dir_errors) = find_rpm_files(paths)?;
    let mut result = RpmLoadResult {
        errors: dir_errors,
        ..RpmLoadResult::default()
    };
    let location = paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let repo = pool.add_repo(repo_name, &location, SourceKind::RpmFiles);
    if let Some(r) = pool.repos.get_mut(repo.index()) {
        r.full_filelists = true;
    }
    progress.phase("rpm headers", Some(files.len() as u64));
    // Parse in parallel, add in file order: the pool is the same whatever the scheduling.
    for chunk in files.chunks(64) {
        let parsed: Vec<Result<RpmPackage, LoadError>> = chunk
            .par_iter()
            .map(|p| {
                let r = read_rpm_file(p, opts);
                progress.advance(1);
                r
            })
            .collect();
        for r in parsed {
            match r {
                Ok(mut pkg) => {
                    result.warnings.append(&mut pkg.warnings);
                    let (_, mut w) = add_rpm_package(pool, &pkg);
                    result.warnings.append(&mut w);
                    result.packages += 1;
                }
                Err(e) => result.errors.push(e),
            }
        }
    }
    Ok(result)
}

/// The files [`load_rpm_paths`] would read: each path that is not a directory as given,
/// then each directory's `*.rpm` files, recursively (symlinks followed, loops cut),
/// sorted by path. Unreadable sub-directories are returned as errors, not fatal.
pub fn find_rpm_files(paths: &[PathBuf]) -> Result<(Vec<PathBuf>, Vec<LoadError>), LoadError> {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        let md = fs::metadata(p).map_err(|e| LoadError::Io {
            path: p.clone(),
            source: e,
        })?;
        if md.is_dir() {
            let mut found = Vec::new();
            let mut seen = FxHashSet::default();
            walk_dir(p, &mut found, &mut errors, &mut seen);
            found.sort();
            files.extend(found);
        } else {
            files.push(p.clone());
        }
    }
    Ok((files, errors))
}

fn walk_dir(
    dir: &Path,
    found: &mut Vec<PathBuf>,
    errors: &mut Vec<LoadError>,
    seen: &mut FxHashSet<PathBuf>,
) {
    if let Ok(canon) = fs::canonicalize(dir)
        && !seen.insert(canon)
    {
        return; // a symlink loop, or a directory reached twice
    }
    let rd = match fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => {
            errors.push(LoadError::Io {
                path: dir.to_path_buf(),
                source: e,
            });
            return;
        }
    };
    for entry in rd {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                errors.push(LoadError::Io {
                    path: dir.to_path_buf(),
                    source: e,
                });
                continue;
            }
        };
        let path = entry.path();
        let is_dir = match entry.file_type() {
            Ok(t) if t.is_symlink() => fs::metadata(&path).is_ok_and(|m| m.is_dir()),
            Ok(t) => t.is_dir(),
            Err(_) => false,
        };
        if is_dir {
            walk_dir(&path, found, errors, seen);
        } else if path
            .file_name()
            .is_some_and(|n| n.as_encoded_bytes().ends_with(b".rpm"))
        {
            found.push(path);
        }
    }
}

/// Add one parsed package to the pool's current repository. Returns its id and the
/// dependencies that could not be stored as written (kept by name, as the primary.xml
/// parser does).
pub fn add_rpm_package(pool: &mut Pool, pkg: &RpmPackage) -> (PkgId, Vec<LoadError>) {
    let mut warnings = Vec::new();
    let mut deps: [Vec<Reldep>; 8] = Default::default();
    for (k, list) in pkg.deps.iter().enumerate() {
        for d in list {
            let dep = match pool.make_reldep(
                &d.name,
                d.cmp,
                d.epoch.as_deref(),
                d.version.as_deref(),
                d.release.as_deref(),
                d.pre,
            ) {
                Ok(r) => r,
                Err(msg) => {
                    warnings.push(LoadError::Invalid {
                        path: pkg.path.clone(),
                        msg: format!("{}: {msg}", DepKind::ALL[k].as_str()),
                    });
                    let mut r = Reldep::unversioned(pool.intern(&d.name));
                    if d.pre {
                        r.flags |= Reldep::PRE;
                    }
                    r
                }
            };
            deps[k].push(dep);
        }
    }
    let info = PackageInfo {
        summary: pkg.summary.as_str().into(),
        description: pkg.description.as_str().into(),
        url: pkg.url.as_str().into(),
        license: pool.intern(&pkg.license),
        group: pool.intern(&pkg.group),
        vendor: pool.intern(&pkg.vendor),
        packager: pool.intern(&pkg.packager),
        buildhost: pool.intern(&pkg.buildhost),
        sourcerpm: pool.intern(&pkg.sourcerpm),
        location: pkg.path.to_string_lossy().as_ref().into(),
        checksum: pkg.checksum.as_deref().unwrap_or("").into(),
        checksum_type: if pkg.checksum.is_some() {
            pool.intern("sha256")
        } else {
            pool.intern("")
        },
        size_package: pkg.size_package,
        size_installed: pkg.size_installed,
        size_archive: pkg.size_archive,
        time_file: pkg.time_file,
        time_build: pkg.time_build,
        header_start: pkg.header_start,
        header_end: pkg.header_end,
        modularity_label: pool.intern(&pkg.modularity_label),
    };
    let id = pool.add_package(
        NewPackage {
            name: &pkg.name,
            epoch: pkg.epoch,
            version: &pkg.version,
            release: &pkg.release,
            arch: &pkg.arch,
            info,
        },
        &deps,
    );
    if pkg.file_meta.len() == pkg.files.len() {
        for (f, m) in pkg.files.iter().zip(&pkg.file_meta) {
            pool.add_file_with_meta(id, f, m.clone());
        }
    } else {
        for f in &pkg.files {
            pool.add_file(id, f);
        }
    }
    (id, warnings)
}

/// The package's `ModularityLabel` (`%{modularitylabel}`), if it has one. Only packages
/// read from `.rpm` files can: rpm-md metadata does not carry it.
pub fn modularity_label(pool: &Pool, id: PkgId) -> Option<&str> {
    let sym = pool.pkg(id).info.modularity_label;
    (!sym.is_empty()).then(|| pool.str(sym))
}

/// Read one `.rpm` file: its lead and headers, checked; with `read_payload` the rest of
/// the file streams through the hashers.
pub fn read_rpm_file(path: &Path, opts: &RpmLoadOptions) -> Result<RpmPackage, LoadError> {
    let io_err = |e: io::Error| LoadError::Io {
        path: path.to_path_buf(),
        source: e,
    };
    let mut file = File::open(path).map_err(io_err)?;
    let meta = file.metadata().map_err(io_err)?;
    if !meta.is_file() {
        return Err(LoadError::Invalid {
            path: path.to_path_buf(),
            msg: "not a regular file".into(),
        });
    }
    let len = meta.len();
    let time_file = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs());
    let (head, frame) = read_head(&mut file, len, path)?;
    let md = parse_metadata(&head, &frame, path)?;

    let mut warnings = Vec::new();
    let mut pkg = extract(&md, &head, &frame, path, &mut warnings)?;
    let size_ok = check_size(&md, len, &frame, path, &mut warnings);
    let checksum = if opts.read_payload {
        Some(hash_file(
            &mut file,
            &head,
            &frame,
            &md,
            size_ok,
            path,
            &mut warnings,
        )?)
    } else {
        None
    };
    pkg.checksum = checksum;
    pkg.size_package = len;
    pkg.time_file = time_file;
    pkg.warnings = warnings;
    Ok(pkg)
}

// ---- framing: lead, signature header, header ------------------------------------------

const LEAD_SIZE: usize = 96;
const RPM_MAGIC: [u8; 4] = [0xed, 0xab, 0xee, 0xdb];
const HEADER_MAGIC: [u8; 4] = [0x8e, 0xad, 0xe8, 0x01];
/// rpm's limits (`hdrchkTags`, `HEADER_DATA_MAX`): more is a corrupt header.
const MAX_TAGS: u64 = 0xffff;
const MAX_DATA: u64 = 0x0fff_ffff;

/// Where the parts of the file are, in bytes from its start.
#[derive(Clone, Copy, Debug)]
struct Frame {
    header_start: usize,
    header_end: usize,
}

fn malformed(path: &Path, offset: u64, msg: impl Into<String>) -> LoadError {
    LoadError::Malformed {
        path: path.to_path_buf(),
        offset,
        msg: msg.into(),
    }
}

fn hex_bytes(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 3);
    for (i, x) in b.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        let _ = write!(s, "{x:02x}");
    }
    s
}

/// Describe the start of a file that is not an rpm, to help spot what it is instead.
fn describe_start(b: &[u8]) -> String {
    let text = b
        .iter()
        .take(48)
        .all(|&c| c == b'\t' || (0x20..0x7f).contains(&c));
    if text && !b.is_empty() {
        let n = b.len().min(48);
        let s = String::from_utf8_lossy(&b[..n]);
        format!("it starts with the text `{s}`")
    } else {
        format!("it starts with bytes {}", hex_bytes(&b[..b.len().min(4)]))
    }
}

/// Read the lead and both headers into one buffer, checking every size against the file
/// and rpm's limits and every index entry against its data store.
fn read_head(file: &mut File, len: u64, path: &Path) -> Result<(Vec<u8>, Frame), LoadError> {
    if len == 0 {
        return Err(malformed(
            path,
            0,
            "empty file (0 bytes), not an rpm package",
        ));
    }
    let mut head = vec![0u8; (len as usize).min(LEAD_SIZE)];
    read_exact_at(file, &mut head, 0, len, path)?;
    if head.len() < 4 || head[..4] != RPM_MAGIC {
        return Err(malformed(
            path,
            0,
            format!(
                "not an rpm package: no rpm lead magic (ed ab ee db); {}",
                describe_start(&head)
            ),
        ));
    }
    if head.len() < LEAD_SIZE {
        return Err(malformed(
            path,
            len,
            format!("truncated in the rpm lead: the file has {len} bytes, the lead needs 96"),
        ));
    }
    let major = head[4];
    if !(3..=4).contains(&major) {
        return Err(malformed(
            path,
            4,
            format!("unsupported rpm package format version {major} (rpm reads 3 and 4)"),
        ));
    }
    let sig_type = u16::from_be_bytes([head[78], head[79]]);
    if sig_type != 5 {
        return Err(malformed(
            path,
            78,
            format!(
                "unsupported signature type {sig_type} in the lead (rpm reads only 5, header-style signatures)"
            ),
        ));
    }
    let sig_start = LEAD_SIZE;
    let sig_end = read_block(file, &mut head, sig_start, len, "signature header", path)?;
    validate_entries(&head, sig_start, "signature header", path)?;
    let sig_data = be32(&head, sig_start + 12) as usize;
    let pad = (8 - sig_data % 8) % 8;
    let header_start = sig_end + pad;
    if header_start as u64 > len {
        return Err(malformed(
            path,
            len,
            format!(
                "truncated after the signature header: the file ends at byte {len}, the header would start at byte {header_start}"
            ),
        ));
    }
    let at = head.len();
    head.resize(header_start, 0);
    read_exact_at(file, &mut head[at..], at as u64, len, path)?;
    let header_end = read_block(file, &mut head, header_start, len, "header", path)?;
    // The digests first: a corrupt header is best reported as such, whatever it breaks.
    verify_header_digests(&head, sig_start, &head[header_start..header_end], path)?;
    validate_entries(&head, header_start, "header", path)?;
    Ok((
        head,
        Frame {
            header_start,
            header_end,
        },
    ))
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn read_exact_at(
    file: &mut File,
    buf: &mut [u8],
    at: u64,
    len: u64,
    path: &Path,
) -> Result<(), LoadError> {
    file.read_exact(buf).map_err(|e| {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            malformed(
                path,
                len,
                format!(
                    "the file ended while reading {} bytes at byte {at}",
                    buf.len()
                ),
            )
        } else {
            LoadError::Io {
                path: path.to_path_buf(),
                source: e,
            }
        }
    })
}

/// Read one header structure (intro, index, data store) starting at `start`, which is
/// `head.len()`. Returns the offset just past it.
fn read_block(
    file: &mut File,
    head: &mut Vec<u8>,
    start: usize,
    len: u64,
    what: &str,
    path: &Path,
) -> Result<usize, LoadError> {
    debug_assert_eq!(head.len(), start);
    let start64 = start as u64;
    if start64 + 16 > len {
        return Err(malformed(
            path,
            len,
            format!(
                "truncated: the {what} should start at byte {start} but the file ends at byte {len}"
            ),
        ));
    }
    head.resize(start + 16, 0);
    read_exact_at(file, &mut head[start..], start64, len, path)?;
    let intro = &head[start..start + 16];
    if intro[..4] != HEADER_MAGIC {
        return Err(malformed(
            path,
            start64,
            format!(
                "bad {what} magic: expected 8e ad e8 01, found {}",
                hex_bytes(&intro[..4])
            ),
        ));
    }
    let nindex = u64::from(u32::from_be_bytes([
        intro[8], intro[9], intro[10], intro[11],
    ]));
    let dsize = u64::from(u32::from_be_bytes([
        intro[12], intro[13], intro[14], intro[15],
    ]));
    if nindex > MAX_TAGS || dsize > MAX_DATA {
        return Err(malformed(
            path,
            start64 + 8,
            format!(
                "corrupt {what}: {nindex} index entries and {dsize} data bytes exceed rpm's limits ({MAX_TAGS} entries, {MAX_DATA} bytes)"
            ),
        ));
    }
    let end = start64 + 16 + 16 * nindex + dsize;
    if end > len {
        return Err(malformed(
            path,
            len,
            format!(
                "truncated: the {what} at byte {start} has {nindex} index entries and {dsize} data bytes, so it ends at byte {end}, but the file ends at byte {len}"
            ),
        ));
    }
    let body = start + 16;
    head.resize(end as usize, 0);
    read_exact_at(file, &mut head[body..], body as u64, len, path)?;
    Ok(end as usize)
}

/// One index entry of a header structure: `(tag, type, offset, count)`.
fn index_entry(head: &[u8], start: usize, i: usize) -> (u32, u32, i32, u32) {
    let e = start + 16 + 16 * i;
    (
        be32(head, e),
        be32(head, e + 4),
        be32(head, e + 8) as i32,
        be32(head, e + 12),
    )
}

/// Check every index entry of the structure at `start` (already read whole) against its
/// data store: known type, offset inside, room for `count` items, strings terminated.
fn validate_entries(head: &[u8], start: usize, what: &str, path: &Path) -> Result<(), LoadError> {
    let nindex = be32(head, start + 8) as usize;
    let dsize = u64::from(be32(head, start + 12));
    let store = start + 16 + 16 * nindex;
    for i in 0..nindex {
        let e = start + 16 + 16 * i;
        let (tag, ty, offset, count) = index_entry(head, start, i);
        let count = u64::from(count);
        let bad = |msg: String| {
            malformed(
                path,
                e as u64,
                format!("corrupt {what}: index entry {i} (tag {tag}) {msg}"),
            )
        };
        if ty > 9 {
            return Err(bad(format!("has unknown data type {ty}")));
        }
        if offset < 0 || offset as u64 > dsize {
            return Err(bad(format!(
                "points outside the {dsize}-byte data store (offset {offset})"
            )));
        }
        let room = dsize - offset as u64;
        let need = match ty {
            0 => 0,
            1 | 2 | 7 => count,
            3 => count * 2,
            4 => count * 4,
            5 => count * 8,
            // strings: at least one NUL each
            _ => count.max(1),
        };
        if need > room {
            return Err(bad(format!(
                "needs {need} bytes at offset {offset} of the {dsize}-byte data store"
            )));
        }
        if ty == 6 || ty == 8 || ty == 9 {
            let from = store + offset as usize;
            let to = store + dsize as usize;
            let nuls = memchr::memchr_iter(0, &head[from..to]).take(count.max(1) as usize);
            if (nuls.count() as u64) < count.max(1) {
                return Err(bad(format!(
                    "has {count} strings that are not all NUL-terminated inside the data store"
                )));
            }
        }
    }
    Ok(())
}

/// Hand the checked bytes to the `rpm` crate. Its parser indexes without bounds checks;
/// everything it indexes was checked in `read_block`, and a panic is still turned into an
/// error rather than taking the whole load down.
fn parse_metadata(head: &[u8], frame: &Frame, path: &Path) -> Result<PackageMetadata, LoadError> {
    let parsed = catch_unwind(AssertUnwindSafe(|| {
        let mut input = head;
        PackageMetadata::parse(&mut input)
    }));
    match parsed {
        Ok(Ok(md)) => Ok(md),
        Ok(Err(e)) => Err(malformed(
            path,
            frame.header_start as u64,
            format!("cannot parse the rpm headers: {e}"),
        )),
        Err(_) => Err(malformed(
            path,
            frame.header_start as u64,
            "cannot parse the rpm headers (the rpm crate's parser failed on them)",
        )),
    }
}

// ---- digests and sizes -----------------------------------------------------------------

/// A string entry of the (validated) signature header, read from the raw bytes.
fn raw_sig_string(head: &[u8], sig_start: usize, tag: u32) -> Option<&str> {
    let nindex = be32(head, sig_start + 8) as usize;
    let store = sig_start + 16 + 16 * nindex;
    let store_end = store + be32(head, sig_start + 12) as usize;
    (0..nindex).find_map(|i| {
        let (t, ty, offset, _) = index_entry(head, sig_start, i);
        if t != tag || ty != 6 {
            return None;
        }
        let from = store + offset as usize;
        let bytes = &head[from..store_end];
        let nul = memchr::memchr(0, bytes)?;
        std::str::from_utf8(&bytes[..nul]).ok()
    })
}

/// The signature header's SHA-256 and SHA-1 of the main header, where present.
fn verify_header_digests(
    head: &[u8],
    sig_start: usize,
    header: &[u8],
    path: &Path,
) -> Result<(), LoadError> {
    let sha256 = IndexSignatureTag::RPMSIGTAG_SHA256 as u32;
    let sha1 = IndexSignatureTag::RPMSIGTAG_SHA1 as u32;
    for (tag, name) in [(sha256, "SHA256"), (sha1, "SHA1")] {
        let Some(expected) = raw_sig_string(head, sig_start, tag) else {
            continue;
        };
        let actual = if tag == sha256 {
            to_hex(&sha2::Sha256::digest(header))
        } else {
            to_hex(&sha1::Sha1::digest(header))
        };
        if !expected.eq_ignore_ascii_case(&actual) {
            return Err(LoadError::Checksum {
                path: path.to_path_buf(),
                kind: format!("header {name} (the header is corrupt)"),
                expected: expected.to_string(),
                actual,
            });
        }
    }
    Ok(())
}

/// The signature's record of the header + payload size, against the file. Returns false
/// (and warns) when they differ, so the payload digests are not also reported.
fn check_size(
    md: &PackageMetadata,
    len: u64,
    frame: &Frame,
    path: &Path,
    warnings: &mut Vec<LoadError>,
) -> bool {
    let expected = md
        .signature
        .get_entry_data_as_u64(IndexSignatureTag::RPMSIGTAG_LONGSIZE)
        .ok()
        .or_else(|| {
            md.signature
                .get_entry_data_as_u32(IndexSignatureTag::RPMSIGTAG_SIZE)
                .ok()
                .map(u64::from)
        });
    let Some(expected) = expected else {
        return true;
    };
    let start = frame.header_start as u64;
    let actual = len - start;
    if actual < expected {
        warnings.push(malformed(
            path,
            len,
            format!(
                "payload truncated: the signature header says the header and payload take {expected} bytes from byte {start}, but the file ends after {actual} ({} bytes missing)",
                expected - actual
            ),
        ));
        false
    } else if actual > expected {
        warnings.push(malformed(
            path,
            start + expected,
            format!(
                "{} unexpected bytes after the end of the payload",
                actual - expected
            ),
        ));
        false
    } else {
        true
    }
}

/// The digest algorithm rpm names by OpenPGP hash id, and its name in messages.
fn pgp_hash(pgp_algo: u32) -> Option<(ChecksumKind, &'static str)> {
    Some(match pgp_algo {
        1 => (ChecksumKind::Md5, "MD5"),
        2 => (ChecksumKind::Sha1, "SHA1"),
        8 => (ChecksumKind::Sha256, "SHA256"),
        9 => (ChecksumKind::Sha384, "SHA384"),
        10 => (ChecksumKind::Sha512, "SHA512"),
        11 => (ChecksumKind::Sha224, "SHA224"),
        _ => return None,
    })
}

/// Stream the rest of the file: SHA-256 of the whole file (returned), and the payload
/// digest and MD5 the package carries, checked when the size was right.
fn hash_file(
    file: &mut File,
    head: &[u8],
    frame: &Frame,
    md: &PackageMetadata,
    size_ok: bool,
    path: &Path,
    warnings: &mut Vec<LoadError>,
) -> Result<String, LoadError> {
    let mut whole = sha2::Sha256::new();
    whole.update(head);
    let mut payload = None;
    let mut md5 = None;
    if size_ok {
        let sha256 = md
            .header
            .get_entry_data_as_string_array(IndexTag::RPMTAG_PAYLOADSHA256)
            .ok()
            .and_then(|v| v.first().map(|s| s.to_string()));
        let (expected, algo) = match sha256 {
            Some(d) => {
                let algo = md
                    .header
                    .get_entry_data_as_u32(IndexTag::RPMTAG_PAYLOADSHA256ALGO)
                    .unwrap_or(8);
                (Some(d), algo)
            }
            // rpm 6 packages may carry only a SHA-512 payload digest.
            None => (
                md.header
                    .get_entry_data_as_string(IndexTag::RPMTAG_PAYLOAD_SHA512)
                    .ok()
                    .map(str::to_string),
                10,
            ),
        };
        if let Some(expected) = expected {
            match pgp_hash(algo) {
                Some((kind, name)) => {
                    let mut h = Hasher::new(kind);
                    h.update(&head[frame.header_end..]);
                    payload = Some((h, name, expected));
                }
                None => warnings.push(LoadError::Invalid {
                    path: path.to_path_buf(),
                    msg: format!("payload digest algorithm {algo} is unknown; payload not checked"),
                }),
            }
        }
        if let Ok(expected) = md
            .signature
            .get_entry_data_as_binary(IndexSignatureTag::RPMSIGTAG_MD5)
        {
            let mut h = md5::Md5::new();
            h.update(&head[frame.header_start..]);
            md5 = Some((h, to_hex(expected)));
        }
    }
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(LoadError::Io {
                    path: path.to_path_buf(),
                    source: e,
                });
            }
        };
        let chunk = &buf[..n];
        whole.update(chunk);
        if let Some((h, _, _)) = &mut payload {
            h.update(chunk);
        }
        if let Some((h, _)) = &mut md5 {
            h.update(chunk);
        }
    }
    if let Some((h, name, expected)) = payload {
        let actual = h.finalize_hex();
        if !expected.eq_ignore_ascii_case(&actual) {
            warnings.push(LoadError::Checksum {
                path: path.to_path_buf(),
                kind: format!("payload {name} (the payload is corrupt)"),
                expected,
                actual,
            });
        }
    }
    if let Some((h, expected)) = md5 {
        let actual = to_hex(&h.finalize());
        if expected != actual {
            warnings.push(LoadError::Checksum {
                path: path.to_path_buf(),
                kind: "header+payload MD5 (the package is corrupt)".into(),
                expected,
                actual,
            });
        }
    }
    Ok(to_hex(&whole.finalize()))
}

// ---- header → package, createrepo_c's way ---------------------------------------------

const RPMSENSE_PREREQ: u32 = 1 << 6;
const RPMSENSE_SCRIPT_PRE: u32 = 1 << 9;
const RPMSENSE_SCRIPT_POST: u32 = 1 << 10;
const RPMSENSE_MISSINGOK: u32 = 1 << 19;
const RPMSENSE_STRONG: u32 = 1 << 27;

/// The comparison createrepo_c's `cr_flag_to_str` writes: only exact combinations of the
/// three sense bits; anything else (0, `LESS|GREATER`, ...) is unversioned.
pub fn cmp_from_rpmsense(flags: u32) -> Option<Cmp> {
    match flags & 0xf {
        2 => Some(Cmp::Lt),
        4 => Some(Cmp::Gt),
        8 => Some(Cmp::Eq),
        10 => Some(Cmp::Le),
        12 => Some(Cmp::Ge),
        _ => None,
    }
}

fn cmp_rpmmd(c: Option<Cmp>) -> &'static str {
    match c {
        Some(Cmp::Lt) => "LT",
        Some(Cmp::Gt) => "GT",
        Some(Cmp::Eq) => "EQ",
        Some(Cmp::Le) => "LE",
        Some(Cmp::Ge) => "GE",
        Some(Cmp::Any) | None => "",
    }
}

/// createrepo_c's "primary file" test: paths listed in primary.xml (and whose own
/// Requires it drops).
pub fn is_primary_file(path: &str) -> bool {
    path.starts_with("/etc/") || path == "/usr/lib/sendmail" || path.contains("bin/")
}

/// A dependency version in primary.xml's parts; `None` for an empty part.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DepEvr<'a> {
    pub epoch: Option<&'a str>,
    pub version: Option<&'a str>,
    pub release: Option<&'a str>,
}

/// A dependency version split as createrepo_c's `cr_str_to_evr` does: epoch before the
/// first `:` (a missing one is `"0"`), version up to the first `-`, release after it.
/// `None` when the epoch is bad, that is when C's `strtol` would not stop exactly at
/// the `:`; createrepo_c then skips the dependency.
pub fn split_dep_evr(s: &str) -> Option<DepEvr<'_>> {
    if s.is_empty() {
        return Some(DepEvr {
            epoch: None,
            version: None,
            release: None,
        });
    }
    let (epoch, rest) = match s.find(':') {
        Some(colon) => {
            if !strtol_ends_at(s, colon) {
                return None;
            }
            let e = &s[..colon];
            (if e.is_empty() { "0" } else { e }, &s[colon + 1..])
        }
        None => ("0", s),
    };
    let (v, r) = match rest.find('-') {
        Some(d) => (&rest[..d], &rest[d + 1..]),
        None => (rest, ""),
    };
    Some(DepEvr {
        epoch: Some(epoch),
        version: (!v.is_empty()).then_some(v),
        release: (!r.is_empty()).then_some(r),
    })
}

/// Would C's `strtol(s, &end, 10)` leave `end` at byte `at`? (No digits: `end == s`.)
fn strtol_ends_at(s: &str, at: usize) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r') {
        i += 1;
    }
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let digits_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let end = if i == digits_start { 0 } else { i };
    end == at
}

/// createrepo_c's `cr_compare_dependency` on two `libc.so.6...` names: 0 same, 1 first
/// bigger, 2 second bigger, -1 error. Only "2" makes the second one replace the first.
fn libc_dep_cmp(d1: &str, d2: &str) -> i32 {
    let (b1, b2) = (d1.as_bytes(), d2.as_bytes());
    let (Some(v1), Some(v2)) = (memchr::memchr(b'(', b1), memchr::memchr(b'(', b2)) else {
        return match (b1.contains(&b'('), b2.contains(&b'(')) {
            (false, false) => 0,
            (false, true) => 2,
            _ => 1,
        };
    };
    let e1 = memchr::memchr(b')', &b1[v1..]).map(|p| v1 + p);
    let e2 = memchr::memchr(b')', &b2[v2..]).map(|p| v2 + p);
    let (e1, e2) = match (e1, e2) {
        (None, None) => return -1,
        (None, Some(_)) => return 2,
        (Some(_), None) => return 1,
        (Some(a), Some(b)) => (a, b),
    };
    let (s1, s2) = (v1 + 1, v2 + 1);
    match (s1 == e1, s2 == e2) {
        (true, true) => return 0,
        (true, false) => return 2,
        (false, true) => return 1,
        (false, false) => {}
    }
    let first_digit = |b: &[u8], s: usize| {
        b[s..]
            .iter()
            .position(u8::is_ascii_digit)
            .map_or(b.len(), |p| s + p)
    };
    let (n1, n2) = (first_digit(b1, s1), first_digit(b2, s2));
    match (n1 > e1, n2 > e2) {
        (true, true) => return 0,
        (true, false) => return 2,
        (false, true) => return 1,
        (false, false) => {}
    }
    match rpmvercmp(&d1[n1..e1], &d2[n2..e2]) {
        std::cmp::Ordering::Less => 2,
        std::cmp::Ordering::Greater => 1,
        std::cmp::Ordering::Equal => 0,
    }
}

/// Header text as createrepo_c writes it (`cr_latin1_to_utf8`): UTF-8 when it is valid
/// UTF-8, otherwise read as Latin-1, dropping the bytes 0x80..0xbf (C1 controls and what
/// is most likely mis-encoded cp1252) and the C0 controls other than tab, LF and CR.
fn decode_text(b: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(b) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(
            b.iter()
                .filter(|&&c| match c {
                    b'\t' | b'\n' | b'\r' => true,
                    0..32 | 0x80..0xc0 => false,
                    _ => true,
                })
                .map(|&c| char::from(c))
                .collect(),
        ),
    }
}

/// One dependency as the header has it: name, `RPMSENSE_*` flags, version text.
type DepTriple<'a> = (Cow<'a, str>, u32, Cow<'a, str>);

/// The header lookups. Numbers come from the `rpm` crate; strings are read from the
/// (validated) raw bytes, because the crate replaces invalid UTF-8 with U+FFFD where
/// createrepo_c reads Latin-1. "Tag absent" is `None`; a tag of the wrong type is an error.
struct Hdr<'a> {
    md: &'a PackageMetadata,
    head: &'a [u8],
    start: usize,
    path: &'a Path,
}

impl<'a> Hdr<'a> {
    fn fail(&self, tag: IndexTag, msg: &str) -> LoadError {
        malformed(
            self.path,
            self.start as u64,
            format!("cannot read tag {tag:?} of the header: {msg}"),
        )
    }

    fn present(&self, tag: IndexTag) -> bool {
        self.md.header.entry_is_present(tag)
    }

    /// All strings of a string, string-array or i18n-string entry.
    fn strings(&self, tag: IndexTag) -> Result<Option<Vec<Cow<'a, str>>>, LoadError> {
        let nindex = be32(self.head, self.start + 8) as usize;
        let store = self.start + 16 + 16 * nindex;
        let store_end = store + be32(self.head, self.start + 12) as usize;
        let Some((_, ty, offset, count)) = (0..nindex)
            .map(|i| index_entry(self.head, self.start, i))
            .find(|e| e.0 == tag as u32)
        else {
            return Ok(None);
        };
        let count = match ty {
            6 => 1,
            8 | 9 => count as usize,
            _ => return Err(self.fail(tag, &format!("data type {ty} is not a string type"))),
        };
        // validate_entries made sure `count` NUL-terminated strings start at `offset`.
        let mut rest = &self.head[store + offset as usize..store_end];
        let mut out = Vec::with_capacity(count);
        for _ in 0..count {
            let nul = memchr::memchr(0, rest).unwrap_or(rest.len());
            out.push(decode_text(&rest[..nul]));
            rest = rest.get(nul + 1..).unwrap_or(&[]);
        }
        Ok(Some(out))
    }

    /// A single string; for i18n strings the first (untranslated) one, as rpm's C locale.
    fn text(&self, tag: IndexTag) -> Result<Option<Cow<'a, str>>, LoadError> {
        Ok(self.strings(tag)?.and_then(|v| v.into_iter().next()))
    }

    fn text_or_empty(&self, tag: IndexTag) -> Result<String, LoadError> {
        Ok(self.text(tag)?.map(Cow::into_owned).unwrap_or_default())
    }

    fn u32s(&self, tag: IndexTag) -> Result<Option<Vec<u32>>, LoadError> {
        match self.md.header.get_entry_data_as_u32_array(tag) {
            Ok(v) => Ok(Some(v)),
            Err(rpm::Error::TagNotFound(_)) => Ok(None),
            Err(e) => Err(self.fail(tag, &e.to_string())),
        }
    }

    fn number(&self, tag: IndexTag) -> Option<u64> {
        let h = &self.md.header;
        h.get_entry_data_as_u64(tag)
            .ok()
            .or_else(|| h.get_entry_data_as_u32(tag).ok().map(u64::from))
    }

    /// `(name, flags, version)` triples of one dependency kind, as createrepo_c reads
    /// them: all three tags must be present; the shortest one bounds the list.
    fn dep_triples(
        &self,
        names: IndexTag,
        flags: IndexTag,
        versions: IndexTag,
    ) -> Result<Vec<DepTriple<'a>>, LoadError> {
        let (n, f, v) = (
            self.strings(names)?,
            self.u32s(flags)?,
            self.strings(versions)?,
        );
        Ok(match (n, f, v) {
            (Some(n), Some(f), Some(v)) => n
                .into_iter()
                .zip(f)
                .zip(v)
                .map(|((n, f), v)| (n, f, v))
                .collect(),
            _ => Vec::new(),
        })
    }
}

/// createrepo_c's kinds, in the order it reads them (`dep_items` in `parsehdr.c`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum CrKind {
    Provides,
    Conflicts,
    Obsoletes,
    Requires,
    Suggests,
    Enhances,
    Recommends,
    Supplements,
    OldSuggests,
    OldEnhances,
}

fn extract(
    md: &PackageMetadata,
    head: &[u8],
    frame: &Frame,
    path: &Path,
    warnings: &mut Vec<LoadError>,
) -> Result<RpmPackage, LoadError> {
    let h = Hdr {
        md,
        head,
        start: frame.header_start,
        path,
    };
    let at = frame.header_start as u64;
    let name = match h.text(IndexTag::RPMTAG_NAME)? {
        Some(n) if !n.is_empty() => n.into_owned(),
        _ => {
            return Err(malformed(
                path,
                at,
                "the header has no package name (NAME tag)",
            ));
        }
    };
    let epoch_present = h.present(IndexTag::RPMTAG_EPOCH);
    let epoch = u32::try_from(h.number(IndexTag::RPMTAG_EPOCH).unwrap_or(0)).unwrap_or(0);
    let version = h.text_or_empty(IndexTag::RPMTAG_VERSION)?;
    let release = h.text_or_empty(IndexTag::RPMTAG_RELEASE)?;

    // File list, with rpm's conversion of the pre-4.0 OLDFILENAMES form. createrepo_c
    // lists files only when the flags and modes are there too.
    let dirnames = h.strings(IndexTag::RPMTAG_DIRNAMES)?;
    let oldfilenames = if dirnames.is_none() {
        h.strings(IndexTag::RPMTAG_OLDFILENAMES)?
    } else {
        None
    };
    let mut files: Vec<String> = Vec::new();
    let have_meta = h.present(IndexTag::RPMTAG_FILEFLAGS) && h.present(IndexTag::RPMTAG_FILEMODES);
    if let Some(dirs) = &dirnames {
        let base = h.strings(IndexTag::RPMTAG_BASENAMES)?;
        let idx = h.u32s(IndexTag::RPMTAG_DIRINDEXES)?;
        if let (Some(base), Some(idx), true) = (base, idx, have_meta) {
            for (b, i) in base.iter().zip(idx) {
                let Some(d) = dirs.get(i as usize) else {
                    return Err(malformed(
                        path,
                        at,
                        format!(
                            "file `{b}` has directory index {i}, but the header lists {} directories",
                            dirs.len()
                        ),
                    ));
                };
                files.push(format!("{d}{b}"));
            }
        }
    } else if let (Some(old), true) = (&oldfilenames, have_meta) {
        files.extend(old.iter().map(|s| s.to_string()));
    }

    // Source or binary, as rpm decides it when reading the package (applyRetrofits).
    let sourcerpm_tag = h.text(IndexTag::RPMTAG_SOURCERPM)?;
    let (is_source, sourcerpm) = if h.present(IndexTag::RPMTAG_SOURCEPACKAGE) {
        let v = h.number(IndexTag::RPMTAG_SOURCEPACKAGE).unwrap_or(0);
        (
            v != 0,
            sourcerpm_tag.map(Cow::into_owned).unwrap_or_default(),
        )
    } else if let Some(s) = sourcerpm_tag {
        (false, s.into_owned())
    } else {
        let heuristic = match (&dirnames, &oldfilenames) {
            (Some(d), _) => d.len() == 1 && d[0].is_empty(),
            (None, Some(o)) => o.first().is_some_and(|f| !f.starts_with('/')),
            (None, None) => false,
        };
        if heuristic {
            (true, String::new())
        } else {
            (false, "(none)".to_string())
        }
    };
    let arch = if is_source {
        "src".to_string()
    } else {
        h.text_or_empty(IndexTag::RPMTAG_ARCH)?
    };
    let ancient = !h.present(IndexTag::RPMTAG_HEADERIMMUTABLE);

    let mut pkg = RpmPackage {
        path: path.to_path_buf(),
        summary: h.text_or_empty(IndexTag::RPMTAG_SUMMARY)?,
        description: h.text_or_empty(IndexTag::RPMTAG_DESCRIPTION)?,
        url: h.text_or_empty(IndexTag::RPMTAG_URL)?,
        license: h.text_or_empty(IndexTag::RPMTAG_LICENSE)?,
        group: h.text_or_empty(IndexTag::RPMTAG_GROUP)?,
        vendor: h.text_or_empty(IndexTag::RPMTAG_VENDOR)?,
        packager: h.text_or_empty(IndexTag::RPMTAG_PACKAGER)?,
        buildhost: h.text_or_empty(IndexTag::RPMTAG_BUILDHOST)?,
        sourcerpm,
        modularity_label: h.text_or_empty(IndexTag::RPMTAG_MODULARITYLABEL)?,
        time_build: h.number(IndexTag::RPMTAG_BUILDTIME).unwrap_or(0),
        size_installed: h
            .number(IndexTag::RPMTAG_LONGSIZE)
            .or_else(|| h.number(IndexTag::RPMTAG_SIZE))
            .unwrap_or(0),
        size_archive: archive_size(md),
        header_start: at,
        header_end: frame.header_end as u64,
        ..RpmPackage::default()
    };

    let nevra = format!("{name}-{version}-{release}.{arch}");
    let file_set: FxHashSet<&str> = files.iter().map(String::as_str).collect();
    let mut provided: FxHashSet<String> = FxHashSet::default();
    use CrKind as K;
    use IndexTag as T;
    let kinds = [
        (
            K::Provides,
            T::RPMTAG_PROVIDENAME,
            T::RPMTAG_PROVIDEFLAGS,
            T::RPMTAG_PROVIDEVERSION,
        ),
        (
            K::Conflicts,
            T::RPMTAG_CONFLICTNAME,
            T::RPMTAG_CONFLICTFLAGS,
            T::RPMTAG_CONFLICTVERSION,
        ),
        (
            K::Obsoletes,
            T::RPMTAG_OBSOLETENAME,
            T::RPMTAG_OBSOLETEFLAGS,
            T::RPMTAG_OBSOLETEVERSION,
        ),
        (
            K::Requires,
            T::RPMTAG_REQUIRENAME,
            T::RPMTAG_REQUIREFLAGS,
            T::RPMTAG_REQUIREVERSION,
        ),
        (
            K::Suggests,
            T::RPMTAG_SUGGESTNAME,
            T::RPMTAG_SUGGESTFLAGS,
            T::RPMTAG_SUGGESTVERSION,
        ),
        (
            K::Enhances,
            T::RPMTAG_ENHANCENAME,
            T::RPMTAG_ENHANCEFLAGS,
            T::RPMTAG_ENHANCEVERSION,
        ),
        (
            K::Recommends,
            T::RPMTAG_RECOMMENDNAME,
            T::RPMTAG_RECOMMENDFLAGS,
            T::RPMTAG_RECOMMENDVERSION,
        ),
        (
            K::Supplements,
            T::RPMTAG_SUPPLEMENTNAME,
            T::RPMTAG_SUPPLEMENTFLAGS,
            T::RPMTAG_SUPPLEMENTVERSION,
        ),
        (
            K::OldSuggests,
            T::RPMTAG_OLDSUGGESTSNAME,
            T::RPMTAG_OLDSUGGESTSFLAGS,
            T::RPMTAG_OLDSUGGESTSVERSION,
        ),
        (
            K::OldEnhances,
            T::RPMTAG_OLDENHANCESNAME,
            T::RPMTAG_OLDENHANCESFLAGS,
            T::RPMTAG_OLDENHANCESVERSION,
        ),
    ];
    let self_evr = if epoch_present {
        format!("{epoch}:{version}-{release}")
    } else {
        format!("{version}-{release}")
    };
    for (kind, ntag, ftag, vtag) in kinds {
        let mut triples = h.dep_triples(ntag, ftag, vtag)?;
        if kind == K::Provides && ancient && !is_source {
            // rpm's providePackageNVR for packages older than rpm 3.0.4.
            if triples.is_empty()
                && let Some(names) = h.strings(ntag)?
            {
                triples = names
                    .into_iter()
                    .map(|n| (n, 0, Cow::Borrowed("")))
                    .collect();
            }
            let has_self = triples
                .iter()
                .any(|(n, f, v)| *n == name && f & 0xf == 8 && *v == self_evr);
            if !has_self {
                triples.push((Cow::Borrowed(&name), 8, Cow::Borrowed(&self_evr)));
            }
        }
        // createrepo_c compares a Requires with the last one kept of the same name.
        let mut last_require: FxHashMap<&str, (&str, &str, bool)> = FxHashMap::default();
        let mut libc_highest: Option<RpmDep> = None;
        for (dname, flags, dver) in &triples {
            let (dname, flags, dver) = (dname.as_ref(), *flags, dver.as_ref());
            let cmp = cmp_from_rpmsense(flags);
            let flagstr = cmp_rpmmd(cmp);
            let mut pre = false;
            if kind == K::Requires {
                if dname.starts_with("rpmlib(") {
                    continue;
                }
                if dname.starts_with('/') && file_set.contains(dname) && is_primary_file(dname) {
                    continue;
                }
                if provided.contains(&format!("{dname}{flagstr}{dver}")) {
                    continue;
                }
                pre = flags & (RPMSENSE_PREREQ | RPMSENSE_SCRIPT_PRE | RPMSENSE_SCRIPT_POST) != 0;
                if last_require.get(dname) == Some(&(flagstr, dver, pre)) {
                    continue;
                }
            }
            let Some(evr) = split_dep_evr(dver) else {
                warnings.push(LoadError::Invalid {
                    path: path.to_path_buf(),
                    msg: format!(
                        "bad epoch in version `{dver}` of dependency `{dname}` of `{nevra}`; skipped, as createrepo_c does"
                    ),
                });
                continue;
            };
            let versioned = cmp.is_some();
            let dep = RpmDep {
                name: dname.to_string(),
                cmp: cmp.unwrap_or(Cmp::Any),
                epoch: evr.epoch.filter(|_| versioned).map(str::to_string),
                version: evr.version.filter(|_| versioned).map(str::to_string),
                release: evr.release.filter(|_| versioned).map(str::to_string),
                pre: false,
            };
            let target = match kind {
                K::Provides => {
                    provided.insert(format!("{dname}{flagstr}{dver}"));
                    DepKind::Provides
                }
                K::Conflicts => DepKind::Conflicts,
                K::Obsoletes => DepKind::Obsoletes,
                K::Requires if flags & RPMSENSE_MISSINGOK != 0 => DepKind::Recommends,
                K::Requires => {
                    let dep = RpmDep { pre, ..dep };
                    if dname.starts_with("libc.so.6") {
                        match &libc_highest {
                            Some(cur) if libc_dep_cmp(&cur.name, dname) != 2 => {}
                            _ => libc_highest = Some(dep),
                        }
                        continue;
                    }
                    last_require.insert(dname, (flagstr, dver, pre));
                    pkg.deps[DepKind::Requires.index()].push(dep);
                    continue;
                }
                K::Suggests => DepKind::Suggests,
                K::Enhances => DepKind::Enhances,
                K::Recommends => DepKind::Recommends,
                K::Supplements => DepKind::Supplements,
                K::OldSuggests if flags & RPMSENSE_STRONG != 0 => DepKind::Recommends,
                K::OldSuggests => DepKind::Suggests,
                K::OldEnhances if flags & RPMSENSE_STRONG != 0 => DepKind::Supplements,
                K::OldEnhances => DepKind::Enhances,
            };
            pkg.deps[target.index()].push(dep);
        }
        if let Some(d) = libc_highest {
            pkg.deps[DepKind::Requires.index()].push(d);
        }
    }
    // primary.xml leaves out entries without a name.
    for list in &mut pkg.deps {
        list.retain(|d| !d.name.is_empty());
    }
    pkg.name = name;
    pkg.epoch = epoch;
    pkg.version = version;
    pkg.release = release;
    pkg.arch = arch;
    pkg.file_meta = file_meta(&h, files.len());
    pkg.files = files;
    if let Some(field) = control_char_field(&pkg, &h)? {
        warnings.push(LoadError::Invalid {
            path: path.to_path_buf(),
            msg: format!(
                "{field} of `{nevra}` contains a control character; createrepo_c leaves such a package out of the repository, so dnf would not see it"
            ),
        });
    }
    Ok(pkg)
}

/// The per-file header data rpm compares when two packages own one path; empty when a
/// tag is missing, unreadable or of another length than the file list (old or odd
/// headers: their files are then only "possible" conflicts).
fn file_meta(h: &Hdr<'_>, n: usize) -> Vec<FileMeta> {
    let md = &h.md.header;
    let modes = md
        .get_entry_data_as_u16_array(IndexTag::RPMTAG_FILEMODES)
        .ok();
    let flags = h.u32s(IndexTag::RPMTAG_FILEFLAGS).ok().flatten();
    let sizes = md
        .get_entry_data_as_u64_array(IndexTag::RPMTAG_LONGFILESIZES)
        .ok()
        .or_else(|| {
            h.u32s(IndexTag::RPMTAG_FILESIZES)
                .ok()
                .flatten()
                .map(|v| v.into_iter().map(u64::from).collect())
        });
    let strs = |t| h.strings(t).ok().flatten();
    let (digests, links, users, groups) = (
        strs(IndexTag::RPMTAG_FILEDIGESTS),
        strs(IndexTag::RPMTAG_FILELINKTOS),
        strs(IndexTag::RPMTAG_FILEUSERNAME),
        strs(IndexTag::RPMTAG_FILEGROUPNAME),
    );
    // Colours are optional (noarch packages built without them): 0 = no colour.
    let colors = h
        .u32s(IndexTag::RPMTAG_FILECOLORS)
        .ok()
        .flatten()
        .unwrap_or_else(|| vec![0; n]);
    let (
        Some(modes),
        Some(flags),
        Some(sizes),
        Some(digests),
        Some(links),
        Some(users),
        Some(groups),
    ) = (modes, flags, sizes, digests, links, users, groups)
    else {
        return Vec::new();
    };
    let lens = [
        modes.len(),
        flags.len(),
        sizes.len(),
        digests.len(),
        links.len(),
        users.len(),
        groups.len(),
        colors.len(),
    ];
    if lens.iter().any(|&l| l != n) {
        return Vec::new();
    }
    (0..n)
        .map(|i| FileMeta {
            mode: modes[i],
            flags: flags[i],
            size: sizes[i],
            digest: digests[i].as_ref().into(),
            link: links[i].as_ref().into(),
            user: users[i].as_ref().into(),
            group: groups[i].as_ref().into(),
            color: colors[i],
        })
        .collect()
}

/// createrepo_c refuses to write a package with an ASCII control character other than
/// tab, newline and carriage return in any text it would write, changelog included
/// (its first 10 entries, `--changelog-limit`'s default). Which field has one, if any.
fn control_char_field(pkg: &RpmPackage, h: &Hdr<'_>) -> Result<Option<&'static str>, LoadError> {
    let bad = |s: &str| {
        s.bytes()
            .any(|c| c < 32 && !matches!(c, b'\t' | b'\n' | b'\r'))
    };
    let fields: [(&'static str, &str); 13] = [
        ("name", &pkg.name),
        ("arch", &pkg.arch),
        ("version", &pkg.version),
        ("release", &pkg.release),
        ("summary", &pkg.summary),
        ("description", &pkg.description),
        ("url", &pkg.url),
        ("license", &pkg.license),
        ("vendor", &pkg.vendor),
        ("group", &pkg.group),
        ("buildhost", &pkg.buildhost),
        ("sourcerpm", &pkg.sourcerpm),
        ("packager", &pkg.packager),
    ];
    if let Some((f, _)) = fields.iter().find(|(_, v)| bad(v)) {
        return Ok(Some(f));
    }
    for (kind, list) in DepKind::ALL.iter().zip(&pkg.deps) {
        let dep_bad = |d: &RpmDep| {
            bad(&d.name)
                || [&d.epoch, &d.version, &d.release]
                    .iter()
                    .any(|x| x.as_deref().is_some_and(bad))
        };
        if list.iter().any(dep_bad) {
            return Ok(Some(kind.as_str()));
        }
    }
    if pkg.files.iter().any(|f| bad(f)) {
        return Ok(Some("a file name"));
    }
    let times = h.present(IndexTag::RPMTAG_CHANGELOGTIME);
    let names = h.strings(IndexTag::RPMTAG_CHANGELOGNAME)?;
    let texts = h.strings(IndexTag::RPMTAG_CHANGELOGTEXT)?;
    if let (true, Some(names), Some(texts)) = (times, names, texts)
        && names
            .iter()
            .zip(&texts)
            .take(10)
            .any(|(n, t)| bad(n) || bad(t))
    {
        return Ok(Some("the changelog"));
    }
    Ok(None)
}

/// The payload (cpio archive) size: the header's tags, else the signature's, as librpm
/// merges them (`LONGARCHIVESIZE` first, then the 32-bit `ARCHIVESIZE`/`PAYLOADSIZE`).
fn archive_size(md: &PackageMetadata) -> u64 {
    let (h, s) = (&md.header, &md.signature);
    h.get_entry_data_as_u64(IndexTag::RPMTAG_LONGARCHIVESIZE)
        .ok()
        .or_else(|| {
            s.get_entry_data_as_u64(IndexSignatureTag::RPMSIGTAG_LONGARCHIVESIZE)
                .ok()
        })
        .or_else(|| {
            h.get_entry_data_as_u32(IndexTag::RPMTAG_ARCHIVESIZE)
                .ok()
                .map(u64::from)
        })
        .or_else(|| {
            s.get_entry_data_as_u32(IndexSignatureTag::RPMSIGTAG_PAYLOADSIZE)
                .ok()
                .map(u64::from)
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::io::BufReader;

    use super::*;
    use crate::load::filelists::{FileWanted, scan_filelists};
    use crate::load::primary::parse_primary;
    use crate::model::package::RepoId;
    use crate::progress::NoProgress;

    // ---- a tiny rpm writer for synthetic packages ----

    enum Val {
        Str(&'static str),
        Strs(Vec<&'static str>),
        I32(Vec<u32>),
        I16(Vec<u16>),
        Bin(Vec<u8>),
    }

    fn header_blob(entries: &[(u32, Val)]) -> Vec<u8> {
        let mut index = Vec::new();
        let mut store: Vec<u8> = Vec::new();
        for (tag, v) in entries {
            let (ty, count, bytes): (u32, usize, Vec<u8>) = match v {
                Val::Str(s) => (6, 1, [s.as_bytes(), b"\0"].concat()),
                Val::Strs(v) => (
                    8,
                    v.len(),
                    v.iter()
                        .flat_map(|s| [s.as_bytes(), b"\0"].concat())
                        .collect(),
                ),
                Val::I32(v) => (4, v.len(), v.iter().flat_map(|x| x.to_be_bytes()).collect()),
                Val::I16(v) => (3, v.len(), v.iter().flat_map(|x| x.to_be_bytes()).collect()),
                Val::Bin(v) => (7, v.len(), v.clone()),
            };
            let align = match ty {
                3 => 2,
                4 => 4,
                _ => 1,
            };
            while !store.len().is_multiple_of(align) {
                store.push(0);
            }
            index.extend_from_slice(&tag.to_be_bytes());
            index.extend_from_slice(&ty.to_be_bytes());
            index.extend_from_slice(&(store.len() as u32).to_be_bytes());
            index.extend_from_slice(&(count as u32).to_be_bytes());
            store.extend_from_slice(&bytes);
        }
        let mut out = HEADER_MAGIC.to_vec();
        out.extend_from_slice(&[0; 4]);
        out.extend_from_slice(&(entries.len() as u32).to_be_bytes());
        out.extend_from_slice(&(store.len() as u32).to_be_bytes());
        out.extend_from_slice(&index);
        out.extend_from_slice(&store);
        out
    }

    fn lead() -> Vec<u8> {
        let mut l = RPM_MAGIC.to_vec();
        l.extend_from_slice(&[3, 0, 0, 0, 0, 1]);
        l.resize(76, 0);
        l.extend_from_slice(&[0, 1, 0, 5]);
        l.resize(96, 0);
        l
    }

    /// A binary package with the dependency shapes createrepo_c treats specially.
    fn sample_header() -> Vec<(u32, Val)> {
        use Val::*;
        vec![
            (63, Bin(vec![0; 16])), // HEADERIMMUTABLE: not an ancient package
            (1000, Str("demo")),
            (1001, Str("1.0")),
            (1002, Str("2.fc40")),
            (1004, Str("A demo")),
            (1006, I32(vec![1_700_000_000])),
            (1009, I32(vec![1234])),
            (1022, Str("x86_64")),
            (1028, I32(vec![0, 0, 0])),                      // FILESIZES
            (1030, I16(vec![0o100755, 0o040755, 0o100644])), // FILEMODES
            (1037, I32(vec![0, 0, 0])),                      // FILEFLAGS
            (1044, Str("demo-1.0-2.fc40.src.rpm")),
            (
                1047,
                Strs(vec![
                    "demo",
                    "demo(x86-64)",
                    "/usr/bin/demo-alias",
                    "libdemo.so.1()(64bit)",
                ]),
            ),
            (1112, I32(vec![8, 8, 0, 0])),
            (1113, Strs(vec!["1.0-2.fc40", "1.0-2.fc40", "", ""])),
            (
                1049,
                Strs(vec![
                    "rpmlib(PayloadFilesHavePrefix)",
                    "/usr/bin/demo",
                    "/usr/share/demo/data",
                    "libdemo.so.1()(64bit)",
                    "bash",
                    "bash",
                    "bash",
                    "libc.so.6()(64bit)",
                    "libc.so.6(GLIBC_2.34)(64bit)",
                    "libc.so.6(GLIBC_2.2.5)(64bit)",
                    "python3",
                    "weird",
                    "(foo if bar)",
                    "glibc",
                ]),
            ),
            (
                1048,
                I32(vec![
                    (1 << 24) | 8, // rpmlib
                    0,
                    0,
                    0,
                    1 << 9, // Requires(pre): bash
                    1 << 9, // duplicate
                    0,      // differs in pre: kept
                    0,
                    0,
                    0,
                    1 << 19, // MISSINGOK: a Recommends
                    6,       // LESS|GREATER: unversioned in primary
                    0,
                    12,
                ]),
            ),
            (
                1050,
                Strs(vec![
                    "4.6.0-1",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "2.0",
                    "",
                    "2:2.34-3-x",
                ]),
            ),
            (1116, I32(vec![0, 1, 2])),                 // DIRINDEXES
            (1117, Strs(vec!["demo", "demo", "data"])), // BASENAMES
            (
                1118,
                Strs(vec!["/usr/bin/", "/usr/share/", "/usr/share/demo/"]),
            ), // DIRNAMES
            (1156, Strs(vec!["old-strong", "old-weak"])), // OLDSUGGESTS
            (1157, Strs(vec!["", ""])),
            (1158, I32(vec![1 << 27, 0])),
            (5046, Strs(vec!["fortune"])), // RECOMMENDNAME
            (5047, Strs(vec![""])),
            (5048, I32(vec![0])),
            (5096, Str("demo:stable:20240101:abcd1234")),
        ]
    }

    fn build_rpm(header: &[(u32, Val)], payload: &[u8], sig_sha256: bool) -> Vec<u8> {
        let h = header_blob(header);
        let mut sig = vec![(1000, Val::I32(vec![(h.len() + payload.len()) as u32]))];
        let digest: &'static str = Box::leak(to_hex(&sha2::Sha256::digest(&h)).into_boxed_str());
        if sig_sha256 {
            sig.insert(0, (273, Val::Str(digest)));
        }
        let mut out = lead();
        let s = header_blob(&sig);
        let data_len = s.len() - 16 - 16 * sig.len();
        out.extend_from_slice(&s);
        out.resize(out.len() + (8 - data_len % 8) % 8, 0);
        out.extend_from_slice(&h);
        out.extend_from_slice(payload);
        out
    }

    fn sample_rpm() -> Vec<u8> {
        let payload = b"not really a cpio archive".to_vec();
        let mut hdr = sample_header();
        let d: &'static str = Box::leak(to_hex(&sha2::Sha256::digest(&payload)).into_boxed_str());
        hdr.push((5092, Val::Strs(vec![d])));
        hdr.push((5093, Val::I32(vec![8])));
        build_rpm(&hdr, &payload, true)
    }

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
        let p = dir.join(name);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(&p, bytes).unwrap();
        p
    }

    fn dep_strs(pool: &Pool, id: PkgId, kind: DepKind) -> Vec<String> {
        pool.deps_of(id, kind)
            .iter()
            .map(|d| {
                let mut s = pool.dep_str(d);
                if d.is_pre() {
                    s.push_str(" [pre]");
                }
                s
            })
            .collect()
    }

    #[test]
    fn synthetic_package_follows_createrepo_c() {
        let tmp = tempfile::tempdir().unwrap();
        let bytes = sample_rpm();
        let path = write(tmp.path(), "demo-1.0-2.fc40.x86_64.rpm", &bytes);
        let mut pool = Pool::new("x86_64");
        let r =
            load_rpm_paths(&mut pool, "local", &[tmp.path().to_path_buf()], &NoProgress).unwrap();
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        assert_eq!(r.packages, 1);
        let id = PkgId(0);
        assert_eq!(pool.full_nevra(id), "demo-0:1.0-2.fc40.x86_64");
        assert_eq!(pool.repos[0].kind, SourceKind::RpmFiles);
        assert!(pool.repos[0].full_filelists);
        assert_eq!(
            dep_strs(&pool, id, DepKind::Provides),
            [
                "demo = 1.0-2.fc40",
                "demo(x86-64) = 1.0-2.fc40",
                "/usr/bin/demo-alias",
                "libdemo.so.1()(64bit)"
            ]
        );
        // rpmlib() dropped; /usr/bin/demo is an own primary file: dropped; the own
        // non-primary file stays; a require equal to a provide is dropped; the duplicate
        // Requires(pre) is dropped but the plain one stays; libc: only the highest, last.
        assert_eq!(
            dep_strs(&pool, id, DepKind::Requires),
            [
                "/usr/share/demo/data",
                "bash [pre]",
                "bash",
                "weird",
                "(foo if bar)",
                "glibc >= 2:2.34-3-x",
                "libc.so.6(GLIBC_2.34)(64bit)",
            ]
        );
        assert_eq!(
            dep_strs(&pool, id, DepKind::Recommends),
            ["python3", "fortune", "old-strong"]
        );
        assert_eq!(dep_strs(&pool, id, DepKind::Suggests), ["old-weak"]);
        // createrepo_c splits at the first `-`: version `2.34`, release `3-x`.
        let glibc = pool.deps_of(id, DepKind::Requires)[5];
        assert_eq!(pool.str(glibc.version), "2.34");
        assert_eq!(pool.str(glibc.release), "3-x");
        assert_eq!(glibc.epoch, 2);
        let info = &pool.pkg(id).info;
        assert_eq!(&*info.checksum, to_hex(&sha2::Sha256::digest(&bytes)));
        assert_eq!(pool.str(info.checksum_type), "sha256");
        assert_eq!(info.size_package, bytes.len() as u64);
        assert_eq!(info.size_installed, 1234);
        assert_eq!(info.time_build, 1_700_000_000);
        assert_eq!(&*info.summary, "A demo");
        assert_eq!(pool.str(info.sourcerpm), "demo-1.0-2.fc40.src.rpm");
        assert_eq!(&*info.location, path.to_string_lossy());
        assert_eq!(
            modularity_label(&pool, id),
            Some("demo:stable:20240101:abcd1234")
        );
        let mut files: Vec<&str> = pool
            .files
            .iter()
            .filter(|(p, _)| *p == id)
            .map(|(_, s)| pool.str(*s))
            .collect();
        files.sort_unstable();
        assert_eq!(
            files,
            ["/usr/bin/demo", "/usr/share/demo", "/usr/share/demo/data"]
        );
        assert_eq!(info.header_end as usize, bytes.len() - 25);
    }

    #[test]
    fn headers_only_mode_reads_no_payload() {
        let tmp = tempfile::tempdir().unwrap();
        // A payload that does not match its digest: only noticed when it is read.
        let mut bytes = sample_rpm();
        let n = bytes.len();
        bytes[n - 1] ^= 0xff;
        let path = write(tmp.path(), "demo.rpm", &bytes);
        let opts = RpmLoadOptions {
            read_payload: false,
        };
        let pkg = read_rpm_file(&path, &opts).unwrap();
        assert!(pkg.checksum.is_none());
        assert!(pkg.warnings.is_empty());
        let pkg = read_rpm_file(&path, &RpmLoadOptions::default()).unwrap();
        assert_eq!(pkg.warnings.len(), 1);
        let msg = pkg.warnings[0].to_string();
        assert!(msg.contains("payload SHA256"), "{msg}");
        assert!(msg.contains("demo.rpm"), "{msg}");
    }

    #[test]
    fn source_packages_get_arch_src() {
        let mut hdr = sample_header();
        hdr.retain(|(t, _)| *t != 1044);
        hdr.push((1106, Val::I32(vec![1]))); // SOURCEPACKAGE
        let bytes = build_rpm(&hdr, b"", true);
        let tmp = tempfile::tempdir().unwrap();
        let path = write(tmp.path(), "demo-1.0-2.fc40.src.rpm", &bytes);
        let pkg = read_rpm_file(&path, &RpmLoadOptions::default()).unwrap();
        assert_eq!(pkg.arch, "src");
        assert_eq!(pkg.sourcerpm, "");
    }

    #[test]
    fn ancient_packages_get_rpms_retrofits() {
        // No HEADERIMMUTABLE, no SOURCERPM, no versioned provides, OLDFILENAMES.
        use Val::*;
        let hdr = vec![
            (1000, Str("old")),
            (1001, Str("1.2")),
            (1002, Str("3")),
            (1003, I32(vec![1])),
            (1022, Str("i386")),
            (1027, Strs(vec!["/usr/bin/old", "/etc/old.conf"])),
            (1030, I16(vec![0o100755, 0o100644])),
            (1037, I32(vec![0, 0])),
            (1047, Strs(vec!["oldish"])),
        ];
        let bytes = build_rpm(&hdr, b"", false);
        let tmp = tempfile::tempdir().unwrap();
        let path = write(tmp.path(), "old.rpm", &bytes);
        let pkg = read_rpm_file(&path, &RpmLoadOptions::default()).unwrap();
        assert_eq!(pkg.arch, "i386");
        assert_eq!(pkg.sourcerpm, "(none)");
        assert_eq!(pkg.files, ["/usr/bin/old", "/etc/old.conf"]);
        let prov: Vec<_> = pkg.deps[0]
            .iter()
            .map(|d| (d.name.as_str(), d.cmp, d.version.as_deref()))
            .collect();
        assert_eq!(
            prov,
            [("oldish", Cmp::Any, None), ("old", Cmp::Eq, Some("1.2"))]
        );
        assert_eq!(pkg.deps[0][1].epoch.as_deref(), Some("1"));
        assert_eq!(pkg.deps[0][1].release.as_deref(), Some("3"));
    }

    fn expect_error(bytes: &[u8], needle: &str) -> String {
        let tmp = tempfile::tempdir().unwrap();
        let path = write(tmp.path(), "bad.rpm", bytes);
        let e = read_rpm_file(&path, &RpmLoadOptions::default())
            .expect_err("should be rejected")
            .to_string();
        assert!(e.contains("bad.rpm"), "{e}");
        assert!(e.contains(needle), "`{needle}` not in: {e}");
        e
    }

    #[test]
    fn bad_files_are_clear_errors() {
        expect_error(b"", "empty file");
        let e = expect_error(b"../assets/whale-0.2-1.noarch.rpm", "not an rpm package");
        assert!(e.contains("starts with the text `../assets/whale"), "{e}");
        expect_error(
            &[0x7f, b'E', b'L', b'F', 0, 1, 2],
            "starts with bytes 7f 45 4c 46",
        );
        let good = sample_rpm();
        expect_error(&good[..50], "truncated in the rpm lead");
        let e = expect_error(&good[..120], "truncated: the signature header at byte 96");
        assert!(e.contains("(at byte 120)"), "{e}");
        expect_error(&good[..400], "truncated: the header at byte");

        // A header byte changed: the signature's SHA256 catches it.
        let mut bad = good.clone();
        let hstart = (112..bad.len())
            .find(|&i| bad[i..].starts_with(&HEADER_MAGIC))
            .unwrap();
        let n = bad.len();
        bad[n - 25 - 3] ^= 1;
        expect_error(&bad, "header SHA256");
        // Even when the change breaks the header's structure.
        let mut bad = good.clone();
        bad[hstart + 16 + 8] = 0x7f;
        expect_error(&bad, "header SHA256");

        // An index entry pointing outside the store: the rpm crate would panic on it.
        let good = build_rpm(&sample_header(), b"", false);
        let hstart = (112..good.len())
            .find(|&i| good[i..].starts_with(&HEADER_MAGIC))
            .unwrap();
        let mut bad = good.clone();
        bad[hstart + 16 + 8..hstart + 16 + 12].copy_from_slice(&0x7fff_0000u32.to_be_bytes());
        let e = expect_error(&bad, "index entry 0 (tag 63) points outside");
        assert!(e.contains(&format!("(at byte {})", hstart + 16)), "{e}");

        // Absurd sizes are refused before anything is allocated.
        let mut bad = good.clone();
        bad[96 + 8..96 + 12].copy_from_slice(&0xffff_fff0u32.to_be_bytes());
        expect_error(&bad, "exceed rpm's limits");
        let mut bad = good.clone();
        bad[hstart + 16 + 16 * 5 + 12..hstart + 16 + 16 * 5 + 16]
            .copy_from_slice(&0x4000_0000u32.to_be_bytes());
        expect_error(&bad, "needs");

        let mut bad = good;
        bad[hstart] = 0;
        expect_error(&bad, "bad header magic");
    }

    #[test]
    fn truncation_and_byte_flips_never_panic() {
        let good = sample_rpm();
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("x.rpm");
        let header_end = read_rpm_file(
            &write(tmp.path(), "x.rpm", &good),
            &RpmLoadOptions::default(),
        )
        .unwrap()
        .header_end as usize;
        for cut in 0..good.len() {
            fs::write(&path, &good[..cut]).unwrap();
            match read_rpm_file(&path, &RpmLoadOptions::default()) {
                Ok(p) => {
                    assert!(cut >= header_end, "loaded when cut at {cut}");
                    assert!(
                        p.warnings
                            .iter()
                            .any(|w| w.to_string().contains("payload truncated")),
                        "cut at {cut}: {:?}",
                        p.warnings
                    );
                }
                Err(e) => assert!(cut < header_end, "cut at {cut}: {e}"),
            }
        }
        for i in 0..header_end {
            for flip in [0x01u8, 0x80, 0xff] {
                let mut b = good.clone();
                b[i] ^= flip;
                fs::write(&path, &b).unwrap();
                let _ = read_rpm_file(&path, &RpmLoadOptions::default());
            }
        }
    }

    #[test]
    fn directories_are_scanned_recursively_and_sorted() {
        let tmp = tempfile::tempdir().unwrap();
        let good = sample_rpm();
        write(tmp.path(), "b/z.rpm", &good);
        write(tmp.path(), "a/y.src.rpm", &good);
        write(tmp.path(), "a/notes.txt", b"hello");
        write(tmp.path(), "c.rpm", b"oops");
        #[cfg(unix)]
        std::os::unix::fs::symlink(tmp.path(), tmp.path().join("b/loop")).unwrap();
        let (files, errors) = find_rpm_files(&[tmp.path().to_path_buf()]).unwrap();
        assert!(errors.is_empty());
        let rel: Vec<_> = files
            .iter()
            .map(|f| {
                f.strip_prefix(tmp.path())
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(rel, ["a/y.src.rpm", "b/z.rpm", "c.rpm"]);

        let mut pool = Pool::new("x86_64");
        let r = load_rpm_paths(&mut pool, "dir", &[tmp.path().to_path_buf()], &NoProgress).unwrap();
        assert_eq!(r.packages, 2);
        assert_eq!(r.errors.len(), 1);
        assert!(r.errors[0].to_string().contains("c.rpm"));
        let missing = load_rpm_paths(
            &mut pool,
            "x",
            &[tmp.path().join("no-such-dir")],
            &NoProgress,
        );
        assert!(missing.is_err());
    }

    #[test]
    fn dependency_version_split_matches_createrepo_c() {
        let evr = |e, v, r| {
            Some(DepEvr {
                epoch: e,
                version: v,
                release: r,
            })
        };
        assert_eq!(split_dep_evr(""), evr(None, None, None));
        assert_eq!(split_dep_evr("1.0"), evr(Some("0"), Some("1.0"), None));
        assert_eq!(
            split_dep_evr("3:1.0-2.el9"),
            evr(Some("3"), Some("1.0"), Some("2.el9"))
        );
        assert_eq!(split_dep_evr(":1.0-"), evr(Some("0"), Some("1.0"), None));
        assert_eq!(
            split_dep_evr("1.0-2-3"),
            evr(Some("0"), Some("1.0"), Some("2-3"))
        );
        assert_eq!(split_dep_evr("x:1.0"), None);
        assert_eq!(split_dep_evr("1.0-rc:2"), None);
        assert_eq!(split_dep_evr(" 7:1"), evr(Some(" 7"), Some("1"), None));
    }

    #[test]
    fn libc_comparison_matches_createrepo_c() {
        assert_eq!(
            libc_dep_cmp("libc.so.6()(64bit)", "libc.so.6(GLIBC_2.3)(64bit)"),
            2
        );
        assert_eq!(
            libc_dep_cmp(
                "libc.so.6(GLIBC_2.34)(64bit)",
                "libc.so.6(GLIBC_2.4)(64bit)"
            ),
            1
        );
        assert_eq!(
            libc_dep_cmp("libc.so.6(GLIBC_2.4)", "libc.so.6(GLIBC_2.34)"),
            2
        );
        assert_eq!(libc_dep_cmp("libc.so.6", "libc.so.6(GLIBC_2.4)"), 2);
        assert_eq!(libc_dep_cmp("libc.so.6(GLIBC_2.4)", "libc.so.6"), 1);
        // createrepo_c's "64bit is not a version" check is commented out: 64 > 2.
        assert_eq!(libc_dep_cmp("libc.so.6(64bit)", "libc.so.6(GLIBC_2.1)"), 1);
        assert_eq!(libc_dep_cmp("libc.so.6(abc)", "libc.so.6(GLIBC_2.1)"), 2);
        assert_eq!(libc_dep_cmp("libc.so.6(abc)", "libc.so.6(def)"), 0);
        assert_eq!(libc_dep_cmp("libc.so.6(x", "libc.so.6(y"), -1);
        assert_eq!(cmp_from_rpmsense(8 | (1 << 9)), Some(Cmp::Eq));
        assert_eq!(cmp_from_rpmsense(6), None);
        assert!(is_primary_file("/opt/x/sbin/y") && !is_primary_file("/usr/share/x"));
    }

    // ---- real data: the corpus and the oracle repos ----

    fn env_dir(var: &str) -> Option<PathBuf> {
        match std::env::var_os(var) {
            Some(v) => Some(PathBuf::from(v)),
            None => {
                eprintln!("{var} unset, skipping");
                None
            }
        }
    }

    /// Every package of `repo` as one comparable text: NEVRA, the fields createrepo_c
    /// copies, and each kind's dependencies (sorted, `[pre]` marked).
    fn summarize(pool: &Pool, repo: RepoId, root: Option<&Path>) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for id in pool.repos[repo.index()].packages() {
            let p = pool.pkg(id);
            let i = &p.info;
            let loc = match root {
                Some(r) => Path::new(&*i.location)
                    .strip_prefix(r)
                    .map(|x| x.to_string_lossy().into_owned())
                    .unwrap_or_else(|_| i.location.to_string()),
                None => i.location.to_string(),
            };
            let mut s = format!(
                "{}\nsummary={:?}\ndescription={:?}\nurl={:?} license={:?} group={:?} vendor={:?}\npackager={:?} buildhost={:?} sourcerpm={:?}\nchecksum={} sizes={}/{}/{} build={} header={}-{}\n",
                pool.full_nevra(id),
                i.summary,
                i.description,
                i.url,
                pool.str(i.license),
                pool.str(i.group),
                pool.str(i.vendor),
                pool.str(i.packager),
                pool.str(i.buildhost),
                pool.str(i.sourcerpm),
                i.checksum,
                i.size_package,
                i.size_installed,
                i.size_archive,
                i.time_build,
                i.header_start,
                i.header_end,
            );
            let mut files: Vec<&str> = pool
                .files
                .iter()
                .filter(|(p, _)| *p == id)
                .map(|(_, f)| pool.str(*f))
                .collect();
            files.sort_unstable();
            files.dedup();
            let _ = writeln!(s, "files: {}", files.join(" "));
            for kind in DepKind::ALL {
                let mut d = dep_strs(pool, id, kind);
                d.sort();
                if !d.is_empty() {
                    let _ = writeln!(s, "{}: {}", kind.as_str(), d.join(", "));
                }
            }
            out.insert(format!("{loc} {}", pool.nevra(id)), s);
        }
        out
    }

    fn open_decoded(path: &Path) -> Box<dyn io::BufRead> {
        let f = BufReader::new(File::open(path).unwrap());
        let name = path.to_string_lossy();
        let r: Box<dyn Read> = if name.ends_with(".gz") {
            Box::new(flate2::bufread::MultiGzDecoder::new(f))
        } else if name.ends_with(".bz2") {
            Box::new(bzip2::bufread::MultiBzDecoder::new(f))
        } else if name.ends_with(".xz") {
            Box::new(liblzma::bufread::XzDecoder::new_multi_decoder(f))
        } else if name.ends_with(".zst") {
            Box::new(zstd::stream::read::Decoder::with_buffer(f).unwrap())
        } else {
            Box::new(f)
        };
        Box::new(BufReader::new(r))
    }

    fn metadata_file(repodata: &Path, kind: &str) -> PathBuf {
        fs::read_dir(repodata)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| {
                let n = p.file_name().unwrap().to_string_lossy().into_owned();
                n.contains(&format!("{kind}.xml")) && !n.contains("sqlite")
            })
            .unwrap_or_else(|| panic!("no {kind}.xml in {}", repodata.display()))
    }

    /// Load `rpms_root` with this loader and `repodata`'s primary.xml, and compare.
    /// `primary_root` is what the primary's `location href`s are relative to.
    fn compare_with_primary(
        rpms_root: &Path,
        repodata: &Path,
    ) -> (BTreeMap<String, String>, Vec<String>) {
        let mut pool = Pool::new("x86_64");
        let r = load_rpm_paths(&mut pool, "rpms", &[rpms_root.to_path_buf()], &NoProgress).unwrap();
        let mine = summarize(&pool, RepoId(0), Some(rpms_root));
        pool.add_repo("md", &repodata.display().to_string(), SourceKind::RpmMd);
        let primary = metadata_file(repodata, "primary");
        parse_primary(&mut pool, open_decoded(&primary), &NoProgress).unwrap();
        scan_filelists(
            &mut pool,
            RepoId(1),
            open_decoded(&metadata_file(repodata, "filelists")),
            &FileWanted::All,
            &NoProgress,
        )
        .unwrap();
        let theirs = summarize(&pool, RepoId(1), None);
        let mut problems = Vec::new();
        for (k, v) in &theirs {
            match mine.get(k) {
                None => problems.push(format!("only in primary.xml: {k}")),
                Some(m) if m != v => {
                    problems.push(format!("differs: {k}\n--- rpm\n{m}--- primary\n{v}"))
                }
                Some(_) => {}
            }
        }
        for k in mine.keys() {
            if !theirs.contains_key(k) {
                problems.push(format!("only read from the rpm: {k}"));
            }
        }
        for e in r.errors.iter().chain(&r.warnings) {
            problems.push(format!("loader: {e}"));
        }
        (theirs, problems)
    }

    #[test]
    fn oracle_repos_equal_their_createrepo_c_metadata() {
        let Some(oracle) = env_dir("BRAMBLE_ORACLE") else {
            return;
        };
        let mut repos = Vec::new();
        let mut stack = vec![oracle.join("repos")];
        while let Some(d) = stack.pop() {
            if d.join("repodata").is_dir() && d.join("Packages").is_dir() {
                repos.push(d);
            } else if let Ok(rd) = fs::read_dir(&d) {
                stack.extend(rd.flatten().map(|e| e.path()).filter(|p| p.is_dir()));
            }
        }
        repos.sort();
        assert!(repos.len() >= 5, "{repos:?}");
        let mut total = 0;
        for repo in &repos {
            let (theirs, problems) = compare_with_primary(repo, &repo.join("repodata"));
            assert!(
                problems.is_empty(),
                "{}:\n{}",
                repo.display(),
                problems.join("\n")
            );
            assert!(
                theirs.values().any(|v| v.contains("\nfiles: /")),
                "no file lists"
            );
            let n = theirs.len();
            eprintln!("{}: {n} packages identical", repo.display());
            total += n;
        }
        assert!(total > 50, "{total}");
    }

    /// The strongest check available on a machine with createrepo_c: every corpus
    /// directory of rpms through both, compared package by package.
    #[test]
    fn corpus_equals_createrepo_c_output() {
        let Some(corpus) = env_dir("BRAMBLE_CORPUS") else {
            return;
        };
        let ok = std::process::Command::new("createrepo_c")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        if !ok {
            eprintln!("createrepo_c not found, skipping");
            return;
        }
        let out = tempfile::tempdir().unwrap();
        let mut dirs: Vec<PathBuf> = fs::read_dir(&corpus)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        let mut unexplained = Vec::new();
        let mut compared = 0;
        for dir in dirs {
            let (files, _) = find_rpm_files(std::slice::from_ref(&dir)).unwrap();
            if files.is_empty() {
                continue;
            }
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            let target = out.path().join(&name);
            fs::create_dir_all(&target).unwrap();
            let o = std::process::Command::new("createrepo_c")
                .args([
                    "-q",
                    "--no-database",
                    "--simple-md-filenames",
                    "--outputdir",
                ])
                .arg(&target)
                .arg(&dir)
                .output()
                .unwrap();
            assert!(o.status.success(), "createrepo_c failed on {name}");
            let (theirs, problems) = compare_with_primary(&dir, &target.join("repodata"));
            compared += theirs.len();
            // Allowed: problems the loader reports itself, and packages createrepo_c
            // leaves out because of control characters, which the loader warns about.
            let loader: Vec<&String> = problems
                .iter()
                .filter(|p| p.starts_with("loader: "))
                .collect();
            for p in &problems {
                let explained = p.starts_with("loader: ")
                    || p.strip_prefix("only read from the rpm: ")
                        .is_some_and(|rest| {
                            let loc = rest.split(' ').next().unwrap_or(rest);
                            loader
                                .iter()
                                .any(|l| l.contains(loc) && l.contains("control character"))
                        });
                if !explained {
                    unexplained.push(format!("[{name}] {p}"));
                }
            }
        }
        assert!(unexplained.is_empty(), "{}", unexplained.join("\n"));
        assert!(compared > 700, "{compared}");
    }

    /// Every corpus rpm either loads, or is one of the known bad ones and says clearly
    /// what is wrong with it.
    #[test]
    fn corpus_rpms_load_or_fail_clearly() {
        let Some(corpus) = env_dir("BRAMBLE_CORPUS") else {
            return;
        };
        let mut pool = Pool::new("x86_64");
        let r = load_rpm_paths(
            &mut pool,
            "corpus",
            std::slice::from_ref(&corpus),
            &NoProgress,
        )
        .unwrap();
        assert!(r.packages > 750, "{}", r.packages);
        // The only files that do not load: git symlinks stored as text (pulp-fixtures,
        // dnf-testdata's drpm dir).
        for e in &r.errors {
            let m = e.to_string();
            assert!(
                m.contains("not an rpm package") && m.contains("starts with the text `../"),
                "{m}"
            );
        }
        assert_eq!(r.errors.len(), 14);
        let warned = |needle: &str, what: &str| {
            r.warnings
                .iter()
                .filter(|w| {
                    let m = w.to_string();
                    m.contains(needle) && m.contains(what)
                })
                .count()
        };
        // Header-only srpms (truncated upstream): loaded, truncation reported.
        assert_eq!(warned("koschei/historical/srpms/", "payload truncated"), 3);
        assert_eq!(
            warned(
                "x86_64-corrupted.rpm",
                "payload SHA256 (the payload is corrupt)"
            ),
            1
        );
        assert_eq!(warned("rpmlint-binaries", "control character"), 3);
        assert_eq!(r.warnings.len(), 7, "{:#?}", r.warnings);
        // rpmlint's "bad CRC" package is a valid rpm (the bad CRC is inside its payload).
        pool.build_indexes();
        assert_eq!(pool.by_name("bad-crc-uncompressed").len(), 1);
        let labels: Vec<(String, &str)> = pool
            .ids()
            .filter_map(|id| modularity_label(&pool, id).map(|l| (pool.nevra(id), l)))
            .collect();
        assert_eq!(
            labels,
            [(
                "python-django-bash-completion-1.6.11.8-1.module_f33+9570+f65235c8.noarch"
                    .to_string(),
                "django:1.6:3320200810120233:601d93de"
            )]
        );
        let srpms = pool.ids().filter(|&id| pool.arch(id) == "src").count();
        assert!(srpms >= 10, "{srpms}");
    }
}
