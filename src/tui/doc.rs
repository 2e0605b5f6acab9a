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
    /// Depth in a foldable tree (`z` folds what lies below a row); `None`: not in one.
    pub level: Option<u8>,
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
            level: None,
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
            level: None,
        });
        self.rows.len() - 1
    }

    /// Put the last row at `level` of a foldable tree.
    pub fn level(&mut self, level: u8) {
        if let Some(r) = self.rows.last_mut() {
            r.level = Some(level);
        }
    }

    /// The rows shown when the rows in `folded` are folded: a folded tree row hides the
    /// rows after it that are deeper in the same tree.
    pub fn visible(&self, folded: &std::collections::BTreeSet<usize>) -> Vec<usize> {
        let mut out = Vec::with_capacity(self.rows.len());
        let mut fold: Option<u8> = None;
        for (i, r) in self.rows.iter().enumerate() {
            if let (Some(f), Some(l)) = (fold, r.level)
                && l > f
            {
                continue;
            }
            fold = None;
            out.push(i);
            if let Some(l) = r.level
                && folded.contains(&i)
            {
                fold = Some(l);
            }
        }
        out
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

/// Cursor over a document (a row index), with a trail of rows jumped from (Esc goes
/// back) and the folded tree rows.
#[derive(Default, Debug)]
pub struct DocNav {
    pub nav: ListNav,
    pub trail: Vec<usize>,
    pub folded: std::collections::BTreeSet<usize>,
}

impl DocNav {
    /// Jump to `row`, remembering where we were (a folded row above it is unfolded).
    pub fn jump(&mut self, row: usize) {
        self.trail.push(self.nav.cursor);
        let above: Vec<usize> = self.folded.range(..row).copied().collect();
        for f in above {
            self.folded.remove(&f);
        }
        self.nav.cursor = row;
    }

    /// Move for a navigation action over the rows shown; true when it was one.
    pub fn navigate(&mut self, doc: &Doc, action: super::keymap::Action) -> bool {
        let vis = doc.visible(&self.folded);
        let pos = vis.iter().position(|&i| i >= self.nav.cursor).unwrap_or(0);
        let mut tmp = ListNav {
            cursor: pos,
            ..ListNav::default()
        };
        tmp.page.set(self.nav.page.get());
        if !tmp.navigate(action, vis.len()) {
            return false;
        }
        if let Some(&i) = vis.get(tmp.cursor) {
            self.nav.cursor = i;
        }
        true
    }

    /// `z`: fold or unfold the tree below the cursor's row (a row not in a tree: no-op).
    pub fn toggle_fold(&mut self, doc: &Doc) -> bool {
        let c = self.nav.cursor;
        if doc.rows.get(c).and_then(|r| r.level).is_none() {
            return false;
        }
        if !self.folded.remove(&c) {
            self.folded.insert(c);
        }
        true
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

    #[test]
    fn folding_a_tree_row_hides_what_lies_below_it() {
        let mut d = Doc::new();
        d.heading("tree");
        for (name, lvl) in [("root", 0), ("a", 1), ("a1", 2), ("a2", 2), ("b", 1)] {
            d.line(vec![s(name, Role::Normal)]);
            d.level(lvl);
        }
        d.line(vec![s("after", Role::Normal)]);
        let mut n = DocNav::default();
        assert_eq!(d.visible(&n.folded).len(), 7);
        n.nav.cursor = 2; // a
        assert!(n.toggle_fold(&d));
        assert_eq!(d.visible(&n.folded), [0, 1, 2, 5, 6]);
        // moving down skips the folded rows
        n.navigate(&d, super::super::keymap::Action::Down);
        assert_eq!(n.nav.cursor, 5);
        // jumping into a folded part unfolds it
        n.jump(3);
        assert!(n.folded.is_empty());
        // rows outside a tree do not fold
        n.nav.cursor = 6;
        assert!(!n.toggle_fold(&d));
    }
}
