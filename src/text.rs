//! Text made safe for a terminal, shared by the CLI and the TUI (and usable by any layer):
//! metadata strings come from repositories nobody vetted, and a repository must not be
//! able to drive the user's terminal (OSC 52 clipboard writes, cursor moves, title
//! changes). Also shell quoting for the equivalent commands both front ends print.

use std::borrow::Cow;

/// Replace control characters (C0, DEL, C1: every escape sequence starts with one) by
/// U+FFFD, keeping newlines and tabs: for multi-line output.
pub fn sanitize(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
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

/// As [`sanitize`] for text drawn on one line (a list row, a cell): newlines and tabs
/// become spaces too, other control characters U+FFFD.
pub fn sanitize_line(s: &str) -> Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| match c {
                '\n' | '\t' | '\r' => ' ',
                c if c.is_control() => '\u{FFFD}',
                c => c,
            })
            .collect(),
    )
}

/// Quote one word for a POSIX shell, only when needed: `s3cmd` stays as it is,
/// `python(abi) = 3.9` becomes `'python(abi) = 3.9'`.
pub fn shell_quote(s: &str) -> Cow<'_, str> {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./,:=@%+".contains(c));
    if plain {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(format!("'{}'", s.replace('\'', r"'\''")))
    }
}

/// `1.2 MiB`-style size (binary units, one decimal).
pub fn human_size(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_neutralised() {
        assert_eq!(sanitize("ok\ttext\n"), "ok\ttext\n");
        assert_eq!(
            sanitize("\x1b]52;c;ZXZpbA==\x07x"),
            "\u{FFFD}]52;c;ZXZpbA==\u{FFFD}x"
        );
        assert_eq!(sanitize("a\u{9b}31mb"), "a\u{FFFD}31mb");
    }

    #[test]
    fn one_line_text_has_no_breaks() {
        assert_eq!(sanitize_line("a\nb\tc\x1b[2J"), "a b c\u{FFFD}[2J");
        assert!(matches!(sanitize_line("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn shell_words() {
        assert_eq!(shell_quote("s3cmd"), "s3cmd");
        assert_eq!(
            shell_quote("--repofrompath=a,/x/y"),
            "--repofrompath=a,/x/y"
        );
        assert_eq!(shell_quote("python(abi) = 3.9"), "'python(abi) = 3.9'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("*"), "'*'");
    }
}
