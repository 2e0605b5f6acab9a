//! Drawing: a pure function of `&App` (television's rule), so any state can be rendered
//! on a `TestBackend` and snapshotted. One module per view; this one draws the frame
//! around them: the tab bar, the footer (key hints, messages, the filter and command
//! lines), the command palette and popups.
//!
//! Everything is laid out for 80x24 first; wider terminals get side-by-side panes.
//! Every string from metadata is sanitised before it gets here (see `details`, `data`)
//! or here, with [`txt`].

pub mod closure;
pub mod conflicts;
pub mod diff;
pub mod doc;
pub mod errors;
pub mod help;
pub mod install;
pub mod modules;
pub mod overview;
pub mod packages;
pub mod tags;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::app::{App, Mode};
use super::jobs::JobProgress;
use super::keymap::{ViewId, complete};
use super::theme::{Role, Theme};
use crate::text::sanitize_line;

/// Smallest size drawn at all; below it a message asks for a larger terminal.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 10;

/// A span of metadata text, sanitised and styled.
pub fn txt<'a>(theme: &Theme, s: &str, role: Role) -> Span<'a> {
    Span::styled(sanitize_line(s).into_owned(), theme.style(role))
}

/// Styled spans from `(text, role)` pairs (already sanitised).
pub fn spans<'a>(theme: &Theme, parts: &[(String, Role)]) -> Vec<Span<'a>> {
    parts
        .iter()
        .map(|(s, r)| Span::styled(s.clone(), theme.style(*r)))
        .collect()
}

/// A text progress bar that reads without colour: `███████·······  45%  label`.
pub fn gauge_line<'a>(theme: &Theme, width: u16, frac: Option<f64>, label: &str) -> Line<'a> {
    let bar_w = (width / 3).clamp(10, 30) as usize;
    let mut parts = Vec::new();
    match frac {
        Some(f) => {
            let filled = ((f.clamp(0.0, 1.0)) * bar_w as f64).round() as usize;
            parts.push(Span::styled("█".repeat(filled), theme.style(Role::Ok)));
            parts.push(Span::styled(
                "·".repeat(bar_w - filled),
                theme.style(Role::Dim),
            ));
            parts.push(Span::raw(format!(" {:>3.0}%  ", f * 100.0)));
        }
        None => parts.push(Span::styled("working… ", theme.style(Role::Dim))),
    }
    parts.push(txt(theme, label, Role::Normal));
    Line::from(parts)
}

/// The current phase of a job as a gauge line.
pub fn job_gauge<'a>(theme: &Theme, width: u16, job: &JobProgress, what: &str) -> Line<'a> {
    match job.current() {
        Some((name, frac)) => gauge_line(theme, width, frac, &format!("{what}: {name}")),
        None => gauge_line(theme, width, None, what),
    }
}

/// Draw the whole screen.
pub fn draw(f: &mut Frame, app: &App) {
    let area = f.area();
    let theme = &app.theme;
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        let msg = format!(
            "bramble needs at least {MIN_WIDTH}x{MIN_HEIGHT} (80x24 recommended); this terminal is {}x{}. q quits.",
            area.width, area.height
        );
        f.render_widget(Paragraph::new(msg).wrap(Wrap { trim: true }), area);
        return;
    }
    let [tabs, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_tabs(f, app, tabs);
    match app.view {
        ViewId::Overview => overview::draw(f, app, body),
        ViewId::Packages => packages::draw(f, app, body),
        ViewId::Closure => closure::draw(f, app, body),
        ViewId::Conflicts => conflicts::draw(f, app, body),
        ViewId::Install => install::draw(f, app, body),
        ViewId::Tags => tags::draw(f, app, body),
        ViewId::Modules => modules::draw(f, app, body),
        ViewId::Diff => diff::draw(f, app, body),
        ViewId::Errors => errors::draw(f, app, body),
        ViewId::Help => help::draw(f, app, body),
    }
    draw_footer(f, app, footer);
    if app.mode == Mode::Command {
        draw_palette(f, app, body);
    }
    if let Some(p) = &app.popup {
        draw_popup(f, theme, &p.title, &p.lines, body);
    }
}

fn draw_tabs(f: &mut Frame, app: &App, area: Rect) {
    let theme = &app.theme;
    // Full titles when they fit; `1:Over`-style short ones at 80 columns.
    let full: usize = 9
        + ViewId::ALL
            .iter()
            .map(|v| v.title().len() + 4)
            .sum::<usize>()
        + 14;
    let wide = area.width as usize >= full;
    let name = if wide { " bramble " } else { "" };
    let mut parts = vec![Span::styled(name, theme.style(Role::Title))];
    for (i, v) in ViewId::ALL.iter().enumerate() {
        let digit = (i + 1) % 10;
        let mut label = if wide {
            format!(" {digit} {} ", v.title())
        } else {
            format!(" {digit}:{}", v.short())
        };
        if *v == ViewId::Errors && !app.problems.is_empty() {
            label = format!("{}({})", label.trim_end(), app.problems.len());
            if wide {
                label.push(' ');
            }
        }
        let role = if *v == app.view {
            Role::Selected
        } else {
            Role::Normal
        };
        parts.push(Span::styled(label, theme.style(role)));
    }
    let left: usize = parts.iter().map(|s| s.width()).sum();
    let status = if app.loading.is_some() {
        Some(("loading…", Role::Warning))
    } else if app.closure.running.is_some() {
        Some(("closure…", Role::Warning))
    } else if app.packages.pending {
        Some(("filtering…", Role::Dim))
    } else {
        None
    };
    if let Some((s, role)) = status {
        let pad = (area.width as usize).saturating_sub(left + s.len() + 1);
        parts.push(Span::raw(" ".repeat(pad)));
        parts.push(Span::styled(s, theme.style(role)));
    }
    f.render_widget(Paragraph::new(Line::from(parts)), area);
}

