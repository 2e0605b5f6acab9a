//! Parser for `repodata/repomd.xml`, the index of an rpm-md repository.
//!
//! repomd.xml is small (a few KiB), so it is parsed from a byte slice in one go with
//! quick-xml's streaming `Reader`. The parser is strict about what the loaders rely on and
//! lenient about the rest:
//! - malformed XML, a root other than `<repomd>`, a `<data>` without `type` or without
//!   `<location href>`, non-numeric sizes and non-hex checksums are errors that carry the
//!   file, line and column;
//! - unknown elements and attributes are skipped (repomd grows new ones: zchunk headers,
//!   `database_version`, SUSE extensions);
//! - an unknown checksum algorithm or a duplicate record type is not fatal: it is recorded in
//!   [`RepoMd::warnings`] and the record is kept (without its checksum, or behind the first
//!   record of that type).

use std::path::Path;

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use crate::load::compress::{Checksum, ChecksumKind};
use crate::load::error::LoadError;
use crate::load::xml::{line_col, push_ref};

/// The parsed repomd.xml.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepoMd {
    /// `<revision>`, usually a timestamp or a distribution version.
    pub revision: Option<String>,
    /// `<tags>`: content, repo and distro tags.
    pub tags: RepoTags,
    /// One per `<data>` element, in document order.
    pub records: Vec<RepoMdRecord>,
    /// Non-fatal problems (unknown checksum types, duplicate record types), with positions.
    pub warnings: Vec<String>,
}

/// `<tags>` of repomd.xml.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepoTags {
    pub content: Vec<String>,
    pub repo: Vec<String>,
    pub distro: Vec<DistroTag>,
}

/// `<distro cpeid="...">name</distro>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistroTag {
    pub cpeid: Option<String>,
    pub name: String,
}

/// One `<data type="...">` record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoMdRecord {
    /// The `type` attribute: `primary`, `filelists`, `other`, `group`, `group_gz`,
    /// `updateinfo`, `modules`, `primary_db`, `primary_zck`, ...
    pub kind: String,
    /// `<location href>`, relative to the repository root (or to `location_base`).
    pub href: String,
    /// `<location xml:base>`, when the file lives elsewhere.
    pub location_base: Option<String>,
    /// Checksum of the file as stored (compressed).
    pub checksum: Option<Checksum>,
    /// Checksum of the decompressed content.
    pub open_checksum: Option<Checksum>,
    /// Checksum of the zchunk header (`*_zck` records).
    pub header_checksum: Option<Checksum>,
    pub size: Option<u64>,
    pub open_size: Option<u64>,
    pub header_size: Option<u64>,
    /// Seconds since the epoch; fractional values (old yum) are truncated.
    pub timestamp: Option<u64>,
    /// `<database_version>` of sqlite records.
    pub database_version: Option<u32>,
}

impl RepoMd {
    /// The first record of the given type.
    pub fn get(&self, kind: &str) -> Option<&RepoMdRecord> {
        self.records.iter().find(|r| r.kind == kind)
    }
}

/// Reads and parses a repomd.xml file.
pub fn read_repomd(path: &Path) -> Result<RepoMd, LoadError> {
    let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_repomd(&bytes, path)
}

/// Parses repomd.xml content; `path` is used in errors.
pub fn parse_repomd(bytes: &[u8], path: &Path) -> Result<RepoMd, LoadError> {
    Parser {
        bytes,
        path,
        md: RepoMd::default(),
        stack: Vec::new(),
        root_seen: false,
        record: None,
        field: None,
        text: String::new(),
    }
    .run()
}

/// A record being built, with the position of its `<data>` tag for errors.
struct PartialRecord {
    pos: u64,
    kind: String,
    href: Option<String>,
    location_base: Option<String>,
    checksum: Option<Checksum>,
    open_checksum: Option<Checksum>,
    header_checksum: Option<Checksum>,
    size: Option<u64>,
    open_size: Option<u64>,
    header_size: Option<u64>,
    timestamp: Option<u64>,
    database_version: Option<u32>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Which {
    Checksum,
    OpenChecksum,
    HeaderChecksum,
}

/// An element whose text is being collected.
enum FieldKind {
    Revision,
    Content,
    Repo,
    Distro { cpeid: Option<String> },
    Checksum { which: Which, kind: Option<String> },
    Timestamp,
    Size,
    OpenSize,
    HeaderSize,
    DatabaseVersion,
}

struct Field {
    kind: FieldKind,
    /// Depth of the element (its index in the stack); text is taken only at this depth.
    depth: usize,
    pos: u64,
}

struct Parser<'a> {
    bytes: &'a [u8],
    path: &'a Path,
    md: RepoMd,
    /// Local names of the open elements.
    stack: Vec<String>,
    root_seen: bool,
    record: Option<PartialRecord>,
    field: Option<Field>,
    text: String,
}

