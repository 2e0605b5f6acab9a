//! `bramble vercmp EVR1 EVR2`: compare two versions as `rpmdev-vercmp` does.

use std::cmp::Ordering;

use super::output;
use crate::model::evr::Evr;

/// Prints `A < B`, `A == B` or `A > B` and returns rpmdev-vercmp's exit status:
/// 12 when A is older, 0 when equal, 11 when newer; 2 for an unparsable EVR.
pub fn run(a: &str, b: &str) -> i32 {
    let (ea, eb) = match (Evr::parse(a), Evr::parse(b)) {
        (Ok(x), Ok(y)) => (x, y),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("bramble: {e}");
            return 2;
        }
    };
    let (sign, code) = match ea.cmp_full(&eb) {
        Ordering::Less => ("<", 12),
        Ordering::Equal => ("==", 0),
        Ordering::Greater => (">", 11),
    };
    output::line(&format!("{a} {sign} {b}"));
    code
}
