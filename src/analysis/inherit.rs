//! Koji tag inheritance, computed exactly as the hub computes it (kojihub 1.35):
//!
//! - [`full_inheritance`] is `readFullInheritance`: a depth-first walk over each tag's links
//!   in ascending priority, pruning tags already on the path (loops), following an
//!   intransitive link only from the queried tag, propagating `maxdepth` as
//!   `min(link, inherited) - 1`, accumulating `pkg_filter`s, and listing a tag a second time
//!   ("rescan") when the new path reaches deeper, drops a `noconfig`, or the earlier visit
//!   had a filter. In reverse mode links to children are followed, a link whose `maxdepth`
//!   is below the current depth is skipped, no depth is handed down, and intransitive links
//!   are listed but not followed. One quirk is kept on purpose: once a link with `noconfig`
//!   is met, the flag stays set for the later siblings of that tag too (the hub reuses one
//!   variable).
//! - [`package_list`] is `readPackageList(inherit=True)`: the tag's own entries, then each
//!   walked tag's entries that pass every filter on its path; the first entry of a package
//!   wins, blocked or not.
//! - [`tagged_builds`] is `readTaggedBuilds`: builds of `[tag] + walk` in that order, each
//!   tag's latest tagging first, dropping packages that are not listed or are blocked in the
//!   queried tag; with `latest`, the first build per package wins, which is the most recently
//!   *tagged* build of the first tag that has one, not the highest NVR.
//! - [`external_repos`] is `get_external_repo_list`, and [`effective_groups`] is what
//!   `readTagGroups` leaves after removing blocked entries.
//! - [`build_config`] is `getBuildConfig`: arches and `extra` along the walk, each value
//!   with the tag it comes from; a `noconfig` link skips only its own tag, a blocked key
//!   stops inheritance of that key and disappears.
//!
//! Everything here is pure: the data comes in a [`TagTree`], and a part that is needed but
//! was not loaded is an [`InheritError::Missing`].

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::model::tag::{
    ExtraSetting, InheritanceEntry, InheritanceLink, PackageEntry, TagExternalRepo, TagGroup,
    TagId, TagTree, TaggedBuild,
};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InheritError {
    #[error("the {what} of tag {tag} were not loaded")]
    Missing { tag: String, what: &'static str },
    #[error(
        "pkg_filter `{pattern}` (link {child} -> {parent}) is not a usable regular expression: {msg}"
    )]
    BadFilter {
        pattern: String,
        child: String,
        parent: String,
        msg: String,
    },
}

/// The full inheritance of `root`, as `getFullInheritance(root, reverse=...)` answers.
///
/// `links(tag)` gives a tag's links: its parents (forward) or its children (reverse), in
/// the order the hub reads them (ascending priority; for children, ties in the hub's table
/// order). `None` means the tag's links were not loaded.
pub fn full_inheritance<F>(
    root: TagId,
    reverse: bool,
    mut links: F,
) -> Result<Vec<InheritanceEntry>, InheritError>
where
    F: FnMut(TagId) -> Option<Vec<InheritanceLink>>,
{
    let mut walk = Walk {
        reverse,
        order: Vec::new(),
        path: Vec::new(),
        hist: HashMap::new(),
        links: &mut links,
    };
    walk.recurse(root, 0, None, false, &[])?;
    Ok(walk.order)
}

/// The forward walk over the links loaded in `tree`.
pub fn tree_inheritance(tree: &TagTree) -> Result<Vec<InheritanceEntry>, InheritError> {
    full_inheritance(tree.root, false, |t| {
        tree.parents(t).map(sorted_by_priority)
    })
}

/// Children lists for reverse walks from a set of links. `links` must come in the hub's
/// table order (for a Koji hub: by the event that created each link); ties in priority keep
/// that order.
pub fn children_index(links: &[InheritanceLink]) -> HashMap<TagId, Vec<InheritanceLink>> {
    let mut index: HashMap<TagId, Vec<InheritanceLink>> = HashMap::new();
    for l in links {
        index.entry(l.parent).or_default().push(l.clone());
    }
    for v in index.values_mut() {
        v.sort_by_key(|l| l.priority);
    }
    index
}

fn sorted_by_priority(links: &[InheritanceLink]) -> Vec<InheritanceLink> {
    let mut v = links.to_vec();
    v.sort_by_key(|l| l.priority);
    v
}

