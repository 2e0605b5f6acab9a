//! Koji data for the Tags view: per tag asked for, a page (a [`Doc`]) with the
//! inheritance tree (forward and reverse, flags and priorities, repeated tags marked), the
//! build config, the external repos with merge modes, the groups with the tag each entry
//! comes from, the buildroot for the first arch (each package with its origin and what it
//! shadowed; Enter on a package goes to the tag or external repo it came from) and the
//! lints. Computed on the load worker with the same analysis calls as `bramble koji
//! taginfo/buildroot/lint`.

use std::collections::HashMap;
use std::path::PathBuf;

use super::data::Problem;
use super::doc::{Doc, Link, s};
use super::theme::Role;
use crate::analysis::buildroot::{self, BuildrootPlan, Origin};
use crate::analysis::lint::{Lint, Severity};
use crate::analysis::tagview::{TagView, render_inheritance};
use crate::load::koji::hub::KojiSource;
use crate::load::koji::snapshot::{Snapshot, SnapshotFile};
use crate::load::koji::{Parts, TreeRequest, load_tree};
use crate::model::pool::Pool;
use crate::model::tag::{InheritanceEntry, TagExternalRepo};
use crate::progress::Progress;

/// Where Koji data comes from in the TUI.
#[derive(Clone, Debug)]
pub enum KojiFrom {
    /// The demo's snapshot and external repos, compiled in.
    Demo,
    /// A snapshot file (`bramble koji snapshot`).
    Snapshot(PathBuf),
    /// A hub URL.
    Hub(String),
    /// A koji client profile.
    Profile(String),
    /// `koji list-tag-inheritance` text pasted into a file (`reverse`: of `--reverse`).
    Text { path: PathBuf, reverse: bool },
}

/// What Koji data to load.
#[derive(Clone, Debug)]
pub struct KojiRequest {
    pub from: KojiFrom,
    /// The tags to show; empty: the tags a snapshot was taken of.
    pub tags: Vec<String>,
    pub event: Option<i64>,
    /// External repo locations (NAME, LOCATION) instead of their hub URLs.
    pub externals: Vec<(String, String)>,
}

/// One tag's page.
pub struct TagPage {
    pub name: String,
    pub doc: Doc,
    /// The tags that inherit from it (when the data has the reverse walk).
    pub reverse: Option<Doc>,
    pub errors: usize,
    pub warnings: usize,
}

/// Every page, and where the data came from.
pub struct KojiCatalog {
    pub origin: String,
    pub event: Option<i64>,
    pub pages: Vec<TagPage>,
}

impl KojiCatalog {
    pub fn page(&self, name: &str) -> Option<usize> {
        self.pages.iter().position(|p| p.name == name)
    }
}

/// The demo's snapshot, compiled in.
const DEMO_SNAPSHOT: &[u8] = include_bytes!("../../testdata/koji/snapshot.json");

/// The source to ask, and the tags a snapshot was taken of (empty for a hub).
fn open(req: &KojiRequest) -> Result<(Box<dyn KojiSource>, Vec<String>), String> {
    let snapshot = |s: Snapshot| {
        let tags = s.content().tags.clone();
        (Box::new(s) as Box<dyn KojiSource>, tags)
    };
    match &req.from {
        KojiFrom::Demo => {
            let file: SnapshotFile =
                serde_json::from_slice(DEMO_SNAPSHOT).map_err(|e| format!("demo snapshot: {e}"))?;
            Ok(snapshot(Snapshot::from_file_content(
                "demo:testdata/koji/snapshot.json",
                file,
            )))
        }
        KojiFrom::Snapshot(p) => Snapshot::open(p).map(snapshot).map_err(|e| e.to_string()),
        KojiFrom::Hub(url) => crate::cli::koji::open_source(&crate::cli::koji::HubArgs {
            hub: Some(url.clone()),
            ..Default::default()
        })
        .map(|s| (s, Vec::new()))
        .map_err(|e| e.to_string()),
        KojiFrom::Profile(p) => crate::cli::koji::open_source(&crate::cli::koji::HubArgs {
            profile: Some(p.clone()),
            ..Default::default()
        })
        .map(|s| (s, Vec::new()))
        .map_err(|e| e.to_string()),
        KojiFrom::Text { .. } => Err("pasted text is not a hub".into()),
    }
}

