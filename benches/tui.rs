//! TUI speed, measured (not asserted): `cargo bench --bench tui`.
//!
//! * first frame of `--demo`: `App::new` and the first draw at 80x24 (the loading screen
//!   the user sees at once), then the load of the embedded demo and the frame with data;
//! * per keystroke on the Fedora-scale repo (`$BRAMBLE_ORACLE/scale/debian-bookworm`,
//!   63,440 packages; skipped when absent): moving in the package list and drawing,
//!   opening the details of the most required package, and each filter kind, which the
//!   TUI runs on a worker for pools this size.
//!
//! Prints the median and worst of N runs next to the target (first frame
//! < 100 ms, keystroke handled and drawn < 16 ms).

#![allow(clippy::print_stdout)] // a bench reports on stdout

use std::path::PathBuf;
use std::time::{Duration, Instant};

use bramble::tui::app::App;
use bramble::tui::filter::{self, Query};
use bramble::tui::jobs::{JobEvent, JobProgress, LoadRequest, load};
use bramble::tui::keymap::{Action, ViewId};
use bramble::tui::theme::Theme;
use bramble::tui::views;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn stats(mut v: Vec<Duration>) -> (Duration, Duration) {
    v.sort();
    (v[v.len() / 2], *v.last().unwrap_or(&Duration::ZERO))
}

fn report(what: &str, samples: Vec<Duration>, target: Option<Duration>) {
    let n = samples.len();
    let (median, worst) = stats(samples);
    let verdict = match target {
        Some(t) if worst < t => format!("target < {t:?}: ok"),
        Some(t) => format!("target < {t:?}: MISSED"),
        None => String::new(),
    };
    println!("{what:<44} median {median:>10.2?}  worst {worst:>10.2?}  (n={n})  {verdict}");
}

fn demo() {
    let mut first = Vec::new();
    let mut loaded = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let mut app = App::new(
            LoadRequest::Demo {
                host_arch: Some("x86_64".into()),
            },
            Theme { color: true },
        );
        let mut term = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
        term.draw(|f| views::draw(f, &app)).expect("draw");
        first.push(t.elapsed());
        let req = app.request.clone();
        let out = load(&req, &JobProgress::default());
        app.effects.clear();
        app.on_job(JobEvent::Loaded(Box::new(out)));
        term.draw(|f| views::draw(f, &app)).expect("draw");
        loaded.push(t.elapsed());
    }
    report(
        "demo: first frame (80x24)",
        first,
        Some(Duration::from_millis(100)),
    );
    report("demo: loaded (4 repos + Koji) and drawn", loaded, None);
}

fn scale() {
    let oracle = std::env::var_os("BRAMBLE_ORACLE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/oracle")));
    let repo = oracle.join("scale/debian-bookworm");
    if !repo.join("repodata/repomd.xml").is_file() {
        println!("scale: skipped, {} is missing", repo.display());
        return;
    }
    let req = LoadRequest::Sources {
        args: vec![format!("scale,{}", repo.display())],
        opts: Default::default(),
        koji: None,
    };
    let t = Instant::now();
    let out = load(&req, &JobProgress::default());
    println!(
        "scale: load + index {} packages: {:.2?}",
        out.catalog.pool.len(),
        t.elapsed()
    );
    let mut app = App::new(req, Theme { color: true });
    app.effects.clear();
    app.on_job(JobEvent::Loaded(Box::new(out)));
    let cat = app.data.clone().expect("loaded");
    let mut term = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    app.update(Action::Show(ViewId::Packages));
    term.draw(|f| views::draw(f, &app)).expect("draw");
    let mut keys = Vec::new();
    for _ in 0..200 {
        let t = Instant::now();
        app.update(Action::PageDown);
        term.draw(|f| views::draw(f, &app)).expect("draw");
        keys.push(t.elapsed());
    }
    report(
        "scale: list keystroke + frame (120x40)",
        keys,
        Some(Duration::from_millis(16)),
    );
    let libc = cat.pool.by_name("libc6").first().copied().expect("libc6");
    let mut details = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let rows = bramble::tui::details::detail_rows(&cat, libc);
        details.push(t.elapsed());
        assert!(!rows.is_empty());
    }
    report("scale: details of libc6 (every requirer)", details, None);
    for q in [
        "lib",
        "python3-requests",
        "lib*-dev",
        "re:^lib.*so[0-9]",
        "~pyreq",
    ] {
        let query = Query::parse(q).expect("query");
        let mut runs = Vec::new();
        for _ in 0..5 {
            let cancel = bramble::progress::Cancel::new();
            let t = Instant::now();
            let ids = filter::run(&cat, &query, &cancel);
            runs.push(t.elapsed());
            assert!(ids.is_some_and(|i| !i.is_empty()));
        }
        report(&format!("scale: filter `{q}` (worker)"), runs, None);
    }
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing we need.
    demo();
    scale();
}