struct Walk<'a, F> {
    reverse: bool,
    order: Vec<InheritanceEntry>,
    /// Tags on the path from the root to the tag being expanded (the hub's `top`).
    path: Vec<TagId>,
    /// Indexes into `order` of the entries seen for each tag (the hub's `hist`).
    hist: HashMap<TagId, Vec<usize>>,
    links: &'a mut F,
}

impl<F> Walk<'_, F>
where
    F: FnMut(TagId) -> Option<Vec<InheritanceLink>>,
{
    fn recurse(
        &mut self,
        tag: TagId,
        currdepth: i64,
        maxdepth: Option<i64>,
        noconfig: bool,
        pfilter: &[String],
    ) -> Result<(), InheritError> {
        if maxdepth.is_some_and(|m| m < 1) {
            return Ok(());
        }
        let currdepth = currdepth + 1;
        let node = (self.links)(tag).ok_or_else(|| InheritError::Missing {
            tag: self.describe(tag),
            what: if self.reverse { "children" } else { "parents" },
        })?;
        self.path.push(tag);
        let mut noconfig = noconfig;
        for link in node {
            let id = if self.reverse {
                link.child
            } else {
                link.parent
            };
            if self.path.contains(&id) {
                continue; // a loop: the hub prunes it
            }
            if link.intransitive && self.path.len() > 1 && !self.reverse {
                continue;
            }
            let nextdepth = if self.reverse {
                if link.maxdepth.is_some_and(|m| m < currdepth - 1) {
                    continue;
                }
                None
            } else {
                match (link.maxdepth, maxdepth) {
                    (None, None) => None,
                    (None, Some(m)) => Some(m - 1),
                    (Some(n), None) => Some(n),
                    (Some(n), Some(m)) => Some(n.min(m) - 1),
                }
            };
            if link.noconfig {
                noconfig = true;
            }
            let mut filter = pfilter.to_vec();
            if !link.pkg_filter.is_empty() {
                filter.push(link.pkg_filter.clone());
            }
            if let Some(previous) = self.hist.get(&id) {
                let rescan = previous.iter().all(|&i| {
                    let prev = &self.order[i];
                    let deeper = match (nextdepth, prev.nextdepth) {
                        (None, last) => last.is_some(),
                        (Some(next), Some(last)) => last < next,
                        (Some(_), None) => false,
                    };
                    deeper || (prev.link.noconfig && !noconfig) || !prev.filter.is_empty()
                });
                if !rescan {
                    continue;
                }
            }
            let name = if self.reverse {
                link.child_name.clone()
            } else {
                link.parent_name.clone()
            };
            let follow = !(link.intransitive && self.reverse);
            self.hist.entry(id).or_default().push(self.order.len());
            self.order.push(InheritanceEntry {
                link,
                tag: id,
                name,
                currdepth,
                nextdepth,
                filter: filter.clone(),
            });
            if follow {
                self.recurse(id, currdepth, nextdepth, noconfig, &filter)?;
            }
        }
        self.path.pop();
        Ok(())
    }

    fn describe(&self, tag: TagId) -> String {
        let name = self
            .order
            .iter()
            .rev()
            .find(|e| e.tag == tag)
            .map(|e| &e.name);
        match name {
            Some(n) => format!("`{n}` ({tag})"),
            None => format!("{tag}"),
        }
    }
}

fn describe(tree: &TagTree, tag: TagId) -> String {
    match tree.name_of(tag) {
        Some(n) => format!("`{n}` ({tag})"),
        None => format!("{tag}"),
    }
}

/// A compiled `pkg_filter`: Python's `re.match`, anchored at the start only.
fn compile_filter(pattern: &str, link: &InheritanceLink) -> Result<regex::Regex, InheritError> {
    regex::Regex::new(&format!("^(?:{pattern})")).map_err(|e| InheritError::BadFilter {
        pattern: pattern.to_owned(),
        child: link.child_name.clone(),
        parent: link.parent_name.clone(),
        msg: e.to_string(),
    })
}