fn draw_footer(f: &mut Frame, app: &App, area: Rect) {
    let theme = &app.theme;
    let line = match app.mode {
        Mode::Filter | Mode::Command => {
            let prefix = if app.mode == Mode::Filter { "/" } else { ":" };
            let input = sanitize_line(&app.input).into_owned();
            let x = area.x + 1 + unicode_width(&input) as u16;
            f.set_cursor_position((x.min(area.right().saturating_sub(1)), area.y));
            let mut parts = vec![
                Span::styled(prefix, theme.style(Role::Key)),
                Span::raw(input),
            ];
            if app.mode == Mode::Filter {
                if let Some(e) = &app.packages.filter_error {
                    parts.push(Span::raw("  "));
                    parts.push(txt(theme, e, Role::Error));
                } else {
                    parts.push(Span::styled(
                        "   Enter keeps · Esc clears · re: regex · ~ fuzzy · * glob",
                        theme.style(Role::Dim),
                    ));
                }
            }
            Line::from(parts)
        }
        Mode::Normal => match &app.message {
            Some((m, role)) => Line::from(txt(theme, m, *role)),
            None => hints(theme, app),
        },
    };
    f.render_widget(Paragraph::new(line), area);
}

fn hints<'a>(theme: &Theme, app: &App) -> Line<'a> {
    let mut pairs: Vec<(&str, &str)> = vec![("/", "filter"), (":", "cmd")];
    match app.view {
        ViewId::Packages if app.packages.focus_details => {
            pairs.push(("Enter", "follow"));
            pairs.push(("Esc", "back"));
        }
        ViewId::Packages => pairs.push(("Enter", "details")),
        ViewId::Closure => {
            pairs.push(("c", "run"));
            pairs.push(("n", "newest"));
            pairs.push(("b", "best"));
        }
        ViewId::Tags => {
            pairs.push(("Enter", "follow"));
            pairs.push(("r", "reverse"));
        }
        ViewId::Conflicts => {
            pairs.push(("x", "run"));
            pairs.push(("Enter", "open"));
        }
        ViewId::Install | ViewId::Modules | ViewId::Diff => pairs.push(("Enter", "open")),
        _ => pairs.push(("c", "closure")),
    }
    pairs.extend([("@", "dnf"), ("y", "copy"), ("?", "help"), ("q", "quit")]);
    let mut parts = Vec::new();
    for (k, what) in pairs {
        parts.push(Span::styled(k.to_string(), theme.style(Role::Key)));
        parts.push(Span::styled(format!(" {what}  "), theme.style(Role::Dim)));
    }
    Line::from(parts)
}

fn unicode_width(s: &str) -> usize {
    Span::raw(s).width()
}

fn draw_palette(f: &mut Frame, app: &App, body: Rect) {
    let theme = &app.theme;
    let items = complete(&app.input);
    let h = (items.len().max(1) as u16 + 2).min(body.height);
    let w = body.width.min(60);
    let area = Rect::new(body.x, body.bottom().saturating_sub(h), w, h);
    f.render_widget(Clear, area);
    let lines: Vec<Line> = if items.is_empty() {
        vec![Line::from(Span::styled(
            "no such command",
            theme.style(Role::Error),
        ))]
    } else {
        items
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let role = if i == app.palette {
                    Role::Selected
                } else {
                    Role::Normal
                };
                Line::from(vec![
                    Span::styled(format!(":{:<10}", c.name), theme.style(role)),
                    Span::styled(format!(" {}", c.help), theme.style(Role::Dim)),
                ])
            })
            .collect()
    };
    f.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(" commands (Tab completes, Enter runs) "),
        ),
        area,
    );
}

