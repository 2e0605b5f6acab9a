//! Advisories (errata) from a repository's `updateinfo.xml`: what an update fixes, how
//! severe it is, and which package builds carry the fix.
//!
//! An advisory's packages come in collections; a collection that names modules applies
//! only when one of those module streams is enabled (dnf's rule), so the packages keep
//! their collection: [`Collection::packages`] is a range into [`Advisory::packages`].
//! Strings are stored as written, trimmed, except the description; a missing value is
//! an empty string (dates are `None` when absent, since empty and absent differ there).

use std::ops::Range;

/// The `type` of an update.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AdvisoryKind {
    Security,
    Bugfix,
    Enhancement,
    NewPackage,
    /// Anything else as written (`recommended`, `optional` on SUSE; empty when absent).
    Other(String),
}

impl AdvisoryKind {
    pub fn parse(s: &str) -> Self {
        match s {
            "security" => Self::Security,
            "bugfix" => Self::Bugfix,
            "enhancement" => Self::Enhancement,
            "newpackage" => Self::NewPackage,
            other => Self::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Self::Security => "security",
            Self::Bugfix => "bugfix",
            Self::Enhancement => "enhancement",
            Self::NewPackage => "newpackage",
            Self::Other(s) => s,
        }
    }
}

impl Default for AdvisoryKind {
    fn default() -> Self {
        Self::Other(String::new())
    }
}

impl std::fmt::Display for AdvisoryKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `<reference>`: a bug, CVE or the advisory's own page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reference {
    /// The `type` attribute: `bugzilla`, `cve`, `self`, ...
    pub kind: String,
    pub id: String,
    pub href: String,
    pub title: String,
}

/// A package build named by an advisory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdvisoryPackage {
    pub name: String,
    /// As written; empty when absent (rpm reads that as 0).
    pub epoch: String,
    pub version: String,
    pub release: String,
    pub arch: String,
    pub filename: String,
    /// The `src` attribute: a source rpm name or a URL, depending on the producer.
    pub src: String,
    pub reboot_suggested: bool,
}

impl AdvisoryPackage {
    /// `name-[epoch:]version-release.arch`, the epoch only when it is not 0.
    pub fn nevra(&self) -> String {
        let epoch = match self.epoch.as_str() {
            "" | "0" => String::new(),
            e => format!("{e}:"),
        };
        format!(
            "{}-{epoch}{}-{}.{}",
            self.name, self.version, self.release, self.arch
        )
    }
}

/// A `<module>` of a collection: the stream the packages belong to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdvisoryModule {
    pub name: String,
    pub stream: String,
    pub version: String,
    pub context: String,
    pub arch: String,
}

/// A `<collection>` of an advisory's `<pkglist>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Collection {
    pub short: String,
    pub name: String,
    /// Empty for ordinary (non-modular) packages.
    pub modules: Vec<AdvisoryModule>,
    /// This collection's packages, as indices into [`Advisory::packages`].
    pub packages: Range<usize>,
}

/// One `<update>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Advisory {
    pub id: String,
    pub kind: AdvisoryKind,
    pub title: String,
    pub severity: String,
    pub status: String,
    /// The `from` attribute: who issued it.
    pub from: String,
    /// The `version` attribute of the update.
    pub version: String,
    pub release: String,
    pub issued: Option<String>,
    pub updated: Option<String>,
    pub summary: String,
    pub description: String,
    /// `<reboot_suggested>` on the update or on one of its packages.
    pub reboot_suggested: bool,
    pub references: Vec<Reference>,
    /// Every package of every collection, in document order.
    pub packages: Vec<AdvisoryPackage>,
    pub collections: Vec<Collection>,
}

impl Advisory {
    pub fn is_security(&self) -> bool {
        self.kind == AdvisoryKind::Security
    }

    /// The packages of one collection. An out-of-range collection yields nothing.
    pub fn collection_packages(&self, c: &Collection) -> &[AdvisoryPackage] {
        self.packages.get(c.packages.clone()).unwrap_or(&[])
    }

    /// The CVE ids among the references.
    pub fn cves(&self) -> impl Iterator<Item = &str> {
        self.references
            .iter()
            .filter(|r| r.kind == "cve")
            .map(|r| r.id.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_round_trips_and_keeps_unknown_values() {
        for s in [
            "security",
            "bugfix",
            "enhancement",
            "newpackage",
            "recommended",
            "",
        ] {
            assert_eq!(AdvisoryKind::parse(s).as_str(), s);
        }
        assert_eq!(AdvisoryKind::parse("security"), AdvisoryKind::Security);
        assert_eq!(
            AdvisoryKind::parse("Security"),
            AdvisoryKind::Other("Security".into())
        );
        assert_eq!(AdvisoryKind::default().to_string(), "");
    }

    #[test]
    fn collections_slice_the_package_list() {
        let pkg = |n: &str, e: &str| AdvisoryPackage {
            name: n.into(),
            epoch: e.into(),
            version: "1.0".into(),
            release: "1".into(),
            arch: "x86_64".into(),
            ..Default::default()
        };
        let a = Advisory {
            kind: AdvisoryKind::Security,
            packages: vec![pkg("a", ""), pkg("b", "2"), pkg("c", "0")],
            collections: vec![
                Collection {
                    packages: 0..2,
                    ..Default::default()
                },
                Collection {
                    packages: 2..3,
                    ..Default::default()
                },
                Collection {
                    packages: 3..9,
                    ..Default::default()
                },
            ],
            references: vec![
                Reference {
                    kind: "cve".into(),
                    id: "CVE-2020-1".into(),
                    ..Default::default()
                },
                Reference {
                    kind: "bugzilla".into(),
                    id: "1".into(),
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        assert!(a.is_security());
        let names = |c: &Collection| {
            a.collection_packages(c)
                .iter()
                .map(|p| p.nevra())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(&a.collections[0]),
            ["a-1.0-1.x86_64", "b-2:1.0-1.x86_64"]
        );
        assert_eq!(names(&a.collections[1]), ["c-1.0-1.x86_64"]);
        assert!(names(&a.collections[2]).is_empty());
        assert_eq!(a.cves().collect::<Vec<_>>(), ["CVE-2020-1"]);
    }
}