/// The package list of the root with inheritance (`listPackages(tagID, inherited=True)`),
/// blocked entries included, in the hub's order.
pub fn package_list(
    tree: &TagTree,
    walk: &[InheritanceEntry],
) -> Result<Vec<PackageEntry>, InheritError> {
    let own = |tag: TagId| {
        tree.data(tag)
            .and_then(|d| d.packages.as_deref())
            .ok_or_else(|| InheritError::Missing {
                tag: describe(tree, tag),
                what: "package list entries",
            })
    };
    let mut out: Vec<PackageEntry> = Vec::new();
    let mut seen: HashSet<i64> = HashSet::new();
    for p in own(tree.root)? {
        if seen.insert(p.package_id) {
            out.push(p.clone());
        } else if let Some(slot) = out.iter_mut().find(|q| q.package_id == p.package_id) {
            // the hub keeps the last row of the tag's own query
            *slot = p.clone();
        }
    }
    let mut cache: HashMap<String, regex::Regex> = HashMap::new();
    for entry in walk {
        for pat in &entry.filter {
            if !cache.contains_key(pat) {
                cache.insert(pat.clone(), compile_filter(pat, &entry.link)?);
            }
        }
        let filters: Vec<&regex::Regex> =
            entry.filter.iter().filter_map(|p| cache.get(p)).collect();
        for p in own(entry.tag)? {
            if seen.contains(&p.package_id) {
                continue;
            }
            if filters.iter().any(|re| !re.is_match(&p.package_name)) {
                continue;
            }
            seen.insert(p.package_id);
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// Builds tagged into the root (`listTagged(tag, inherit, latest)`), in the hub's order.
/// `packages` is the root's inherited package list ([`package_list`]), which decides which
/// builds count at all, with or without inheritance.
pub fn tagged_builds(
    tree: &TagTree,
    walk: &[InheritanceEntry],
    packages: &[PackageEntry],
    inherit: bool,
    latest: bool,
) -> Result<Vec<TaggedBuild>, InheritError> {
    let listed: HashMap<i64, bool> = packages.iter().map(|p| (p.package_id, p.blocked)).collect();
    let mut taglist = vec![tree.root];
    if inherit {
        taglist.extend(walk.iter().map(|e| e.tag));
    }
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for tag in taglist {
        let builds = tree
            .data(tag)
            .and_then(|d| d.builds.as_deref())
            .ok_or_else(|| InheritError::Missing {
                tag: describe(tree, tag),
                what: "tagged builds",
            })?;
        for b in builds {
            if listed.get(&b.package_id) != Some(&false) {
                continue; // not listed, or blocked
            }
            if latest && !seen.insert(b.package_id) {
                continue;
            }
            out.push(b.clone());
        }
    }
    Ok(out)
}

/// The latest build of a package with inheritance, and what it shadowed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LatestBuild {
    pub build: TaggedBuild,
    /// Other builds of the package that inheritance reaches, in search order: older
    /// taggings in the winning tag and every build of later tags, even higher NVRs.
    pub shadowed: Vec<TaggedBuild>,
}

/// A build that a block in the package list keeps out of the root.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BlockedBuild {
    pub build: TaggedBuild,
    /// The blocking entry.
    pub block: PackageEntry,
}

/// Latest builds with inheritance, each with what it shadowed, plus the builds that blocks
/// hide.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LatestView {
    pub builds: Vec<LatestBuild>,
    pub blocked: Vec<BlockedBuild>,
}

/// [`tagged_builds`] with `inherit` and `latest`, explained.
pub fn latest_builds(
    tree: &TagTree,
    walk: &[InheritanceEntry],
    packages: &[PackageEntry],
) -> Result<LatestView, InheritError> {
    let all = tagged_builds(tree, walk, packages, true, false)?;
    let mut index: HashMap<i64, usize> = HashMap::new();
    let mut builds: Vec<LatestBuild> = Vec::new();
    for b in all {
        match index.get(&b.package_id) {
            Some(&i) => {
                let l = &mut builds[i];
                let dup = l.build.build_id == b.build_id && l.build.tag_id == b.tag_id
                    || l.shadowed
                        .iter()
                        .any(|s| s.build_id == b.build_id && s.tag_id == b.tag_id);
                if !dup {
                    l.shadowed.push(b);
                }
            }
            None => {
                index.insert(b.package_id, builds.len());
                builds.push(LatestBuild {
                    build: b,
                    shadowed: Vec::new(),
                });
            }
        }
    }
    let blocks: HashMap<i64, &PackageEntry> = packages
        .iter()
        .filter(|p| p.blocked)
        .map(|p| (p.package_id, p))
        .collect();
    let mut blocked = Vec::new();
    let mut seen = HashSet::new();
    for tag in std::iter::once(tree.root).chain(walk.iter().map(|e| e.tag)) {
        for b in tree
            .data(tag)
            .and_then(|d| d.builds.as_deref())
            .unwrap_or_default()
        {
            if let Some(block) = blocks.get(&b.package_id)
                && seen.insert((b.build_id, b.tag_id))
            {
                blocked.push(BlockedBuild {
                    build: b.clone(),
                    block: (*block).clone(),
                });
            }
        }
    }
    Ok(LatestView { builds, blocked })
}

