//! Small helpers shared by the quick-xml based parsers: attribute values, text with
//! entity references, and errors that carry the byte offset in the decoded stream.

use std::borrow::Cow;

use quick_xml::events::{BytesRef, BytesStart};
use quick_xml::name::QName;

/// A parse failure at a byte offset of the (decompressed) document; the loader turns
/// it into a `LoadError::Syntax` with line and column once it knows the file.
#[derive(Debug, Clone)]
pub struct XmlError {
    pub offset: u64,
    pub msg: String,
    /// The I/O error underneath, when reading (decompressing, verifying) failed rather
    /// than parsing: it carries the decompressor's or checksum's own error payload.
    pub io: Option<std::sync::Arc<std::io::Error>>,
}

impl XmlError {
    pub fn new(offset: u64, msg: impl Into<String>) -> Self {
        XmlError {
            offset,
            msg: msg.into(),
            io: None,
        }
    }

    /// From a quick-xml error at `offset`, keeping an I/O cause.
    pub fn from_quick(offset: u64, e: quick_xml::Error) -> Self {
        let msg = e.to_string();
        let io = match e {
            quick_xml::Error::Io(io) => Some(io),
            _ => None,
        };
        XmlError { offset, msg, io }
    }

    /// From an I/O error of the underlying reader at `offset`.
    pub fn from_io(offset: u64, e: std::io::Error) -> Self {
        XmlError {
            offset,
            msg: e.to_string(),
            io: Some(std::sync::Arc::new(e)),
        }
    }
}

/// Unescape an attribute value only when it contains an entity (the common case has none).
pub fn unescape(raw: &str) -> Cow<'_, str> {
    if !raw.contains('&') {
        return Cow::Borrowed(raw);
    }
    match quick_xml::escape::unescape(raw) {
        Ok(s) => Cow::Owned(s.into_owned()),
        Err(_) => Cow::Borrowed(raw),
    }
}

/// Visit the attributes of an element as `(local name, unescaped value)`, in order.
pub fn for_each_attr<'e>(e: &'e BytesStart<'_>, mut f: impl FnMut(&'e str, Cow<'e, str>)) {
    if let Some((attrs, n)) = plain_attrs(e.attributes_raw()) {
        for &(key, value) in &attrs[..n] {
            f(QName(key).local_name().into_inner(), unescape(value));
        }
        return;
    }
    for a in e.attributes().with_checks(false).flatten() {
        let key = a.key.local_name().into_inner();
        match a.value {
            Cow::Borrowed(v) => f(key, unescape(v)),
            Cow::Owned(v) => f(key, Cow::Owned(unescape(&v).into_owned())),
        }
    }
}

/// The attributes of `raw` (the part of a tag after its name) when they have the plain
/// form ` key="value"` (or `'value'`), at most 16 of them, whitespace-separated: a fast
/// path that reads them as quick-xml's iterator does. `None` for anything else.
fn plain_attrs(raw: &str) -> Option<([(&str, &str); 16], usize)> {
    let b = raw.as_bytes();
    let ws = |c: u8| matches!(c, b' ' | b'\t' | b'\r' | b'\n');
    let mut out = [("", ""); 16];
    let (mut i, mut n) = (0, 0);
    loop {
        let gap = i;
        while i < b.len() && ws(b[i]) {
            i += 1;
        }
        if i == b.len() {
            return Some((out, n));
        }
        if i == gap || n == out.len() {
            return None;
        }
        let key = i;
        while i < b.len()
            && !ws(b[i])
            && !matches!(b[i], b'=' | b'"' | b'\'' | b'<' | b'>' | b'&' | b'/')
        {
            i += 1;
        }
        if i == key || b.get(i) != Some(&b'=') {
            return None;
        }
        let quote = *b.get(i + 1)?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let value = i + 2;
        let end = value + memchr::memchr(quote, &b[value..])?;
        // Every index is of an ASCII byte, hence a char boundary.
        out[n] = (&raw[key..i], &raw[value..end]);
        n += 1;
        i = end + 1;
    }
}

/// Append the text an entity or character reference stands for.
pub fn push_ref(out: &mut String, r: &BytesRef<'_>) {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        out.push(c);
        return;
    }
    let name = r.xml10_content();
    match quick_xml::escape::resolve_predefined_entity(&name) {
        Some(s) => out.push_str(s),
        None => {
            out.push('&');
            out.push_str(&name);
            out.push(';');
        }
    }
}

