//! Errors: every load problem, fatal ones first marked `✗`, warnings `!`; the selected
//! one in full (wrapped) below the list, since messages carry file and position.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::txt;
use crate::text::sanitize_line;
use crate::tui::app::App;
use crate::tui::theme::Role;

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let theme = &app.theme;
    if app.problems.is_empty() {
        let msg = if app.loading.is_some() {
            "loading…"
        } else {
            "no load problems: every source loaded cleanly"
        };
        f.render_widget(
            Paragraph::new(vec![
                Line::from(Span::styled("Load problems", theme.style(Role::Title))),
                Line::from(Span::styled(msg, theme.style(Role::Ok))),
            ]),
            area,
        );
        return;
    }
    let [head, list, detail] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(6),
    ])
    .areas(area);
    f.render_widget(
        Paragraph::new(Line::from(Span::styled(
            format!("Load problems ({})", app.problems.len()),
            theme.style(Role::Title),
        ))),
        head,
    );
    let h = list.height as usize;
    let off = app.errors.scroll(h, app.problems.len());
    let lines: Vec<Line> = app
        .problems
        .iter()
        .enumerate()
        .skip(off)
        .take(h)
        .map(|(i, p)| {
            let (mark, role) = if p.fatal {
                ("✗ ", Role::Error)
            } else {
                ("! ", Role::Warning)
            };
            let mut l = Line::from(vec![
                Span::styled(mark, theme.style(role)),
                txt(theme, &p.source, Role::Title),
                Span::raw(": "),
                txt(theme, &p.message, Role::Normal),
            ]);
            if i == app.errors.cursor {
                l = l.style(theme.style(Role::Selected));
            }
            l
        })
        .collect();
    f.render_widget(Paragraph::new(lines), list);
    if let Some(p) = app.problems.get(app.errors.cursor) {
        let text = format!(
            "{} {}: {}",
            if p.fatal { "error in" } else { "warning in" },
            sanitize_line(&p.source),
            sanitize_line(&p.message)
        );
        f.render_widget(
            Paragraph::new(text)
                .wrap(Wrap { trim: false })
                .block(Block::default().borders(Borders::TOP).title(" selected ")),
            detail,
        );
    }
}
