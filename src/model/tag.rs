//! Koji's data about tags: tags, inheritance links, external repos, build targets, comps
//! groups, package lists and tagged builds, plus [`TagTree`], everything loaded about one
//! tag and the tags it inherits from.
//!
//! The types mirror what a Koji hub answers (field names and meanings as in kojihub), so a
//! walk or a listing computed from them can be compared with the hub's own answer field by
//! field. Ids are the hub's integer ids. Nothing here knows how the data was obtained (live
//! hub, snapshot file); the semantics of inheritance live in `analysis::inherit`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A Koji tag id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TagId(pub i64);

impl std::fmt::Display for TagId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A Koji event id: every change on a hub happens at an event; queries may ask "as of event N".
pub type EventId = i64;

/// A hub event (`getEvent`/`getLastEvent`): its id and Unix time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: EventId,
    pub ts: f64,
}

/// A tag (`getTag`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tag {
    pub id: TagId,
    pub name: String,
    /// Arches as the hub stores them: `None` (NULL) lets a build config inherit arches,
    /// `Some("")` means none; otherwise space-separated.
    pub arches: Option<String>,
    pub locked: bool,
    /// Permission needed to tag into it.
    pub perm: Option<String>,
    #[serde(default)]
    pub maven_support: bool,
    #[serde(default)]
    pub maven_include_all: bool,
    /// `extra` settings (`mock.*`, `rpm.macro.*`, ...), values as the hub sent them.
    #[serde(default)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl Tag {
    /// The arches as a list (empty for `None` and `""`).
    pub fn arch_list(&self) -> Vec<&str> {
        self.arches
            .as_deref()
            .map(|a| a.split_whitespace().collect())
            .unwrap_or_default()
    }
}

/// One inheritance link, `child` inherits from `parent` (a row of `getInheritanceData`, or of
/// `tag_inheritance` history).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InheritanceLink {
    pub child: TagId,
    pub child_name: String,
    pub parent: TagId,
    pub parent_name: String,
    /// Lower numbers are searched first; unique among one child's parents.
    pub priority: i64,
    /// How many levels below the parent are still inherited (`None`: unlimited; 0: the
    /// parent only).
    pub maxdepth: Option<i64>,
    /// Followed only when the child is the tag being queried.
    pub intransitive: bool,
    /// The parent's configuration (arches, extra) is not inherited through this link.
    pub noconfig: bool,
    /// A Python regular expression; only packages whose name matches (anchored at the start)
    /// are inherited through this link. Empty: no filter.
    pub pkg_filter: String,
}

/// One entry of a full inheritance walk, as `readFullInheritance` returns it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InheritanceEntry {
    /// The link that was followed.
    pub link: InheritanceLink,
    /// The tag this entry leads to: the parent, or the child in a reverse walk.
    pub tag: TagId,
    pub name: String,
    /// Depth from the queried tag; 1 for its direct parents (children).
    pub currdepth: i64,
    /// Depth still allowed below this entry (`None`: unlimited).
    pub nextdepth: Option<i64>,
    /// Every `pkg_filter` on the path from the queried tag, in order.
    pub filter: Vec<String>,
}

/// How kojid merges an external repo into a buildroot repo.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MergeMode {
    /// A Koji build of an srpm name hides every external rpm built from that srpm name.
    Koji,
    /// First repo with a package name wins, per name.arch.
    Simple,
    /// No merging logic: every package of every repo is kept.
    Bare,
}

impl MergeMode {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "koji" => Some(Self::Koji),
            "simple" => Some(Self::Simple),
            "bare" => Some(Self::Bare),
            _ => None,
        }
    }
}

/// An external repo attached to a tag (`getTagExternalRepos`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagExternalRepo {
    pub tag_id: TagId,
    pub tag_name: String,
    pub external_repo_id: i64,
    pub external_repo_name: String,
    /// Contains `$arch`, replaced per buildroot arch.
    pub url: String,
    /// Among one tag's repos, lower first.
    pub priority: i64,
    /// As the hub names it (`koji`, `simple`, `bare`); see [`MergeMode::parse`].
    pub merge_mode: String,
    /// Restricts the repo to these arches (space-separated); `None`: all.
    pub arches: Option<String>,
}