/// A page from pasted `koji list-tag-inheritance` text: the tree only.
fn text_page(path: &std::path::Path, reverse: bool) -> Result<TagPage, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let p = crate::load::koji::text::parse_inheritance_text(&text, path, reverse)
        .map_err(|e| e.to_string())?;
    let mut d = Doc::new();
    d.heading(if reverse {
        "Inherited by (from pasted `koji list-tag-inheritance --reverse` text)"
    } else {
        "Inheritance (from pasted `koji list-tag-inheritance` text)"
    });
    tree_rows(&mut d, &p.root_name, p.root.0, &p.entries, reverse);
    d.blank();
    d.line(vec![s(
        "Partial: the text shows tags, depths and link flags only (no priorities, \
         maxdepth values, filters, repos, groups or builds).",
        Role::Dim,
    )]);
    Ok(TagPage {
        name: p.root_name,
        doc: d,
        reverse: None,
        errors: 0,
        warnings: 0,
    })
}

/// The external repos' content for `arch`: the demo's compiled-in repos, or read from
/// the given locations / hub URLs.
fn externals(
    req: &KojiRequest,
    repos: &[TagExternalRepo],
    arch: &str,
    progress: &dyn Progress,
    problems: &mut Vec<Problem>,
) -> (Pool, Vec<crate::analysis::buildroot::ExternalContent>) {
    if let KojiFrom::Demo = req.from {
        let mut pool = Pool::new(arch);
        let mut content = Vec::new();
        for r in repos {
            let found = super::demo::DEMO_KOJI_REPOS
                .iter()
                .find(|d| d.name == r.external_repo_name);
            let ids = found.and_then(|d| {
                match crate::load::embedded::load_embedded_repo(
                    &mut pool, d.name, d.location, d.files, progress,
                ) {
                    Ok(l) => Some(pool.repos[l.id.index()].packages().collect()),
                    Err(e) => {
                        problems.push(Problem {
                            source: d.name.to_string(),
                            message: e.to_string(),
                            fatal: true,
                        });
                        None
                    }
                }
            });
            content.push((r.clone(), ids));
        }
        pool.build_indexes();
        return (pool, content);
    }
    match crate::load::koji::externals::load_externals(repos, arch, &req.externals, false, progress)
    {
        Ok(x) => {
            problems.extend(x.warnings.into_iter().map(|w| Problem {
                source: "koji".into(),
                message: w,
                fatal: false,
            }));
            problems.extend(x.problems.into_iter().map(|p| Problem {
                source: p.source,
                message: p.error.to_string(),
                fatal: p.fatal,
            }));
            (x.pool, x.content)
        }
        Err(e) => {
            problems.push(Problem {
                source: "koji".into(),
                message: e,
                fatal: true,
            });
            (Pool::new(arch), Vec::new())
        }
    }
}

/// Load every tag's page; problems go to the Errors view, the pages that loaded stay.
pub fn load(req: &KojiRequest, progress: &dyn Progress) -> (Option<KojiCatalog>, Vec<Problem>) {
    let mut problems = Vec::new();
    if let KojiFrom::Text { path, reverse } = &req.from {
        return match text_page(path, *reverse) {
            Ok(page) => (
                Some(KojiCatalog {
                    origin: path.display().to_string(),
                    event: None,
                    pages: vec![page],
                }),
                problems,
            ),
            Err(e) => {
                problems.push(Problem {
                    source: "koji".into(),
                    message: e,
                    fatal: true,
                });
                (None, problems)
            }
        };
    }
    let (src, recorded) = match open(req) {
        Ok(s) => s,
        Err(e) => {
            problems.push(Problem {
                source: "koji".into(),
                message: e,
                fatal: true,
            });
            return (None, problems);
        }
    };
    let tags = if req.tags.is_empty() {
        recorded
    } else {
        req.tags.clone()
    };
    let mut pages = Vec::new();
    for tag in &tags {
        progress.phase(&format!("koji: {tag}"), None);
        let tree = load_tree(
            src.as_ref(),
            &TreeRequest {
                tag: tag.clone(),
                event: req.event,
                parts: Parts::all(),
            },
        )
        .or_else(|_| {
            // A snapshot taken without the reverse walk still has the rest.
            load_tree(
                src.as_ref(),
                &TreeRequest {
                    tag: tag.clone(),
                    event: req.event,
                    parts: Parts {
                        reverse: false,
                        ..Parts::all()
                    },
                },
            )
        });
        let view = match tree
            .map_err(|e| e.to_string())
            .and_then(|t| TagView::new(t).map_err(|e| e.to_string()))
        {
            Ok(v) => v,
            Err(e) => {
                problems.push(Problem {
                    source: format!("koji tag {tag}"),
                    message: e,
                    fatal: true,
                });
                continue;
            }
        };
        let arch = view.pick_arch(None).ok();
        let built = arch.as_ref().map(|a| {
            let (pool, content) = externals(req, &view.repos, a, progress, &mut problems);
            let plan = view.plan(a, &pool, &content, None);
            (pool, plan)
        });
        let (plan, lints) = match &built {
            Some((pool, Ok(plan))) => (Some((plan, pool)), view.lints(Some((plan, pool)))),
            Some((_, Err(e))) => {
                problems.push(Problem {
                    source: format!("koji tag {tag}"),
                    message: e.clone(),
                    fatal: false,
                });
                (None, view.lints(None))
            }
            None => (None, view.lints(None)),
        };
        pages.push(page(&view, plan, &lints));
    }
    let cat = KojiCatalog {
        origin: src.origin().to_string(),
        event: req.event,
        pages,
    };
    (Some(cat), problems)
}

