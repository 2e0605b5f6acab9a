//! Modules: module → stream → context builds with profiles, stream requirements and
//! artifacts (present ones link to the package, missing ones in red), obsoletes, and the
//! problems of `bramble modules --problems` on top. From a package, `m` comes here.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use crate::tui::app::App;
use crate::tui::doc::Doc;
use crate::tui::theme::Role;

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let theme = &app.theme;
    let head = Line::from(Span::styled(
        "Modules  (dnf's default module state)",
        theme.style(Role::Title),
    ));
    let empty = Doc::new();
    let Some(cat) = &app.data else {
        let status = Line::from(Span::styled("loading…", theme.style(Role::Dim)));
        super::doc::draw(f, theme, area, head, status, &empty, &app.modules);
        return;
    };
    let m = &cat.modules;
    let status = if m.streams == 0 {
        Line::from(Span::styled(
            "no module metadata loaded",
            theme.style(Role::Dim),
        ))
    } else {
        Line::from(Span::styled(
            format!(
                "{} stream builds, {} problems   Enter: package · Esc: back",
                m.streams, m.problems
            ),
            theme.style(if m.problems > 0 {
                Role::Error
            } else {
                Role::Ok
            }),
        ))
    };
    super::doc::draw(f, theme, area, head, status, &m.doc, &app.modules);
}
