//! Help: generated from the key map and the command table (the README's key section is
//! generated from the same tables), so it is never out of date.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::app::App;
use crate::tui::keymap::{COMMANDS, KEYMAP, Scope};
use crate::tui::theme::{Role, Theme};

fn lines(theme: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for scope in [Scope::Global, Scope::Lists, Scope::Closure, Scope::Input] {
        out.push(Line::from(Span::styled(
            format!("Keys: {}", scope.title()),
            theme.style(Role::Title),
        )));
        for b in KEYMAP.iter().filter(|b| b.scope == scope) {
            let keys = b.keys.join(" ");
            out.push(Line::from(vec![
                Span::styled(format!("  {keys:<16}"), theme.style(Role::Key)),
                Span::raw(b.help),
            ]));
        }
        out.push(Line::from(""));
    }
    out.push(Line::from(Span::styled(
        "Commands (: then Tab completes)",
        theme.style(Role::Title),
    )));
    for c in COMMANDS {
        out.push(Line::from(vec![
            Span::styled(format!("  :{:<15}", c.name), theme.style(Role::Key)),
            Span::raw(c.help),
        ]));
    }
    out
}

/// Rows of the help text (for scrolling).
pub fn row_count() -> usize {
    lines(&Theme { color: false }).len()
}

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let all = lines(&app.theme);
    // The help scrolls as a page: the cursor is its top row.
    let max_top = all.len().saturating_sub(area.height as usize);
    let top = app.help.cursor.min(max_top);
    app.help
        .page
        .set((area.height as usize).saturating_sub(1).max(1));
    let visible: Vec<Line> = all
        .into_iter()
        .skip(top)
        .take(area.height as usize)
        .collect();
    f.render_widget(Paragraph::new(visible), area);
}
