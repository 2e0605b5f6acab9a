//! Overview: the sources with their package counts, load progress per phase while
//! loading, and problem badges (load problems, unresolved dependencies once closure
//! has run), each pointing to the view that explains it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{gauge_line, txt};
use crate::model::pool::SourceKind;
use crate::tui::app::App;
use crate::tui::jobs::LoadRequest;
use crate::tui::theme::Role;

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let theme = &app.theme;
    let mut lines: Vec<Line> = Vec::new();
    let title = |s: &str| Line::from(Span::styled(s.to_string(), theme.style(Role::Title)));
    if let Some(job) = &app.loading {
        lines.push(title("Loading"));
        let phases = job.snapshot();
        if phases.is_empty() {
            lines.push(gauge_line(theme, area.width, None, "starting"));
        }
        for p in phases
            .iter()
            .rev()
            .take(area.height.saturating_sub(4) as usize)
            .rev()
        {
            let frac = p.total.filter(|&t| t > 0).map(|t| p.done as f64 / t as f64);
            lines.push(gauge_line(theme, area.width, frac, &p.name));
        }
        lines.push(Line::from(Span::styled(
            "keys work while loading; views fill in when it is done",
            theme.style(Role::Dim),
        )));
        f.render_widget(Paragraph::new(lines), area);
        return;
    }
    let Some(cat) = &app.data else {
        return;
    };
    let pool = &cat.pool;
    lines.push(title(&format!(
        "Sources ({})   {} packages, host arch {}",
        pool.repos.len(),
        pool.len(),
        pool.host_arch
    )));
    let name_w = pool
        .repos
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, 24);
    lines.push(Line::from(Span::styled(
        format!(
            "  {:<name_w$}  {:>8}  {:<7}  location",
            "name", "packages", "kind"
        ),
        theme.style(Role::Dim),
    )));
    for r in &pool.repos {
        let kind = match r.kind {
            SourceKind::RpmMd => "rpm-md",
            SourceKind::RpmFiles => "rpms",
        };
        let bad = app
            .problems
            .iter()
            .any(|p| p.fatal && p.source.starts_with(&r.name));
        lines.push(Line::from(vec![
            Span::raw("  "),
            txt(theme, &format!("{:<name_w$}", r.name), Role::Normal),
            Span::raw(format!("  {:>8}  {kind:<7}  ", r.end_pkg - r.first_pkg)),
            txt(theme, &r.location, Role::Dim),
            Span::styled(
                if bad { "  ✗ problems" } else { "" },
                theme.style(Role::Error),
            ),
        ]));
    }
    lines.push(Line::from(""));
    lines.push(title("Problems"));
    let fatal = app.problems.iter().filter(|p| p.fatal).count();
    let warn = app.problems.len() - fatal;
    let load = if app.problems.is_empty() {
        Span::styled("none", theme.style(Role::Ok))
    } else {
        Span::styled(
            format!("{fatal} errors, {warn} warnings  (9 Errors)"),
            theme.style(if fatal > 0 {
                Role::Error
            } else {
                Role::Warning
            }),
        )
    };
    lines.push(Line::from(vec![Span::raw("  load      "), load]));
    let closure = if app.closure.running.is_some() {
        Span::styled("running…", theme.style(Role::Warning))
    } else {
        match &app.closure.report {
            None => Span::styled("not run yet: press c", theme.style(Role::Dim)),
            Some(r) if r.broken.is_empty() => Span::styled(
                format!("every requirement of {} packages resolves", r.checked),
                theme.style(Role::Ok),
            ),
            Some(r) => Span::styled(
                format!(
                    "{} unresolved deps in {} of {} packages  (3 Closure)",
                    r.unresolved_count(),
                    r.broken.len(),
                    r.checked
                ),
                theme.style(Role::Error),
            ),
        }
    };
    lines.push(Line::from(vec![Span::raw("  closure   "), closure]));
    let conflicts = match (app.conflicts.running.is_some(), app.conflicts.found) {
        (true, _) => Span::styled("running…", theme.style(Role::Warning)),
        (false, None) => Span::styled("not looked for yet: press x", theme.style(Role::Dim)),
        (false, Some(0)) => Span::styled("none", theme.style(Role::Ok)),
        (false, Some(n)) => Span::styled(
            format!("{n} pairs that cannot be installed together  (4 Conflicts)"),
            theme.style(Role::Warning),
        ),
    };
    lines.push(Line::from(vec![Span::raw("  conflicts "), conflicts]));
    let modules = if cat.modules.streams == 0 {
        Span::styled("no module metadata", theme.style(Role::Dim))
    } else if cat.modules.problems == 0 {
        Span::styled(
            format!("{} stream builds, no problems", cat.modules.streams),
            theme.style(Role::Ok),
        )
    } else {
        Span::styled(
            format!(
                "{} stream builds, {} problems  (7 Modules)",
                cat.modules.streams, cat.modules.problems
            ),
            theme.style(Role::Error),
        )
    };
    lines.push(Line::from(vec![Span::raw("  modules   "), modules]));
    if let Some(k) = &app.koji {
        let errors: usize = k.pages.iter().map(|p| p.errors).sum();
        let warnings: usize = k.pages.iter().map(|p| p.warnings).sum();
        let names: Vec<&str> = k.pages.iter().map(|p| p.name.as_str()).collect();
        lines.push(Line::from(vec![
            Span::raw("  koji      "),
            txt(
                theme,
                &format!(
                    "{}: {errors} lint errors, {warnings} warnings  (6 Tags)",
                    names.join(", ")
                ),
                if errors > 0 {
                    Role::Error
                } else if warnings > 0 {
                    Role::Warning
                } else {
                    Role::Ok
                },
            ),
        ]));
    }
    if matches!(app.request, LoadRequest::Demo { .. }) {
        lines.push(Line::from(""));
        lines.push(title("Demo"));
        for l in [
            "s3cmd (demo-copr) needs python3-magic; insights-client (demo-base) needs",
            "python3-file-magic, which conflicts with it. Type /s3cmd, Enter twice, and",
            "follow python3-magic. The `closure` repo is broken on purpose: press c.",
            "6: Koji tag f19-build (inherits old external repos); 7: postgresql streams.",
        ] {
            lines.push(Line::from(Span::styled(
                format!("  {l}"),
                theme.style(Role::Dim),
            )));
        }
    }
    f.render_widget(Paragraph::new(lines), area);
}
