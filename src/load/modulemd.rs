//! Reading module metadata (`modules.yaml`): multi-document YAML with `modulemd` v2
//! (v1 read and upgraded to v2 as libmodulemd does), `modulemd-defaults` v1,
//! `modulemd-obsoletes` v1; `modulemd-translations` v1 and `modulemd-packager` v2/v3 are
//! parsed and validated but not kept (libmodulemd drops packager v3 from an index too).
//!
//! Documents are independent: the text is split at its document markers (`---`, `...`)
//! and every document is parsed on its own (in parallel), so one bad document costs only
//! itself. Each failure is a [`LoadError::Syntax`] naming the file and the line (the
//! YAML error's own position, or the document's first line for a validation error).
//! Validation follows libmodulemd's (summary, description and module license required,
//! artifact NEVRAs with an epoch, static contexts, component buildorder/buildafter, rpm
//! arches within buildopts arches, no mixed positive/negative stream lists) and its index
//! rule that a stream needs a module and a stream name.
//!
//! The YAML crate is `yaml_serde` (see `../shared/CRATES.md`): typed structs with
//! `String` fields keep `stream: 10`, `1.10` and `00000000` exactly as written; the
//! document type is dispatched by a map visitor that reads `document` and `version`
//! before `data`, so nothing is buffered through serde's `Content` (which would turn
//! `stream: 10` into an integer). Nothing goes through a generic YAML value.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use rayon::prelude::*;
use serde::Deserialize;
use serde::de::{self, IgnoredAny, MapAccess, Visitor};

use super::compress::read_decoded;
use super::error::LoadError;
use crate::model::module::{
    Component, ComponentKind, Dependencies, ModuleDefaults, ModuleIndex, ModuleObsoletes,
    ModuleStream, Profile, context_error, is_valid_artifact_nevra,
};

/// The result of reading one module metadata file: what loaded, and one error per
/// document that did not.
#[derive(Debug, Default)]
pub struct ModulesLoad {
    pub index: ModuleIndex,
    pub errors: Vec<LoadError>,
    /// Documents seen (good and bad).
    pub documents: usize,
}

/// Read a module metadata file given directly (plain, gz, xz, zst or bz2).
pub fn load_modules_file(path: &Path) -> Result<ModulesLoad, LoadError> {
    let data = read_decoded(path, None)?;
    Ok(parse_modules(&data, path))
}

/// Parse decompressed module metadata; `path` names the file in errors.
pub fn parse_modules(data: &[u8], path: &Path) -> ModulesLoad {
    let data = data.strip_prefix(b"\xef\xbb\xbf").unwrap_or(data);
    let segments = split_documents(data);
    let parsed: Vec<Result<Option<Doc>, LoadError>> = segments
        .par_iter()
        .map(|seg| parse_segment(data, seg, path))
        .collect();
    let mut out = ModulesLoad {
        documents: segments.len(),
        ..Default::default()
    };
    // NSVCA → position, so a later duplicate replaces the earlier one in O(1)
    let mut seen: std::collections::HashMap<(String, String, u64, String, String), usize> =
        std::collections::HashMap::new();
    for r in parsed {
        match r {
            Ok(Some(Doc::Stream(s))) => {
                let key = (
                    s.name.clone(),
                    s.stream.clone(),
                    s.version,
                    s.context.clone(),
                    s.arch.clone(),
                );
                match seen.get(&key) {
                    Some(&i) => out.index.streams[i] = *s,
                    None => {
                        seen.insert(key, out.index.streams.len());
                        out.index.streams.push(*s);
                    }
                }
            }
            Ok(Some(Doc::Defaults(d))) => out.index.add_defaults(d),
            Ok(Some(Doc::Obsoletes(o))) => out.index.add_obsoletes(o),
            Ok(Some(Doc::Translation)) => out.index.translations += 1,
            Ok(Some(Doc::PackagerV3)) => out.index.packager_documents += 1,
            Ok(None) => out.documents -= 1,
            Err(e) => out.errors.push(e),
        }
    }
    out
}

// ---- splitting ------------------------------------------------------------------

/// One document of the stream: byte range and the 1-based line it starts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Segment {
    start: usize,
    end: usize,
    line: u64,
}

fn is_marker(line: &[u8], marker: &[u8]) -> bool {
    line.starts_with(marker)
        && line
            .get(3)
            .is_none_or(|&b| b == b' ' || b == b'\t' || b == b'\r')
}

fn is_blank_or_comment(line: &[u8]) -> bool {
    let t = line.trim_ascii_start();
    t.is_empty() || t[0] == b'#'
}

