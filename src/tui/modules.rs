//! The Modules view's document: module → streams → contexts → artifacts (present, with a
//! link to the package, or missing), profiles (default ones marked), defaults, obsoletes,
//! and the problems `bramble modules --problems` reports. The module state is dnf's
//! default one (defaults active, nothing enabled or disabled), as `bramble modules` shows
//! without options. Also: which stream each package is an artifact of, so the Packages
//! view can jump to it (`m`).

use std::collections::{BTreeMap, HashMap};

use super::doc::{Doc, Link, s};
use super::theme::Role;
use crate::analysis::modules::{ModuleConfig, PlatformSource, module_problems, resolve};
use crate::model::module::ModuleIndex;
use crate::model::package::{PkgId, RepoId};
use crate::model::pool::Pool;

/// The document, the stream (`name:stream`) of each modular package, and how many
/// problems were found.
pub struct ModulesPage {
    pub doc: Doc,
    pub stream_of: HashMap<PkgId, String>,
    pub problems: usize,
    pub streams: usize,
}

/// The anchor of a stream's row.
pub fn stream_anchor(name_stream: &str) -> String {
    format!("stream:{name_stream}")
}

pub fn build(pool: &Pool, indexes: &[(RepoId, ModuleIndex)]) -> ModulesPage {
    let refs: Vec<(RepoId, &ModuleIndex)> = indexes.iter().map(|(r, i)| (*r, i)).collect();
    let mut state = resolve(pool, &refs, &ModuleConfig::default());
    // No system-release says which platform this is (a repo looked at on its own): when
    // every stream asks for the same platform stream, take that one and say so, rather
    // than show every stream inactive.
    let mut guessed = None;
    if state.platform.is_none() {
        let wanted: std::collections::BTreeSet<&str> = state
            .entries
            .iter()
            .flat_map(|e| e.stream.dependencies.iter())
            .filter_map(|d| d.requires.get("platform"))
            .flatten()
            .map(String::as_str)
            .filter(|s| !s.starts_with('-'))
            .collect();
        if let [only] = wanted.into_iter().collect::<Vec<_>>()[..] {
            let cfg = ModuleConfig {
                platform: Some(format!("platform:{only}")),
                ..ModuleConfig::default()
            };
            guessed = Some(only.to_string());
            state = resolve(pool, &refs, &cfg);
        }
    }
    let problems = module_problems(pool, &state);
    let mut d = Doc::new();
    let mut stream_of = HashMap::new();
    if state.is_empty() {
        d.line(vec![s(
            "No module metadata loaded (a repo with a `modules` record in repomd.xml adds it).",
            Role::Dim,
        )]);
        return ModulesPage {
            doc: d,
            stream_of,
            problems: 0,
            streams: 0,
        };
    }
    let platform = match (&state.platform, &state.platform_source) {
        (Some((n, st)), PlatformSource::ReleasePackage { package }) => {
            format!("platform {n}:{st} (from {package})")
        }
        (Some((n, st)), _) if guessed.is_some() => format!(
            "platform {n}:{st} (what the streams require; no system-release names one; \
             `bramble modules --module-platform-id` to choose)"
        ),
        (Some((n, st)), _) => format!("platform {n}:{st}"),
        (None, _) => "platform not detected (no system-release with base-module())".into(),
    };
    d.line(vec![s(platform, Role::Dim)]);
    d.blank();
    d.heading(&format!("Problems: {}", problems.len()));
    if problems.is_empty() {
        d.line(vec![s("  none", Role::Ok)]);
    }
    for p in &problems {
        d.line(vec![s(format!("  {}", p.describe()), Role::Error)]);
    }
    // artifacts present, by NEVRA key
    let mut by_key: HashMap<(String, u32, String, String, String), PkgId> = HashMap::new();
    for id in pool.ids() {
        let p = pool.pkg(id);
        by_key.insert(
            (
                pool.str(p.name).to_string(),
                p.epoch,
                pool.str(p.version).to_string(),
                pool.str(p.release).to_string(),
                pool.str(p.arch).to_string(),
            ),
            id,
        );
    }
    // module -> stream -> entries
    let mut tree: BTreeMap<&str, BTreeMap<&str, Vec<usize>>> = BTreeMap::new();
    for (i, e) in state.entries.iter().enumerate() {
        tree.entry(e.stream.name.as_str())
            .or_default()
            .entry(e.stream.stream.as_str())
            .or_default()
            .push(i);
    }
    for (module, streams) in &tree {
        d.blank();
        let st = state.state_of(module);
        let default = state.default_stream(module);
        d.heading(&format!(
            "{module}  ({}{})",
            serde_json::to_value(st)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            default
                .map(|d| format!(", default stream {d}"))
                .unwrap_or_default()
        ));
        for (stream, entries) in streams {
            let active = entries.iter().any(|&i| state.active[i]);
            let mut spans = vec![s(format!("  {stream}"), Role::Normal)];
            if default == Some(*stream) {
                spans.push(s(" [d]", Role::Ok));
            }
            if state.enabled.get(*module).map(String::as_str) == Some(*stream) {
                spans.push(s(" [e]", Role::Ok));
            }
            spans.push(if active {
                s("  active", Role::Ok)
            } else {
                s("  inactive (its artifacts are hidden)", Role::Dim)
            });
            d.line(spans);
            let key = format!("{module}:{stream}");
            d.anchor(stream_anchor(&key));
            for &i in entries {
                let e = &state.entries[i];
                let m = e.stream;
                d.line(vec![
                    s(
                        format!("    {}:{}.{}", m.version, m.context, m.arch),
                        Role::Normal,
                    ),
                    s(format!("  {}", pool.repos[e.repo.index()].name), Role::Dim),
                    s(format!("  {}", m.summary.trim()), Role::Dim),
                ]);
                let default_profiles: Vec<&String> = state
                    .defaults
                    .get(*module)
                    .and_then(|d| d.profiles.get(*stream))
                    .map(|v| v.iter().collect())
                    .unwrap_or_default();
                if !m.profiles.is_empty() {
                    let ps: Vec<String> = m
                        .profiles
                        .iter()
                        .map(|(n, p)| {
                            format!(
                                "{n}{} ({})",
                                if default_profiles.contains(&n) {
                                    " [d]"
                                } else {
                                    ""
                                },
                                p.rpms.join(" ")
                            )
                        })
                        .collect();
                    d.line(vec![
                        s("      profiles: ", Role::Dim),
                        s(ps.join("; "), Role::Normal),
                    ]);
                }
                if !m.dependencies.is_empty() {
                    for dep in &m.dependencies {
                        let reqs: Vec<String> = dep
                            .requires
                            .iter()
                            .map(|(n, v)| {
                                if v.is_empty() {
                                    n.clone()
                                } else {
                                    format!("{n}:[{}]", v.join(","))
                                }
                            })
                            .collect();
                        if !reqs.is_empty() {
                            d.line(vec![
                                s("      requires: ", Role::Dim),
                                s(reqs.join(", "), Role::Normal),
                            ]);
                        }
                    }
                }
                for a in m.parsed_artifacts() {
                    let text = format!(
                        "      {}-{}:{}-{}.{}",
                        a.name, a.epoch, a.version, a.release, a.arch
                    );
                    let k = (
                        a.name.to_string(),
                        a.epoch,
                        a.version.to_string(),
                        a.release.to_string(),
                        a.arch.to_string(),
                    );
                    match by_key.get(&k) {
                        Some(&id) => {
                            stream_of.entry(id).or_insert_with(|| key.clone());
                            d.push(vec![s(text, Role::Link)], Some(Link::Package(id)));
                        }
                        None if a.arch == "src" || a.arch == "nosrc" => {
                            d.line(vec![s(text, Role::Dim), s("  (source)", Role::Dim)]);
                        }
                        None => {
                            d.line(vec![s(text, Role::Error), s("  MISSING", Role::Error)]);
                        }
                    }
                }
            }
        }
        for (repo, o) in state.obsoletes.iter().filter(|(_, o)| o.module == *module) {
            let by = o
                .obsoleted_by
                .as_ref()
                .map(|(m, st)| format!(", replaced by {m}:{st}"))
                .unwrap_or_default();
            let link = o
                .obsoleted_by
                .as_ref()
                .map(|(m, st)| Link::Stream(format!("{m}:{st}")));
            d.push(
                vec![
                    s(format!("  obsoletes: {}", o.stream), Role::Warning),
                    s(
                        format!(
                            "  eol {}{by}{}",
                            o.eol_date.as_deref().unwrap_or("now"),
                            if o.reset { ", reset" } else { "" }
                        ),
                        Role::Dim,
                    ),
                    s(format!("  ({})", pool.repos[repo.index()].name), Role::Dim),
                ],
                link,
            );
        }
    }
    ModulesPage {
        doc: d,
        stream_of,
        problems: problems.len(),
        streams: state.entries.len(),
    }
}
