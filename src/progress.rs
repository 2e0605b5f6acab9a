//! Progress reporting and cancellation, shared by the load and analysis layers.
//!
//! The library knows only this trait; the CLI implements it with a progress bar on
//! stderr, the TUI with a gauge fed through a channel, tests with [`NoProgress`].

use std::sync::atomic::{AtomicBool, Ordering};

/// Receives progress of one long task. Implementations must be cheap: `advance` is called
/// often (per chunk or per package).
pub trait Progress: Sync {
    /// A new phase begins (`"primary"`, `"filelists"`, `"closure"`); `total` in its units
    /// (bytes, packages), if known.
    fn phase(&self, _name: &str, _total: Option<u64>) {}
    /// `n` more units done in the current phase.
    fn advance(&self, _n: u64) {}
}

/// A progress sink that ignores everything.
pub struct NoProgress;

impl Progress for NoProgress {}

/// A flag long work checks between steps; set it to stop the work early.
#[derive(Default, Debug)]
pub struct Cancel(AtomicBool);

impl Cancel {
    pub fn new() -> Self {
        Cancel(AtomicBool::new(false))
    }

    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}
