//! Drawing a [`Doc`]: a header line, a status line, and the rows with the cursor; a
//! selected row too long for the screen is shown in full, wrapped, under the list (as in
//! the Closure view).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::spans;
use crate::tui::app::ListNav;
use crate::tui::doc::{Doc, DocNav};
use crate::tui::theme::{Role, Theme};

pub fn draw<'a>(
    f: &mut Frame,
    theme: &Theme,
    area: Rect,
    head: Line<'a>,
    status: Line<'a>,
    doc: &Doc,
    nav: &DocNav,
) {
    let [head_a, status_a, body] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(area);
    f.render_widget(Paragraph::new(head), head_a);
    f.render_widget(Paragraph::new(status), status_a);
    let vis = doc.visible(&nav.folded);
    // a folded tree row says so
    let marked: std::collections::BTreeMap<usize, Vec<(String, Role)>> = nav
        .folded
        .iter()
        .filter_map(|&i| {
            let mut spans = doc.rows.get(i)?.spans.clone();
            spans.push(("  [folded: z opens]".to_string(), Role::Dim));
            Some((i, spans))
        })
        .collect();
    let rows: Vec<&[(String, Role)]> = vis
        .iter()
        .map(|&i| match marked.get(&i) {
            Some(m) => m.as_slice(),
            None => doc.rows[i].spans.as_slice(),
        })
        .collect();
    let pos = vis.iter().position(|&i| i >= nav.nav.cursor).unwrap_or(0);
    draw_rows_at(f, theme, body, &rows, pos, &nav.nav);
}

/// Rows of styled spans with the cursor row highlighted and kept in view; a selected row
/// too long for the width is repeated in full, wrapped, under the list.
pub fn draw_rows(
    f: &mut Frame,
    theme: &Theme,
    body: Rect,
    rows: &[&[(String, Role)]],
    nav: &ListNav,
) {
    draw_rows_at(f, theme, body, rows, nav.cursor, nav);
}

/// [`draw_rows`] with the cursor at `cursor` of `rows` (rows may be a filtered view).
pub fn draw_rows_at(
    f: &mut Frame,
    theme: &Theme,
    body: Rect,
    rows: &[&[(String, Role)]],
    cursor: usize,
    nav: &ListNav,
) {
    let selected: Option<String> = rows
        .get(cursor)
        .map(|r| r.iter().map(|(s, _)| s.as_str()).collect::<String>())
        .filter(|t| Span::raw(t.as_str()).width() > body.width as usize);
    let body = match &selected {
        Some(text) if body.height > 8 => {
            let [list, full] =
                Layout::vertical([Constraint::Min(3), Constraint::Length(4)]).areas(body);
            f.render_widget(
                Paragraph::new(text.trim().to_string())
                    .wrap(Wrap { trim: false })
                    .block(Block::default().borders(Borders::TOP).title(" selected ")),
                full,
            );
            list
        }
        _ => body,
    };
    let h = body.height as usize;
    let off = nav.scroll_at(cursor, h, rows.len());
    let lines: Vec<Line> = rows
        .iter()
        .enumerate()
        .skip(off)
        .take(h)
        .map(|(i, r)| {
            let mut line = Line::from(spans(theme, r));
            if i == cursor {
                line = line.style(theme.style(Role::Selected));
            }
            line
        })
        .collect();
    f.render_widget(Paragraph::new(lines), body);
}
