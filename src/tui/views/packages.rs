//! Packages: the virtualised list of every package (only the visible rows are built, so
//! 100k packages cost what 20 do) and the details pane of the selected or followed
//! package, with the trail of followed packages as a breadcrumb. Side by side from 100
//! columns, stacked below that.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::spans;
use crate::text::sanitize_line;
use crate::tui::app::App;
use crate::tui::theme::Role;

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let theme = &app.theme;
    let Some(cat) = &app.data else {
        f.render_widget(
            Paragraph::new(Span::styled("loading packages…", theme.style(Role::Dim))),
            area,
        );
        return;
    };
    let (list_area, details_area) = if area.width >= 100 {
        let [l, d] = Layout::horizontal([Constraint::Percentage(40), Constraint::Percentage(60)])
            .areas(area);
        (l, d)
    } else {
        // A short match list leaves the room to the details.
        let n = app.packages.visible(cat).len().max(1) as u16;
        let list_h = (n + 1).clamp(3, (area.height * 2 / 5).max(5));
        let [l, d] = Layout::vertical([Constraint::Length(list_h), Constraint::Min(3)]).areas(area);
        (l, d)
    };

    // The list.
    let p = &app.packages;
    let ids = p.visible(cat);
    let mut title = format!(" Packages {}/{} ", ids.len(), cat.pool.len());
    if !p.query.is_empty() {
        title.push_str(&format!("· /{} ", sanitize_line(&p.query)));
    }
    if p.pending {
        title.push_str("· filtering… ");
    }
    // Side by side, a rule on the right keeps the list and the details apart.
    let borders = if area.width >= 100 {
        Borders::TOP | Borders::RIGHT
    } else {
        Borders::TOP
    };
    let block = Block::default()
        .borders(borders)
        .title(Span::styled(title, theme.style(Role::Title)));
    let inner = block.inner(list_area);
    f.render_widget(block, list_area);
    let h = inner.height as usize;
    let off = p.list.scroll(h, ids.len());
    let w = inner.width as usize;
    let multi = cat.pool.repos.len() > 1;
    let mut lines: Vec<Line> = Vec::with_capacity(h);
    for (i, &id) in ids.iter().enumerate().skip(off).take(h) {
        let nevra = cat.nevra(id);
        let repo = if multi {
            cat.repo_name(id)
        } else {
            String::new()
        };
        let used = nevra.chars().count() + repo.chars().count();
        let pad = if w > used + 1 { w - used } else { 1 };
        let mut line = Line::from(vec![
            Span::raw(nevra.to_string()),
            Span::raw(" ".repeat(pad)),
            Span::styled(repo, theme.style(Role::Dim)),
        ]);
        if i == p.list.cursor {
            let role = if p.focus_details {
                Role::SelectedUnfocused
            } else {
                Role::Selected
            };
            line = line.style(theme.style(role));
        }
        lines.push(line);
    }
    if ids.is_empty() {
        lines.push(Line::from(Span::styled(
            "no package matches (Esc clears the filter)",
            theme.style(Role::Dim),
        )));
    }
    f.render_widget(Paragraph::new(lines), inner);

    // The details.
    let shown = p.shown(cat);
    let crumb = if p.focus_details {
        let names: Vec<String> = p
            .trail
            .iter()
            .map(|&id| sanitize_line(cat.pool.name(id)).into_owned())
            .collect();
        // Keep the last names that fit; "…" stands for the ones left out.
        let max = details_area.width.saturating_sub(6) as usize;
        let mut kept: Vec<&str> = Vec::new();
        let mut width = 0;
        for n in names.iter().rev() {
            let add = n.chars().count() + if kept.is_empty() { 0 } else { 3 };
            if width + add > max && !kept.is_empty() {
                break;
            }
            width += add;
            kept.push(n);
        }
        let cut = kept.len() < names.len();
        kept.reverse();
        let mut s = kept.join(" › ");
        if cut {
            s = format!("… › {s}");
        }
        format!(" {s} ")
    } else {
        " details (Enter) ".to_string()
    };
    let block = Block::default()
        .borders(Borders::TOP)
        .title(Span::styled(crumb, theme.style(Role::Title)));
    let inner = block.inner(details_area);
    f.render_widget(block, details_area);
    let Some(id) = shown else {
        return;
    };
    let rows = p.rows(cat, id);
    let h = inner.height as usize;
    let off = if p.focus_details {
        p.details.scroll(h, rows.len())
    } else {
        0
    };
    let lines: Vec<Line> = rows
        .iter()
        .enumerate()
        .skip(off)
        .take(h)
        .map(|(i, r)| {
            let mut line = Line::from(spans(theme, &r.spans));
            if p.focus_details && i == p.details.cursor {
                line = line.style(theme.style(Role::Selected));
            }
            line
        })
        .collect();
    f.render_widget(Paragraph::new(lines), inner);
}
