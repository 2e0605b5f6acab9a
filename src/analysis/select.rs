//! Selecting packages by the patterns dnf accepts (`dnf repoquery PATTERN`,
//! `repoclosure --pkg`): a glob matched against the name and the NEVRA forms
//! `name.arch`, `name-version`, `name-version-release`, `name-version-release.arch`,
//! `name-epoch:version-release.arch`, as dnf's `Subject` with `with_nevra=True`.

use glob::{MatchOptions, Pattern};

use crate::model::package::PkgId;
use crate::model::pool::Pool;

const OPTS: MatchOptions = MatchOptions {
    case_sensitive: true,
    require_literal_separator: false,
    require_literal_leading_dot: false,
};

/// A compiled package pattern.
pub struct PkgPattern {
    text: String,
    glob: Option<Pattern>,
}

impl PkgPattern {
    pub fn new(text: &str) -> Result<Self, String> {
        let is_glob = text.contains(['*', '?', '[']);
        let glob = if is_glob {
            Some(Pattern::new(text).map_err(|e| format!("invalid pattern `{text}`: {e}"))?)
        } else {
            None
        };
        Ok(PkgPattern {
            text: text.to_string(),
            glob,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    fn matches_str(&self, s: &str) -> bool {
        match &self.glob {
            Some(g) => g.matches_with(s, OPTS),
            None => s == self.text,
        }
    }

    /// Does the pattern select this package?
    pub fn matches(&self, pool: &Pool, id: PkgId) -> bool {
        let p = pool.pkg(id);
        let name = pool.str(p.name);
        if self.glob.is_none() && !self.text.starts_with(name) {
            return false;
        }
        if self.matches_str(name) {
            return true;
        }
        let (v, r, a) = (pool.str(p.version), pool.str(p.release), pool.str(p.arch));
        let forms = [
            format!("{name}.{a}"),
            format!("{name}-{v}"),
            format!("{name}-{v}-{r}"),
            format!("{name}-{v}-{r}.{a}"),
            format!("{name}-{}:{v}-{r}.{a}", p.epoch),
            format!("{name}-{}:{v}-{r}", p.epoch),
        ];
        forms.iter().any(|f| self.matches_str(f))
    }
}

/// Packages among `ids` selected by any of `patterns` (all when `patterns` is empty).
pub fn select(
    pool: &Pool,
    ids: impl Iterator<Item = PkgId>,
    patterns: &[PkgPattern],
) -> Vec<PkgId> {
    ids.filter(|&id| patterns.is_empty() || patterns.iter().any(|p| p.matches(pool, id)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::package::PackageInfo;
    use crate::model::pool::{NewPackage, SourceKind};

    #[test]
    fn nevra_forms_and_globs() {
        let mut pool = Pool::new("x86_64");
        pool.add_repo("t", "/t", SourceKind::RpmMd);
        let id = pool.add_package(
            NewPackage {
                name: "libfoo",
                epoch: 2,
                version: "1.6",
                release: "1",
                arch: "i686",
                info: PackageInfo::default(),
            },
            &Default::default(),
        );
        pool.build_indexes();
        for yes in [
            "libfoo",
            "libfoo.i686",
            "libfoo-1.6",
            "libfoo-1.6-1",
            "libfoo-1.6-1.i686",
            "libfoo-2:1.6-1.i686",
            "lib*",
            "libfoo-1.*",
            "*.i686",
        ] {
            assert!(PkgPattern::new(yes).unwrap().matches(&pool, id), "{yes}");
        }
        for no in [
            "libfo",
            "libfoo.x86_64",
            "libfoo-1.5",
            "foo*",
            "libfoo-0:1.6-1.i686",
        ] {
            assert!(!PkgPattern::new(no).unwrap().matches(&pool, id), "{no}");
        }
    }
}
