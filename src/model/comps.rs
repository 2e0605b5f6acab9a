//! Package groups from a repository's `comps.xml`: groups, categories, environments
//! and langpacks, as dnf and Koji read them (Koji's `build` group is the buildroot).
//!
//! Only the untranslated name and description are kept (`xml:lang` variants are
//! dropped when loading). Text is stored trimmed, so an id written as `<groupid> a </groupid>`
//! is `a`. Elements keep document order; a document may repeat an id (dnf merges
//! repeated groups across repositories, this model does not).

/// How a `packagereq` asks for its package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PackageReqType {
    /// Always installed with the group (also the meaning of a missing `type`).
    Mandatory,
    /// Installed unless the user excludes it.
    Default,
    /// Only installed on request.
    Optional,
    /// Installed when the package named by `requires` is installed.
    Conditional,
}

impl PackageReqType {
    /// The `type` attribute value; `None` for a value dnf does not know.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "mandatory" => Self::Mandatory,
            "default" => Self::Default,
            "optional" => Self::Optional,
            "conditional" => Self::Conditional,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mandatory => "mandatory",
            Self::Default => "default",
            Self::Optional => "optional",
            Self::Conditional => "conditional",
        }
    }
}

impl std::fmt::Display for PackageReqType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One `<packagereq>` of a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupPackage {
    pub name: String,
    pub kind: PackageReqType,
    /// For [`PackageReqType::Conditional`]: the package whose presence pulls this one in.
    pub requires: Option<String>,
    /// `basearchonly="true"`: install only the base-arch package on multilib systems.
    pub basearchonly: bool,
}

/// A `<group>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Empty only in broken documents (a warning is reported when loading).
    pub id: String,
    pub name: String,
    pub description: String,
    /// Selected by default in installers (`<default>`, false when absent).
    pub default: bool,
    /// Shown to users (`<uservisible>`, true when absent).
    pub uservisible: bool,
    pub biarchonly: bool,
    pub langonly: Option<String>,
    pub display_order: Option<i32>,
    pub packages: Vec<GroupPackage>,
}

impl Default for Group {
    fn default() -> Self {
        Group {
            id: String::new(),
            name: String::new(),
            description: String::new(),
            default: false,
            uservisible: true,
            biarchonly: false,
            langonly: None,
            display_order: None,
            packages: Vec::new(),
        }
    }
}

impl Group {
    /// The packages of one kind, in document order.
    pub fn packages_of(&self, kind: PackageReqType) -> impl Iterator<Item = &GroupPackage> {
        self.packages.iter().filter(move |p| p.kind == kind)
    }

    /// What `dnf group install` installs by default: mandatory and default packages.
    pub fn default_install(&self) -> impl Iterator<Item = &GroupPackage> {
        self.packages
            .iter()
            .filter(|p| matches!(p.kind, PackageReqType::Mandatory | PackageReqType::Default))
    }
}

/// A `<category>`: a named list of groups for installers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Category {
    pub id: String,
    pub name: String,
    pub description: String,
    pub display_order: Option<i32>,
    pub group_ids: Vec<String>,
}

/// An `<environment>`: groups that are always installed plus optional ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Environment {
    pub id: String,
    pub name: String,
    pub description: String,
    pub display_order: Option<i32>,
    /// `<grouplist>`: installed with the environment.
    pub group_ids: Vec<String>,
    /// `<optionlist>`: offered as options.
    pub option_ids: Vec<String>,
    /// The options marked `default="true"` (a subset of `option_ids`), preselected.
    pub default_option_ids: Vec<String>,
}

/// A `<langpacks><match name= install=/>` rule: when `name` is installed, install the
/// `install` pattern with `%s` replaced by a language code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Langpack {
    pub name: String,
    pub install: String,
}

/// A whole comps document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comps {
    pub groups: Vec<Group>,
    pub categories: Vec<Category>,
    pub environments: Vec<Environment>,
    pub langpacks: Vec<Langpack>,
}

impl Comps {
    /// The first group with this id.
    pub fn group(&self, id: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.id == id)
    }

    pub fn category(&self, id: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }

    pub fn environment(&self, id: &str) -> Option<&Environment> {
        self.environments.iter().find(|e| e.id == id)
    }

    /// The group a user means by `key`: its id, else its name (case-insensitive), as
    /// `dnf group install` matches.
    pub fn find_group(&self, key: &str) -> Option<&Group> {
        self.group(key).or_else(|| {
            self.groups
                .iter()
                .find(|g| g.name.eq_ignore_ascii_case(key))
        })
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
            && self.categories.is_empty()
            && self.environments.is_empty()
            && self.langpacks.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(name: &str, kind: PackageReqType) -> GroupPackage {
        GroupPackage {
            name: name.into(),
            kind,
            requires: None,
            basearchonly: false,
        }
    }

    #[test]
    fn package_req_type_round_trips() {
        for k in [
            PackageReqType::Mandatory,
            PackageReqType::Default,
            PackageReqType::Optional,
            PackageReqType::Conditional,
        ] {
            assert_eq!(PackageReqType::parse(k.as_str()), Some(k));
            assert_eq!(k.to_string(), k.as_str());
        }
        assert_eq!(PackageReqType::parse("Mandatory"), None);
        assert_eq!(PackageReqType::parse(""), None);
    }

    #[test]
    fn group_defaults_and_package_selection() {
        let g = Group {
            id: "build".into(),
            packages: vec![
                req("bash", PackageReqType::Mandatory),
                req("gcc", PackageReqType::Default),
                req("emacs", PackageReqType::Optional),
                req("make", PackageReqType::Mandatory),
            ],
            ..Group::default()
        };
        assert!(g.uservisible && !g.default && !g.biarchonly);
        fn names<'a>(it: impl Iterator<Item = &'a GroupPackage>) -> Vec<&'a str> {
            it.map(|p| p.name.as_str()).collect()
        }
        assert_eq!(
            names(g.packages_of(PackageReqType::Mandatory)),
            ["bash", "make"]
        );
        assert_eq!(names(g.default_install()), ["bash", "gcc", "make"]);

        let comps = Comps {
            groups: vec![
                g.clone(),
                Group {
                    id: "build".into(),
                    ..Group::default()
                },
            ],
            ..Comps::default()
        };
        assert_eq!(comps.group("build"), Some(&g), "the first of repeated ids");
        assert!(comps.group("srpm-build").is_none());
        assert!(!comps.is_empty());
        assert!(Comps::default().is_empty());
    }
}