/// Split at document markers: a document starts at a `---` line (or at the first content
/// after the stream start or a `...`) and ends before the next `---` or after its `...`.
/// A column-0 `---` cannot occur inside a document's content (block scalars are indented
/// and quoted scalars may not contain document markers), so this is exact for
/// well-formed YAML. Segments holding only blank lines, comments and directives are
/// dropped.
fn split_documents(data: &[u8]) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut cur: Option<Segment> = None;
    let mut has_content = false;
    let mut pos = 0usize;
    let mut line_no = 0u64;
    let close = |seg: Segment, content: bool, out: &mut Vec<Segment>| {
        if content {
            out.push(seg);
        }
    };
    while pos < data.len() {
        line_no += 1;
        let end = memchr::memchr(b'\n', &data[pos..]).map_or(data.len(), |i| pos + i + 1);
        let line = &data[pos..end];
        let line_body = line.strip_suffix(b"\n").unwrap_or(line);
        if is_marker(line_body, b"---") {
            if let Some(seg) = cur.take() {
                close(seg, has_content, &mut out);
            }
            cur = Some(Segment {
                start: pos,
                end,
                line: line_no,
            });
            // `--- value` starts a document with content on the marker line
            has_content = !is_blank_or_comment(&line_body[3..]);
        } else if is_marker(line_body, b"...") {
            if let Some(mut seg) = cur.take() {
                seg.end = end;
                close(seg, has_content, &mut out);
            }
            has_content = false;
        } else if let Some(seg) = cur.as_mut() {
            seg.end = end;
            has_content |= !is_blank_or_comment(line_body);
        } else if !is_blank_or_comment(line_body) && !line_body.starts_with(b"%") {
            // a bare document (no `---`), at the start or after a `...`
            cur = Some(Segment {
                start: pos,
                end,
                line: line_no,
            });
            has_content = true;
        }
        pos = end;
    }
    if let Some(seg) = cur.take() {
        close(seg, has_content, &mut out);
    }
    out
}

// ---- documents ------------------------------------------------------------------

enum Doc {
    Stream(Box<ModuleStream>),
    Defaults(ModuleDefaults),
    Obsoletes(ModuleObsoletes),
    Translation,
    PackagerV3,
}

/// Marker error: `data` came before `document`/`version`; parse again in two passes.
const DATA_FIRST: &str = "\u{1}data-before-header";

enum Parsed {
    StreamV1(Box<StreamV1Data>),
    StreamV2(Box<StreamV2Data>, bool),
    PackagerV3(Box<PackagerV3Data>),
    DefaultsV1(DefaultsV1Data),
    ObsoletesV1(ObsoletesV1Data),
    TranslationsV1(TranslationsV1Data),
}

const DOC_TYPES: &[&str] = &[
    "modulemd",
    "modulemd-defaults",
    "modulemd-obsoletes",
    "modulemd-translations",
    "modulemd-packager",
    "modulemd-stream",
];

fn doc_kind_error(document: &str, version: u64) -> String {
    if DOC_TYPES.contains(&document) {
        format!("unsupported version {version} of `{document}` documents")
    } else {
        format!("unknown document type `{document}`")
    }
}

struct DocVisitor;

impl<'de> Visitor<'de> for DocVisitor {
    type Value = Parsed;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a modulemd document (a mapping with `document`, `version` and `data`)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Parsed, A::Error> {
        let mut document: Option<String> = None;
        let mut version: Option<u64> = None;
        let mut data: Option<Parsed> = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "document" => document = Some(map.next_value()?),
                "version" => version = Some(map.next_value::<Lenient<u64>>()?.0),
                "data" => {
                    let (Some(doc), Some(ver)) = (&document, version) else {
                        return Err(de::Error::custom(DATA_FIRST));
                    };
                    data = Some(match (doc.as_str(), ver) {
                        ("modulemd", 1) => Parsed::StreamV1(map.next_value()?),
                        ("modulemd", 2) => Parsed::StreamV2(map.next_value()?, false),
                        ("modulemd-packager", 2) => Parsed::StreamV2(map.next_value()?, true),
                        ("modulemd-packager", 3) => Parsed::PackagerV3(map.next_value()?),
                        ("modulemd-defaults", 1) => Parsed::DefaultsV1(map.next_value()?),
                        ("modulemd-obsoletes", 1) => Parsed::ObsoletesV1(map.next_value()?),
                        ("modulemd-translations", 1) => Parsed::TranslationsV1(map.next_value()?),
                        (d, v) => return Err(de::Error::custom(doc_kind_error(d, v))),
                    });
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        match (data, document, version) {
            (Some(d), _, _) => Ok(d),
            (None, None, _) => Err(de::Error::custom(
                "not a modulemd document: no `document` key",
            )),
            (None, Some(_), None) => Err(de::Error::custom("no `version` key")),
            (None, Some(_), Some(_)) => Err(de::Error::custom("No data section provided")),
        }
    }
}

impl<'de> Deserialize<'de> for Parsed {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(DocVisitor)
    }
}

/// The document header alone, for the two-pass path.
#[derive(Deserialize)]
struct Header {
    document: Option<String>,
    version: Option<Lenient<u64>>,
}

#[derive(Deserialize)]
struct DataOnly<T> {
    data: T,
}

/// A scalar read from its text, whatever YAML type it resolves to (libmodulemd reads
/// numbers and booleans with `strtoull`/`strcmp` on the scalar's text, quoted or not).
/// The value is checked inside the visitor so the error carries the scalar's position.
struct Lenient<T>(T);

struct LenientVisitor<T>(std::marker::PhantomData<T>);

trait FromScalar: Sized {
    const WHAT: &'static str;
    fn from_scalar(s: &str) -> Result<Self, String>;
}

impl FromScalar for u64 {
    const WHAT: &'static str = "an unsigned integer";
    fn from_scalar(s: &str) -> Result<Self, String> {
        s.parse()
            .map_err(|_| format!("invalid unsigned integer `{s}`"))
    }
}