fn flags(e: &InheritanceEntry) -> String {
    let l = &e.link;
    let mut f = Vec::new();
    f.push(format!("prio {}", l.priority));
    match l.maxdepth {
        Some(crate::load::koji::text::UNKNOWN_MAXDEPTH) => {
            f.push("maxdepth (not in the text)".into());
        }
        Some(m) => f.push(format!("maxdepth {m}")),
        None => {}
    }
    if l.intransitive {
        f.push("intransitive".into());
    }
    if l.noconfig {
        f.push("noconfig".into());
    }
    if !l.pkg_filter.is_empty() {
        f.push(format!("filter {}", l.pkg_filter));
    }
    f.join(", ")
}

/// The inheritance tree as rows: `koji list-tag-inheritance`'s drawing, then the link's
/// priority and flags; a tag met again is marked.
fn tree_rows(doc: &mut Doc, name: &str, id: i64, walk: &[InheritanceEntry], reverse: bool) {
    let text = render_inheritance(name, id, walk, reverse);
    let mut seen: HashMap<i64, usize> = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        if i == 0 {
            doc.line(vec![s(line, Role::Normal)]);
            doc.anchor(format!("tag:{name}"));
            doc.level(0);
            continue;
        }
        let Some(e) = walk.get(i - 1) else {
            continue;
        };
        let again = seen.insert(e.tag.0, i).is_some();
        let mut spans = vec![s(line, Role::Link), s(format!("  {}", flags(e)), Role::Dim)];
        if again {
            spans.push(s("  (again)", Role::Warning));
        }
        doc.push(spans, Some(Link::Tag(e.name.clone())));
        doc.level(u8::try_from(e.currdepth).unwrap_or(u8::MAX));
        if !again {
            doc.anchor(format!("tag:{}", e.name));
        }
    }
}

