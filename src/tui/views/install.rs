//! Install: the answer to `:install ROOTS [--on ROOTS]` (the transaction with why each
//! package came, or the derivation of why it cannot work) and to `:why PKG --from ROOTS`
//! (the shortest Requires chains); every package named is a link to its details.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::txt;
use crate::tui::app::App;
use crate::tui::theme::Role;

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let theme = &app.theme;
    let i = &app.install;
    let mut head = vec![Span::styled("Install / why ", theme.style(Role::Title))];
    if let Some(a) = &i.asked {
        head.push(txt(theme, &format!("  {a}"), Role::Normal));
    }
    let status = match &i.asked {
        None => Line::from(Span::styled(
            "type :install s3cmd --on insights-client  or  :why python3-magic --from s3cmd",
            theme.style(Role::Dim),
        )),
        Some(_) if i.failed => Line::from(Span::styled(
            "would fail — the derivation names both chains",
            theme.style(Role::Error),
        )),
        Some(_) => Line::from(Span::styled(
            "Enter opens a package · Esc back",
            theme.style(Role::Dim),
        )),
    };
    super::doc::draw(f, theme, area, Line::from(head), status, &i.doc, &i.nav);
}
