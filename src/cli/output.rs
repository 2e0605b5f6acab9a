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

/// Make text from metadata safe for a terminal: control characters and escape sequences
/// are replaced, so a repository cannot drive the user's terminal.
pub fn sanitize(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(
        s.chars()
            .map(|c| {
                if c.is_control() && c != '\n' && c != '\t' {
                    '\u{FFFD}'
                } else {
                    c
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_are_neutralised() {
        assert_eq!(super::sanitize("ok\ttext\n"), "ok\ttext\n");
        assert_eq!(
            super::sanitize("\x1b]52;c;ZXZpbA==\x07x"),
            "\u{FFFD}]52;c;ZXZpbA==\u{FFFD}x"
        );
        assert_eq!(super::sanitize("a\u{9b}31mb"), "a\u{FFFD}31mb");
    }
}