fn page(view: &TagView, plan: Option<(&BuildrootPlan, &Pool)>, lints: &[Lint]) -> TagPage {
    let name = view.config.tag.name.clone();
    let errors = lints
        .iter()
        .filter(|l| l.severity == Severity::Error)
        .count();
    let warnings = lints
        .iter()
        .filter(|l| l.severity == Severity::Warning)
        .count();
    let mut d = Doc::new();
    d.heading("Inheritance (r: reverse)");
    tree_rows(&mut d, &name, view.tree.root.0, &view.walk, false);
    let tag_name = |id| view.tree.name_of(id).unwrap_or("?").to_owned();

    d.blank();
    d.heading("Build config");
    let from = |t: &Option<crate::analysis::inherit::TagRef>| {
        t.as_ref()
            .map(|t| format!("  [{}]", t.name))
            .unwrap_or_default()
    };
    d.line(vec![
        s("  arches: ", Role::Dim),
        s(
            view.config.arches.as_deref().unwrap_or("(none)"),
            Role::Normal,
        ),
        s(from(&view.config.arches_from), Role::Dim),
    ]);
    for v in &view.config.extra {
        d.line(vec![
            s(format!("  {}: ", v.key), Role::Dim),
            s(v.value.to_string(), Role::Normal),
            s(format!("  [{}]", v.from.name), Role::Dim),
        ]);
    }
    for b in &view.config.blocked {
        d.line(vec![
            s(format!("  {}: ", b.key), Role::Dim),
            s("blocked", Role::Warning),
            s(format!("  [{}]", b.by.name), Role::Dim),
        ]);
    }

    d.blank();
    d.heading("External repos, in merge order");
    if view.repos.is_empty() {
        d.line(vec![s("  none", Role::Dim)]);
    }
    for r in &view.repos {
        let inherited = r.tag_name != name;
        let row = d.push(
            vec![
                s(format!("  {:<3} ", r.priority), Role::Dim),
                s(&r.external_repo_name, Role::Normal),
                s(format!("  merge {}", r.merge_mode), Role::Normal),
                s(
                    format!("  from {}", r.tag_name),
                    if inherited { Role::Warning } else { Role::Dim },
                ),
                s(format!("  {}", r.url), Role::Dim),
            ],
            None,
        );
        let _ = row;
        d.anchor(format!("repo:{}", r.external_repo_name));
    }

    d.blank();
    d.heading("Groups (entries from another tag in [brackets])");
    if view.groups.is_empty() {
        d.line(vec![s("  none", Role::Dim)]);
    }
    for g in &view.groups {
        let mut spans = vec![
            s(format!("  {}", g.name), Role::Normal),
            s(format!(" [{}]: ", tag_name(g.tag_id)), Role::Dim),
        ];
        for (i, p) in g.packages.iter().enumerate() {
            if i > 0 {
                spans.push(s(", ", Role::Dim));
            }
            let role = if p.blocked {
                Role::Warning
            } else {
                Role::Normal
            };
            spans.push(s(&p.package, role));
            if p.blocked {
                spans.push(s(" (blocked)", Role::Warning));
            }
            if p.tag_id != g.tag_id {
                spans.push(s(format!(" [{}]", tag_name(p.tag_id)), Role::Dim));
            }
        }
        d.line(spans);
    }

    if let Some((plan, pool)) = plan {
        group_installs(&mut d, view, plan, pool);
    }

    if let Some((plan, _)) = plan {
        d.blank();
        let mode = plan.mode.map_or("none", buildroot::mode_name);
        d.heading(&format!(
            "Buildroot {}: merge mode {mode}, {} packages, {} left out (Enter: origin)",
            plan.arch,
            plan.packages.len(),
            plan.removed.len()
        ));
        let origin_link = |o: &Origin| match o {
            Origin::Koji { tag_name, .. } => Link::Tag(tag_name.clone()),
            Origin::External { repo_name, .. } => Link::Tag(format!("repo:{repo_name}")),
        };
        for p in &plan.packages {
            d.push(
                vec![
                    s(format!("  {}", p.rpm.nevra()), Role::Link),
                    s(format!("  {}", p.origin.label()), Role::Dim),
                ],
                Some(origin_link(&p.origin)),
            );
            for b in &p.inherited_over {
                d.line(vec![s(
                    format!("      over build {} ({})", b.nvr, b.tag_name),
                    Role::Dim,
                )]);
            }
            for &i in &p.shadowed {
                if let Some(r) = plan.removed.get(i) {
                    d.push(
                        vec![
                            s("      shadows ", Role::Warning),
                            s(r.rpm.nevra(), Role::Normal),
                            s(format!(" ({}): ", r.origin.label()), Role::Dim),
                            s(r.reason.describe(plan.mode), Role::Dim),
                        ],
                        Some(origin_link(&r.origin)),
                    );
                }
            }
        }
        for w in &plan.warnings {
            d.line(vec![s(format!("  warning: {w}"), Role::Warning)]);
        }
    }

    d.blank();
    d.heading(&format!(
        "Lints: {errors} errors, {warnings} warnings, {} notes",
        lints.len() - errors - warnings
    ));
    if lints.is_empty() {
        d.line(vec![s("  no findings", Role::Ok)]);
    }
    for l in lints {
        let role = match l.severity {
            Severity::Error => Role::Error,
            Severity::Warning => Role::Warning,
            Severity::Info => Role::Dim,
        };
        d.line(vec![
            s(format!("  {} ", l.severity.as_str()), role),
            s(format!("{}: ", l.code), Role::Dim),
            s(&l.message, Role::Normal),
        ]);
    }

    let reverse = view.tree.reverse.as_ref().map(|rev| {
        let mut r = Doc::new();
        r.heading("Inherited by (r: forward)");
        tree_rows(&mut r, &name, view.tree.root.0, rev, true);
        r
    });
    TagPage {
        name,
        doc: d,
        reverse,
        errors,
        warnings,
    }
}

