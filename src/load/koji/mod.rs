//! Koji data: a live hub over XML-RPC ([`hub`]), client profiles ([`config`]), snapshots
//! ([`snapshot`]), and [`load_tree`], which reads everything the views need about one tag
//! and the tags it inherits from into a [`TagTree`].
//!
//! Loading asks only per-tag questions (each tag's own links, package list entries, tagged
//! builds and external repos) and leaves inheritance to `analysis::inherit`, so bramble can
//! show where each entry comes from and what it shadows. Two things the hub API only gives
//! with inheritance applied are taken from the hub as they are: the root's groups
//! (`getTagGroups`, because a tag's own group package entries are dropped when it has no
//! group row of its own) and, when asked for, the reverse walk (the hub has no call that
//! lists a tag's children).
//!
//! Calls name tags the way the recordings of a real `koji` client do (by name; package
//! lists and targets by id), so a snapshot built from such recordings replays too.

pub mod config;
pub mod externals;
pub mod hub;
pub mod snapshot;
pub mod text;

use std::collections::BTreeSet;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::load::error::{LoadError, Result};
use crate::model::tag::{
    BuildTarget, Event, ExtraSetting, InheritanceEntry, InheritanceLink, LatestRpms, PackageEntry,
    Tag, TagConfig, TagData, TagExternalRepo, TagGroup, TagId, TagTree, TaggedBuild, TaggedRpm,
};
use hub::{Call, KojiSource};

/// What [`load_tree`] reads besides the root and the inheritance links.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Parts {
    /// `getTag` of every inherited tag (arches, extra, locks).
    pub tag_info: bool,
    pub packages: bool,
    pub builds: bool,
    pub external_repos: bool,
    pub groups: bool,
    pub targets: bool,
    pub reverse: bool,
    /// Every tag's own arches and extra with blocks (`getTag(blocked=True)`), for the
    /// build config.
    pub config: bool,
    /// The rpms of the root's latest builds (`listTaggedRPMS(inherit, latest)`), for the
    /// buildroot.
    pub rpms: bool,
}

impl Parts {
    /// Everything (what a snapshot holds).
    pub fn all() -> Self {
        Self {
            tag_info: true,
            packages: true,
            builds: true,
            external_repos: true,
            groups: true,
            targets: true,
            reverse: true,
            config: true,
            rpms: true,
        }
    }
}

/// A `getTag(blocked=True)` answer: extras as `[blocked, value]` pairs.
#[derive(Deserialize)]
struct ConfigRow {
    arches: Option<String>,
    #[serde(default)]
    extra: std::collections::BTreeMap<String, Value>,
}

/// Decodes a `getTag(tag, blocked=True)` answer into the tag's own configuration.
pub fn decode_config(origin: &str, call: &Call, v: Value) -> Result<TagConfig> {
    let row: ConfigRow = decode(origin, call, v)?;
    let extra = row
        .extra
        .into_iter()
        .map(|(k, v)| {
            let setting = match v {
                Value::Array(pair) if pair.len() == 2 && pair[0].is_boolean() => {
                    if pair[0] == Value::Bool(true) {
                        ExtraSetting::Blocked
                    } else {
                        ExtraSetting::Value(pair[1].clone())
                    }
                }
                // a hub that ignored `blocked` sends plain values
                other => ExtraSetting::Value(other),
            };
            (k, setting)
        })
        .collect();
    Ok(TagConfig {
        arches: row.arches,
        extra,
    })
}

/// Decodes an answer into `T`, or an error naming the source and the call.
pub fn decode<T: DeserializeOwned>(origin: &str, call: &Call, v: Value) -> Result<T> {
    serde_json::from_value(v).map_err(|e| LoadError::Rpc {
        origin: origin.to_owned(),
        method: call.to_string(),
        msg: format!("unexpected answer: {e}"),
    })
}