impl FromScalar for i64 {
    const WHAT: &'static str = "an integer";
    fn from_scalar(s: &str) -> Result<Self, String> {
        match s.parse() {
            Ok(v) => Ok(v),
            // libmodulemd's HAVE_OVERFLOWED_BUILDORDER: RHEL 8 metadata carries -1
            // written as an unsigned 64-bit number
            Err(_) if s == "18446744073709551615" => Ok(-1),
            Err(_) => Err(format!("invalid integer `{s}`")),
        }
    }
}

impl FromScalar for bool {
    const WHAT: &'static str = "`true` or `false`";
    fn from_scalar(s: &str) -> Result<Self, String> {
        match s {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(format!(
                "Boolean value was neither \"true\" nor \"false\": {s}"
            )),
        }
    }
}

impl<'de, T: FromScalar> Visitor<'de> for LenientVisitor<T> {
    type Value = Lenient<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(T::WHAT)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Lenient<T>, E> {
        T::from_scalar(v).map(Lenient).map_err(E::custom)
    }
}

impl<'de, T: FromScalar> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(LenientVisitor(std::marker::PhantomData))
    }
}

/// A string field that tells "absent" from "present but empty": libmodulemd requires
/// `summary:` and `description:` keys, and accepts them empty (RHEL 8 beta has
/// `summary: ` with nothing after it).
#[derive(Default)]
struct Text(Option<String>);

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
        Ok(Text(Some(v.to_string())))
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(TextVisitor)
    }
}

/// A list of strings, or one string standing for a list of one (libmodulemd's
/// `parse_string_set` accepts both; RHEL 8 AppStream writes `platform: el8` and
/// `perl: 5.30`). A lone plain scalar that YAML resolves to a float would lose its text
/// (`5.30` → `5.3`): the visitor then fails with [`FLOAT_SCALAR`] at the scalar, and
/// [`parse_segment`] quotes that scalar in the text and parses the document again.
#[derive(Default, Clone)]
struct StrSet(Vec<String>);

struct StrSetVisitor;

