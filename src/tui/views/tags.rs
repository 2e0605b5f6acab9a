//! Tags: one page per Koji tag loaded — the inheritance tree (`r` flips to the tags that
//! inherit from it), build config, external repos with merge modes, groups with the tag
//! each entry comes from, the buildroot with each package's origin and what it shadowed,
//! and the lints. Enter on a tag opens its page or its row; on a buildroot package, the
//! tag or external repo it came from. `:tags NAME` opens a page, `:event N` time-travels.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::{job_gauge, txt};
use crate::tui::app::App;
use crate::tui::doc::Doc;
use crate::tui::theme::Role;

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let theme = &app.theme;
    let empty = Doc::new();
    let Some(k) = &app.koji else {
        let status = if app.loading.is_some() {
            Line::from(Span::styled("loading…", theme.style(Role::Dim)))
        } else {
            Line::from(Span::styled(
                "no Koji data: open bramble with --koji-snapshot FILE, --hub URL or -p PROFILE, and --tag TAG",
                theme.style(Role::Dim),
            ))
        };
        let head = Line::from(Span::styled("Tags", theme.style(Role::Title)));
        super::doc::draw(f, theme, area, head, status, &empty, &app.tags.nav);
        return;
    };
    let page = k.pages.get(app.tags.page);
    let mut head = vec![Span::styled("Tags ", theme.style(Role::Title))];
    for (i, p) in k.pages.iter().enumerate() {
        let role = if i == app.tags.page {
            Role::Selected
        } else {
            Role::Normal
        };
        head.push(txt(theme, &format!(" {} ", p.name), role));
    }
    head.push(txt(
        theme,
        &format!(
            "  {}  event {}",
            k.origin,
            k.event.map_or("now".to_string(), |e| e.to_string())
        ),
        Role::Dim,
    ));
    let status = if let Some(job) = &app.tags.loading {
        job_gauge(theme, area.width, job, "reloading Koji data")
    } else {
        match page {
            None => Line::from(Span::styled(
                "no tag loaded (see Errors)",
                theme.style(Role::Error),
            )),
            Some(p) => {
                let role = if p.errors > 0 {
                    Role::Error
                } else if p.warnings > 0 {
                    Role::Warning
                } else {
                    Role::Ok
                };
                Line::from(vec![
                    Span::styled(
                        format!("lints: {} errors, {} warnings", p.errors, p.warnings),
                        theme.style(role),
                    ),
                    Span::styled(
                        "   r reverse · Enter follows · :event N",
                        theme.style(Role::Dim),
                    ),
                ])
            }
        }
    };
    let doc = app.tags_doc().unwrap_or(&empty);
    let doc = if app.tags.reverse && page.is_some_and(|p| p.reverse.is_none()) {
        &empty
    } else {
        doc
    };
    super::doc::draw(f, theme, area, Line::from(head), status, doc, &app.tags.nav);
}
