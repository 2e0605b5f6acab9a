//! `filelists.xml`: the full file lists, read with a purpose-built scanner.
//!
//! Fedora-size file lists are 600 MB of XML with 7 million `<file>` entries; a closure
//! needs only the handful that some dependency names (`Requires: /usr/libexec/foo`),
//! exactly as libsolv reads them lazily. A general XML parser spends ~2.4 s on this
//! document (quick-xml, 255 MB/s measured in `../shared/CRATES.md`); this scanner
//! jumps between `<` with `memchr`, looks up only `<package>` and `<file>` elements, and
//! keeps a path only if it is wanted, so the cost is close to decompression alone.
//! Structure is still checked: a truncated document or an unterminated element is an
//! error with its byte offset.

use std::io::BufRead;

use memchr::{memchr, memmem};
use rustc_hash::{FxHashMap, FxHashSet};

use super::xml::{XmlError, unescape};
use crate::model::package::{PkgId, RepoId};
use crate::model::pool::{FileKind, Pool};
use crate::progress::Progress;

/// Which file paths to keep.
pub enum FileWanted {
    /// Every path (for `query --files` on a small selection, or a small repo).
    All,
    /// Only these paths (the file dependencies of the loaded packages).
    Only(FxHashSet<Box<str>>),
    /// Every path of these packages (`query -l` on a selection).
    Packages(FxHashSet<PkgId>),
}

impl FileWanted {
    /// Every path that some dependency other than a `Provides` names: what libsolv's
    /// lazy file lists resolve. Includes the leaves of rich dependencies.
    pub fn file_deps_of(pool: &Pool) -> FileWanted {
        let mut set = FxHashSet::default();
        let mut add = |s: &str| {
            if s.starts_with('/') {
                set.insert(Box::<str>::from(s));
            }
        };
        for id in pool.ids() {
            let p = pool.pkg(id);
            let k = crate::model::package::DepKind::Provides.index();
            let (a, b) = (p.dep_start[k + 1] as usize, p.dep_start[8] as usize);
            for d in &pool.deps[a..b] {
                if d.is_rich() {
                    if let Some(t) = pool.rich_tree(d) {
                        for leaf in t.leaves() {
                            add(pool.str(leaf.name));
                        }
                    }
                } else {
                    add(pool.str(d.name));
                }
            }
        }
        FileWanted::Only(set)
    }

    /// The file dependencies that no installable package provides through primary's file
    /// entries or explicit provides; `None` when there are none (filelists need not be
    /// read at all). Closure answers are the same as with [`FileWanted::file_deps_of`]
    /// as long as every package stays available; callers that hide packages (module
    /// filtering) should use `file_deps_of`.
    pub fn unresolved_file_deps_of(pool: &Pool) -> Option<FileWanted> {
        let FileWanted::Only(set) = Self::file_deps_of(pool) else {
            return None;
        };
        let mut scratch = Vec::new();
        let set: FxHashSet<Box<str>> = set
            .into_iter()
            .filter(|p| {
                let Some(sym) = pool.strings.get(p) else {
                    return true;
                };
                scratch.clear();
                pool.whatprovides_into(
                    &crate::model::package::Reldep::unversioned(sym),
                    &mut scratch,
                );
                !scratch.iter().any(|&id| pool.is_installable(id))
            })
            .collect();
        if set.is_empty() {
            None
        } else {
            Some(FileWanted::Only(set))
        }
    }

    fn wants(&self, pkg: PkgId, path: &str) -> bool {
        match self {
            FileWanted::All => true,
            FileWanted::Only(s) => s.contains(path),
            FileWanted::Packages(p) => p.contains(&pkg),
        }
    }
}

#[derive(Debug, Default)]
pub struct FilelistsResult {
    pub packages: usize,
    pub files_seen: u64,
    pub files_kept: u64,
    /// `<package>` entries that match no package of the repo's primary.
    pub unmatched: usize,
}

