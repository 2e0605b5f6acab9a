//! The only writer to stdout. A closed pipe (`bramble query | head`) ends the program
//! quietly with status 0, as ripgrep does.

use std::io::{self, Write};

/// Write `s` to stdout; on a broken pipe exit 0 at once.
pub fn out(s: &str) {
    let mut o = io::stdout().lock();
    if let Err(e) = o.write_all(s.as_bytes())
        && e.kind() == io::ErrorKind::BrokenPipe
    {
        std::process::exit(0);
    }
}

/// Write a line to stdout.
pub fn line(s: &str) {
    let mut o = io::stdout().lock();
    let r = o.write_all(s.as_bytes()).and_then(|_| o.write_all(b"\n"));
    if let Err(e) = r
        && e.kind() == io::ErrorKind::BrokenPipe
    {
        std::process::exit(0);
    }
}

/// Pretty JSON on stdout.
pub fn json<T: serde::Serialize>(v: &T) {
    match serde_json::to_string_pretty(v) {
        Ok(s) => line(&s),
        Err(e) => eprintln!("bramble: cannot serialise output: {e}"),
    }
}

/// Make text from metadata safe for a terminal (see [`crate::text`]).
pub use crate::text::sanitize;
