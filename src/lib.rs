//! bramble: inspect and debug RPM build trees.
//!
//! Data flows one way (see `../shared/DESIGN.md`):
//!
//! ```text
//! files / URLs / Koji hub ──► load ──► model ──► analysis ──► cli | tui
//! ```
//!
//! * [`model`]: packages, versions, dependencies, the pool. No I/O.
//! * [`load`]: the only layer that reads files or talks to the network; produces model types.
//! * [`analysis`]: algorithms over a loaded pool (whatprovides, closure, ...). Never prints.
//! * [`cli`] and [`tui`]: thin front ends over the same analysis calls; the only code that
//!   writes to stdout or the terminal.
//!
//! The layer rule (a lower layer never uses a higher one) is checked by `tests/layering.rs`.
//! [`progress`] and [`text`] are shared plumbing every layer may use.

pub mod analysis;
pub mod cli;
pub mod load;
pub mod model;
pub mod progress;
pub mod text;
pub mod tui;