/// The callbacks of a streaming parser over a document with one root element (comps,
/// updateinfo): [`drive`] reads the events and calls them.
pub trait Elements {
    fn start(&mut self, e: &BytesStart<'_>, pos: u64) -> Result<(), XmlError>;
    fn end(&mut self, pos: u64);
    fn text(&mut self, t: &str, pos: u64) -> Result<(), XmlError>;
    /// An entity or character reference (`&amp;`, `&#233;`).
    fn general_ref(&mut self, r: &BytesRef<'_>, pos: u64) -> Result<(), XmlError>;
    /// Inside the root element.
    fn open(&self) -> bool;
    /// The root element was closed.
    fn root_done(&self) -> bool;
}

/// Read `input` to the end into `p`. `file` and `root` name the document in the errors a
/// truncated or empty one gives (`comps.xml`, `comps`).
pub fn drive<R: std::io::BufRead>(
    input: R,
    p: &mut dyn Elements,
    file: &str,
    root: &str,
) -> Result<(), XmlError> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(input);
    reader.config_mut().check_end_names = true;
    let mut buf = Vec::with_capacity(4096);
    loop {
        let pos = reader.buffer_position();
        let ev = match reader.read_event_into(&mut buf) {
            Ok(ev) => ev,
            Err(e) => return Err(XmlError::new(reader.error_position(), e.to_string())),
        };
        match ev {
            Event::Start(e) => p.start(&e, pos)?,
            Event::Empty(e) => {
                p.start(&e, pos)?;
                p.end(pos);
            }
            Event::End(_) => p.end(pos),
            Event::Text(t) => p.text(&t.xml10_content(), pos)?,
            Event::CData(t) => p.text(&t, pos)?,
            Event::GeneralRef(r) => p.general_ref(&r, pos)?,
            Event::Eof => {
                if p.open() {
                    return Err(XmlError::new(
                        reader.buffer_position(),
                        format!("unexpected end of file (truncated {file}?)"),
                    ));
                }
                if !p.root_done() {
                    return Err(XmlError::new(
                        0,
                        format!("empty document: no <{root}> element"),
                    ));
                }
                return Ok(());
            }
            _ => {}
        }
        buf.clear();
    }
}

/// 1-based line and column of byte `offset` in `data`.
pub fn line_col(data: &[u8], offset: u64) -> (u64, u64) {
    let end = (offset as usize).min(data.len());
    let before = &data[..end];
    let line = memchr::memchr_iter(b'\n', before).count() as u64 + 1;
    let col = match memchr::memrchr(b'\n', before) {
        Some(i) => (end - i) as u64,
        None => end as u64 + 1,
    };
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column() {
        let d = b"ab\ncde\nf";
        assert_eq!(line_col(d, 0), (1, 1));
        assert_eq!(line_col(d, 4), (2, 2));
        assert_eq!(line_col(d, 7), (3, 1));
        assert_eq!(unescape("a&amp;b"), "a&b");
        assert_eq!(unescape("plain"), "plain");
    }

    /// The fast path reads attributes exactly as quick-xml's iterator does.
    #[test]
    fn plain_attributes_read_like_quick_xml() {
        let tags = [
            "e",
            "e ",
            "rpm:entry name=\"a&amp;b\" flags='EQ' rpm:epoch=\"0\" ver=\"1.0\" rel=\"1\"",
            "e a=\"x'y\"  b='x\"y'\n\t",
            "e a=\"1\"b=\"2\"",
            "e a = \"1\"",
            "e a=1 b=\"2\"",
            "e a b=\"2\"",
            "e a=\"1\" a=\"2\"",
            "e a=\"unclosed",
            "e =\"x\"",
            "e a=\"<&>\" c:d:e=''",
            "e a=\"1\" b=\"2\" c=\"3\" d=\"4\" e=\"5\" f=\"6\" g=\"7\" h=\"8\" i=\"9\" j=\"10\" k=\"11\" l=\"12\" m=\"13\" n=\"14\" o=\"15\" p=\"16\" q=\"17\"",
        ];
        for tag in tags {
            let n = tag.find(' ').unwrap_or(tag.len());
            let e = BytesStart::from_content(tag, n);
            let mut got = Vec::new();
            for_each_attr(&e, |k, v| got.push((k.to_string(), v.into_owned())));
            let mut want = Vec::new();
            for a in e.attributes().with_checks(false).flatten() {
                let k = a.key.local_name().into_inner().to_string();
                want.push((k, unescape(&a.value).into_owned()));
            }
            assert_eq!(got, want, "{tag}");
            if plain_attrs(e.attributes_raw()).is_some() {
                assert!(!got.is_empty() || e.attributes_raw().trim().is_empty());
            }
        }
        assert!(plain_attrs(" a=\"1\" b='2' ").is_some());
        assert!(plain_attrs(" a = \"1\"").is_none());
    }
}
