//! `Nevra`: a package identity parsed from text, as it appears in image package lists,
//! `rpm -qa` output, file names (`foo-1.0-1.el9.noarch.rpm`) and dnf messages.

use std::fmt;

use super::evr::Evr;

/// name, epoch, version, release, arch, borrowed from the text they were parsed from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Nevra<'a> {
    pub name: &'a str,
    pub evr: Evr<'a>,
    pub arch: &'a str,
}

/// Architectures recognised as the last dot-separated part of a NEVRA.
const ARCHES: &[&str] = &[
    "noarch",
    "src",
    "nosrc",
    "x86_64",
    "i686",
    "i586",
    "i486",
    "i386",
    "aarch64",
    "ppc64le",
    "ppc64",
    "ppc",
    "s390x",
    "s390",
    "armv7hl",
    "armv7hnl",
    "armhfp",
    "riscv64",
    "x86_64_v2",
    "x86_64_v3",
    "x86_64_v4",
];

impl<'a> Nevra<'a> {
    /// Parse `name-[epoch:]version-release.arch` (a trailing `.rpm` is ignored). The arch
    /// must be a known one; the name may contain dashes.
    pub fn parse(s: &'a str) -> Option<Self> {
        let s = s.strip_suffix(".rpm").unwrap_or(s);
        let (rest, arch) = s.rsplit_once('.')?;
        if !ARCHES.contains(&arch) {
            return None;
        }
        let (rest, release) = rest.rsplit_once('-')?;
        let (name, ev) = rest.rsplit_once('-')?;
        if name.is_empty() || release.is_empty() || ev.is_empty() {
            return None;
        }
        let (epoch, version) = match ev.split_once(':') {
            Some((e, v)) => (e.parse().ok()?, v),
            None => (0, ev),
        };
        Some(Nevra {
            name,
            evr: Evr::new(epoch, version, release),
            arch,
        })
    }
}

impl fmt::Display for Nevra<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}.{}", self.name, self.evr, self.arch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_common_forms() {
        let n = Nevra::parse("python3-file-magic-5.39-16.el9.noarch").unwrap();
        assert_eq!(
            (n.name, n.evr.version, n.evr.release, n.arch),
            ("python3-file-magic", "5.39", "16.el9", "noarch")
        );
        let n = Nevra::parse("libfoo-2:1.6-1.i686.rpm").unwrap();
        assert_eq!((n.name, n.evr.epoch, n.arch), ("libfoo", 2, "i686"));
        assert_eq!(n.to_string(), "libfoo-2:1.6-1.i686");
        assert!(Nevra::parse("foo").is_none());
        assert!(Nevra::parse("foo-1.0.x86_64").is_none());
        assert!(Nevra::parse("foo-1.0-1.weird").is_none());
        assert!(Nevra::parse("-1.0-1.noarch").is_none());
    }
}