/// A row of `getInheritanceData`.
#[derive(Deserialize)]
struct LinkRow {
    parent_id: i64,
    name: String,
    priority: i64,
    maxdepth: Option<i64>,
    intransitive: bool,
    noconfig: bool,
    #[serde(default)]
    pkg_filter: Option<String>,
}

/// An entry of `getFullInheritance` (forward: `parent_id`, `child_id`, `name` = parent;
/// reverse: `tag_id` = child, `parent_id`, `name` = child).
#[derive(Deserialize)]
struct FullRow {
    parent_id: i64,
    #[serde(default)]
    child_id: Option<i64>,
    #[serde(default)]
    tag_id: Option<i64>,
    name: String,
    priority: i64,
    maxdepth: Option<i64>,
    intransitive: bool,
    noconfig: bool,
    #[serde(default)]
    pkg_filter: Option<String>,
    currdepth: i64,
    nextdepth: Option<i64>,
    #[serde(default)]
    filter: Vec<String>,
}

/// Decodes a `getInheritanceData` answer for `child`.
pub fn decode_links(
    origin: &str,
    call: &Call,
    child: (TagId, &str),
    v: Value,
) -> Result<Vec<InheritanceLink>> {
    let rows: Vec<LinkRow> = decode(origin, call, v)?;
    Ok(rows
        .into_iter()
        .map(|r| InheritanceLink {
            child: child.0,
            child_name: child.1.to_owned(),
            parent: TagId(r.parent_id),
            parent_name: r.name,
            priority: r.priority,
            maxdepth: r.maxdepth,
            intransitive: r.intransitive,
            noconfig: r.noconfig,
            pkg_filter: r.pkg_filter.unwrap_or_default(),
        })
        .collect())
}

/// Decodes a `getFullInheritance` answer. Names the answer does not carry (the child in a
/// forward walk, the parent in a reverse one) come from `name_of`, or stay empty.
pub fn decode_full_inheritance(
    origin: &str,
    call: &Call,
    reverse: bool,
    v: Value,
    name_of: impl Fn(TagId) -> Option<String>,
) -> Result<Vec<InheritanceEntry>> {
    let rows: Vec<FullRow> = decode(origin, call, v)?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let (child, parent) = if reverse {
            (r.tag_id, Some(r.parent_id))
        } else {
            (r.child_id, Some(r.parent_id))
        };
        let (Some(child), Some(parent)) = (child, parent) else {
            return Err(LoadError::Rpc {
                origin: origin.to_owned(),
                method: call.to_string(),
                msg: "unexpected answer: an entry without its child tag".to_owned(),
            });
        };
        let (child, parent) = (TagId(child), TagId(parent));
        let (child_name, parent_name) = if reverse {
            (r.name.clone(), name_of(parent).unwrap_or_default())
        } else {
            (name_of(child).unwrap_or_default(), r.name.clone())
        };
        out.push(InheritanceEntry {
            link: InheritanceLink {
                child,
                child_name,
                parent,
                parent_name,
                priority: r.priority,
                maxdepth: r.maxdepth,
                intransitive: r.intransitive,
                noconfig: r.noconfig,
                pkg_filter: r.pkg_filter.unwrap_or_default(),
            },
            tag: if reverse { child } else { parent },
            name: r.name,
            currdepth: r.currdepth,
            nextdepth: r.nextdepth,
            filter: r.filter,
        });
    }
    Ok(out)
}

/// What to load: a tag (name as the user gave it) at an event, and which parts.
#[derive(Clone, Debug)]
pub struct TreeRequest {
    pub tag: String,
    pub event: Option<i64>,
    pub parts: Parts,
}

