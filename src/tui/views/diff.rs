//! Diff: `bramble --old SOURCE --new SOURCE [--roots R]` opens here — the problems NEW
//! has that OLD had not, each with its blame (the changes on the chain that caused it),
//! then the install comparison, package changes and dependency changes. NEW packages
//! are links; the other views show the NEW side.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::tui::app::App;
use crate::tui::doc::Doc;
use crate::tui::theme::Role;

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let theme = &app.theme;
    let head = Line::from(Span::styled(
        "Diff  (OLD → NEW; the other views show NEW)",
        theme.style(Role::Title),
    ));
    let empty = Doc::new();
    let (status, doc) = match &app.diff {
        Some(d) if d.new_problems > 0 => (
            Line::from(Span::styled(
                format!(
                    "{} new problem(s) in NEW, blamed on the changes that caused them",
                    d.new_problems
                ),
                theme.style(Role::Error),
            )),
            &d.doc,
        ),
        Some(d) => (
            Line::from(Span::styled(
                "no new problems in NEW",
                theme.style(Role::Ok),
            )),
            &d.doc,
        ),
        None if app.loading.is_some() => (
            Line::from(Span::styled("loading both sides…", theme.style(Role::Dim))),
            &empty,
        ),
        None => (
            Line::from(Span::styled(
                "no comparison: open bramble with --old SOURCE --new SOURCE [--roots R]",
                theme.style(Role::Dim),
            )),
            &empty,
        ),
    };
    super::doc::draw(f, theme, area, head, status, doc, &app.diff_nav);
}
