//! Loading an rpm-md repository held in memory (compiled into the binary with
//! `include_bytes!`, as the TUI's demo is): the same flow as [`super::repo::load_repo`]
//! — `repomd.xml`, then `primary`, verified against repomd's checksums — with the files
//! looked up by their `href` in a table instead of read from disk. Being small, an
//! embedded repository's `filelists` (when present) is read in full.
//!
//! Errors name the file as `embedded:NAME/HREF` and, for XML, the line and column.

use std::io::{Cursor, Read};
use std::path::PathBuf;

use super::compress::{DecodedReader, io_ref_to_load_error};
use super::error::LoadError;
use super::filelists::{FileWanted, scan_filelists};
use super::modulemd::{ModulesLoad, parse_modules};
use super::primary::{PrimaryResult, parse_primary};
use super::repomd::{RepoMd, RepoMdRecord, parse_repomd};
use super::xml::{XmlError, line_col};
use crate::model::package::RepoId;
use crate::model::pool::{Pool, SourceKind};
use crate::progress::Progress;

/// An embedded repository once loaded.
#[derive(Debug)]
pub struct EmbeddedRepo {
    pub id: RepoId,
    pub repomd: RepoMd,
    pub primary: PrimaryResult,
    /// Whether `filelists` was read.
    pub filelists: bool,
    /// Problems that did not stop loading.
    pub warnings: Vec<String>,
    /// Its module metadata (`modules` record), when it has some.
    pub modules: Option<ModulesLoad>,
    /// Its comps groups (`group` record), when it has some.
    pub comps: Option<crate::model::comps::Comps>,
}

fn embedded_path(name: &str, href: &str) -> PathBuf {
    PathBuf::from(format!("embedded:{name}/{href}"))
}

fn lookup<'a>(files: &[(&str, &'a [u8])], href: &str) -> Option<&'a [u8]> {
    files.iter().find(|(h, _)| *h == href).map(|(_, b)| *b)
}

fn open(
    name: &str,
    files: &[(&str, &[u8])],
    rec: &RepoMdRecord,
) -> Result<DecodedReader, LoadError> {
    let path = embedded_path(name, &rec.href);
    let bytes = lookup(files, &rec.href).ok_or_else(|| LoadError::Invalid {
        path: path.clone(),
        msg: "repomd.xml names this file, but it is not embedded".to_string(),
    })?;
    // The reader must be `'static` + Send: embedded data is copied once (it is small).
    DecodedReader::new(
        Box::new(Cursor::new(bytes.to_vec())),
        &path,
        rec.checksum.as_ref(),
    )
}

/// An XML failure as a `LoadError` with line and column (the data is at hand, so the
/// decoded text is re-read up to the offset).
fn xml_error(name: &str, files: &[(&str, &[u8])], rec: &RepoMdRecord, e: &XmlError) -> LoadError {
    let path = embedded_path(name, &rec.href);
    if let Some(io) = &e.io {
        return io_ref_to_load_error(&path, io);
    }
    let decoded = lookup(files, &rec.href).and_then(|b| {
        let mut r = DecodedReader::new(Box::new(Cursor::new(b.to_vec())), &path, None).ok()?;
        let mut out = Vec::new();
        r.read_to_end(&mut out).ok()?;
        Some(out)
    });
    match decoded {
        Some(data) => {
            let (line, column) = line_col(&data, e.offset);
            LoadError::Syntax {
                path,
                line,
                column,
                msg: e.msg.clone(),
            }
        }
        None => LoadError::Invalid {
            path,
            msg: format!("{} (at byte {})", e.msg, e.offset),
        },
    }
}

/// A decoded, verified stream of an embedded repository's `kind` file (`other`, ...), or
/// `None` when its repomd has no such record.
pub fn open_embedded_record(
    name: &str,
    files: &[(&str, &[u8])],
    kind: &str,
) -> Result<Option<DecodedReader>, LoadError> {
    let repomd_href = "repodata/repomd.xml";
    let path = embedded_path(name, repomd_href);
    let bytes = lookup(files, repomd_href).ok_or_else(|| LoadError::Invalid {
        path: path.clone(),
        msg: "no repodata/repomd.xml embedded".to_string(),
    })?;
    let repomd = parse_repomd(bytes, &path)?;
    match repomd.get(kind) {
        Some(rec) => open(name, files, rec).map(Some),
        None => Ok(None),
    }
}

