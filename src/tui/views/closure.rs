//! Closure: run on demand (`c`) in the background, with progress and Esc to cancel; the
//! report grouped by package (dnf's order), each unresolved requirement with its hints.
//! Enter jumps to the package; `n` and `b` toggle `--newest` / `--best` and re-run.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::job_gauge;
use crate::tui::app::App;
use crate::tui::theme::Role;

fn onoff(b: bool) -> &'static str {
    if b { "on" } else { "off" }
}

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let theme = &app.theme;
    let c = &app.closure;
    let [head, status, body] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(area);
    let mut parts = vec![Span::styled("Closure ", theme.style(Role::Title))];
    parts.push(Span::styled(
        format!(
            "  newest {} (n) · best {} (b) · installable {} (i) · :check {} · :arch {}",
            onoff(c.newest),
            onoff(c.best),
            onoff(c.installable),
            if c.check.is_empty() {
                "all".to_string()
            } else {
                c.check.join(",")
            },
            if c.arches.is_empty() {
                "all".to_string()
            } else {
                c.arches.join(",")
            }
        ),
        theme.style(Role::Dim),
    ));
    f.render_widget(Paragraph::new(Line::from(parts)), head);

    let status_line = if let Some(job) = &c.running {
        job_gauge(theme, area.width, job, "running closure (Esc cancels)")
    } else if let Some(e) = &c.error {
        Line::from(super::txt(theme, e, Role::Error))
    } else {
        match &c.report {
            None if app.data.is_none() => {
                Line::from(Span::styled("loading…", theme.style(Role::Dim)))
            }
            None => Line::from(Span::styled(
                "not run yet: press c to check that every requirement resolves (dnf repoclosure)",
                theme.style(Role::Dim),
            )),
            Some(r) if r.broken.is_empty() => Line::from(Span::styled(
                format!(
                    "all {} packages checked: every requirement resolves",
                    r.checked
                ),
                theme.style(Role::Ok),
            )),
            Some(r) => {
                let mut l = vec![Span::styled(
                    format!(
                        "{} unresolved deps in {} of {} packages checked",
                        r.unresolved_count(),
                        r.broken.len(),
                        r.checked
                    ),
                    theme.style(Role::Error),
                )];
                if c.report_opts != (c.newest, c.best, c.installable) {
                    l.push(Span::styled(
                        "  (options changed: c re-runs)",
                        theme.style(Role::Warning),
                    ));
                }
                Line::from(l)
            }
        }
    };
    f.render_widget(Paragraph::new(status_line), status);

    let rows = c.rows(app.data.as_ref().map(|d| &d.pool));
    let spans: Vec<&[(String, Role)]> = rows.iter().map(|r| r.spans.as_slice()).collect();
    super::doc::draw_rows(f, theme, body, &spans, &c.nav);
}