/// Loads the root tag, every tag its inheritance reaches, and the requested parts of each.
pub fn load_tree(src: &dyn KojiSource, req: &TreeRequest) -> Result<TagTree> {
    let origin = src.origin().to_owned();
    let ev = req.event;
    let get = Call::new("getTag", vec![Value::from(req.tag.as_str())]).at(ev);
    let answer = src.call(&get)?;
    if answer.is_null() {
        return Err(LoadError::Rpc {
            origin,
            method: get.to_string(),
            msg: format!("no such tag `{}`", req.tag),
        });
    }
    let root: Tag = decode(&origin, &get, answer)?;
    let mut tree = TagTree::new(root.id);
    tree.event = ev;
    let last = Call::new("getLastEvent", vec![]);
    tree.last_event = Some(decode::<Event>(&origin, &last, src.call(&last)?)?);
    let root_name = root.name.clone();
    tree.tags.insert(
        root.id,
        TagData {
            tag: Some(root),
            ..TagData::default()
        },
    );

    // Links: walk with what is loaded, fetch the links of every tag the walk reached but
    // could not expand, until nothing is missing. Only tags the walk really visits are read,
    // so an intransitive link or a maxdepth keeps whole subtrees out.
    let mut names = vec![(tree.root, root_name.clone())];
    loop {
        let mut missing: Vec<(TagId, String)> = Vec::new();
        for (id, name) in &names {
            if tree.parents(*id).is_none() {
                missing.push((*id, name.clone()));
            }
        }
        if missing.is_empty() {
            break;
        }
        let calls: Vec<Call> = missing
            .iter()
            .map(|(_, n)| Call::new("getInheritanceData", vec![Value::from(n.as_str())]).at(ev))
            .collect();
        let answers = src.multicall(&calls)?;
        for (((id, name), call), answer) in missing.iter().zip(&calls).zip(answers) {
            let links = decode_links(&origin, call, (*id, name), answer?)?;
            tree.tags.entry(*id).or_default().parents = Some(links);
        }
        names = reached_tags(&tree);
    }
    let mut seen = BTreeSet::new();
    let mut walked: Vec<(TagId, String)> = Vec::new();
    for (id, name) in std::iter::once((tree.root, root_name.clone())).chain(reached_tags(&tree)) {
        if seen.insert(id) {
            walked.push((id, name));
        }
    }

    // Per-tag content, in one batch.
    let p = req.parts;
    let mut calls: Vec<(TagId, Kind, Call)> = Vec::new();
    for (id, name) in &walked {
        let n = || Value::from(name.as_str());
        if p.tag_info && *id != tree.root {
            calls.push((*id, Kind::Tag, Call::new("getTag", vec![n()]).at(ev)));
        }
        if p.packages {
            let c = Call::new("listPackages", vec![]).kw("tagID", id.0).at(ev);
            calls.push((*id, Kind::Packages, c));
        }
        if p.builds {
            calls.push((*id, Kind::Builds, Call::new("listTagged", vec![n()]).at(ev)));
        }
        if p.external_repos {
            let c = Call::new("getTagExternalRepos", vec![])
                .kw("tag_info", name.as_str())
                .at(ev);
            calls.push((*id, Kind::Repos, c));
        }
        if p.config {
            let c = Call::new("getTag", vec![n()]).at(ev).kw("blocked", true);
            calls.push((*id, Kind::Config, c));
        }
    }
    let r = Value::from(root_name.as_str());
    if p.groups {
        let c = Call::new("getTagGroups", vec![r.clone()])
            .at(ev)
            .kw("incl_blocked", true);
        calls.push((tree.root, Kind::Groups, c));
    }
    if p.targets {
        for key in ["buildTagID", "destTagID"] {
            let c = Call::new("getBuildTargets", vec![])
                .kw(key, tree.root.0)
                .at(ev);
            calls.push((tree.root, Kind::Targets, c));
        }
    }
    if p.rpms {
        let c = Call::new("listTaggedRPMS", vec![r.clone()])
            .at(ev)
            .kw("inherit", true)
            .kw("latest", true);
        calls.push((tree.root, Kind::Rpms, c));
    }
    if p.reverse {
        let c = Call::new("getFullInheritance", vec![r])
            .at(ev)
            .kw("reverse", true);
        calls.push((tree.root, Kind::Reverse, c));
    }
    let just_calls: Vec<Call> = calls.iter().map(|(_, _, c)| c.clone()).collect();
    let answers = src.multicall(&just_calls)?;
    for ((id, kind, call), answer) in calls.into_iter().zip(answers) {
        let v = answer?;
        match kind {
            Kind::Tag => {
                if v.is_null() {
                    return Err(LoadError::Rpc {
                        origin,
                        method: call.to_string(),
                        msg: "the tag vanished while loading".to_owned(),
                    });
                }
                tree.tags.entry(id).or_default().tag = Some(decode(&origin, &call, v)?);
            }
            Kind::Packages => {
                let v: Vec<PackageEntry> = decode(&origin, &call, v)?;
                tree.tags.entry(id).or_default().packages = Some(v);
            }
            Kind::Builds => {
                let v: Vec<TaggedBuild> = decode(&origin, &call, v)?;
                tree.tags.entry(id).or_default().builds = Some(v);
            }
            Kind::Repos => {
                let v: Vec<TagExternalRepo> = decode(&origin, &call, v)?;
                tree.tags.entry(id).or_default().external_repos = Some(v);
            }
            Kind::Config => {
                tree.tags.entry(id).or_default().config = Some(decode_config(&origin, &call, v)?);
            }
            Kind::Rpms => {
                let (rpms, builds): (Vec<TaggedRpm>, Vec<TaggedBuild>) = decode(&origin, &call, v)?;
                tree.rpms = Some(LatestRpms { rpms, builds });
            }
            Kind::Groups => tree.groups = Some(decode::<Vec<TagGroup>>(&origin, &call, v)?),
            Kind::Targets => {
                let v: Vec<BuildTarget> = decode(&origin, &call, v)?;
                let targets = tree.targets.get_or_insert_with(Vec::new);
                for t in v {
                    if !targets.iter().any(|x| x.id == t.id) {
                        targets.push(t);
                    }
                }
            }
            Kind::Reverse => {
                let names_tree = tree.clone();
                let entries = decode_full_inheritance(&origin, &call, true, v, |t| {
                    names_tree.name_of(t).map(str::to_owned)
                })?;
                tree.reverse = Some(entries);
            }
        }
    }
    Ok(tree)
}