impl<'de> Visitor<'de> for StrSetVisitor {
    type Value = StrSet;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of strings")
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<StrSet, A::Error> {
        let mut v = Vec::new();
        while let Some(s) = seq.next_element::<String>()? {
            v.push(s);
        }
        Ok(StrSet(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<StrSet, E> {
        Ok(StrSet(if v.is_empty() {
            Vec::new()
        } else {
            vec![v.to_string()]
        }))
    }

    fn visit_unit<E: de::Error>(self) -> Result<StrSet, E> {
        Ok(StrSet(Vec::new()))
    }

    fn visit_none<E: de::Error>(self) -> Result<StrSet, E> {
        Ok(StrSet(Vec::new()))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<StrSet, E> {
        Ok(StrSet(vec![v.to_string()]))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<StrSet, E> {
        Ok(StrSet(vec![v.to_string()]))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<StrSet, E> {
        Ok(StrSet(vec![v.to_string()]))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<StrSet, E> {
        Err(E::custom(FLOAT_SCALAR))
    }
}

/// Marker error: a float-looking plain scalar stands for a one-item list.
const FLOAT_SCALAR: &str = "\u{1}float-scalar";

/// Quote the plain scalar that starts at byte `at` of `text` (it ends at the end of the
/// line, a flow indicator or a comment).
fn quote_scalar_at(text: &mut String, at: usize) -> bool {
    let Some(rest) = text.get(at..) else {
        return false;
    };
    let mut len = rest.find(['\n', '\r', ',', ']', '}']).unwrap_or(rest.len());
    if let Some(c) = rest[..len].find(" #") {
        len = c;
    }
    let scalar = rest[..len].trim_end();
    if scalar.is_empty() || scalar.contains(['\'', '"']) {
        return false;
    }
    let end = at + scalar.len();
    text.insert(end, '\'');
    text.insert(at, '\'');
    true
}

impl std::ops::Deref for StrSet {
    type Target = Vec<String>;
    fn deref(&self) -> &Vec<String> {
        &self.0
    }
}

fn sets(m: &BTreeMap<String, StrSet>) -> BTreeMap<String, Vec<String>> {
    m.iter().map(|(k, v)| (k.clone(), v.0.clone())).collect()
}

impl<'de> Deserialize<'de> for StrSet {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrSetVisitor)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Licenses {
    module: StrSet,
    content: StrSet,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RpmList {
    rpms: StrSet,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ProfileData {
    description: Option<String>,
    rpms: StrSet,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct BuildOpts {
    arches: StrSet,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RpmComponentData {
    rationale: Option<String>,
    #[serde(rename = "ref")]
    git_ref: Option<String>,
    buildorder: Option<Lenient<i64>>,
    buildafter: Option<StrSet>,
    arches: StrSet,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ComponentsData {
    rpms: BTreeMap<String, RpmComponentData>,
    modules: BTreeMap<String, RpmComponentData>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ArtifactsData {
    rpms: StrSet,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DepsV2 {
    buildrequires: BTreeMap<String, StrSet>,
    requires: BTreeMap<String, StrSet>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DepsV1 {
    buildrequires: BTreeMap<String, String>,
    requires: BTreeMap<String, String>,
}

/// The fields of a stream common to v1 and v2.
#[derive(Deserialize, Default)]
#[serde(default)]
struct StreamCommon {
    name: Option<String>,
    stream: Option<String>,
    version: Option<Lenient<u64>>,
    context: Option<String>,
    arch: Option<String>,
    summary: Text,
    description: Text,
    license: Option<Licenses>,
    profiles: BTreeMap<String, ProfileData>,
    api: RpmList,
    filter: RpmList,
    buildopts: Option<BuildOpts>,
    components: ComponentsData,
    artifacts: ArtifactsData,
}

/// A v2 stream (or packager v2) document's data. No `flatten` anywhere: it would buffer
/// through serde's `Content` and turn `stream: 10` into an integer.
#[derive(Deserialize, Default)]
#[serde(default)]
struct StreamV2Data {
    name: Option<String>,
    stream: Option<String>,
    version: Option<Lenient<u64>>,
    context: Option<String>,
    arch: Option<String>,
    static_context: Option<Lenient<bool>>,
    summary: Text,
    description: Text,
    license: Option<Licenses>,
    profiles: BTreeMap<String, ProfileData>,
    api: RpmList,
    filter: RpmList,
    buildopts: Option<BuildOpts>,
    components: ComponentsData,
    artifacts: ArtifactsData,
    dependencies: Vec<DepsV2>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StreamV1Data {
    name: Option<String>,
    stream: Option<String>,
    version: Option<Lenient<u64>>,
    context: Option<String>,
    arch: Option<String>,
    summary: Text,
    description: Text,
    eol: Option<String>,
    license: Option<Licenses>,
    profiles: BTreeMap<String, ProfileData>,
    api: RpmList,
    filter: RpmList,
    buildopts: Option<BuildOpts>,
    components: ComponentsData,
    artifacts: ArtifactsData,
    dependencies: Option<DepsV1>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ConfigurationData {
    context: Option<String>,
    platform: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PackagerV3Data {
    name: Option<String>,
    stream: Option<String>,
    configurations: Vec<ConfigurationData>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DefaultsV1Data {
    module: Option<String>,
    modified: Option<Lenient<u64>>,
    stream: Option<String>,
    profiles: BTreeMap<String, StrSet>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ObsoletedBy {
    module: Option<String>,
    stream: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ObsoletesV1Data {
    modified: Option<String>,
    reset: Option<Lenient<bool>>,
    module: Option<String>,
    stream: Option<String>,
    context: Option<String>,
    eol_date: Option<String>,
    message: Option<String>,
    obsoleted_by: Option<ObsoletedBy>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TranslationsV1Data {
    module: Option<String>,
    stream: Option<String>,
    modified: Option<Lenient<u64>>,
}

impl From<StreamV1Data> for StreamCommon {
    fn from(v: StreamV1Data) -> Self {
        StreamCommon {
            name: v.name,
            stream: v.stream,
            version: v.version,
            context: v.context,
            arch: v.arch,
            summary: v.summary,
            description: v.description,
            license: v.license,
            profiles: v.profiles,
            api: v.api,
            filter: v.filter,
            buildopts: v.buildopts,
            components: v.components,
            artifacts: v.artifacts,
        }
    }
}

// ---- parsing one segment ---------------------------------------------------------

/// yaml_serde messages end with ` at line L column C`; the position goes into the
/// `LoadError` instead.
fn strip_position(msg: &str) -> String {
    let mut s = msg.to_string();
    for pat in [" at line ", " at position "] {
        while let Some(i) = s.find(pat) {
            let rest = &s[i + pat.len()..];
            let len = rest
                .find(|c: char| !(c.is_ascii_digit() || c == ' ' || c.is_ascii_alphabetic()))
                .unwrap_or(rest.len());
            // only "<digits> column <digits>" or "<digits>"
            let tail = &rest[..len];
            let ok = tail
                .split(' ')
                .all(|w| w.is_empty() || w == "column" || w.bytes().all(|b| b.is_ascii_digit()));
            if !ok {
                break;
            }
            s.replace_range(i..i + pat.len() + len, "");
        }
    }
    s.trim_end_matches([',', ' ']).to_string()
}

fn syntax(path: &Path, line: u64, column: u64, msg: impl Into<String>) -> LoadError {
    LoadError::Syntax {
        path: path.to_path_buf(),
        line,
        column,
        msg: msg.into(),
    }
}

fn yaml_error(path: &Path, seg: &Segment, e: &yaml_serde::Error) -> LoadError {
    let (line, column) = match e.location() {
        Some(l) => (seg.line + l.line() as u64 - 1, l.column() as u64),
        None => (seg.line, 1),
    };
    syntax(path, line, column, strip_position(&e.to_string()))
}

fn parse_segment(data: &[u8], seg: &Segment, path: &Path) -> Result<Option<Doc>, LoadError> {
    let bytes = &data[seg.start..seg.end];
    let text = std::str::from_utf8(bytes).map_err(|e| {
        syntax(
            path,
            seg.line,
            1,
            format!("document is not valid UTF-8 ({e})"),
        )
    })?;
    let mut fixed: Option<String> = None;
    let parsed = loop {
        let text = fixed.as_deref().unwrap_or(text);
        match yaml_serde::from_str::<Parsed>(text) {
            Ok(p) => break p,
            Err(e) if e.to_string().contains(DATA_FIRST) => break two_pass(text, seg, path)?,
            Err(e) if e.to_string().contains(FLOAT_SCALAR) => {
                let mut t = text.to_string();
                match e.location() {
                    Some(l) if quote_scalar_at(&mut t, l.index()) => fixed = Some(t),
                    _ => {
                        return Err(syntax(
                            path,
                            seg.line,
                            1,
                            "a number where a list of streams is expected",
                        ));
                    }
                }
            }
            Err(e) => return Err(yaml_error(path, seg, &e)),
        }
    };
    let invalid = |msg: String| syntax(path, seg.line, 1, msg);
    Ok(Some(match parsed {
        Parsed::StreamV1(v) => {
            let deps = v1_deps(&v.dependencies);
            let eol = v.eol.clone();
            let mut s = stream_from(StreamCommon::from(*v), None, deps, 1).map_err(invalid)?;
            s.eol = eol;
            s.line = seg.line;
            Doc::Stream(Box::new(s))
        }
        Parsed::StreamV2(c, packager) => {
            let static_context = c.static_context.as_ref().is_some_and(|b| b.0);
            let deps = c
                .dependencies
                .iter()
                .map(|d| Dependencies {
                    buildrequires: sets(&d.buildrequires),
                    requires: sets(&d.requires),
                })
                .collect();
            let common = StreamCommon {
                name: c.name,
                stream: c.stream,
                version: c.version,
                context: c.context,
                arch: c.arch,
                summary: c.summary,
                description: c.description,
                license: c.license,
                profiles: c.profiles,
                api: c.api,
                filter: c.filter,
                buildopts: c.buildopts,
                components: c.components,
                artifacts: c.artifacts,
            };
            let what = if packager {
                "modulemd-packager"
            } else {
                "modulemd"
            };
            let mut s = stream_from(common, Some(static_context), deps, 2)
                .map_err(|m| invalid(format!("{what}: {m}")))?;
            s.line = seg.line;
            Doc::Stream(Box::new(s))
        }
        Parsed::PackagerV3(p) => {
            validate_packager_v3(&p).map_err(invalid)?;
            Doc::PackagerV3
        }
        Parsed::DefaultsV1(d) => Doc::Defaults(defaults_from(d, seg.line).map_err(invalid)?),
        Parsed::ObsoletesV1(o) => Doc::Obsoletes(obsoletes_from(o, seg.line).map_err(invalid)?),
        Parsed::TranslationsV1(t) => {
            if t.module.as_deref().is_none_or(str::is_empty) {
                return Err(invalid(
                    "modulemd-translations: module name is missing".into(),
                ));
            }
            if t.stream.as_deref().is_none_or(str::is_empty) {
                return Err(invalid(
                    "modulemd-translations: stream name is missing".into(),
                ));
            }
            if t.modified.is_none() {
                return Err(invalid("modulemd-translations: modified is missing".into()));
            }
            Doc::Translation
        }
    }))
}

/// `data` before `document`: read the header, then the data with the right type.
fn two_pass(text: &str, seg: &Segment, path: &Path) -> Result<Parsed, LoadError> {
    let err = |e: yaml_serde::Error| yaml_error(path, seg, &e);
    let h: Header = yaml_serde::from_str(text).map_err(err)?;
    let (doc, ver) = match (h.document, h.version.map(|v| v.0)) {
        (Some(d), Some(v)) => (d, v),
        (None, _) => {
            return Err(syntax(
                path,
                seg.line,
                1,
                "not a modulemd document: no `document` key",
            ));
        }
        (Some(_), None) => return Err(syntax(path, seg.line, 1, "no `version` key")),
    };
    fn data<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, yaml_serde::Error> {
        yaml_serde::from_str::<DataOnly<T>>(text).map(|d| d.data)
    }
    Ok(match (doc.as_str(), ver) {
        ("modulemd", 1) => Parsed::StreamV1(data(text).map_err(err)?),
        ("modulemd", 2) => Parsed::StreamV2(data(text).map_err(err)?, false),
        ("modulemd-packager", 2) => Parsed::StreamV2(data(text).map_err(err)?, true),
        ("modulemd-packager", 3) => Parsed::PackagerV3(data(text).map_err(err)?),
        ("modulemd-defaults", 1) => Parsed::DefaultsV1(data(text).map_err(err)?),
        ("modulemd-obsoletes", 1) => Parsed::ObsoletesV1(data(text).map_err(err)?),
        ("modulemd-translations", 1) => Parsed::TranslationsV1(data(text).map_err(err)?),
        (d, v) => return Err(syntax(path, seg.line, 1, doc_kind_error(d, v))),
    })
}

/// v1 → v2 dependencies: one block, each module with its single stream.
fn v1_deps(d: &Option<DepsV1>) -> Vec<Dependencies> {
    let Some(d) = d else {
        return Vec::new();
    };
    if d.buildrequires.is_empty() && d.requires.is_empty() {
        return Vec::new();
    }
    let one = |m: &BTreeMap<String, String>| {
        m.iter()
            .map(|(k, v)| (k.clone(), vec![v.clone()]))
            .collect()
    };
    vec![Dependencies {
        buildrequires: one(&d.buildrequires),
        requires: one(&d.requires),
    }]
}

fn nonempty(s: &Option<String>) -> bool {
    s.as_deref().is_some_and(|s| !s.is_empty())
}

/// Build and validate a stream as libmodulemd's `validate` and index rules do.
fn stream_from(
    c: StreamCommon,
    static_context: Option<bool>,
    dependencies: Vec<Dependencies>,
    mdversion: u8,
) -> Result<ModuleStream, String> {
    let id = match (&c.name, &c.stream) {
        (Some(n), Some(s)) => format!("{n}:{s}: "),
        (Some(n), None) => format!("{n}: "),
        _ => String::new(),
    };
    let fail = |m: String| Err(format!("{id}{m}"));
    if static_context == Some(true)
        && let Some(ctx) = &c.context
        && let Some(e) = context_error(ctx)
    {
        return fail(e);
    }
    if c.summary.0.is_none() {
        return fail("Summary is missing".into());
    }
    if c.description.0.is_none() {
        return fail("Description is missing".into());
    }
    let licenses = c.license.unwrap_or_default();
    if licenses.module.is_empty() {
        return fail("Module license is missing".into());
    }
    let mut components = Vec::new();
    for (kind, map) in [
        (ComponentKind::Rpm, &c.components.rpms),
        (ComponentKind::Module, &c.components.modules),
    ] {
        for (name, d) in map {
            if d.buildorder.as_ref().is_some_and(|b| b.0 != 0) && d.buildafter.is_some() {
                return fail(format!(
                    "Cannot combine buildorder and buildafter in component '{name}'"
                ));
            }
            components.push(Component {
                name: name.clone(),
                kind,
                rationale: d.rationale.clone().unwrap_or_default(),
                git_ref: d.git_ref.clone(),
                buildorder: d.buildorder.as_ref().map_or(0, |b| b.0),
                buildafter: d.buildafter.clone().unwrap_or_default().0,
                arches: d.arches.0.clone(),
            });
        }
    }
    // libmodulemd's `validate_components` looks at the rpm components
    let rpms: Vec<&Component> = components
        .iter()
        .filter(|c| c.kind == ComponentKind::Rpm)
        .collect();
    let has_order = rpms.iter().any(|c| c.buildorder != 0);
    let has_after = rpms.iter().any(|c| !c.buildafter.is_empty());
    if has_order && has_after {
        return fail("Cannot mix buildorder and buildafter in the same stream".into());
    }
    for comp in &rpms {
        if let Some(missing) = comp
            .buildafter
            .iter()
            .find(|b| !rpms.iter().any(|o| &o.name == *b))
        {
            return fail(format!(
                "Buildafter '{missing}' not found in components list"
            ));
        }
    }
    if let Some(opts) = &c.buildopts
        && !opts.arches.is_empty()
    {
        for comp in &rpms {
            if let Some(a) = comp.arches.iter().find(|a| !opts.arches.contains(a)) {
                return fail(format!(
                    "Component rpm '{}' arch '{a}' not in module buildopts.arches",
                    comp.name
                ));
            }
        }
    }
    if let Some(bad) = c
        .artifacts
        .rpms
        .iter()
        .find(|a| !is_valid_artifact_nevra(a))
    {
        return fail(format!(
            "Artifact '{bad}' was not in valid N-E:V-R.A format."
        ));
    }
    for deps in &dependencies {
        for (which, map) in [
            ("Runtime", &deps.requires),
            ("Buildtime", &deps.buildrequires),
        ] {
            for (module, streams) in map {
                let neg = streams.iter().filter(|s| s.starts_with('-')).count();
                if neg != 0 && neg != streams.len() {
                    return fail(format!(
                        "Dependency failed to validate: {which} dependency {module} contained a mix of positive and negative entries."
                    ));
                }
            }
        }
    }
    let (Some(name), Some(stream)) = (
        c.name.filter(|n| !n.is_empty()),
        c.stream.filter(|s| !s.is_empty()),
    ) else {
        return fail("The module and stream names are required when adding to ModuleIndex.".into());
    };
    let dedup = |mut v: Vec<String>| {
        v.sort();
        v.dedup();
        v
    };
    Ok(ModuleStream {
        name,
        stream,
        version: c.version.map_or(0, |v| v.0),
        context: c.context.unwrap_or_default(),
        arch: c.arch.unwrap_or_default(),
        mdversion,
        static_context: static_context.unwrap_or(false),
        summary: c.summary.0.unwrap_or_default(),
        description: c.description.0.unwrap_or_default(),
        module_licenses: dedup(licenses.module.0),
        content_licenses: dedup(licenses.content.0),
        profiles: c
            .profiles
            .into_iter()
            .map(|(k, p)| {
                (
                    k,
                    Profile {
                        description: p.description.unwrap_or_default(),
                        rpms: dedup(p.rpms.0),
                    },
                )
            })
            .collect(),
        api: dedup(c.api.rpms.0),
        filter: dedup(c.filter.rpms.0),
        artifacts: dedup(c.artifacts.rpms.0),
        components,
        dependencies: dependencies
            .into_iter()
            .map(|d| Dependencies {
                buildrequires: d
                    .buildrequires
                    .into_iter()
                    .map(|(k, v)| (k, dedup(v)))
                    .collect(),
                requires: d.requires.into_iter().map(|(k, v)| (k, dedup(v))).collect(),
            })
            .collect(),
        eol: None,
        line: 0,
    })
}

/// libmodulemd checks a packager v3 document's configurations; summary and description,
/// mandatory in repository metadata, are not checked there.
fn validate_packager_v3(p: &PackagerV3Data) -> Result<(), String> {
    let id = match (&p.name, &p.stream) {
        (Some(n), Some(s)) => format!("{n}:{s}: "),
        _ => String::new(),
    };
    for c in &p.configurations {
        match &c.context {
            None => {
                return Err(format!(
                    "modulemd-packager: {id}configuration without context"
                ));
            }
            Some(ctx) => {
                if let Some(e) = context_error(ctx) {
                    return Err(format!("modulemd-packager: {id}{e}"));
                }
            }
        }
        if !nonempty(&c.platform) {
            return Err(format!(
                "modulemd-packager: {id}configuration {} has no platform",
                c.context.as_deref().unwrap_or("")
            ));
        }
    }
    Ok(())
}

fn defaults_from(d: DefaultsV1Data, line: u64) -> Result<ModuleDefaults, String> {
    let Some(module) = d.module.filter(|m| !m.is_empty()) else {
        return Err("modulemd-defaults: module name is missing".into());
    };
    Ok(ModuleDefaults {
        module,
        stream: d.stream.filter(|s| !s.is_empty()),
        profiles: sets(&d.profiles),
        modified: d.modified.map_or(0, |m| m.0),
        line,
    })
}

/// `YYYY-MM-DDTHH:MMZ`, as libmodulemd's obsoletes dates.
fn is_obsoletes_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 17
        && b.iter().enumerate().all(|(i, &c)| match i {
            4 | 7 => c == b'-',
            10 => c == b'T',
            13 => c == b':',
            16 => c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

fn obsoletes_from(o: ObsoletesV1Data, line: u64) -> Result<ModuleObsoletes, String> {
    let module = o.module.filter(|m| !m.is_empty());
    let stream = o.stream.filter(|m| !m.is_empty());
    let id = format!(
        "modulemd-obsoletes {}:{}: ",
        module.as_deref().unwrap_or("?"),
        stream.as_deref().unwrap_or("?")
    );
    let (Some(module), Some(stream)) = (module, stream) else {
        return Err(format!("{id}module and stream are required"));
    };
    let Some(modified) = o.modified else {
        return Err(format!("{id}modified is missing"));
    };
    if !is_obsoletes_date(&modified) {
        return Err(format!(
            "{id}modified `{modified}` is not a YYYY-MM-DDTHH:MMZ date"
        ));
    }
    let Some(message) = o.message.filter(|m| !m.is_empty()) else {
        return Err(format!("{id}message is missing"));
    };
    if let Some(eol) = &o.eol_date
        && !is_obsoletes_date(eol)
    {
        return Err(format!(
            "{id}eol_date `{eol}` is not a YYYY-MM-DDTHH:MMZ date"
        ));
    }
    let obsoleted_by = match o.obsoleted_by {
        None => None,
        Some(ObsoletedBy {
            module: Some(m),
            stream: Some(s),
        }) if !m.is_empty() && !s.is_empty() => Some((m, s)),
        Some(_) => {
            return Err(format!("{id}obsoleted_by needs both module and stream"));
        }
    };
    Ok(ModuleObsoletes {
        module,
        stream,
        context: o.context.filter(|c| !c.is_empty()),
        eol_date: o.eol_date,
        reset: o.reset.is_some_and(|r| r.0),
        obsoleted_by,
        modified,
        message,
        line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> ModulesLoad {
        parse_modules(text.as_bytes(), Path::new("modules.yaml"))
    }

    const STREAM: &str = "---
document: modulemd
version: 2
data:
  name: nodejs
  stream: 10
  version: 20180101
  context: 00000000
  arch: x86_64
  summary: JS
  description: >-
    runtime
  license:
    module: [MIT]
  dependencies:
  - requires:
      platform: [el9]
  profiles:
    common:
      rpms: [nodejs, npm]
  artifacts:
    rpms:
    - nodejs-1:10.1-1.module+el9.x86_64
    - nodejs-1:10.1-1.module+el9.src
...
";

    #[test]
    fn stream_numbers_stay_text() {
        let l = parse(STREAM);
        assert!(l.errors.is_empty(), "{:?}", l.errors);
        let s = &l.index.streams[0];
        assert_eq!((s.stream.as_str(), s.context.as_str()), ("10", "00000000"));
        assert_eq!(s.version, 20180101);
        assert_eq!(s.artifacts.len(), 2);
        assert_eq!(s.profiles["common"].rpms, ["nodejs", "npm"]);
        assert_eq!(s.dependencies[0].requires["platform"], ["el9"]);
        assert_eq!(s.line, 1);
        let l = parse(&STREAM.replace("stream: 10", "stream: 1.10"));
        assert_eq!(l.index.streams[0].stream, "1.10");
    }

    #[test]
    fn a_bad_document_does_not_lose_the_others() {
        let text = format!(
            "{STREAM}---\ndocument: modulemd\nversion: 2\ndata: foobar\n...\n{}",
            STREAM.replace("stream: 10", "stream: 12")
        );
        let l = parse(&text);
        assert_eq!(l.index.streams.len(), 2);
        assert_eq!(l.errors.len(), 1);
        let msg = l.errors[0].to_string();
        assert!(msg.starts_with("modules.yaml:29:"), "{msg}");
        assert!(msg.contains("invalid type"), "{msg}");
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let text = format!("{STREAM}---\ndocument: modulemd\nversion: 2\ndata:\n  name: [a\n...\n");
        let l = parse(&text);
        assert_eq!(l.index.streams.len(), 1);
        assert_eq!(l.errors.len(), 1);
        let LoadError::Syntax { line, .. } = &l.errors[0] else {
            panic!("{:?}", l.errors[0]);
        };
        assert!((29..=32).contains(line), "{}", l.errors[0]);
    }

    #[test]
    fn validation_follows_libmodulemd() {
        let cases = [
            ("  summary: JS\n", "", "Summary is missing"),
            (
                "- nodejs-1:10.1-1.module+el9.src\n",
                "- nodejs-10.1-1.src\n",
                "was not in valid N-E:V-R.A format",
            ),
            (
                "  name: nodejs\n",
                "",
                "module and stream names are required",
            ),
            (
                "platform: [el9]",
                "platform: [el9, -el8]",
                "mix of positive and negative",
            ),
        ];
        for (from, to, want) in cases {
            let l = parse(&STREAM.replace(from, to));
            assert_eq!(l.errors.len(), 1, "{want}");
            let msg = l.errors[0].to_string();
            assert!(msg.contains(want), "{msg}");
            assert!(msg.starts_with("modules.yaml:1:"), "{msg}");
        }
        let l = parse(&STREAM.replace(
            "  context: 00000000\n",
            "  context: '-'\n  static_context: true\n",
        ));
        assert!(l.errors[0].to_string().contains("Non-alphanumeric"));
    }

    #[test]
    fn defaults_obsoletes_and_v1() {
        let text = "\
document: modulemd-defaults
version: 1
data:
  module: nodejs
  stream: 18
  profiles:
    18: [common]
...
---
document: modulemd-obsoletes
version: 1
data:
  modified: 2022-01-01T00:00Z
  module: nodejs
  stream: 16
  message: gone
  obsoleted_by: {module: nodejs, stream: 18}
...
---
document: modulemd
version: 1
data:
  name: old
  stream: a
  summary: s
  description: d
  license: {module: [MIT]}
  dependencies:
    requires: {platform: f28}
...
---
document: modulemd-defaults
version: 1
data: {module: foo, modified: 42invalid}
...
garbage
";
        let l = parse(text);
        assert_eq!(l.index.defaults[0].stream.as_deref(), Some("18"));
        assert_eq!(l.index.defaults[0].profiles["18"], ["common"]);
        assert_eq!(
            l.index.obsoletes[0].obsoleted_by,
            Some(("nodejs".into(), "18".into()))
        );
        let v1 = &l.index.streams[0];
        assert_eq!(v1.mdversion, 1);
        assert_eq!(v1.dependencies[0].requires["platform"], ["f28"]);
        assert_eq!(l.errors.len(), 2, "{:?}", l.errors);
        assert!(l.errors[0].to_string().contains("42invalid"));
        assert!(
            l.errors[1].to_string().starts_with("modules.yaml:36:"),
            "{}",
            l.errors[1]
        );
    }

    #[test]
    fn a_lone_stream_keeps_its_text() {
        // RHEL 8 AppStream: `perl: 5.30` where a list is expected
        let l = parse(&STREAM.replace(
            "platform: [el9]",
            "platform: el9\n      perl: 5.30\n      ruby: 2.70 # c",
        ));
        assert!(l.errors.is_empty(), "{:?}", l.errors);
        let r = &l.index.streams[0].dependencies[0].requires;
        assert_eq!(r["platform"], ["el9"]);
        assert_eq!(r["perl"], ["5.30"]);
        assert_eq!(r["ruby"], ["2.70"]);
        let l = parse(&STREAM.replace(
            "platform: [el9]",
            "platform: 1.10\n  - buildrequires: {perl: 5.30}",
        ));
        assert!(l.errors.is_empty(), "{:?}", l.errors);
        let d = &l.index.streams[0].dependencies;
        assert_eq!(d[0].requires["platform"], ["1.10"]);
        assert_eq!(d[1].buildrequires["perl"], ["5.30"]);
    }

    #[test]
    fn data_before_the_header_still_parses() {
        let text =
            "data:\n  module: foo\n  stream: 1.10\ndocument: modulemd-defaults\nversion: 1\n";
        let l = parse(text);
        assert!(l.errors.is_empty(), "{:?}", l.errors);
        assert_eq!(l.index.defaults[0].stream.as_deref(), Some("1.10"));
    }

    #[test]
    fn unknown_documents_are_errors() {
        let l = parse("document: modulemd-stream\nversion: 3\ndata: {}\n");
        assert!(
            l.errors[0].to_string().contains("unsupported version 3"),
            "{}",
            l.errors[0]
        );
        let l = parse("document: nonsense\nversion: 1\ndata: {}\n");
        assert!(l.errors[0].to_string().contains("unknown document type"));
        let l = parse("document: modulemd\nversion: 2\n");
        assert!(l.errors[0].to_string().contains("No data section provided"));
    }

    #[test]
    fn splitting_handles_markers_and_bare_documents() {
        let d = b"# c\n%YAML 1.2\n---\na: 1\n...\n---\nb: 2\n--- c: 3\n...\nbare: 4\n";
        let segs = split_documents(d);
        assert_eq!(
            segs.iter().map(|s| s.line).collect::<Vec<_>>(),
            vec![3, 6, 8, 10]
        );
    }
}