/// A build target: builds for `name` use `build_tag` and land in `dest_tag`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuildTarget {
    pub id: i64,
    pub name: String,
    pub build_tag: TagId,
    pub build_tag_name: String,
    pub dest_tag: TagId,
    pub dest_tag_name: String,
}

/// An entry of a tag's package list (`listPackages`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageEntry {
    pub package_id: i64,
    pub package_name: String,
    /// The tag that holds this entry.
    pub tag_id: TagId,
    pub tag_name: String,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    /// A blocked entry hides the package in this tag and every tag inheriting it.
    pub blocked: bool,
    pub extra_arches: Option<String>,
}

/// A build tagged into a tag (`listTagged`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaggedBuild {
    pub build_id: i64,
    pub package_id: i64,
    pub package_name: String,
    pub version: String,
    pub release: String,
    pub epoch: Option<i64>,
    pub nvr: String,
    pub tag_id: TagId,
    pub tag_name: String,
    pub owner_name: String,
    /// The event at which the build was tagged; within a tag, the highest is the latest.
    pub create_event: EventId,
    pub state: i64,
    pub completion_time: Option<String>,
    #[serde(default)]
    pub draft: bool,
}

/// A comps group as a tag sees it (`getTagGroups`); every entry names the tag it comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagGroup {
    pub group_id: i64,
    pub name: String,
    pub tag_id: TagId,
    pub blocked: bool,
    pub display_name: String,
    pub exported: bool,
    pub is_default: Option<bool>,
    pub uservisible: bool,
    pub description: Option<String>,
    pub langonly: Option<String>,
    pub biarchonly: bool,
    /// The hub calls it `packagelist`.
    #[serde(alias = "packagelist", default)]
    pub packages: Vec<GroupPackage>,
    /// The hub calls it `grouplist`.
    #[serde(alias = "grouplist", default)]
    pub requires: Vec<GroupReq>,
}

/// A package entry of a group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupPackage {
    pub package: String,
    pub tag_id: TagId,
    pub blocked: bool,
    /// `mandatory`, `default`, `optional`, `conditional`.
    #[serde(rename = "type")]
    pub kind: String,
    pub basearchonly: Option<bool>,
    pub requires: Option<String>,
}

/// A group's requirement on another group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupReq {
    pub req_id: i64,
    pub name: String,
    pub tag_id: TagId,
    pub blocked: bool,
    #[serde(rename = "type")]
    pub kind: String,
    pub is_metapkg: bool,
}

/// An `extra` setting as a tag itself stores it: a value, or a block that stops the key
/// from being inherited (`koji edit-tag --block-extra`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExtraSetting {
    Value(serde_json::Value),
    Blocked,
}

/// A tag's own build configuration, blocked extras included (`getTag(tag, blocked=True)`);
/// `analysis::inherit::build_config` combines these along the inheritance.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TagConfig {
    /// As in [`Tag::arches`]: `None` inherits, `Some("")` means none.
    pub arches: Option<String>,
    pub extra: BTreeMap<String, ExtraSetting>,
}

/// An rpm of a build (`listTaggedRPMS`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaggedRpm {
    pub id: i64,
    pub build_id: i64,
    pub name: String,
    pub epoch: Option<i64>,
    pub version: String,
    pub release: String,
    pub arch: String,
    #[serde(default)]
    pub draft: bool,
}

/// The rpms of a tag's latest builds with inheritance, and those builds
/// (`listTaggedRPMS(tag, inherit=True, latest=True)`): what the hub's `repoInit` puts in the
/// tag's buildroot repo.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LatestRpms {
    pub rpms: Vec<TaggedRpm>,
    pub builds: Vec<TaggedBuild>,
}

/// What is known about one tag of a [`TagTree`]. Parts not loaded are `None`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TagData {
    pub tag: Option<Tag>,
    /// Its own links to its parents, by ascending priority.
    pub parents: Option<Vec<InheritanceLink>>,
    /// Its own package list entries (not inherited), in hub order.
    pub packages: Option<Vec<PackageEntry>>,
    /// Builds tagged into it (not inherited), latest tagging first, as the hub lists them.
    pub builds: Option<Vec<TaggedBuild>>,
    /// Its own external repos, by ascending priority.
    pub external_repos: Option<Vec<TagExternalRepo>>,
    /// Its own arches and extra, blocked extras included.
    #[serde(default)]
    pub config: Option<TagConfig>,
}