struct Matcher<'a> {
    pool: &'a Pool,
    first: u32,
    end: u32,
    next: u32,
    by_checksum: Option<FxHashMap<&'a str, PkgId>>,
}

impl<'a> Matcher<'a> {
    /// createrepo_c writes filelists in primary's order, so the next package is almost
    /// always the right one; otherwise look the pkgid up.
    fn find(&mut self, pkgid: &str, name: &str) -> Option<PkgId> {
        if self.next < self.end {
            let cand = PkgId(self.next);
            let p = self.pool.pkg(cand);
            if &*p.info.checksum == pkgid && self.pool.str(p.name) == name {
                self.next += 1;
                return Some(cand);
            }
        }
        let pool = self.pool;
        let (first, end) = (self.first, self.end);
        let map = self.by_checksum.get_or_insert_with(|| {
            (first..end)
                .map(PkgId)
                .map(|id| (&*pool.pkg(id).info.checksum, id))
                .collect()
        });
        let id = *map.get(pkgid)?;
        if self.pool.str(self.pool.pkg(id).name) != name {
            return None;
        }
        self.next = id.0 + 1;
        Some(id)
    }
}

/// Read attribute `key="..."` from the bytes of one start tag.
fn attr<'t>(tag: &'t [u8], key: &[u8]) -> Option<&'t [u8]> {
    let mut from = 0;
    while let Some(i) = memmem::find(&tag[from..], key) {
        let at = from + i;
        let before_ok = at > 0 && tag[at - 1].is_ascii_whitespace();
        let rest = &tag[at + key.len()..];
        if before_ok && rest.first() == Some(&b'=') && matches!(rest.get(1), Some(b'"' | b'\'')) {
            let q = rest[1];
            let body = &rest[2..];
            let end = memchr(q, body)?;
            return Some(&body[..end]);
        }
        from = at + key.len();
    }
    None
}

fn text(b: &[u8]) -> String {
    let s = String::from_utf8_lossy(b);
    unescape(&s).into_owned()
}