/// Load an in-memory repository into `pool` as a new repo `name` located at `location`
/// (what messages and equivalent commands show). `files` maps hrefs as repomd.xml spells
/// them (`repodata/repomd.xml`, `repodata/…-primary.xml.gz`) to their bytes.
///
/// As with on-disk repositories, packages read before a failure in primary stay in the
/// pool; the error is returned.
pub fn load_embedded_repo(
    pool: &mut Pool,
    name: &str,
    location: &str,
    files: &[(&str, &[u8])],
    progress: &dyn Progress,
) -> Result<EmbeddedRepo, LoadError> {
    let repomd_href = "repodata/repomd.xml";
    let repomd_path = embedded_path(name, repomd_href);
    let bytes = lookup(files, repomd_href).ok_or_else(|| LoadError::Invalid {
        path: repomd_path.clone(),
        msg: "no repodata/repomd.xml embedded".to_string(),
    })?;
    let repomd = parse_repomd(bytes, &repomd_path)?;
    let rec = repomd
        .get("primary")
        .cloned()
        .ok_or_else(|| LoadError::Invalid {
            path: repomd_path.clone(),
            msg: "no `primary` record".to_string(),
        })?;
    let id = pool.add_repo(name, location, SourceKind::RpmMd);
    progress.phase(&format!("{name}: primary"), rec.open_size.or(rec.size));
    let input = open(name, files, &rec)?;
    let primary =
        parse_primary(pool, input, progress).map_err(|e| xml_error(name, files, &rec, &e))?;
    let mut warnings = repomd.warnings.clone();
    warnings.extend(
        primary
            .warnings
            .iter()
            .map(|w| xml_error(name, files, &rec, w).to_string()),
    );
    let mut loaded = EmbeddedRepo {
        id,
        repomd,
        primary,
        filelists: false,
        warnings,
        modules: None,
        comps: None,
    };
    if let Some(rec) = loaded.repomd.get("filelists").cloned() {
        progress.phase(&format!("{name}: filelists"), rec.open_size.or(rec.size));
        let input = open(name, files, &rec)?;
        scan_filelists(pool, id, input, &FileWanted::All, progress)
            .map_err(|e| xml_error(name, files, &rec, &e))?;
        pool.repos[id.index()].full_filelists = true;
        loaded.filelists = true;
    }
    if let Some(rec) = loaded.repomd.get("modules").cloned() {
        let path = embedded_path(name, &rec.href);
        let mut input = open(name, files, &rec)?;
        let mut data = Vec::new();
        input
            .read_to_end(&mut data)
            .map_err(|e| super::compress::io_to_load_error(&path, e))?;
        loaded.modules = Some(parse_modules(&data, &path));
    }
    if let Some(rec) = ["group", "group_gz"]
        .into_iter()
        .find_map(|k| loaded.repomd.get(k).cloned())
    {
        let input = open(name, files, &rec)?;
        loaded.comps = Some(
            super::comps::parse_comps(std::io::BufReader::new(input))
                .map_err(|e| xml_error(name, files, &rec, &e))?,
        );
    }
    Ok(loaded)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::NoProgress;

    const PRIMARY: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="1">
<package type="rpm">
  <name>hello</name><arch>noarch</arch>
  <version epoch="0" ver="1.0" rel="1"/>
  <summary>Hi</summary>
  <location href="Packages/hello-1.0-1.noarch.rpm"/>
  <format>
    <rpm:requires><rpm:entry name="bash"/></rpm:requires>
  </format>
</package>
</metadata>
"#;

    fn repomd(primary_href: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<repomd xmlns="http://linux.duke.edu/metadata/repo">
  <data type="primary"><location href="{primary_href}"/></data>
</repomd>
"#
        )
    }

    #[test]
    fn loads_primary_from_memory() {
        let md = repomd("repodata/p.xml");
        let files: [(&str, &[u8]); 2] = [
            ("repodata/repomd.xml", md.as_bytes()),
            ("repodata/p.xml", PRIMARY.as_bytes()),
        ];
        let mut pool = Pool::new("x86_64");
        let r = load_embedded_repo(&mut pool, "mem", "testdata/mem", &files, &NoProgress).unwrap();
        pool.build_indexes();
        assert_eq!(r.primary.packages, 1);
        assert!(!r.filelists);
        assert_eq!(pool.repos[0].location, "testdata/mem");
        assert_eq!(pool.by_name("hello").len(), 1);
    }

    #[test]
    fn missing_and_malformed_files_are_errors() {
        let md = repomd("repodata/absent.xml");
        let files: [(&str, &[u8]); 1] = [("repodata/repomd.xml", md.as_bytes())];
        let mut pool = Pool::new("x86_64");
        let e = load_embedded_repo(&mut pool, "mem", "x", &files, &NoProgress).unwrap_err();
        assert!(
            e.to_string().contains("embedded:mem/repodata/absent.xml"),
            "{e}"
        );

        let md = repomd("repodata/p.xml");
        let bad = PRIMARY.replace("</name>", "</nam>");
        let files: [(&str, &[u8]); 2] = [
            ("repodata/repomd.xml", md.as_bytes()),
            ("repodata/p.xml", bad.as_bytes()),
        ];
        let mut pool = Pool::new("x86_64");
        let e = load_embedded_repo(&mut pool, "mem", "x", &files, &NoProgress).unwrap_err();
        assert!(matches!(e, LoadError::Syntax { line: 4, .. }), "{e:?}");

        let mut pool = Pool::new("x86_64");
        assert!(load_embedded_repo(&mut pool, "mem", "x", &[], &NoProgress).is_err());
    }
}