impl Parser<'_> {
    fn run(mut self) -> Result<RepoMd, LoadError> {
        let mut reader = Reader::from_reader(self.bytes);
        loop {
            let before = reader.buffer_position();
            let event = match reader.read_event() {
                Ok(ev) => ev,
                Err(e) => return Err(self.syntax(reader.error_position(), e.to_string())),
            };
            let pos = self.skip_ws(before);
            match event {
                Event::Start(e) => {
                    self.open(&e, pos)?;
                }
                Event::Empty(e) => {
                    self.open(&e, pos)?;
                    self.close(pos)?;
                }
                Event::End(_) => self.close(pos)?,
                Event::Text(t) => {
                    if self.collecting() {
                        self.text.push_str(&t.xml10_content());
                    }
                }
                Event::CData(t) => {
                    if self.collecting() {
                        self.text.push_str(&t.xml10_content());
                    }
                }
                Event::GeneralRef(r) => {
                    if self.collecting() {
                        push_ref(&mut self.text, &r);
                    }
                }
                Event::Eof => break,
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
            }
        }
        if let Some(open) = self.stack.last() {
            let msg = format!("unexpected end of document inside <{open}>");
            return Err(self.syntax(self.bytes.len() as u64, msg));
        }
        if !self.root_seen {
            return Err(self.syntax(0, "no <repomd> element".to_string()));
        }
        Ok(self.md)
    }

    fn collecting(&self) -> bool {
        self.field
            .as_ref()
            .is_some_and(|f| f.depth + 1 == self.stack.len())
    }

    fn open(&mut self, e: &BytesStart<'_>, pos: u64) -> Result<(), LoadError> {
        let name = e.local_name().as_ref().to_string();
        let depth = self.stack.len();
        let parent = self.stack.last().map(String::as_str);
        match (depth, parent, name.as_str()) {
            (0, _, "repomd") if !self.root_seen => self.root_seen = true,
            (0, _, other) => {
                let msg = if self.root_seen {
                    format!("unexpected <{other}> after </repomd>")
                } else {
                    format!("expected <repomd> as the root element, found <{other}>")
                };
                return Err(self.syntax(pos, msg));
            }
            (1, _, "revision") => self.start_field(FieldKind::Revision, pos),
            (1, _, "data") => self.start_record(e, pos)?,
            (2, Some("tags"), "content") => self.start_field(FieldKind::Content, pos),
            (2, Some("tags"), "repo") => self.start_field(FieldKind::Repo, pos),
            (2, Some("tags"), "distro") => {
                let cpeid = self.attr(e, "cpeid", pos)?;
                self.start_field(FieldKind::Distro { cpeid }, pos);
            }
            (2, Some("data"), field) => self.start_data_field(e, field, pos)?,
            _ => {}
        }
        self.stack.push(name);
        Ok(())
    }

    fn start_field(&mut self, kind: FieldKind, pos: u64) {
        self.text.clear();
        self.field = Some(Field {
            kind,
            depth: self.stack.len(),
            pos,
        });
    }

    fn start_record(&mut self, e: &BytesStart<'_>, pos: u64) -> Result<(), LoadError> {
        let Some(kind) = self.attr(e, "type", pos)? else {
            return Err(self.syntax(pos, "<data> without a `type` attribute".to_string()));
        };
        self.record = Some(PartialRecord {
            pos,
            kind,
            href: None,
            location_base: None,
            checksum: None,
            open_checksum: None,
            header_checksum: None,
            size: None,
            open_size: None,
            header_size: None,
            timestamp: None,
            database_version: None,
        });
        Ok(())
    }

    fn start_data_field(
        &mut self,
        e: &BytesStart<'_>,
        name: &str,
        pos: u64,
    ) -> Result<(), LoadError> {
        let which = match name {
            "checksum" => Some(Which::Checksum),
            "open-checksum" => Some(Which::OpenChecksum),
            "header-checksum" => Some(Which::HeaderChecksum),
            _ => None,
        };
        if let Some(which) = which {
            let kind = self.attr(e, "type", pos)?;
            self.start_field(FieldKind::Checksum { which, kind }, pos);
            return Ok(());
        }
        let kind = match name {
            "location" => {
                let href = self.attr(e, "href", pos)?;
                let base = self.attr(e, "xml:base", pos)?;
                if let Some(rec) = &mut self.record {
                    rec.href = href.filter(|h| !h.is_empty());
                    rec.location_base = base.filter(|b| !b.is_empty());
                }
                return Ok(());
            }
            "timestamp" => FieldKind::Timestamp,
            "size" => FieldKind::Size,
            "open-size" => FieldKind::OpenSize,
            "header-size" => FieldKind::HeaderSize,
            "database_version" => FieldKind::DatabaseVersion,
            _ => return Ok(()),
        };
        self.start_field(kind, pos);
        Ok(())
    }

    fn close(&mut self, pos: u64) -> Result<(), LoadError> {
        let Some(name) = self.stack.pop() else {
            return Err(self.syntax(pos, "unexpected closing tag".to_string()));
        };
        let depth = self.stack.len();
        if self.field.as_ref().is_some_and(|f| f.depth == depth) {
            if let Some(field) = self.field.take() {
                self.finish_field(field)?;
            }
        } else if depth == 1 && name == "data" {
            self.finish_record()?;
        }
        Ok(())
    }

    fn finish_field(&mut self, field: Field) -> Result<(), LoadError> {
        let text = std::mem::take(&mut self.text);
        let value = text.trim();
        let pos = field.pos;
        match field.kind {
            FieldKind::Revision => self.md.revision = Some(value.to_string()),
            FieldKind::Content => self.md.tags.content.push(value.to_string()),
            FieldKind::Repo => self.md.tags.repo.push(value.to_string()),
            FieldKind::Distro { cpeid } => self.md.tags.distro.push(DistroTag {
                cpeid,
                name: value.to_string(),
            }),
            FieldKind::Checksum { which, kind } => {
                let checksum = self.checksum(kind.as_deref(), value, pos)?;
                if let Some(rec) = &mut self.record {
                    match which {
                        Which::Checksum => rec.checksum = checksum,
                        Which::OpenChecksum => rec.open_checksum = checksum,
                        Which::HeaderChecksum => rec.header_checksum = checksum,
                    }
                }
            }
            FieldKind::Timestamp => {
                let ts = self.number(value, "timestamp", true, pos)?;
                if let Some(rec) = &mut self.record {
                    rec.timestamp = Some(ts);
                }
            }
            FieldKind::Size => {
                let n = self.number(value, "size", false, pos)?;
                if let Some(rec) = &mut self.record {
                    rec.size = Some(n);
                }
            }
            FieldKind::OpenSize => {
                let n = self.number(value, "open-size", false, pos)?;
                if let Some(rec) = &mut self.record {
                    rec.open_size = Some(n);
                }
            }
            FieldKind::HeaderSize => {
                let n = self.number(value, "header-size", false, pos)?;
                if let Some(rec) = &mut self.record {
                    rec.header_size = Some(n);
                }
            }
            FieldKind::DatabaseVersion => {
                let n = self.number(value, "database_version", false, pos)?;
                let Ok(v) = u32::try_from(n) else {
                    let msg = format!("<database_version> `{value}` is out of range");
                    return Err(self.syntax(pos, msg));
                };
                if let Some(rec) = &mut self.record {
                    rec.database_version = Some(v);
                }
            }
        }
        Ok(())
    }

    fn finish_record(&mut self) -> Result<(), LoadError> {
        let Some(rec) = self.record.take() else {
            return Ok(());
        };
        let Some(href) = rec.href else {
            let msg = format!("<data type=\"{}\"> has no <location href>", rec.kind);
            return Err(self.syntax(rec.pos, msg));
        };
        if self.md.get(&rec.kind).is_some() {
            let (line, column) = line_col(self.bytes, rec.pos);
            self.md.warnings.push(format!(
                "{}:{line}:{column}: duplicate record type `{}`; the first one is used",
                self.path.display(),
                rec.kind
            ));
        }
        self.md.records.push(RepoMdRecord {
            kind: rec.kind,
            href,
            location_base: rec.location_base,
            checksum: rec.checksum,
            open_checksum: rec.open_checksum,
            header_checksum: rec.header_checksum,
            size: rec.size,
            open_size: rec.open_size,
            header_size: rec.header_size,
            timestamp: rec.timestamp,
            database_version: rec.database_version,
        });
        Ok(())
    }

    /// Validates a checksum element. An unknown algorithm is a warning (the record stays
    /// usable, unverified); a missing `type` or a non-hex value is an error.
    fn checksum(
        &mut self,
        kind: Option<&str>,
        value: &str,
        pos: u64,
    ) -> Result<Option<Checksum>, LoadError> {
        let Some(kind_name) = kind else {
            return Err(self.syntax(pos, "checksum without a `type` attribute".to_string()));
        };
        if value.is_empty() || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
            let msg = format!("checksum `{value}` is not a hex digest");
            return Err(self.syntax(pos, msg));
        }
        let Some(kind) = ChecksumKind::parse(kind_name) else {
            let (line, column) = line_col(self.bytes, pos);
            self.md.warnings.push(format!(
                "{}:{line}:{column}: unknown checksum type `{kind_name}`; not verified",
                self.path.display()
            ));
            return Ok(None);
        };
        if value.len() != kind.hex_len() {
            let (line, column) = line_col(self.bytes, pos);
            self.md.warnings.push(format!(
                "{}:{line}:{column}: {kind} checksum `{value}` has {} hex digits, expected {}",
                self.path.display(),
                value.len(),
                kind.hex_len()
            ));
        }
        Ok(Some(Checksum::new(kind, value)))
    }

    fn number(
        &self,
        value: &str,
        what: &str,
        allow_fraction: bool,
        pos: u64,
    ) -> Result<u64, LoadError> {
        if let Ok(n) = value.parse::<u64>() {
            return Ok(n);
        }
        if allow_fraction
            && let Some((int, frac)) = value.split_once('.')
            && frac.bytes().all(|b| b.is_ascii_digit())
            && let Ok(n) = int.parse::<u64>()
        {
            return Ok(n);
        }
        Err(self.syntax(pos, format!("<{what}> `{value}` is not a number")))
    }

    /// Value of attribute `name` (exact qualified name), entity-expanded.
    fn attr(&self, e: &BytesStart<'_>, name: &str, pos: u64) -> Result<Option<String>, LoadError> {
        for attr in e.attributes() {
            let attr = attr.map_err(|err| self.syntax(pos, err.to_string()))?;
            if attr.key.as_ref() == name {
                let value = attr
                    .normalized_value(XmlVersion::Implicit1_0)
                    .map_err(|err| self.syntax(pos, err.to_string()))?;
                return Ok(Some(value.into_owned()));
            }
        }
        Ok(None)
    }

    /// The position of the first non-blank byte at or after `pos` (an event's start).
    fn skip_ws(&self, pos: u64) -> u64 {
        let start = usize::try_from(pos)
            .unwrap_or(usize::MAX)
            .min(self.bytes.len());
        let skipped = self.bytes[start..]
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
        (start + skipped) as u64
    }

    fn syntax(&self, pos: u64, msg: String) -> LoadError {
        let (line, column) = line_col(self.bytes, pos);
        LoadError::Syntax {
            path: self.path.to_path_buf(),
            line,
            column,
            msg,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::compress::{Compression, io_to_load_error, open_verified};
    use std::io::Read;
    use std::path::PathBuf;

    const SAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">
  <revision>1766809664</revision>
  <tags>
    <content>binary-x86_64</content>
    <distro cpeid="cpe:/o:centos:centos:8">CentOS 8</distro>
    <repo>obs://x</repo>
  </tags>
  <data type="primary">
    <checksum type="sha256">F94291cd44b7a30df8d208754f613402f1ec84d8582b48ce555342d2fc239949</checksum>
    <open-checksum type="sha256">0e1a0fa0c7ee2bcca41dc27212a3b2e01e4e031d78509a09f27fcece9389258c</open-checksum>
    <location href="repodata/f94-primary.xml.zst"/>
    <timestamp>1766809664</timestamp>
    <size>3139</size>
    <open-size>23897</open-size>
  </data>
  <data type="primary_db">
    <checksum type="sha">d1e49565a4e4c3ca0ace622b9931e112a2a07567</checksum>
    <location xml:base="http://mirror/x/" href="repodata/a&amp;b-primary.sqlite.bz2"></location>
    <timestamp>1355315696.84</timestamp>
    <database_version>10</database_version>
    <future-element><nested>ignored</nested></future-element>
  </data>
  <data type="primary_zck">
    <checksum type="sha256">1a1f36da53154f18f2275e0c5da238b7cc5dfa20e95385f4b37605ee097efbb5</checksum>
    <header-checksum type="sha256">cb8b33d29cfab5d51e91dfa4566d67f8dabff0335c863689363b005755083639</header-checksum>
    <location href="repodata/p.xml.zck"/>
    <header-size>417</header-size>
  </data>
  <unknown-top attr="1">text<child/></unknown-top>
</repomd>
"#;

    fn parse(xml: &str) -> Result<RepoMd, LoadError> {
        parse_repomd(xml.as_bytes(), Path::new("repo/repodata/repomd.xml"))
    }

    fn syntax_err(xml: &str) -> (u64, u64, String) {
        match parse(xml) {
            Err(LoadError::Syntax {
                path,
                line,
                column,
                msg,
            }) => {
                assert_eq!(path, Path::new("repo/repodata/repomd.xml"));
                (line, column, msg)
            }
            other => panic!("expected a syntax error, got {other:?}"),
        }
    }

    #[test]
    fn parses_records_tags_and_skips_unknown_elements() {
        let md = parse(SAMPLE).unwrap();
        assert_eq!(md.revision.as_deref(), Some("1766809664"));
        assert_eq!(md.tags.content, ["binary-x86_64"]);
        assert_eq!(md.tags.repo, ["obs://x"]);
        assert_eq!(
            md.tags.distro,
            [DistroTag {
                cpeid: Some("cpe:/o:centos:centos:8".into()),
                name: "CentOS 8".into()
            }]
        );
        assert!(md.warnings.is_empty(), "{:?}", md.warnings);
        let kinds: Vec<_> = md.records.iter().map(|r| r.kind.as_str()).collect();
        assert_eq!(kinds, ["primary", "primary_db", "primary_zck"]);

        let p = md.get("primary").unwrap();
        assert_eq!(p.href, "repodata/f94-primary.xml.zst");
        let sum = p.checksum.as_ref().unwrap();
        assert_eq!(sum.kind, ChecksumKind::Sha256);
        assert!(sum.hex.starts_with("f94291"), "hex is lower-cased");
        assert_eq!(p.open_checksum.as_ref().unwrap().kind, ChecksumKind::Sha256);
        assert_eq!(
            (p.size, p.open_size, p.timestamp),
            (Some(3139), Some(23897), Some(1_766_809_664))
        );
        assert_eq!(p.location_base, None);

        let db = md.get("primary_db").unwrap();
        assert_eq!(db.href, "repodata/a&b-primary.sqlite.bz2");
        assert_eq!(db.location_base.as_deref(), Some("http://mirror/x/"));
        assert_eq!(db.checksum.as_ref().unwrap().kind, ChecksumKind::Sha1);
        assert_eq!(db.timestamp, Some(1_355_315_696));
        assert_eq!(db.database_version, Some(10));
        assert_eq!(db.open_checksum, None);
        assert_eq!(db.size, None);

        let zck = md.get("primary_zck").unwrap();
        assert!(zck.header_checksum.is_some());
        assert_eq!(zck.header_size, Some(417));
        assert!(md.get("filelists").is_none());
    }

    #[test]
    fn malformed_xml_reports_line_and_column() {
        let (line, column, msg) =
            syntax_err("<repomd>\n  <data type=\"primary\">\n  </dat>\n</repomd>");
        assert_eq!(line, 3, "{msg}");
        assert!(column >= 3, "{column}: {msg}");

        let (line, _, msg) = syntax_err("<repomd>\n  <data href= type=\"primary\"/>\n</repomd>");
        assert_eq!(line, 2, "{msg}");
    }

    #[test]
    fn truncated_document_is_an_error() {
        let cut = &SAMPLE[..SAMPLE.find("<data type=\"primary_db\"").unwrap() + 30];
        let (_, _, msg) = syntax_err(cut);
        assert!(!msg.is_empty());
        let (line, _, msg) = syntax_err(&SAMPLE[..SAMPLE.rfind("</repomd>").unwrap()]);
        assert!(msg.contains("end of document inside <repomd>"), "{msg}");
        assert_eq!(line, SAMPLE.lines().count() as u64);
        let (_, _, msg) = syntax_err(&SAMPLE[..SAMPLE.len() - 5]);
        assert!(msg.contains("not closed"), "{msg}");
        let (_, _, msg) = syntax_err("");
        assert!(msg.contains("no <repomd>"), "{msg}");
        // A corpus file that is a git symlink stored as text.
        let (line, column, _) = syntax_err("../../gpg-asc/repodata/repomd.xml");
        assert_eq!((line, column), (1, 1));
    }

    #[test]
    fn wrong_root_and_missing_location_are_clear() {
        let (_, _, msg) = syntax_err("<metadata><data type=\"primary\"/></metadata>");
        assert!(msg.contains("<metadata>"), "{msg}");

        let xml = "<repomd>\n<data type=\"other\">\n <checksum type=\"sha256\">ab</checksum>\n</data>\n</repomd>";
        let (line, column, msg) = syntax_err(xml);
        assert_eq!((line, column), (2, 1));
        assert!(msg.contains("other") && msg.contains("location"), "{msg}");

        let xml = "<repomd><data type=\"other\"><location/></data></repomd>";
        assert!(syntax_err(xml).2.contains("location"));

        let (_, _, msg) = syntax_err("<repomd><data><location href=\"x\"/></data></repomd>");
        assert!(msg.contains("type"), "{msg}");
    }

    #[test]
    fn bad_values_are_errors_with_position() {
        let xml = "<repomd>\n<data type=\"p\">\n<location href=\"x\"/>\n<size>12k</size>\n</data></repomd>";
        let (line, column, msg) = syntax_err(xml);
        assert_eq!((line, column), (4, 1));
        assert!(msg.contains("12k"), "{msg}");

        let xml = "<repomd><data type=\"p\"><location href=\"x\"/><checksum type=\"sha256\">zz</checksum></data></repomd>";
        assert!(syntax_err(xml).2.contains("zz"));

        let xml = "<repomd><data type=\"p\"><location href=\"x\"/><checksum>ab</checksum></data></repomd>";
        assert!(syntax_err(xml).2.contains("type"));

        let xml = "<repomd><data type=\"p\"><location href=\"x\"/><timestamp>1.x</timestamp></data></repomd>";
        assert!(syntax_err(xml).2.contains("1.x"));
    }

    #[test]
    fn unknown_checksum_types_and_duplicates_are_warnings() {
        let xml = "<repomd>\n<data type=\"p\"><location href=\"x\"/><checksum type=\"sha3\">ab</checksum></data>\n<data type=\"p\"><location href=\"y\"/></data></repomd>";
        let md = parse(xml).unwrap();
        assert_eq!(md.records.len(), 2);
        assert_eq!(md.get("p").unwrap().href, "x");
        assert_eq!(md.get("p").unwrap().checksum, None);
        assert_eq!(md.warnings.len(), 2, "{:?}", md.warnings);
        assert!(md.warnings[0].contains("sha3"));
        assert!(md.warnings[1].contains("repomd.xml:3:1") && md.warnings[1].contains("duplicate"));
    }

    #[test]
    fn byte_order_mark_and_comments_are_accepted() {
        let xml = "\u{feff}<?xml version=\"1.0\"?>\n<!-- c -->\n<repomd><data type=\"p\"><location href=\"x\"/></data></repomd>\n";
        assert_eq!(parse(xml).unwrap().records.len(), 1);
    }

    fn repomd_files(root: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(root) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                repomd_files(&path, out);
            } else if path.file_name().is_some_and(|n| n == "repomd.xml") {
                out.push(path);
            }
        }
    }

    /// Fixtures whose repomd.xml disagrees with the data file (edited upstream after
    /// createrepo ran; checked independently with sha256sum/sha1sum, zcat and bzip2 -dc).
    const KNOWN_INCONSISTENT: &[&str] = &[
        "createrepo_c/repo_01/repodata/6c662d665c24de9a0f62c17d8fa50622307739d7376f0d19097ca96c6d7f5e3e-primary.xml.gz",
        "libzypp-opensuse/repo/yum/data/extensions/repodata/other.xml.gz",
        "libzypp-opensuse/repo/yum/data/extensions/repodata/filelists.xml.gz",
        "libzypp-opensuse/repo/yum/data/extensions/repodata/primary.xml.gz",
        "libzypp-opensuse/repo/yum/data/extensions/repodata/susedata.xml.gz",
        "libzypp-opensuse/repo/yum/data/10.2-updates-subset/repodata/other.xml.gz",
        "libdnf-testdata/gpg-asc/repodata/primary.sqlite.bz2",
    ];

    /// Every repomd.xml of the corpus and the oracle repos parses (or, for the two git
    /// symlinks stored as text, fails cleanly); every record whose file is present decodes
    /// and matches its checksum, open-checksum and open-size, except exactly the known
    /// inconsistent fixtures, which must be caught.
    #[test]
    fn real_repomd_files_parse_and_verify() {
        let mut roots = Vec::new();
        for var in ["BRAMBLE_CORPUS", "BRAMBLE_ORACLE"] {
            match std::env::var_os(var) {
                Some(dir) => roots.push(PathBuf::from(dir)),
                None => eprintln!("{var} unset; skipping its repomd.xml files"),
            }
        }
        let mut files = Vec::new();
        for root in &roots {
            repomd_files(root, &mut files);
        }
        let (mut parsed, mut verified, mut failures) = (0, 0, Vec::new());
        for file in &files {
            let bytes = std::fs::read(file).unwrap();
            let md = match parse_repomd(&bytes, file) {
                Ok(md) => md,
                Err(e) => {
                    assert!(!bytes.starts_with(b"<"), "{e}");
                    continue;
                }
            };
            parsed += 1;
            for w in &md.warnings {
                eprintln!("warning: {w}");
            }
            assert!(!md.records.is_empty(), "{}", file.display());
            let Some(repo) = file.parent().and_then(Path::parent) else {
                continue;
            };
            for rec in &md.records {
                let data = repo.join(&rec.href);
                if rec.location_base.is_some() || !data.is_file() {
                    continue;
                }
                let mut reader = match open_verified(&data, rec.checksum.as_ref()) {
                    Ok(r) => r,
                    Err(LoadError::Unsupported { .. }) => continue, // zchunk
                    Err(e) => panic!("{e}"),
                };
                let mut out = Vec::new();
                if let Err(e) = reader.read_to_end(&mut out) {
                    failures.push((data.clone(), io_to_load_error(&data, e).to_string()));
                    continue;
                }
                if reader.compression() != Compression::None {
                    if let Some(open) = &rec.open_checksum {
                        let actual = open.kind.digest_hex(&out);
                        if !open.matches(&actual) {
                            failures.push((data.clone(), "open-checksum mismatch".into()));
                        }
                    }
                    if let Some(size) = rec.open_size
                        && size != out.len() as u64
                    {
                        failures.push((data.clone(), format!("open-size {size} != {}", out.len())));
                    }
                }
                verified += 1;
            }
        }
        eprintln!(
            "{} repomd.xml files, {parsed} parsed, {verified} records verified",
            files.len()
        );
        let known = |p: &Path| KNOWN_INCONSISTENT.iter().any(|k| p.ends_with(k));
        let unexpected: Vec<_> = failures.iter().filter(|(p, _)| !known(p)).collect();
        assert!(unexpected.is_empty(), "{unexpected:#?}");
        if std::env::var_os("BRAMBLE_CORPUS").is_some() {
            for k in KNOWN_INCONSISTENT {
                assert!(
                    failures.iter().any(|(p, _)| p.ends_with(k)),
                    "{k} not caught"
                );
            }
        }
    }
}