/// Everything loaded about one tag (the root) and the tags it inherits from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TagTree {
    pub root: TagId,
    /// The event the data describes (`None`: current state, with `last_event` noting when).
    pub event: Option<EventId>,
    /// The hub's last event when the data was read.
    pub last_event: Option<Event>,
    pub tags: BTreeMap<TagId, TagData>,
    /// The root's groups with inheritance, blocked entries included (`getTagGroups` with
    /// `incl_blocked`).
    pub groups: Option<Vec<TagGroup>>,
    /// Targets that build in or into the root.
    pub targets: Option<Vec<BuildTarget>>,
    /// The hub's own reverse walk (`getFullInheritance(reverse=True)`), when asked for: the
    /// hub offers no other way to learn a tag's children.
    pub reverse: Option<Vec<InheritanceEntry>>,
    /// The rpms of the root's latest builds with inheritance.
    #[serde(default)]
    pub rpms: Option<LatestRpms>,
}

impl TagTree {
    pub fn new(root: TagId) -> Self {
        Self {
            root,
            event: None,
            last_event: None,
            tags: BTreeMap::new(),
            groups: None,
            targets: None,
            reverse: None,
            rpms: None,
        }
    }

    pub fn data(&self, id: TagId) -> Option<&TagData> {
        self.tags.get(&id)
    }

    pub fn tag(&self, id: TagId) -> Option<&Tag> {
        self.tags.get(&id)?.tag.as_ref()
    }

    /// The root tag's record, if loaded.
    pub fn root_tag(&self) -> Option<&Tag> {
        self.tag(self.root)
    }

    /// The name of a tag, from its record or from any link that names it.
    pub fn name_of(&self, id: TagId) -> Option<&str> {
        if let Some(t) = self.tag(id) {
            return Some(&t.name);
        }
        self.tags.values().find_map(|d| {
            d.parents.as_ref()?.iter().find_map(|l| {
                if l.parent == id {
                    Some(l.parent_name.as_str())
                } else if l.child == id {
                    Some(l.child_name.as_str())
                } else {
                    None
                }
            })
        })
    }

    /// A tag's own links to its parents, if loaded.
    pub fn parents(&self, id: TagId) -> Option<&[InheritanceLink]> {
        self.tags.get(&id)?.parents.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(child: i64, parent: i64) -> InheritanceLink {
        InheritanceLink {
            child: TagId(child),
            child_name: format!("t{child}"),
            parent: TagId(parent),
            parent_name: format!("t{parent}"),
            priority: 0,
            maxdepth: None,
            intransitive: false,
            noconfig: false,
            pkg_filter: String::new(),
        }
    }

    #[test]
    fn names_come_from_records_or_links() {
        let mut tree = TagTree::new(TagId(1));
        tree.tags.insert(
            TagId(1),
            TagData {
                parents: Some(vec![link(1, 2)]),
                ..TagData::default()
            },
        );
        assert_eq!(tree.name_of(TagId(2)), Some("t2"));
        assert_eq!(tree.name_of(TagId(1)), Some("t1"));
        assert_eq!(tree.name_of(TagId(3)), None);
        assert_eq!(tree.parents(TagId(1)).map(<[_]>::len), Some(1));
        assert!(tree.parents(TagId(2)).is_none());
    }

    #[test]
    fn arches_and_merge_modes() {
        let mut t = Tag {
            id: TagId(1),
            name: "f".into(),
            arches: Some("i386  x86_64".into()),
            locked: false,
            perm: None,
            maven_support: false,
            maven_include_all: false,
            extra: BTreeMap::new(),
        };
        assert_eq!(t.arch_list(), ["i386", "x86_64"]);
        t.arches = Some(String::new());
        assert!(t.arch_list().is_empty());
        assert_eq!(MergeMode::parse("bare"), Some(MergeMode::Bare));
        assert_eq!(MergeMode::parse("other"), None);
    }
}