/// Scan a decompressed `filelists.xml` of `repo` and add the wanted file entries to `pool`.
pub fn scan_filelists<R: BufRead>(
    pool: &mut Pool,
    repo: RepoId,
    mut input: R,
    wanted: &FileWanted,
    progress: &dyn Progress,
) -> Result<FilelistsResult, XmlError> {
    let r = &pool.repos[repo.index()];
    let (first, end) = (r.first_pkg, r.end_pkg);
    let mut result = FilelistsResult::default();
    let mut kept: Vec<(PkgId, String, FileKind)> = Vec::new();
    {
        let mut m = Matcher {
            pool,
            first,
            end,
            next: first,
            by_checksum: None,
        };
        let mut buf: Vec<u8> = Vec::with_capacity(2 << 20);
        let mut base: u64 = 0; // stream offset of buf[0]
        let mut current: Option<PkgId> = None;
        let mut in_package = false;
        let mut saw_root = false;
        let mut saw_end = false;
        let mut eof = false;
        let file_end = memmem::Finder::new(b"</file>");
        loop {
            if !eof {
                let chunk = input
                    .fill_buf()
                    .map_err(|e| XmlError::from_io(base + buf.len() as u64, e))?;
                if chunk.is_empty() {
                    eof = true;
                } else {
                    let n = chunk.len();
                    buf.extend_from_slice(chunk);
                    input.consume(n);
                    progress.advance(n as u64);
                    if buf.len() < (1 << 20) {
                        continue;
                    }
                }
            }
            let data = &buf[..];
            let mut i = 0usize;
            let need_more = loop {
                let Some(lt) = memchr(b'<', &data[i..]) else {
                    i = data.len();
                    break false;
                };
                let t = i + lt;
                let rest = &data[t..];
                let Some(gt) = memchr(b'>', rest) else {
                    i = t;
                    break true;
                };
                let tag = &rest[..gt];
                if tag.starts_with(b"<file")
                    && matches!(tag.get(5), None | Some(b' ' | b'\t' | b'\n' | b'\r'))
                {
                    let cstart = t + gt + 1;
                    let Some(len) = file_end.find(&data[cstart..]) else {
                        i = t;
                        break true;
                    };
                    let raw = &data[cstart..cstart + len];
                    result.files_seen += 1;
                    if !in_package {
                        return Err(XmlError::new(
                            base + t as u64,
                            "<file> outside of a <package>",
                        ));
                    }
                    if let Some(pid) = current {
                        let raw = raw
                            .strip_prefix(b"<![CDATA[")
                            .and_then(|r| r.strip_suffix(b"]]>"))
                            .unwrap_or(raw);
                        let path = match std::str::from_utf8(raw) {
                            Ok(s) if !s.contains('&') => std::borrow::Cow::Borrowed(s),
                            _ => std::borrow::Cow::Owned(text(raw)),
                        };
                        if wanted.wants(pid, &path) {
                            let kind = match attr(tag, b"type") {
                                Some(b"dir") => FileKind::Dir,
                                Some(b"ghost") => FileKind::Ghost,
                                _ => FileKind::File,
                            };
                            kept.push((pid, path.into_owned(), kind));
                        }
                    }
                    i = cstart + len + 7;
                } else if tag.starts_with(b"<package") {
                    if in_package {
                        return Err(XmlError::new(
                            base + t as u64,
                            "<package> inside a <package> (missing </package>?)",
                        ));
                    }
                    in_package = true;
                    result.packages += 1;
                    let pkgid = attr(tag, b"pkgid").map(text).unwrap_or_default();
                    let name = attr(tag, b"name").map(text).unwrap_or_default();
                    current = m.find(&pkgid, &name);
                    if current.is_none() {
                        result.unmatched += 1;
                    }
                    i = t + gt + 1;
                } else if tag.starts_with(b"</package") {
                    if !in_package {
                        return Err(XmlError::new(
                            base + t as u64,
                            "</package> without <package>",
                        ));
                    }
                    in_package = false;
                    current = None;
                    i = t + gt + 1;
                } else if tag.starts_with(b"<!--") {
                    match memmem::find(&rest[4..], b"-->") {
                        Some(e) => i = t + 4 + e + 3,
                        None => {
                            i = t;
                            break true;
                        }
                    }
                } else {
                    if tag.starts_with(b"<filelists") || tag.starts_with(b"<otherdata") {
                        saw_root = true;
                    } else if tag.starts_with(b"</filelists") {
                        saw_end = true;
                    } else if !saw_root && !tag.starts_with(b"<?") && !tag.starts_with(b"<!") {
                        let name: String =
                            String::from_utf8_lossy(&tag[1..tag.len().min(40)]).into();
                        return Err(XmlError::new(
                            base + t as u64,
                            format!("expected <filelists> as the root element, found <{name}>"),
                        ));
                    }
                    i = t + gt + 1;
                }
            };
            if eof {
                if need_more || in_package || !saw_end {
                    return Err(XmlError::new(
                        base + i as u64,
                        "unexpected end of file (truncated filelists.xml?)",
                    ));
                }
                break;
            }
            if i > 0 {
                buf.drain(..i);
                base += i as u64;
            }
            let _ = need_more;
        }
    }
    result.files_kept = kept.len() as u64;
    for (pid, path, kind) in kept {
        pool.add_file_of_kind(pid, &path, kind);
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::package::PackageInfo;
    use crate::model::pool::{NewPackage, SourceKind};
    use crate::progress::NoProgress;

    fn pool_with(n: usize) -> (Pool, RepoId) {
        let mut pool = Pool::new("x86_64");
        let repo = pool.add_repo("t", "/t", SourceKind::RpmMd);
        for i in 0..n {
            let info = PackageInfo {
                checksum: format!("sum{i}").into(),
                ..Default::default()
            };
            pool.add_package(
                NewPackage {
                    name: &format!("p{i}"),
                    epoch: 0,
                    version: "1",
                    release: "1",
                    arch: "noarch",
                    info,
                },
                &Default::default(),
            );
        }
        (pool, repo)
    }

    const DOC: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<filelists xmlns="http://linux.duke.edu/metadata/filelists" packages="2">
<package pkgid="sum0" name="p0" arch="noarch">
  <version epoch="0" ver="1" rel="1"/>
  <file>/usr/bin/p0</file>
  <file type="dir">/usr/share/p0</file>
  <file>/usr/share/p0/a&amp;b.txt</file>
</package>
<!-- a comment with <file>/not/a/file</file> -->
<package pkgid="sum1" name="p1" arch="noarch">
  <version epoch="0" ver="1" rel="1"/>
  <file>/usr/libexec/p1/helper</file>
</package>
</filelists>
"#;

    #[test]
    fn keeps_only_wanted_paths_and_matches_packages() {
        let (mut pool, repo) = pool_with(2);
        let wanted = FileWanted::Only(
            [
                "/usr/libexec/p1/helper",
                "/usr/share/p0/a&b.txt",
                "/not/a/file",
            ]
            .into_iter()
            .map(Box::from)
            .collect(),
        );
        let r = scan_filelists(&mut pool, repo, DOC.as_bytes(), &wanted, &NoProgress).unwrap();
        assert_eq!(
            (r.packages, r.files_seen, r.files_kept, r.unmatched),
            (2, 4, 2, 0)
        );
        pool.build_indexes();
        let dep = pool.parse_reldep("/usr/libexec/p1/helper").unwrap();
        assert_eq!(pool.whatprovides(&dep), vec![PkgId(1)]);
        let dep = pool.parse_reldep("/usr/share/p0/a&b.txt").unwrap();
        assert_eq!(pool.whatprovides(&dep), vec![PkgId(0)]);
    }

    #[test]
    fn out_of_order_packages_are_matched_by_pkgid() {
        let (mut pool, repo) = pool_with(2);
        let doc = DOC
            .replace("sum0", "SWAP")
            .replace("sum1", "sum0")
            .replace("SWAP", "sum1");
        let doc = doc
            .replace("name=\"p0\"", "name=\"X\"")
            .replace("name=\"p1\"", "name=\"p0\"")
            .replace("name=\"X\"", "name=\"p1\"");
        let r = scan_filelists(
            &mut pool,
            repo,
            doc.as_bytes(),
            &FileWanted::All,
            &NoProgress,
        )
        .unwrap();
        assert_eq!(r.unmatched, 0);
        assert_eq!(r.files_kept, 4);
        let dir = pool.strings.get("/usr/share/p0").unwrap();
        let file = pool.strings.get("/usr/bin/p0").unwrap();
        assert_eq!(pool.file_kind(PkgId(1), dir), FileKind::Dir);
        assert_eq!(pool.file_kind(PkgId(1), file), FileKind::File);
        assert!(
            pool.files
                .iter()
                .any(|&(p, s)| p == PkgId(0) && pool.str(s) == "/usr/libexec/p1/helper")
        );
    }

    #[test]
    fn truncation_anywhere_is_an_error() {
        for cut in [10, 60, 150, 200, DOC.len() - 20, DOC.len() - 2] {
            let (mut pool, repo) = pool_with(2);
            let r = scan_filelists(
                &mut pool,
                repo,
                &DOC.as_bytes()[..cut],
                &FileWanted::All,
                &NoProgress,
            );
            let e = r.unwrap_err();
            assert!(e.msg.contains("unexpected end"), "cut {cut}: {e:?}");
        }
        let (mut pool, repo) = pool_with(2);
        let r = scan_filelists(
            &mut pool,
            repo,
            "<metadata></metadata>".as_bytes(),
            &FileWanted::All,
            &NoProgress,
        );
        assert!(r.unwrap_err().msg.contains("root element"));
    }
}
