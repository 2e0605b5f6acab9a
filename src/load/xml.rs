//! Small helpers shared by the quick-xml based parsers: attribute values, text with
//! entity references, and errors that carry the byte offset in the decoded stream.

use std::borrow::Cow;

use quick_xml::events::{BytesRef, BytesStart};

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

/// Visit the attributes of an element as `(local name, unescaped value)`.
pub fn for_each_attr(e: &BytesStart<'_>, mut f: impl FnMut(&str, Cow<'_, str>)) {
    for a in e.attributes().with_checks(false).flatten() {
        let key = a.key.local_name();
        let key: &str = key.as_ref();
        match a.value {
            Cow::Borrowed(v) => f(key, unescape(v)),
            Cow::Owned(v) => f(key, Cow::Owned(unescape(&v).into_owned())),
        }
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
}
