//! A document of rows, the shape of the Tags, Modules, Conflicts and Install views: styled
//! text (already sanitised) per row, and on some rows a [`Link`] that Enter follows — to a
//! package's details, to another row of the same document (a build to the tag it came
//! from, a package to its module stream), or to a tag. Documents are computed once, on a
//! worker thread or when a result arrives, so drawing only styles the visible rows.

use super::app::ListNav;
use super::theme::Role;
use crate::model::package::PkgId;
use crate::text::sanitize_line;

/// Where Enter on a row goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Link {
    /// The package's details (Packages view).
    Package(PkgId),
    /// Another row of the same document.
    Row(usize),
    /// The Tags view, at this tag's page.
    Tag(String),
    /// The Modules view, at the row of this stream (`name:stream`).
    Stream(String),
}

#[derive(Clone, Debug)]
pub struct DocRow {
    pub spans: Vec<(String, Role)>,
    pub link: Option<Link>,
    /// A key other rows (and other views) can jump to, e.g. `tag:f19` or
    /// `stream:postgresql:15`.
    pub anchor: Option<String>,
}

impl DocRow {
    /// The row as plain text.
    pub fn text(&self) -> String {
        self.spans.iter().map(|(s, _)| s.as_str()).collect()
    }
}

/// A span of metadata text, sanitised.
pub fn s(text: impl AsRef<str>, role: Role) -> (String, Role) {
    (sanitize_line(text.as_ref()).into_owned(), role)
}

#[derive(Clone, Debug, Default)]
pub struct Doc {
    pub rows: Vec<DocRow>,
}

impl Doc {
    pub fn new() -> Self {
        Doc::default()
    }

    /// A section title.
    pub fn heading(&mut self, title: &str) {
        self.rows.push(DocRow {
            spans: vec![s(title, Role::Title)],
            link: None,
            anchor: None,
        });
    }

    /// A plain row.
    pub fn line(&mut self, spans: Vec<(String, Role)>) -> usize {
        self.push(spans, None)
    }

    /// A row with a link.
    pub fn push(&mut self, spans: Vec<(String, Role)>, link: Option<Link>) -> usize {
        self.rows.push(DocRow {
            spans,
            link,
            anchor: None,
        });
        self.rows.len() - 1
    }

    /// Name the last row so links can find it.
    pub fn anchor(&mut self, key: String) {
        if let Some(r) = self.rows.last_mut() {
            r.anchor = Some(key);
        }
    }

    pub fn blank(&mut self) {
        self.line(Vec::new());
    }

    /// The first row with this anchor.
    pub fn find(&self, key: &str) -> Option<usize> {
        self.rows
            .iter()
            .position(|r| r.anchor.as_deref() == Some(key))
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The whole document as text (tests, copying).
    pub fn text(&self) -> String {
        let mut out = String::new();
        for r in &self.rows {
            out.push_str(&r.text());
            out.push('\n');
        }
        out
    }
}

/// Cursor over a document, with a trail of rows jumped from (Esc goes back).
#[derive(Default, Debug)]
pub struct DocNav {
    pub nav: ListNav,
    pub trail: Vec<usize>,
}

impl DocNav {
    /// Jump to `row`, remembering where we were.
    pub fn jump(&mut self, row: usize) {
        self.trail.push(self.nav.cursor);
        self.nav.cursor = row;
    }

    /// Back to the row of the last jump; false when there is none.
    pub fn back(&mut self) -> bool {
        match self.trail.pop() {
            Some(r) => {
                self.nav.cursor = r;
                true
            }
            None => false,
        }
    }

    pub fn reset(&mut self) {
        *self = DocNav::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_links_and_the_trail() {
        let mut d = Doc::new();
        d.heading("Inheritance");
        d.line(vec![s("f19", Role::Normal)]);
        d.anchor("tag:f19".into());
        d.push(vec![s("foo\x1b[2J", Role::Link)], Some(Link::Row(1)));
        assert_eq!(d.find("tag:f19"), Some(1));
        assert_eq!(d.find("tag:f18"), None);
        // metadata text is sanitised on the way in
        assert!(!d.text().contains('\x1b'), "{:?}", d.text());
        let mut n = DocNav::default();
        n.nav.cursor = 2;
        n.jump(1);
        assert_eq!(n.nav.cursor, 1);
        assert!(n.back());
        assert_eq!(n.nav.cursor, 2);
        assert!(!n.back());
    }
}