/// Each group installed into the buildroot as mock does: size, heaviest pullers, or why
/// it fails.
fn group_installs(d: &mut Doc, view: &TagView, plan: &BuildrootPlan, pool: &Pool) {
    let groups: Vec<&str> = view
        .groups
        .iter()
        .filter(|g| !g.blocked)
        .map(|g| g.name.as_str())
        .collect();
    if groups.is_empty() {
        return;
    }
    d.blank();
    d.heading(&format!(
        "Group installs into the {} buildroot (as mock does)",
        plan.arch
    ));
    for name in groups {
        let Ok(gi) = view.install_group(name, plan, pool) else {
            continue;
        };
        match &gi.result {
            Ok(t) => {
                let size: u64 = t
                    .packages
                    .iter()
                    .map(|(p, _)| pool.pkg(*p).info.size_installed)
                    .sum();
                d.line(vec![
                    s(format!("  {name}: "), Role::Normal),
                    s(
                        format!(
                            "{} packages, {}",
                            t.packages.len(),
                            crate::text::human_size(size)
                        ),
                        Role::Ok,
                    ),
                ]);
                for p in crate::analysis::pullers::heaviest_pullers(pool, t, 3) {
                    let brings: Vec<&str> =
                        p.brings.iter().take(4).map(|&b| pool.name(b)).collect();
                    d.line(vec![
                        s(format!("      {}", pool.name(p.pkg)), Role::Normal),
                        s(
                            format!(
                                " brings {}: {}",
                                crate::text::human_size(p.size),
                                brings.join(", ")
                            ),
                            Role::Dim,
                        ),
                    ]);
                }
            }
            Err(e) => {
                d.line(vec![
                    s(format!("  {name}: "), Role::Normal),
                    s(
                        format!("cannot be installed: {}", e.render(pool)),
                        Role::Error,
                    ),
                ]);
            }
        }
        if !gi.missing.is_empty() {
            d.line(vec![s(
                format!("      not in the buildroot: {}", gi.missing.join(", ")),
                Role::Error,
            )]);
        }
        if !gi.koji_only.is_empty() {
            d.line(vec![s(
                format!(
                    "      Koji builds, dependencies not known: {}",
                    gi.koji_only.join(", ")
                ),
                Role::Dim,
            )]);
        }
    }
}

/// The document of page `page`: its tree forward, or the tags inheriting from it.
pub fn page_doc(k: &KojiCatalog, page: usize, reverse: bool) -> Option<&Doc> {
    let p = k.pages.get(page)?;
    if reverse {
        p.reverse.as_ref()
    } else {
        Some(&p.doc)
    }
}

/// Resolve a link target inside a page: `repo:NAME` and tag names are anchors.
pub fn anchor_for(target: &str) -> String {
    if target.starts_with("repo:") {
        target.to_string()
    } else {
        format!("tag:{target}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::NoProgress;

    #[test]
    fn pasted_text_is_a_partial_page() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("ticket.txt");
        std::fs::write(
            &f,
            "     f16 (1)\n....  ├─f17 (2)\n...N  │  └─f19-candidates (22)\nM...  └─f16-build (9)\n",
        )
        .unwrap();
        let req = KojiRequest {
            from: KojiFrom::Text {
                path: f.clone(),
                reverse: true,
            },
            tags: Vec::new(),
            event: None,
            externals: Vec::new(),
        };
        let (cat, problems) = load(&req, &NoProgress);
        assert!(problems.is_empty(), "{problems:?}");
        let cat = cat.unwrap();
        assert_eq!(cat.pages[0].name, "f16");
        let text = cat.pages[0].doc.text();
        assert!(text.contains("f19-candidates (22)"), "{text}");
        assert!(text.contains("noconfig"), "{text}");
        assert!(text.contains("maxdepth (not in the text)"), "{text}");
        assert!(text.contains("Partial"), "{text}");
        // a bad file is an error with its position, not a panic
        std::fs::write(&f, "     f16 (1)\n..Q.  └─f17 (2)\n").unwrap();
        let (cat, problems) = load(&req, &NoProgress);
        assert!(cat.is_none());
        assert!(problems[0].message.contains("ticket.txt"), "{problems:?}");
    }
}
