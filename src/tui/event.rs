//! Everything the event loop waits for arrives on one channel as a [`Msg`]: terminal
//! input (read on its own thread), job results, and termination signals (SIGTERM,
//! SIGHUP, SIGINT, SIGQUIT), so the loop can block on a single `recv` and quit cleanly —
//! restoring the terminal — whichever comes first.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Sender;
use std::time::Duration;

use crossterm::event::{self, Event};

use super::jobs::JobEvent;

pub enum Msg {
    Term(Event),
    Job(JobEvent),
    /// A signal asking bramble to stop.
    Signal(i32),
}

/// Read terminal events on a thread until `stop` is set or the channel closes.
pub fn spawn_input(tx: Sender<Msg>, stop: Arc<AtomicBool>) {
    std::thread::Builder::new()
        .name("bramble-input".into())
        .spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                match event::poll(Duration::from_millis(100)) {
                    Ok(true) => match event::read() {
                        Ok(ev) => {
                            if tx.send(Msg::Term(ev)).is_err() {
                                return;
                            }
                        }
                        Err(_) => return,
                    },
                    Ok(false) => {}
                    Err(_) => return,
                }
            }
        })
        .ok();
}

/// Forward termination signals to the event loop.
pub fn spawn_signals(tx: Sender<Msg>) -> std::io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT, SIGQUIT])?;
    std::thread::Builder::new()
        .name("bramble-signals".into())
        .spawn(move || {
            if let Some(sig) = signals.forever().next() {
                let _ = tx.send(Msg::Signal(sig));
            }
        })?;
    Ok(())
}