/// The external repos a buildroot of the root uses (`getExternalRepoList`): `[root] + walk`
/// in order, each tag's repos by priority, the first sighting of each repo kept.
pub fn external_repos(
    tree: &TagTree,
    walk: &[InheritanceEntry],
) -> Result<Vec<TagExternalRepo>, InheritError> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for tag in std::iter::once(tree.root).chain(walk.iter().map(|e| e.tag)) {
        let repos = tree
            .data(tag)
            .and_then(|d| d.external_repos.as_deref())
            .ok_or_else(|| InheritError::Missing {
                tag: describe(tree, tag),
                what: "external repos",
            })?;
        let mut repos = repos.to_vec();
        repos.sort_by_key(|r| r.priority);
        for r in repos {
            if seen.insert(r.external_repo_id) {
                out.push(r);
            }
        }
    }
    Ok(out)
}

/// Groups as a buildroot gets them (`getTagGroups` without `incl_blocked`): blocked groups,
/// blocked package entries and blocked requirements removed. `groups` is the inherited list
/// with blocked entries (first entry per group and per package already chosen by the hub).
pub fn effective_groups(groups: &[TagGroup]) -> Vec<TagGroup> {
    groups
        .iter()
        .filter(|g| !g.blocked)
        .map(|g| {
            let mut g = g.clone();
            g.packages.retain(|p| !p.blocked);
            g.requires.retain(|r| !r.blocked);
            g
        })
        .collect()
}

/// A tag named in a result: id and name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TagRef {
    pub id: TagId,
    pub name: String,
}

impl TagRef {
    fn of(tree: &TagTree, id: TagId) -> Self {
        Self {
            id,
            name: tree.name_of(id).unwrap_or_default().to_owned(),
        }
    }
}

/// One `extra` key of a build config: its value and the tag it comes from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConfigValue {
    pub key: String,
    pub value: serde_json::Value,
    /// The tag that sets it: the root itself or an ancestor.
    pub from: TagRef,
    pub inherited: bool,
    /// Settings of the same key further down the walk that this one hides (a `None` value
    /// is a block).
    pub shadowed: Vec<(TagRef, Option<serde_json::Value>)>,
}

/// A key that a block removes from the build config.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BlockedExtra {
    pub key: String,
    /// The tag whose block wins.
    pub by: TagRef,
    /// The values the block hides.
    pub hides: Vec<(TagRef, serde_json::Value)>,
}

/// A tag's build configuration with inheritance (`getBuildConfig`), each value with the
/// tag it comes from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BuildConfig {
    pub tag: TagRef,
    /// `None`: no tag on the way sets arches; `Some("")`: explicitly none.
    pub arches: Option<String>,
    /// The ancestor the arches come from (`None`: the tag's own, or unset).
    pub arches_from: Option<TagRef>,
    /// By key.
    pub extra: Vec<ConfigValue>,
    pub blocked: Vec<BlockedExtra>,
    /// Tags of the walk whose configuration a `noconfig` link keeps out.
    pub noconfig: Vec<TagRef>,
}

impl BuildConfig {
    /// The arches as a list (empty when unset or empty).
    pub fn arch_list(&self) -> Vec<&str> {
        self.arches
            .as_deref()
            .map(|a| a.split_whitespace().collect())
            .unwrap_or_default()
    }
}

