//! Conflicts: every pair of packages that cannot be installed together, grouped by
//! capability, each side with its origin; Enter on a pair shows both sides' chains.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::{job_gauge, txt};
use crate::tui::app::App;
use crate::tui::theme::Role;

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let theme = &app.theme;
    let c = &app.conflicts;
    let head = Line::from(Span::styled("Conflicts", theme.style(Role::Title)));
    let status = if let Some(job) = &c.running {
        job_gauge(theme, area.width, job, "finding conflicts (Esc cancels)")
    } else if let Some(e) = &c.error {
        Line::from(txt(theme, e, Role::Error))
    } else {
        match c.found {
            None => Line::from(Span::styled(
                "not run yet: press x to find pairs that cannot be installed together",
                theme.style(Role::Dim),
            )),
            Some(0) => Line::from(Span::styled("no conflicts", theme.style(Role::Ok))),
            Some(n) => Line::from(Span::styled(
                format!("{n} conflicting pairs   Enter: both sides' chains"),
                theme.style(Role::Warning),
            )),
        }
    };
    super::doc::draw(f, theme, area, head, status, &c.doc, &c.nav);
}
