//! Epoch, version, release and rpm's version ordering.
//!
//! Segment comparison is `rpm-version`'s, which matched librpm 4.18's `rpmvercmp` on
//! millions of random pairs (see `../shared/CRATES.md`) and here must agree with every
//! line of `oracle/rpmvercmp-vectors.tsv`. What the crate gets wrong for dependency
//! matching (a missing release must match any release, as `rpmdsCompare` and libsolv's
//! `EVRCMP_MATCH_RELEASE` do) lives in [`evr_cmp_match`].

use std::cmp::Ordering;
use std::fmt;

/// rpmvercmp on one component (a version or a release string).
pub fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    rpm_version::Evr::new("0", a, "").cmp(&rpm_version::Evr::new("0", b, ""))
}

/// A borrowed epoch-version-release triple. A missing epoch is 0 (rpm, libsolv and
/// createrepo_c's `epoch="0"` all agree); a missing release is the empty string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Evr<'a> {
    pub epoch: u32,
    pub version: &'a str,
    pub release: &'a str,
}

impl<'a> Evr<'a> {
    pub fn new(epoch: u32, version: &'a str, release: &'a str) -> Self {
        Evr {
            epoch,
            version,
            release,
        }
    }

    /// Parse `[E:]V[-R]` as rpm's `parseEVR` does: an epoch is the leading digits when a
    /// `:` follows them (`:1.0` has epoch 0), the release is what follows the last `-`.
    /// Anything else, colons included, belongs to the version. An epoch too large for
    /// 32 bits is an error.
    pub fn parse(s: &'a str) -> Result<Self, String> {
        let digits = s.bytes().take_while(u8::is_ascii_digit).count();
        let (epoch, rest) = if s.as_bytes().get(digits) == Some(&b':') {
            let e = &s[..digits];
            let epoch = if e.is_empty() {
                0
            } else {
                e.parse::<u32>()
                    .map_err(|_| format!("invalid epoch `{e}` in `{s}`"))?
            };
            (epoch, &s[digits + 1..])
        } else {
            (0, s)
        };
        let (version, release) = match rest.rfind('-') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, ""),
        };
        Ok(Evr {
            epoch,
            version,
            release,
        })
    }

    /// Full ordering, as `rpm.labelCompare`: epoch, then version, then release.
    pub fn cmp_full(&self, other: &Evr) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| rpmvercmp(self.version, other.version))
            .then_with(|| rpmvercmp(self.release, other.release))
    }
}

/// Compare for dependency matching: as [`Evr::cmp_full`], except that when either side
/// has no release the releases are not compared (`foo = 1.0` matches `foo-1.0-3`).
pub fn evr_cmp_match(a: &Evr, b: &Evr) -> Ordering {
    let o = a
        .epoch
        .cmp(&b.epoch)
        .then_with(|| rpmvercmp(a.version, b.version));
    if o != Ordering::Equal || a.release.is_empty() || b.release.is_empty() {
        return o;
    }
    rpmvercmp(a.release, b.release)
}

impl fmt::Display for Evr<'_> {
    /// `E:V-R`, with the epoch left out when 0 and the release when empty, as dnf prints.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.epoch != 0 {
            write!(f, "{}:", self.epoch)?;
        }
        f.write_str(self.version)?;
        if !self.release.is_empty() {
            write!(f, "-{}", self.release)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tilde_and_caret() {
        assert_eq!(rpmvercmp("1.0~rc1", "1.0"), Ordering::Less);
        assert_eq!(rpmvercmp("1.0^git1", "1.0"), Ordering::Greater);
        assert_eq!(rpmvercmp("1.0^git1", "1.0.1"), Ordering::Less);
        assert_eq!(rpmvercmp("1.0^", "1.0"), Ordering::Greater);
        assert_eq!(rpmvercmp("1.0~rc1^git1", "1.0~rc1"), Ordering::Greater);
        assert_eq!(rpmvercmp("2.0.1", "2.0.1a"), Ordering::Less);
        assert_eq!(rpmvercmp("1.010", "1.10"), Ordering::Equal);
    }

    #[test]
    fn parse_and_display() {
        let e = Evr::parse("2:1.5-1.el9").unwrap();
        assert_eq!((e.epoch, e.version, e.release), (2, "1.5", "1.el9"));
        assert_eq!(e.to_string(), "2:1.5-1.el9");
        let e = Evr::parse("1.0").unwrap();
        assert_eq!((e.epoch, e.version, e.release), (0, "1.0", ""));
        assert_eq!(Evr::parse("0:1.0-2").unwrap().to_string(), "1.0-2");
        assert!(Evr::parse("99999999999:1.0").is_err());
        let e = Evr::parse("x:1.0").unwrap();
        assert_eq!((e.epoch, e.version), (0, "x:1.0"));
        assert_eq!(Evr::parse(":1.0").unwrap().epoch, 0);
    }

    #[test]
    fn missing_release_matches_any() {
        let req = Evr::parse("1.0").unwrap();
        let prov = Evr::parse("1.0-3").unwrap();
        assert_eq!(evr_cmp_match(&prov, &req), Ordering::Equal);
        assert_eq!(prov.cmp_full(&req), Ordering::Greater);
        let req = Evr::parse("2.0").unwrap();
        assert_eq!(evr_cmp_match(&prov, &req), Ordering::Less);
        // epoch dominates
        let a = Evr::parse("1:0.1-1").unwrap();
        let b = Evr::parse("9.9-9").unwrap();
        assert_eq!(evr_cmp_match(&a, &b), Ordering::Greater);
    }
}
