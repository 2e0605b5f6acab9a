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

/// `Wed Jan 17 2024` (UTC) for a Unix timestamp, as rpm and dnf print changelog dates.
pub fn format_day(ts: u64) -> String {
    // days since 1970-01-01 to a civil date (Howard Hinnant's algorithm)
    let days = (ts / 86_400) as i64;
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][days.rem_euclid(7) as usize];
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!("{weekday} {} {day:02} {year}", MONTHS[(month - 1) as usize])
}

#[cfg(test)]
mod tests {
    #[test]
    fn days_format_like_rpm() {
        assert_eq!(super::format_day(0), "Thu Jan 01 1970");
        assert_eq!(super::format_day(1_705_492_800), "Wed Jan 17 2024");
        assert_eq!(super::format_day(951_825_600), "Tue Feb 29 2000");
    }
}
