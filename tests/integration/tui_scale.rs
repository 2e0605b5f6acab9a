//! The TUI at Fedora size: the 63,440-package repo of `$BRAMBLE_ORACLE/scale` loads,
//! moves, draws, opens the details of the most required package and filters with every
//! kind of query, with the right answers. Times are printed for information only; the
//! speed targets are measured by `cargo bench --bench tui`. Skipped when BRAMBLE_ORACLE
//! is unset.

use std::time::{Duration, Instant};

use bramble::tui::app::App;
use bramble::tui::filter::{self, Query};
use bramble::tui::jobs::{JobEvent, JobProgress, LoadRequest, load};
use bramble::tui::keymap::Action;
use bramble::tui::theme::Theme;
use bramble::tui::views;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn timed<T>(what: &str, f: impl FnOnce() -> T) -> (T, Duration) {
    let t = Instant::now();
    let r = f();
    let d = t.elapsed();
    eprintln!("{what}: {d:.2?}");
    (r, d)
}

#[test]
fn keystrokes_stay_fast_on_63k_packages() {
    let Some(oracle) = super::common::oracle() else {
        return;
    };
    let repo = oracle.join("scale/debian-bookworm");
    if !repo.join("repodata/repomd.xml").is_file() {
        eprintln!("skipped: {} is missing", repo.display());
        return;
    }
    let req = LoadRequest::Sources {
        args: vec![format!("scale,{}", repo.display())],
        opts: Default::default(),
        koji: None,
    };
    let (out, _) = timed("load + index", || load(&req, &JobProgress::default()));
    assert!(out.catalog.pool.len() > 60_000);
    let mut app = App::new(req, Theme { color: true });
    app.effects.clear();
    app.on_job(JobEvent::Loaded(Box::new(out)));
    let cat = app.data.clone().expect("loaded");

    let mut term = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    app.update(Action::Show(bramble::tui::keymap::ViewId::Packages));
    term.draw(|f| views::draw(f, &app)).expect("draw");
    // A keystroke in the list: update + draw (the details of an ordinary package).
    let mut worst = Duration::ZERO;
    for _ in 0..50 {
        let t = Instant::now();
        app.update(Action::PageDown);
        term.draw(|f| views::draw(f, &app)).expect("draw");
        worst = worst.max(t.elapsed());
    }
    eprintln!("list keystroke + frame, worst of 50: {worst:.2?}");

    // The details of the most required package (every requirer, every provider).
    let libc = cat.pool.by_name("libc6").first().copied().expect("libc6");
    let (rows, _) = timed("details of libc6", || {
        bramble::tui::details::detail_rows(&cat, libc)
    });
    assert!(rows.iter().any(|r| r.text().contains("Required by")));

    for q in [
        "lib",
        "python3-requests",
        "lib*-dev",
        "re:^lib.*so[0-9]",
        "~pyreq",
    ] {
        let query = Query::parse(q).expect("query");
        let cancel = bramble::progress::Cancel::new();
        let (ids, _) = timed(&format!("filter `{q}`"), || {
            filter::run(&cat, &query, &cancel)
        });
        assert!(!ids.expect("not cancelled").is_empty(), "{q}");
    }
}