fn draw_popup(f: &mut Frame, theme: &Theme, title: &str, lines: &[String], body: Rect) {
    let w = body.width.saturating_sub(4).max(10);
    let inner_w = w.saturating_sub(2).max(1) as usize;
    // Height of the wrapped text.
    let needed: usize = lines
        .iter()
        .map(|l| unicode_width(l).div_ceil(inner_w).max(1))
        .sum();
    let h = (needed as u16 + 2).min(body.height);
    let area = Rect::new(
        body.x + (body.width - w) / 2,
        body.y + (body.height - h) / 2,
        w,
        h,
    );
    f.render_widget(Clear, area);
    let text: Vec<Line> = lines
        .iter()
        .map(|l| Line::from(txt(theme, l, Role::Normal)))
        .collect();
    f.render_widget(
        Paragraph::new(text).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::ALL)
                .title(format!(" {title} ")),
        ),
        area,
    );
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;
    use crate::tui::app::tests::{demo_app, key, keys, run_effects};
    use crossterm::event::KeyCode;

    fn render(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| draw(f, app)).unwrap();
        t
    }

    /// Snapshot `app` at 80x24 and 120x40.
    fn snap(name: &str, app: &App) {
        for (w, h) in [(80, 24), (120, 40)] {
            let t = render(app, w, h);
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), t.backend());
        }
    }

    #[test]
    fn overview() {
        let mut app = demo_app();
        snap("overview", &app);
        keys(&mut app, "c");
        run_effects(&mut app);
        keys(&mut app, "1");
        snap("overview_after_closure", &app);
    }

    #[test]
    fn overview_while_loading() {
        let app = App::new(
            crate::tui::jobs::LoadRequest::Demo { host_arch: None },
            Theme { color: false },
        );
        snap("overview_loading", &app);
    }

    #[test]
    fn packages() {
        let mut app = demo_app();
        keys(&mut app, "2");
        snap("packages", &app);
        keys(&mut app, "/s3cmd");
        snap("packages_filtering", &app);
        key(&mut app, KeyCode::Enter);
        key(&mut app, KeyCode::Enter);
        snap("packages_details_s3cmd", &app);
        // Follow python3-magic (the third link) and see what conflicts with it.
        keys(&mut app, "jj");
        key(&mut app, KeyCode::Enter);
        snap("packages_details_python3_magic", &app);
    }

    #[test]
    fn closure() {
        let mut app = demo_app();
        keys(&mut app, "3");
        snap("closure_not_run", &app);
        keys(&mut app, "c");
        snap("closure_running", &app);
        run_effects(&mut app);
        snap("closure_report", &app);
        // A hint too long for 80 columns is shown in full under the list.
        keys(&mut app, "jjjjjjj");
        snap("closure_long_row", &app);
    }

    #[test]
    fn errors() {
        let mut app = demo_app();
        keys(&mut app, "4");
        snap("errors_none", &app);
        app.problems = vec![
            crate::tui::data::Problem {
                source: "evil\x1b]52;c;aGk=\x07".into(),
                message: "embedded:evil/repodata/primary.xml:3:7: expected `</name>`\x1b[2J".into(),
                fatal: true,
            },
            crate::tui::data::Problem {
                source: "warn".into(),
                message: "unknown checksum type `sha3`".into(),
                fatal: false,
            },
        ];
        snap("errors_some", &app);
    }

    #[test]
    fn help_palette_popup() {
        let mut app = demo_app();
        keys(&mut app, "?");
        snap("help", &app);
        keys(&mut app, "2:c");
        snap("palette", &app);
        key(&mut app, KeyCode::Esc);
        keys(&mut app, "/s3cmd");
        key(&mut app, KeyCode::Enter);
        keys(&mut app, "@");
        snap("popup_dnf", &app);
    }

    #[test]
    fn tiny_terminal_gets_a_message() {
        let app = demo_app();
        let t = render(&app, 30, 8);
        let text = format!("{}", t.backend());
        assert!(text.contains("bramble needs at least"), "{text}");
    }

    #[test]
    fn no_escape_reaches_the_screen() {
        let mut app = demo_app();
        keys(&mut app, "4");
        app.problems = vec![crate::tui::data::Problem {
            source: "\x1b[31mred".into(),
            message: "\x07\x1b]0;title\x07".into(),
            fatal: true,
        }];
        let t = render(&app, 80, 24);
        for cell in t.backend().buffer().content() {
            assert!(
                !cell.symbol().chars().any(char::is_control),
                "{:?}",
                cell.symbol()
            );
        }
    }

    #[test]
    fn tags_modules_install() {
        let mut app = demo_app();
        keys(&mut app, "6");
        snap("tags", &app);
        keys(&mut app, "r");
        snap("tags_reverse", &app);
        keys(&mut app, "7");
        snap("modules", &app);
        keys(&mut app, "x");
        run_effects(&mut app);
        snap("conflicts", &app);
        keys(&mut app, "5");
        snap("install_empty", &app);
        keys(&mut app, ":install s3cmd --on insights-client");
        key(&mut app, KeyCode::Enter);
        snap("install_conflict", &app);
        keys(&mut app, ":why python3-file-magic --from insights-client");
        key(&mut app, KeyCode::Enter);
        snap("why", &app);
        // relative (tests run in the crate root): the snapshot must not hold this checkout's path
        let t = "testdata/repos";
        let mut app = App::new(
            crate::tui::jobs::LoadRequest::Diff(crate::tui::diffview::DiffRequest {
                old: vec![format!("old,{t}/diff-old")],
                new: vec![format!("new,{t}/diff-new")],
                roots: Vec::new(),
            }),
            Theme { color: false },
        );
        run_effects(&mut app);
        snap("diff", &app);
    }
}
