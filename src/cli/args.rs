//! Options shared by every subcommand that reads sources, and loading them with a
//! progress bar on stderr.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::load::source::{Filelists, LoadOptions, Loaded, Source, load_sources};
use crate::progress::Progress;

#[derive(Args, Debug, Clone, Default)]
pub struct SourceArgs {
    /// A source: repo dir, file:// or http(s):// base URL, .repo file, rpm dir or .rpm,
    /// optionally named NAME,PATH. Repeatable.
    #[arg(short = 's', long = "source", value_name = "[NAME,]PATH|URL")]
    pub sources: Vec<String>,
    /// A repository as dnf's --repofrompath NAME,PATH. Repeatable.
    #[arg(long = "repofrompath", value_name = "NAME,PATH")]
    pub repofrompath: Vec<String>,
    /// Release version for $releasever in .repo files.
    #[arg(long)]
    pub releasever: Option<String>,
    /// Architecture of the host packages are judged installable for (default: this machine).
    #[arg(long = "forcearch", value_name = "ARCH")]
    pub forcearch: Option<String>,
    /// Which filelists.xml entries to read.
    #[arg(long, value_enum, default_value_t = Filelists::Auto)]
    pub filelists: Filelists,
}

impl SourceArgs {
    pub fn all(&self) -> Vec<String> {
        self.sources
            .iter()
            .chain(self.repofrompath.iter())
            .cloned()
            .collect()
    }

    pub fn options(&self) -> LoadOptions {
        LoadOptions {
            filelists: self.filelists,
            host_arch: self.forcearch.clone(),
            releasever: self.releasever.clone(),
            ..Default::default()
        }
    }

    /// Load every source; print problems on stderr. Returns the loaded pool and whether a
    /// source failed (the caller exits 2 after printing what it could).
    pub fn load(&self) -> Result<(Loaded, bool), String> {
        self.load_with(self.options())
    }

    pub fn load_with(&self, opts: LoadOptions) -> Result<(Loaded, bool), String> {
        let args = self.all();
        if args.is_empty() {
            return Err("no sources given (use --source/-s or --repofrompath)".into());
        }
        let sources = args
            .iter()
            .map(|a| Source::parse(a).map_err(|e| e.to_string()))
            .collect::<Result<Vec<_>, _>>()?;
        let progress = StderrProgress::new();
        let loaded = load_sources(&sources, &opts, &progress);
        progress.finish();
        let mut failed = false;
        for p in &loaded.problems {
            let kind = if p.fatal { "error" } else { "warning" };
            failed |= p.fatal;
            eprintln!(
                "bramble: {kind}: {}: {}",
                super::output::sanitize(&p.source),
                super::output::sanitize(&p.error.to_string())
            );
        }
        Ok((loaded, failed))
    }
}

/// A progress bar on stderr, shown only when stderr is a terminal and the work has taken
/// more than half a second.
pub struct StderrProgress {
    start: Instant,
    bar: Mutex<Option<ProgressBar>>,
    phase: Mutex<(String, Option<u64>, u64)>,
    enabled: bool,
}

impl StderrProgress {
    pub fn new() -> Self {
        StderrProgress {
            start: Instant::now(),
            bar: Mutex::new(None),
            phase: Mutex::new((String::new(), None, 0)),
            enabled: std::io::stderr().is_terminal(),
        }
    }

    pub fn finish(&self) {
        if let Ok(mut b) = self.bar.lock()
            && let Some(bar) = b.take()
        {
            bar.finish_and_clear();
        }
    }

    fn show(&self) {
        if !self.enabled || self.start.elapsed() < Duration::from_millis(500) {
            return;
        }
        let (Ok(mut bar), Ok(phase)) = (self.bar.lock(), self.phase.lock()) else {
            return;
        };
        let b = bar.get_or_insert_with(|| {
            let b = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            b.set_style(
                ProgressStyle::with_template(
                    "{msg:30} {bar:30} {binary_bytes}/{binary_total_bytes}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            b
        });
        b.set_message(phase.0.clone());
        b.set_length(phase.1.unwrap_or(0));
        b.set_position(phase.2);
    }
}

impl Default for StderrProgress {
    fn default() -> Self {
        Self::new()
    }
}

impl Progress for StderrProgress {
    fn phase(&self, name: &str, total: Option<u64>) {
        if let Ok(mut p) = self.phase.lock() {
            *p = (name.to_string(), total, 0);
        }
        self.show();
    }

    fn advance(&self, n: u64) {
        if let Ok(mut p) = self.phase.lock() {
            p.2 += n;
        }
        self.show();
    }
}