#[derive(Clone, Copy)]
enum Kind {
    Tag,
    Packages,
    Builds,
    Repos,
    Groups,
    Targets,
    Reverse,
    Config,
    Rpms,
}

/// Every tag the forward walk reaches over the links loaded so far (unloaded tags count as
/// leaves), so the caller can load the missing ones. The walk itself lives in analysis,
/// which load may not use (layering); this is only its reachability part, with the same
/// rules for which tags are visited.
fn reached_tags(tree: &TagTree) -> Vec<(TagId, String)> {
    let mut out = Vec::new();
    let mut path = Vec::new();
    reach(tree, tree.root, None, &mut path, &mut out);
    out.into_iter().map(|e| (e.tag, e.name)).collect()
}

/// Which tags `readFullInheritance` visits (loops pruned, intransitive links only from the
/// root, maxdepth propagated); visiting a tag twice is harmless here, so no rescan logic.
fn reach(
    tree: &TagTree,
    tag: TagId,
    maxdepth: Option<i64>,
    path: &mut Vec<TagId>,
    out: &mut Vec<InheritanceEntry>,
) {
    if maxdepth.is_some_and(|m| m < 1) {
        return;
    }
    let Some(links) = tree.parents(tag) else {
        return;
    };
    let mut links = links.to_vec();
    links.sort_by_key(|l| l.priority);
    path.push(tag);
    for link in links {
        if path.contains(&link.parent) || (link.intransitive && path.len() > 1) {
            continue;
        }
        let next = match (link.maxdepth, maxdepth) {
            (None, None) => None,
            (None, Some(m)) => Some(m - 1),
            (Some(n), None) => Some(n),
            (Some(n), Some(m)) => Some(n.min(m) - 1),
        };
        // a tag already listed with at least this much depth left adds nothing new
        let covered = out.iter().any(|e: &InheritanceEntry| {
            e.tag == link.parent
                && match (e.nextdepth, next) {
                    (None, _) => true,
                    (Some(a), Some(b)) => a >= b,
                    (Some(_), None) => false,
                }
        });
        if covered {
            continue;
        }
        out.push(InheritanceEntry {
            tag: link.parent,
            name: link.parent_name.clone(),
            currdepth: path.len() as i64,
            nextdepth: next,
            filter: Vec::new(),
            link: link.clone(),
        });
        reach(tree, link.parent, next, path, out);
    }
    path.pop();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::koji::snapshot::{Recorded, Snapshot, SnapshotFile};
    use serde_json::json;

    fn rec(method: &str, args: Vec<Value>, kwargs: Value, result: Value) -> Recorded {
        Recorded {
            call: Call {
                method: method.into(),
                args,
                kwargs: serde_json::from_value(kwargs).unwrap(),
            },
            result,
            fault: None,
        }
    }

    fn link(parent: i64, name: &str, prio: i64, intransitive: bool) -> Value {
        json!({"parent_id": parent, "name": name, "priority": prio, "maxdepth": null,
               "intransitive": intransitive, "noconfig": false, "pkg_filter": ""})
    }

    fn tag(id: i64, name: &str) -> Value {
        json!({"id": id, "name": name, "arches": "", "locked": false, "perm": null, "extra": {}})
    }

    #[test]
    fn loads_only_what_the_walk_visits() {
        // a -> b -> c (intransitive: never followed from a); c's data is absent
        let calls = vec![
            rec("getTag", vec![json!("a")], json!({}), tag(1, "a")),
            rec(
                "getLastEvent",
                vec![],
                json!({}),
                json!({"id": 9, "ts": 1.5}),
            ),
            rec(
                "getInheritanceData",
                vec![json!("a")],
                json!({}),
                json!([link(2, "b", 0, false)]),
            ),
            rec(
                "getInheritanceData",
                vec![json!("b")],
                json!({}),
                json!([link(3, "c", 0, true)]),
            ),
            rec("getTag", vec![json!("b")], json!({}), tag(2, "b")),
        ];
        let snap = Snapshot::from_file_content(
            "test",
            SnapshotFile {
                format: snapshot::FORMAT.into(),
                version: 1,
                hub: "h".into(),
                tags: vec!["a".into()],
                event: None,
                calls,
            },
        );
        let req = TreeRequest {
            tag: "a".into(),
            event: None,
            parts: Parts {
                tag_info: true,
                ..Parts::default()
            },
        };
        let tree = load_tree(&snap, &req).unwrap();
        assert_eq!(tree.tags.len(), 2);
        assert_eq!(tree.tag(TagId(2)).map(|t| t.name.as_str()), Some("b"));
        assert_eq!(tree.last_event.as_ref().map(|e| e.id), Some(9));
        // asking for more than the snapshot holds names the missing call
        let req = TreeRequest {
            parts: Parts {
                packages: true,
                ..Parts::default()
            },
            ..req
        };
        let e = load_tree(&snap, &req).unwrap_err().to_string();
        assert!(e.contains("listPackages(tagID=1)"), "{e}");
    }

    #[test]
    fn a_missing_tag_is_a_clear_error() {
        let snap = Snapshot::from_file_content(
            "test",
            SnapshotFile {
                format: snapshot::FORMAT.into(),
                version: 1,
                hub: "h".into(),
                tags: vec![],
                event: None,
                calls: vec![rec("getTag", vec![json!("x")], json!({}), Value::Null)],
            },
        );
        let req = TreeRequest {
            tag: "x".into(),
            event: None,
            parts: Parts::default(),
        };
        let e = load_tree(&snap, &req).unwrap_err().to_string();
        assert!(e.contains("no such tag `x`"), "{e}");
    }
}