/// The build config of the root, as `getBuildConfig` computes it: the root's own arches
/// and extra, then for each entry of the walk whose own link is not `noconfig` (only that
/// entry is skipped, not what lies beyond it), arches if none are set yet (`NULL`, not
/// `""`) and every extra key not set yet. A blocked key stops the search for that key and
/// is removed at the end.
pub fn build_config(
    tree: &TagTree,
    walk: &[InheritanceEntry],
) -> Result<BuildConfig, InheritError> {
    let config = |tag: TagId| {
        tree.data(tag)
            .and_then(|d| d.config.as_ref())
            .ok_or_else(|| InheritError::Missing {
                tag: describe(tree, tag),
                what: "configuration (arches, extra)",
            })
    };
    let root = config(tree.root)?;
    let mut arches = root.arches.clone();
    let mut arches_from = None;
    // key -> (setting, tag), first setting wins
    let mut chosen: std::collections::BTreeMap<String, (ExtraSetting, TagId)> = root
        .extra
        .iter()
        .map(|(k, v)| (k.clone(), (v.clone(), tree.root)))
        .collect();
    let mut shadowed: HashMap<String, Vec<(TagRef, Option<serde_json::Value>)>> = HashMap::new();
    let mut noconfig = Vec::new();
    let mut visited = HashSet::new();
    for entry in walk {
        if entry.link.noconfig {
            noconfig.push(TagRef::of(tree, entry.tag));
            continue;
        }
        if !visited.insert(entry.tag) {
            continue; // a rescan adds nothing: every key it has is set by now
        }
        let cfg = config(entry.tag)?;
        if arches.is_none() && cfg.arches.is_some() {
            arches.clone_from(&cfg.arches);
            arches_from = Some(TagRef::of(tree, entry.tag));
        }
        for (k, v) in &cfg.extra {
            if chosen.contains_key(k) {
                let value = match v {
                    ExtraSetting::Value(v) => Some(v.clone()),
                    ExtraSetting::Blocked => None,
                };
                shadowed
                    .entry(k.clone())
                    .or_default()
                    .push((TagRef::of(tree, entry.tag), value));
            } else {
                chosen.insert(k.clone(), (v.clone(), entry.tag));
            }
        }
    }
    let mut extra = Vec::new();
    let mut blocked = Vec::new();
    for (key, (setting, tag)) in chosen {
        let hidden = shadowed.remove(&key).unwrap_or_default();
        match setting {
            ExtraSetting::Value(value) => extra.push(ConfigValue {
                key,
                value,
                from: TagRef::of(tree, tag),
                inherited: tag != tree.root,
                shadowed: hidden,
            }),
            ExtraSetting::Blocked => blocked.push(BlockedExtra {
                key,
                by: TagRef::of(tree, tag),
                hides: hidden
                    .into_iter()
                    .filter_map(|(t, v)| Some((t, v?)))
                    .collect(),
            }),
        }
    }
    Ok(BuildConfig {
        tag: TagRef::of(tree, tree.root),
        arches,
        arches_from,
        extra,
        blocked,
        noconfig,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tag::TagData;

    fn link(child: i64, parent: i64, priority: i64) -> InheritanceLink {
        InheritanceLink {
            child: TagId(child),
            child_name: format!("t{child}"),
            parent: TagId(parent),
            parent_name: format!("t{parent}"),
            priority,
            maxdepth: None,
            intransitive: false,
            noconfig: false,
            pkg_filter: String::new(),
        }
    }

    fn walk_of(links: &[InheritanceLink], root: i64) -> Vec<(String, i64, Option<i64>)> {
        let w = full_inheritance(TagId(root), false, |t| {
            Some(sorted_by_priority(
                &links
                    .iter()
                    .filter(|l| l.child == t)
                    .cloned()
                    .collect::<Vec<_>>(),
            ))
        })
        .unwrap();
        w.into_iter()
            .map(|e| (e.name, e.currdepth, e.nextdepth))
            .collect()
    }

    #[test]
    fn depth_first_by_priority() {
        // 1 -> 3 (prio 2), 1 -> 2 (prio 1), 2 -> 4: 2's subtree comes before 3
        let links = [link(1, 3, 2), link(1, 2, 1), link(2, 4, 0)];
        let w = walk_of(&links, 1);
        let names: Vec<_> = w.iter().map(|x| x.0.as_str()).collect();
        assert_eq!(names, ["t2", "t4", "t3"]);
        assert_eq!(w[1].1, 2);
    }

    #[test]
    fn maxdepth_arithmetic_and_rescan() {
        // 1 -> 2 (maxdepth 1, prio 1); 2 -> 3; 3 -> 4; 1 -> 3 (prio 2)
        let mut l12 = link(1, 2, 1);
        l12.maxdepth = Some(1);
        let links = [l12, link(1, 3, 2), link(2, 3, 0), link(3, 4, 0)];
        let w = walk_of(&links, 1);
        assert_eq!(
            w,
            vec![
                ("t2".into(), 1, Some(1)),
                ("t3".into(), 2, Some(0)),
                // 3 again: the direct link reaches deeper (None beats Some(0))
                ("t3".into(), 1, None),
                ("t4".into(), 2, None),
            ]
        );
    }

    #[test]
    fn intransitive_only_from_the_root_and_loops_pruned() {
        let mut l23 = link(2, 3, 0);
        l23.intransitive = true;
        let links = [link(1, 2, 0), l23.clone(), link(3, 1, 0)];
        let from1: Vec<_> = walk_of(&links, 1).into_iter().map(|x| x.0).collect();
        assert_eq!(from1, ["t2"]);
        let from2: Vec<_> = walk_of(&links, 2).into_iter().map(|x| x.0).collect();
        // 2 -> 3 (intransitive, followed at the root) -> 1 -> 2 is a loop
        assert_eq!(from2, ["t3", "t1"]);
    }

    #[test]
    fn missing_links_are_reported() {
        let err = full_inheritance(TagId(1), false, |t| {
            (t == TagId(1)).then(|| vec![link(1, 2, 0)])
        })
        .unwrap_err();
        assert!(matches!(
            err,
            InheritError::Missing {
                what: "parents",
                ..
            }
        ));
    }

    fn pkg(id: i64, name: &str, tag: i64, blocked: bool) -> PackageEntry {
        PackageEntry {
            package_id: id,
            package_name: name.into(),
            tag_id: TagId(tag),
            tag_name: format!("t{tag}"),
            owner_id: None,
            owner_name: None,
            blocked,
            extra_arches: None,
        }
    }

    fn build(id: i64, pkg: i64, name: &str, vr: &str, tag: i64, event: i64) -> TaggedBuild {
        TaggedBuild {
            build_id: id,
            package_id: pkg,
            package_name: name.into(),
            version: vr.split('-').next().unwrap_or_default().into(),
            release: vr.split('-').nth(1).unwrap_or_default().into(),
            epoch: None,
            nvr: format!("{name}-{vr}"),
            tag_id: TagId(tag),
            tag_name: format!("t{tag}"),
            owner_name: "o".into(),
            create_event: event,
            state: 1,
            completion_time: None,
            draft: false,
        }
    }

    #[test]
    fn filters_blocks_and_first_tag_wins() {
        // root 1 -> 2 (filter ^b), 2 -> 3
        let mut l12 = link(1, 2, 0);
        l12.pkg_filter = "b".into();
        let mut tree = TagTree::new(TagId(1));
        tree.tags.insert(
            TagId(1),
            TagData {
                parents: Some(vec![l12]),
                packages: Some(vec![pkg(3, "cpio", 1, true)]),
                builds: Some(vec![]),
                ..TagData::default()
            },
        );
        tree.tags.insert(
            TagId(2),
            TagData {
                parents: Some(vec![link(2, 3, 0)]),
                packages: Some(vec![pkg(1, "bash", 2, false), pkg(2, "gcc", 2, false)]),
                // latest tagging first: 4.2.1 was tagged after 4.2.9
                builds: Some(vec![
                    build(11, 1, "bash", "4.2.1-1", 2, 20),
                    build(10, 1, "bash", "4.2.9-1", 2, 10),
                ]),
                ..TagData::default()
            },
        );
        tree.tags.insert(
            TagId(3),
            TagData {
                parents: Some(vec![]),
                packages: Some(vec![pkg(3, "cpio", 3, false), pkg(4, "bzip2", 3, false)]),
                builds: Some(vec![
                    build(12, 1, "bash", "5.0-1", 3, 30),
                    build(13, 3, "cpio", "2.1-1", 3, 31),
                    build(14, 4, "bzip2", "1.0-1", 3, 32),
                ]),
                ..TagData::default()
            },
        );
        let walk = tree_inheritance(&tree).unwrap();
        assert_eq!(walk[1].filter, ["b"]);
        let pkgs = package_list(&tree, &walk).unwrap();
        let names: Vec<_> = pkgs.iter().map(|p| p.package_name.as_str()).collect();
        // gcc fails the filter; cpio's block in the root wins
        assert_eq!(names, ["cpio", "bash", "bzip2"]);
        let latest = tagged_builds(&tree, &walk, &pkgs, true, true).unwrap();
        let nvrs: Vec<_> = latest.iter().map(|b| b.nvr.as_str()).collect();
        assert_eq!(nvrs, ["bash-4.2.1-1", "bzip2-1.0-1"]);
        let view = latest_builds(&tree, &walk, &pkgs).unwrap();
        let shadowed: Vec<_> = view.builds[0]
            .shadowed
            .iter()
            .map(|b| b.nvr.as_str())
            .collect();
        assert_eq!(shadowed, ["bash-4.2.9-1", "bash-5.0-1"]);
        assert_eq!(view.blocked.len(), 1);
        assert_eq!(view.blocked[0].build.nvr, "cpio-2.1-1");
        let own = tagged_builds(&tree, &walk, &pkgs, false, false).unwrap();
        assert!(own.is_empty());
    }

    #[test]
    fn bad_filters_are_errors_not_panics() {
        let mut l12 = link(1, 2, 0);
        l12.pkg_filter = "(".into();
        let mut tree = TagTree::new(TagId(1));
        tree.tags.insert(
            TagId(1),
            TagData {
                parents: Some(vec![l12]),
                packages: Some(vec![]),
                ..TagData::default()
            },
        );
        tree.tags.insert(
            TagId(2),
            TagData {
                parents: Some(vec![]),
                packages: Some(vec![pkg(1, "a", 2, false)]),
                ..TagData::default()
            },
        );
        let walk = tree_inheritance(&tree).unwrap();
        assert!(matches!(
            package_list(&tree, &walk),
            Err(InheritError::BadFilter { .. })
        ));
    }

    #[test]
    fn build_config_follows_noconfig_and_blocks() {
        use crate::model::tag::TagConfig;
        use serde_json::json;
        let cfg = |arches: Option<&str>, extra: &[(&str, Option<serde_json::Value>)]| TagConfig {
            arches: arches.map(str::to_owned),
            extra: extra
                .iter()
                .map(|(k, v)| {
                    let s = v.clone().map_or(ExtraSetting::Blocked, ExtraSetting::Value);
                    ((*k).to_owned(), s)
                })
                .collect(),
        };
        // 1 -> 2 (noconfig), 2 -> 3; 1 -> 4
        let mut l12 = link(1, 2, 0);
        l12.noconfig = true;
        let mut tree = TagTree::new(TagId(1));
        let mut add = |id, parents, c| {
            tree.tags.insert(
                TagId(id),
                TagData {
                    parents: Some(parents),
                    config: Some(c),
                    ..TagData::default()
                },
            );
        };
        add(
            1,
            vec![l12, link(1, 4, 1)],
            cfg(None, &[("a", Some(json!(1)))]),
        );
        add(
            2,
            vec![link(2, 3, 0)],
            cfg(Some("x86_64"), &[("b", Some(json!("two")))]),
        );
        add(
            3,
            vec![],
            cfg(Some("i386"), &[("b", Some(json!("three"))), ("c", None)]),
        );
        add(
            4,
            vec![],
            cfg(
                Some("ppc64"),
                &[("a", Some(json!(4))), ("c", Some(json!(4)))],
            ),
        );
        let walk = tree_inheritance(&tree).unwrap();
        let c = build_config(&tree, &walk).unwrap();
        // tag 2 is skipped (its own link is noconfig), what lies beyond it is not
        assert_eq!(c.arches.as_deref(), Some("i386"));
        assert_eq!(c.arches_from.as_ref().map(|t| t.id), Some(TagId(3)));
        assert_eq!(c.noconfig.len(), 1);
        let keys: Vec<_> = c
            .extra
            .iter()
            .map(|v| (v.key.as_str(), v.from.id))
            .collect();
        assert_eq!(keys, [("a", TagId(1)), ("b", TagId(3))]);
        assert!(!c.extra[0].inherited && c.extra[1].inherited);
        assert_eq!(c.extra[0].shadowed[0].1, Some(json!(4)));
        // c is blocked in 3, which comes before 4
        assert_eq!(c.blocked.len(), 1);
        assert_eq!(c.blocked[0].by.id, TagId(3));
        assert_eq!(c.blocked[0].hides[0].1, json!(4));
        assert_eq!(c.arch_list(), ["i386"]);
        // without configurations loaded, a clear error
        tree.tags.get_mut(&TagId(4)).unwrap().config = None;
        assert!(matches!(
            build_config(&tree, &walk),
            Err(InheritError::Missing { .. })
        ));
    }
}
