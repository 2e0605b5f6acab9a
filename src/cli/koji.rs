//! `bramble koji`: Koji tag inheritance from a live hub (`--hub URL`, `-p PROFILE`) or a
//! snapshot (`--snapshot FILE`).
//!
//! - `inheritance TAG [--reverse]` prints what `koji list-tag-inheritance` prints, byte for
//!   byte; the forward walk is computed by bramble from each tag's own links.
//! - `tagged TAG [--inherit] [--latest]` prints what `koji list-tagged` prints; `latest TAG`
//!   is `tagged --inherit --latest`, and `--explain` adds what each build shadowed and the
//!   builds that blocks hide.
//! - `taginfo TAG` shows the build config (arches and extra, each value with the tag it
//!   comes from), the external repos in merge order, the groups and the parents.
//! - `buildroot TAG [--arch A] [--mode M] [--explain PKG]` assembles the buildroot repo as
//!   kojid and `mergerepo_c` do (`analysis::buildroot`): every package with its origin and
//!   what it shadowed; `--explain` shows one package under every merge mode. External repo
//!   content is read from the hub's URLs, or from `--external NAME=LOCATION`.
//! - `lint TAG` reports what `analysis::lint` finds (exit 1 on errors and warnings).
//! - `snapshot TAG... -o FILE` saves every hub answer these views need, for use offline.
//!
//! Every view has `--json`. Exit status: 0, 1 for lint findings, or 2 on errors.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand};
use serde::Serialize;

use super::args::StderrProgress;
use super::output;
use crate::analysis::buildroot::{
    self, BuildrootPlan, ExternalContent, Reason, Removed, RootPackage,
};
use crate::analysis::inherit::{self, BuildConfig, LatestView, TagRef};
use crate::analysis::lint::{Lint, Severity};
use crate::analysis::tagview::{self, TagView};
use crate::load::error::LoadError;
use crate::load::http::{HttpClient, HttpOptions, TlsFiles};
use crate::load::koji::config::{self, DEFAULT_PROFILE};
use crate::load::koji::hub::{HubClient, KojiSource};
use crate::load::koji::snapshot::{self, Recorder, Snapshot};
use crate::load::koji::{Parts, TreeRequest, externals, load_tree};
use crate::model::pool::Pool;
use crate::model::tag::{
    BuildTarget, InheritanceEntry, InheritanceLink, MergeMode, TagExternalRepo, TagGroup, TagId,
    TagTree, TaggedBuild,
};

#[derive(Args, Debug)]
pub struct KojiArgs {
    #[command(flatten)]
    pub src: HubArgs,
    #[command(subcommand)]
    pub command: KojiCommand,
}

/// Where Koji data comes from. Without any of `--hub`, `-p`, `--snapshot`, the `koji`
/// profile of the koji client configuration is used.
#[derive(Args, Debug, Default)]
pub struct HubArgs {
    /// The hub's XML-RPC URL, e.g. https://koji.fedoraproject.org/kojihub.
    #[arg(long, global = true, value_name = "URL")]
    pub hub: Option<String>,
    /// A profile of the koji client configuration (/etc/koji.conf, ~/.koji/config).
    #[arg(short = 'p', long, global = true, value_name = "PROFILE")]
    pub profile: Option<String>,
    /// Read profiles from this file only.
    #[arg(short = 'c', long = "config", global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Answer from a snapshot taken with `bramble koji snapshot` (no network).
    #[arg(long, global = true, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,
    /// Query the state at this hub event.
    #[arg(long, global = true, value_name = "N")]
    pub event: Option<i64>,
    /// TLS client certificate for the hub: a PEM file with the certificate and its
    /// private key (koji's `cert`; overrides the profile's).
    #[arg(long, global = true, value_name = "FILE")]
    pub cert: Option<PathBuf>,
    /// CA certificates (PEM) to verify the hub with instead of the built-in roots
    /// (koji's `serverca`; overrides the profile's).
    #[arg(long, global = true, value_name = "FILE")]
    pub serverca: Option<PathBuf>,
}

/// Output formats of `koji inheritance`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TreeFormat {
    Text,
    Json,
    Dot,
}

#[derive(Subcommand, Debug)]
pub enum KojiCommand {
    /// A tag's inheritance, as `koji list-tag-inheritance` prints it.
    #[command(alias = "tree")]
    Inheritance {
        #[arg(required_unless_present = "from_text")]
        tag: Option<String>,
        /// The tags that inherit from TAG instead of those it inherits from.
        #[arg(long)]
        reverse: bool,
        /// Read the tree from `koji list-tag-inheritance` text saved in FILE (what tickets
        /// carry; with --reverse for `--reverse` output) instead of a hub: a partial graph.
        #[arg(long = "from-text", value_name = "FILE", conflicts_with = "tag")]
        from_text: Option<PathBuf>,
        /// Add each link's priority, maxdepth, filter and flags to its line.
        #[arg(long, short = 'v')]
        verbose: bool,
        /// Same as `--format json`.
        #[arg(long)]
        json: bool,
        /// `text` (what koji prints), `json`, or `dot` (a Graphviz digraph: one node per
        /// tag, edges child -> parent labelled with the priority, dashed when
        /// intransitive).
        #[arg(long, value_enum, default_value_t = TreeFormat::Text)]
        format: TreeFormat,
    },
    /// Builds tagged into a tag, as `koji list-tagged` prints them.
    Tagged {
        tag: String,
        /// Follow inheritance.
        #[arg(long)]
        inherit: bool,
        /// Only the latest build of each package.
        #[arg(long)]
        latest: bool,
        #[arg(long)]
        json: bool,
    },
    /// The latest builds with inheritance (`koji list-tagged --inherit --latest`).
    Latest {
        tag: String,
        /// Also show what each build shadowed and the builds that blocks hide.
        #[arg(long)]
        explain: bool,
        #[arg(long)]
        json: bool,
    },
    /// A tag's build config (arches and extra, each with the tag it comes from), external
    /// repos with merge modes, groups and inheritance.
    Taginfo {
        tag: String,
        #[arg(long)]
        json: bool,
    },
    /// The buildroot repo of a build tag for one arch, as kojid merges it: every package
    /// with its origin (Koji build or external repo) and what it shadowed.
    Buildroot {
        tag: String,
        #[command(flatten)]
        ext: ExternalArgs,
        /// Apply this merge mode instead of the configured one (what-if).
        #[arg(long, value_parser = ["koji", "simple", "bare"])]
        mode: Option<String>,
        /// Show the fate of the packages of this name (or built from this srpm) under every
        /// merge mode.
        #[arg(long, value_name = "PKG")]
        explain: Option<String>,
        /// Simulate installing this group of the tag (`build`, `srpm-build`) into the
        /// buildroot, as mock does: the transaction, its size and the heaviest pullers,
        /// or why it cannot be installed.
        #[arg(long, value_name = "GROUP", conflicts_with = "explain")]
        install: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Lints: inherited external repos, mixed merge modes, blocks, and the build groups
    /// (heavy tools, missing essentials, members no repo has). Exit 1 when an error or a
    /// warning is found.
    Lint {
        tag: String,
        #[command(flatten)]
        ext: ExternalArgs,
        #[arg(long)]
        json: bool,
    },
    /// Save every hub answer the views of these tags need into FILE, for offline use.
    Snapshot {
        #[arg(required = true)]
        tags: Vec<String>,
        /// The snapshot file to write.
        #[arg(short = 'o', long, value_name = "FILE")]
        output: PathBuf,
    },
}

/// Where the content of external repos comes from.
#[derive(Args, Debug, Clone)]
pub struct ExternalArgs {
    /// The buildroot arch (default: the first arch of the tag's build config).
    #[arg(long)]
    pub arch: Option<String>,
    /// Read external repo NAME from LOCATION (repo dir, file:// or http(s):// URL) instead
    /// of its hub URL. Repeatable.
    #[arg(long = "external", value_name = "NAME=LOCATION")]
    pub external: Vec<String>,
    /// Do not fetch external repos from their hub URLs: only those given with --external
    /// are read, the others count as not loaded.
    #[arg(long)]
    pub no_fetch: bool,
}

/// Seconds to wait for a hub answer unless the profile says otherwise; big `listTagged`
/// answers take the hub a while before the first byte.
const DEFAULT_TIMEOUT: u64 = 300;

/// Opens the source the arguments name.
pub fn open_source(a: &HubArgs) -> Result<Box<dyn KojiSource>, LoadError> {
    let given = [a.hub.is_some(), a.profile.is_some(), a.snapshot.is_some()];
    if given.iter().filter(|g| **g).count() > 1 {
        return Err(LoadError::KojiConfig {
            msg: "give only one of --hub, --profile and --snapshot".to_owned(),
        });
    }
    if let Some(path) = &a.snapshot {
        return Ok(Box::new(Snapshot::open(path)?));
    }
    let (url, timeout, mut tls) = match &a.hub {
        Some(url) => (url.clone(), DEFAULT_TIMEOUT, TlsFiles::default()),
        None => {
            let name = a.profile.as_deref().unwrap_or(DEFAULT_PROFILE);
            let files = match &a.config {
                Some(f) => vec![f.clone()],
                None => {
                    config::default_files(std::env::var_os("HOME").map(PathBuf::from).as_deref())
                }
            };
            let p = config::load_profile(name, &files)?;
            let tls = TlsFiles {
                client_cert: p.cert,
                client_key: None,
                server_ca: p.serverca,
            };
            (p.server, p.timeout.unwrap_or(DEFAULT_TIMEOUT), tls)
        }
    };
    if let Some(c) = &a.cert {
        tls.client_cert = Some(c.clone());
    }
    if let Some(c) = &a.serverca {
        tls.server_ca = Some(c.clone());
    }
    let http = HttpClient::try_new(HttpOptions {
        read_timeout: Duration::from_secs(timeout),
        tls,
        ..HttpOptions::default()
    })?;
    Ok(Box::new(HubClient::new(&url, http)))
}

/// Lines as one Graphviz double-quoted string: `"` and `\\` escaped, control characters
/// dropped, the lines joined with `\\n` (a line break in a label).
fn dot_quote<S: AsRef<str>>(lines: &[S]) -> String {
    let mut s = String::from("\"");
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            s.push_str("\\n");
        }
        for c in line.as_ref().chars() {
            match c {
                '"' | '\\' => {
                    s.push('\\');
                    s.push(c);
                }
                c if c.is_control() => {}
                c => s.push(c),
            }
        }
    }
    s.push('"');
    s
}

/// The inheritance as a Graphviz digraph: one node per tag (a tag reached several times
/// appears once; the queried tag is bold), one edge per link from child to parent,
/// labelled with the priority and, when set, `maxdepth N`, `filter RE` and `noconfig`;
/// intransitive links are dashed. Parents are drawn above their children. Works the same
/// for a reverse walk (the edges still point from child to parent).
pub fn render_inheritance_dot(
    root_name: &str,
    root_id: i64,
    entries: &[InheritanceEntry],
    reverse: bool,
) -> String {
    let what = if reverse {
        "reverse inheritance"
    } else {
        "inheritance"
    };
    let mut s = format!(
        "digraph {} {{\n",
        dot_quote(&[format!("{what} of {root_name}")])
    );
    s.push_str("  rankdir=BT;\n  node [shape=box];\n");
    let mut nodes: Vec<i64> = vec![root_id];
    let _ = writeln!(
        s,
        "  t{root_id} [label={}, style=bold];",
        dot_quote(&[format!("{root_name} ({root_id})")])
    );
    let mut edges: Vec<(i64, i64)> = Vec::new();
    for e in entries {
        let l = &e.link;
        for (id, name) in [(l.child.0, &l.child_name), (l.parent.0, &l.parent_name)] {
            if !nodes.contains(&id) {
                nodes.push(id);
                let _ = writeln!(
                    s,
                    "  t{id} [label={}];",
                    dot_quote(&[format!("{name} ({id})")])
                );
            }
        }
        if edges.contains(&(l.child.0, l.parent.0)) {
            continue;
        }
        edges.push((l.child.0, l.parent.0));
        let mut label = vec![l.priority.to_string()];
        if let Some(d) = l.maxdepth {
            label.push(format!("maxdepth {d}"));
        }
        if !l.pkg_filter.is_empty() {
            label.push(format!("filter {}", l.pkg_filter));
        }
        if l.noconfig {
            label.push("noconfig".to_string());
        }
        let label = dot_quote(&label);
        let _ = writeln!(
            s,
            "  t{} -> t{} [label={label}{}];",
            l.child.0,
            l.parent.0,
            if l.intransitive { ", style=dashed" } else { "" }
        );
    }
    s.push_str("}\n");
    s
}

/// `koji list-tagged` text: a header and one sorted line per build.
pub fn render_tagged(builds: &[TaggedBuild]) -> String {
    let mut s = format!("{:<40}  {:<20}  {}\n", "Build", "Tag", "Built by");
    let _ = writeln!(
        s,
        "{}  {}  {}",
        "-".repeat(40),
        "-".repeat(20),
        "-".repeat(16)
    );
    let mut lines: Vec<String> = builds
        .iter()
        .map(|b| format!("{:<40}  {:<20}  {}", b.nvr, b.tag_name, b.owner_name))
        .collect();
    lines.sort();
    for l in lines {
        s.push_str(&l);
        s.push('\n');
    }
    s
}

/// The latest builds with what each shadowed, then what blocks hide.
pub fn render_explained(view: &LatestView) -> String {
    let mut s = String::new();
    let mut builds: Vec<_> = view.builds.iter().collect();
    builds.sort_by(|a, b| a.build.nvr.cmp(&b.build.nvr));
    for l in builds {
        let _ = writeln!(s, "{}  ({})", l.build.nvr, l.build.tag_name);
        for sh in &l.shadowed {
            let _ = writeln!(s, "    shadows {}  ({})", sh.nvr, sh.tag_name);
        }
    }
    for b in &view.blocked {
        let _ = writeln!(
            s,
            "blocked: {}  ({}), by the block of {} in {}",
            b.build.nvr, b.build.tag_name, b.block.package_name, b.block.tag_name
        );
    }
    s
}

#[derive(Serialize)]
struct InheritanceJson<'a> {
    tag: &'a str,
    tag_id: i64,
    reverse: bool,
    inheritance: &'a [InheritanceEntry],
}

fn fail(e: impl std::fmt::Display) -> i32 {
    eprintln!("bramble: {}", output::sanitize(&e.to_string()));
    2
}

fn load(
    src: &dyn KojiSource,
    tag: &str,
    event: Option<i64>,
    parts: Parts,
) -> Result<TagTree, LoadError> {
    load_tree(
        src,
        &TreeRequest {
            tag: tag.to_owned(),
            event,
            parts,
        },
    )
}

/// A tree in the asked format (`--verbose` adds each link's settings to its line).
fn print_tree(
    name: &str,
    id: i64,
    entries: &[InheritanceEntry],
    reverse: bool,
    format: TreeFormat,
    verbose: bool,
    pasted: bool,
) {
    match format {
        TreeFormat::Json => output::json(&InheritanceJson {
            tag: name,
            tag_id: id,
            reverse,
            inheritance: entries,
        }),
        TreeFormat::Text => {
            let text = tagview::render_inheritance(name, id, entries, reverse);
            let text = if verbose {
                verbose_tree(&text, entries, pasted)
            } else {
                text
            };
            output::out(&output::sanitize(&text));
        }
        TreeFormat::Dot => output::out(&render_inheritance_dot(name, id, entries, reverse)),
    }
}

/// `--verbose`: each entry line gets `  [priority P, maxdepth M, filter F, intransitive,
/// noconfig]`; values a pasted listing (`pasted`) does not carry say so.
pub fn verbose_tree(text: &str, entries: &[InheritanceEntry], pasted: bool) -> String {
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        out.push_str(line);
        if let Some(e) = i.checked_sub(1).and_then(|j| entries.get(j)) {
            let l = &e.link;
            let mut f = vec![if pasted {
                "priority (not in the text)".to_string()
            } else {
                format!("priority {}", l.priority)
            }];
            match l.maxdepth {
                Some(crate::load::koji::text::UNKNOWN_MAXDEPTH) => {
                    f.push("maxdepth (not in the text)".into());
                }
                Some(m) => f.push(format!("maxdepth {m}")),
                None => {}
            }
            if !l.pkg_filter.is_empty() {
                f.push(format!("filter {}", l.pkg_filter));
            }
            if l.intransitive {
                f.push("intransitive".into());
            }
            if l.noconfig {
                f.push("noconfig".into());
            }
            let _ = write!(out, "  [{}]", f.join(", "));
        }
        out.push('\n');
    }
    out
}

/// Runs `bramble koji ...`.
pub fn run(args: KojiArgs) -> i32 {
    if let KojiCommand::Inheritance {
        from_text: Some(path),
        reverse,
        json,
        format,
        verbose,
        ..
    } = &args.command
    {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => return fail(format!("{}: {e}", path.display())),
        };
        let p = match crate::load::koji::text::parse_inheritance_text(&text, path, *reverse) {
            Ok(p) => p,
            Err(e) => return fail(e),
        };
        let format = if *json { TreeFormat::Json } else { *format };
        print_tree(
            &p.root_name,
            p.root.0,
            &p.entries,
            *reverse,
            format,
            *verbose,
            true,
        );
        return 0;
    }
    let src = match open_source(&args.src) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let event = args.src.event;
    match args.command {
        KojiCommand::Inheritance {
            tag,
            reverse,
            json,
            format,
            verbose,
            from_text: _,
        } => {
            let format = if json { TreeFormat::Json } else { format };
            let parts = Parts {
                reverse,
                ..Parts::default()
            };
            let tag = tag.unwrap_or_default();
            let tree = match load(src.as_ref(), &tag, event, parts) {
                Ok(t) => t,
                Err(e) => return fail(e),
            };
            let entries = if reverse {
                tree.reverse.clone().unwrap_or_default()
            } else {
                match inherit::tree_inheritance(&tree) {
                    Ok(w) => w,
                    Err(e) => return fail(e),
                }
            };
            let name = tree.root_tag().map(|t| t.name.clone()).unwrap_or_default();
            print_tree(
                &name,
                tree.root.0,
                &entries,
                reverse,
                format,
                verbose,
                false,
            );
            0
        }
        KojiCommand::Tagged {
            tag,
            inherit,
            latest,
            json,
        } => tagged(src.as_ref(), &tag, event, inherit, latest, json, false),
        KojiCommand::Latest { tag, explain, json } => {
            tagged(src.as_ref(), &tag, event, true, true, json, explain)
        }
        KojiCommand::Taginfo { tag, json } => taginfo(src.as_ref(), &tag, event, json),
        KojiCommand::Buildroot {
            tag,
            ext,
            mode,
            explain,
            install,
            json,
        } => buildroot(
            src.as_ref(),
            &tag,
            event,
            &ext,
            mode.as_deref().and_then(MergeMode::parse),
            BuildrootAsk {
                explain: explain.as_deref(),
                install: install.as_deref(),
            },
            json,
        ),
        KojiCommand::Lint { tag, ext, json } => lint(src.as_ref(), &tag, event, &ext, json),
        KojiCommand::Snapshot { tags, output: path } => {
            let recorder = Recorder::new(src.as_ref());
            for tag in &tags {
                if let Err(e) = load(&recorder, tag, event, Parts::all()) {
                    return fail(e);
                }
            }
            let file = recorder.snapshot(tags.clone(), event);
            let calls = file.calls.len();
            if let Err(e) = snapshot::write(&path, &file) {
                return fail(e);
            }
            eprintln!(
                "bramble: saved {calls} answers of {} for {} to {}",
                file.hub,
                tags.join(", "),
                path.display()
            );
            0
        }
    }
}

fn tagged(
    src: &dyn KojiSource,
    tag: &str,
    event: Option<i64>,
    inherit: bool,
    latest: bool,
    json: bool,
    explain: bool,
) -> i32 {
    let parts = Parts {
        packages: true,
        builds: true,
        ..Parts::default()
    };
    let tree = match load(src, tag, event, parts) {
        Ok(t) => t,
        Err(e) => return fail(e),
    };
    let result = inherit::tree_inheritance(&tree).and_then(|walk| {
        let pkgs = inherit::package_list(&tree, &walk)?;
        let builds = inherit::tagged_builds(&tree, &walk, &pkgs, inherit, latest)?;
        let view = if explain || (json && inherit && latest) {
            Some(inherit::latest_builds(&tree, &walk, &pkgs)?)
        } else {
            None
        };
        Ok((builds, view))
    });
    let (builds, view) = match result {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    match (json, view) {
        (true, Some(view)) => output::json(&view),
        (true, None) => output::json(&builds),
        (false, Some(view)) if explain => output::out(&output::sanitize(&render_explained(&view))),
        _ => output::out(&output::sanitize(&render_tagged(&builds))),
    }
    0
}

/// Everything the tag views need except the reverse walk.
fn view_parts() -> Parts {
    Parts {
        reverse: false,
        ..Parts::all()
    }
}

fn load_view(src: &dyn KojiSource, tag: &str, event: Option<i64>) -> Result<TagView, String> {
    let tree = load(src, tag, event, view_parts()).map_err(|e| e.to_string())?;
    TagView::new(tree).map_err(|e| e.to_string())
}

/// A JSON value as koji's taginfo prints it (Python repr for strings).
fn show_value(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => format!("'{s}'"),
        other => other.to_string(),
    }
}

#[derive(Serialize)]
struct TaginfoJson<'a> {
    tag: &'a TagRef,
    build_config: &'a BuildConfig,
    external_repos: &'a [TagExternalRepo],
    groups: &'a [TagGroup],
    targets: &'a [BuildTarget],
    parents: &'a [InheritanceLink],
}

/// `bramble koji taginfo` text.
pub fn render_taginfo(
    config: &BuildConfig,
    repos: &[TagExternalRepo],
    groups: &[TagGroup],
    targets: &[BuildTarget],
    parents: &[InheritanceLink],
    tag_name: impl Fn(TagId) -> String,
) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "Tag: {} [{}]", config.tag.name, config.tag.id);
    let from = |t: &Option<TagRef>| {
        t.as_ref()
            .map(|t| format!("  [{}]", t.name))
            .unwrap_or_default()
    };
    let _ = writeln!(
        s,
        "Arches: {}{}",
        config.arches.as_deref().unwrap_or(""),
        from(&config.arches_from)
    );
    s.push_str("Build config:\n");
    for v in &config.extra {
        let origin = if v.inherited {
            format!("  [{}]", v.from.name)
        } else {
            String::new()
        };
        let _ = writeln!(s, "  {} : {}{origin}", v.key, show_value(&v.value));
        for (t, shadowed) in &v.shadowed {
            let what = shadowed
                .as_ref()
                .map_or_else(|| "its block".to_owned(), show_value);
            let _ = writeln!(s, "      over {what} of {}", t.name);
        }
    }
    for b in &config.blocked {
        let hides: Vec<String> = b
            .hides
            .iter()
            .map(|(t, v)| format!("{} of {}", show_value(v), t.name))
            .collect();
        let _ = writeln!(
            s,
            "  {} : blocked  [{}]{}",
            b.key,
            b.by.name,
            if hides.is_empty() {
                String::new()
            } else {
                format!(", hides {}", hides.join(", "))
            }
        );
    }
    for t in &config.noconfig {
        let _ = writeln!(s, "  (nothing from {}: noconfig link)", t.name);
    }
    if repos.is_empty() {
        s.push_str("External repos: none\n");
    } else {
        s.push_str("External repos, in merge order:\n");
        for r in repos {
            let _ = writeln!(
                s,
                "  {:<4} {} ({}), merge mode {}, from {}{}",
                r.priority,
                r.external_repo_name,
                r.url,
                r.merge_mode,
                r.tag_name,
                r.arches
                    .as_deref()
                    .map(|a| format!(", arches {a}"))
                    .unwrap_or_default()
            );
        }
    }
    if groups.is_empty() {
        s.push_str("Groups: none\n");
    } else {
        s.push_str("Groups:\n");
        for g in groups {
            let pkgs: Vec<String> = g
                .packages
                .iter()
                .map(|p| {
                    if p.tag_id == g.tag_id {
                        p.package.clone()
                    } else {
                        format!("{} [{}]", p.package, tag_name(p.tag_id))
                    }
                })
                .collect();
            let _ = writeln!(
                s,
                "  {} [{}]: {}",
                g.name,
                tag_name(g.tag_id),
                pkgs.join(", ")
            );
        }
    }
    for t in targets {
        let role = if t.build_tag == config.tag.id {
            format!("builds from this tag into {}", t.dest_tag_name)
        } else {
            format!("builds into this tag from {}", t.build_tag_name)
        };
        let _ = writeln!(s, "Target {}: {role}", t.name);
    }
    s.push_str("Inheritance:\n");
    for l in parents {
        let flags: String = [
            (l.maxdepth.is_some(), 'M'),
            (!l.pkg_filter.is_empty(), 'F'),
            (l.intransitive, 'I'),
            (l.noconfig, 'N'),
        ]
        .iter()
        .map(|(on, c)| if *on { *c } else { '.' })
        .collect();
        let _ = writeln!(
            s,
            "  {:<4} {flags} {} [{}]",
            l.priority, l.parent_name, l.parent
        );
    }
    s
}

fn taginfo(src: &dyn KojiSource, tag: &str, event: Option<i64>, json: bool) -> i32 {
    let view = match load_view(src, tag, event) {
        Ok(v) => v,
        Err(e) => return fail(e),
    };
    let targets = view.tree.targets.clone().unwrap_or_default();
    let mut parents = view
        .tree
        .parents(view.tree.root)
        .unwrap_or_default()
        .to_vec();
    parents.sort_by_key(|l| l.priority);
    if json {
        output::json(&TaginfoJson {
            tag: &view.config.tag,
            build_config: &view.config,
            external_repos: &view.repos,
            groups: &view.groups,
            targets: &targets,
            parents: &parents,
        });
    } else {
        let tree = &view.tree;
        output::out(&output::sanitize(&render_taginfo(
            &view.config,
            &view.repos,
            &view.groups,
            &targets,
            &parents,
            |id| tree.name_of(id).unwrap_or("?").to_owned(),
        )));
    }
    0
}

/// Parses `--external NAME=LOCATION` arguments.
fn overrides(ext: &ExternalArgs) -> Result<Vec<(String, String)>, String> {
    ext.external
        .iter()
        .map(|a| {
            a.split_once('=')
                .filter(|(n, l)| !n.is_empty() && !l.is_empty())
                .map(|(n, l)| (n.to_owned(), l.to_owned()))
                .ok_or_else(|| format!("--external wants NAME=LOCATION, not `{a}`"))
        })
        .collect()
}

/// Loads the content of the external repos for `arch` into one pool; a repo that cannot
/// be read is reported on stderr and counts as not loaded.
fn load_externals(
    repos: &[TagExternalRepo],
    arch: &str,
    ext: &ExternalArgs,
) -> Result<(Pool, Vec<ExternalContent>), String> {
    let given = overrides(ext)?;
    let progress = StderrProgress::new();
    let loaded = externals::load_externals(repos, arch, &given, ext.no_fetch, &progress)?;
    progress.finish();
    for w in &loaded.warnings {
        eprintln!("bramble: warning: {}", output::sanitize(w));
    }
    for p in &loaded.problems {
        eprintln!(
            "bramble: {}: {}: {}",
            if p.fatal { "error" } else { "warning" },
            output::sanitize(&p.source),
            output::sanitize(&p.error.to_string())
        );
    }
    Ok((loaded.pool, loaded.content))
}

fn plan_for(
    view: &TagView,
    arch: &str,
    pool: &Pool,
    externals: &[ExternalContent],
    mode: Option<MergeMode>,
) -> Result<BuildrootPlan, String> {
    view.plan(arch, pool, externals, mode)
}

/// `bramble koji buildroot` text.
pub fn render_buildroot(plan: &BuildrootPlan) -> String {
    let mut s = String::new();
    let mode = plan
        .mode
        .map_or("none (no external repos)".to_owned(), |m| {
            let mut t = buildroot::mode_name(m).to_owned();
            if plan.mode_overridden {
                let _ = write!(
                    t,
                    " (asked for; configured: {})",
                    plan.configured_modes.join(", ")
                );
            }
            t
        });
    let _ = writeln!(
        s,
        "{} buildroot for {}: merge mode {mode}; {} packages, {} left out",
        plan.tag,
        plan.arch,
        plan.packages.len(),
        plan.removed.len()
    );
    s.push_str("repos, in merge order:\n");
    for (i, r) in plan.repos.iter().enumerate() {
        let what = match &r.external {
            None => "latest builds with inheritance".to_owned(),
            Some(e) => format!(
                "priority {} in {}, merge mode {}{}",
                e.priority,
                e.tag_name,
                e.merge_mode,
                if r.loaded { "" } else { ", NOT LOADED" }
            ),
        };
        let _ = writeln!(
            s,
            "  {} {}  ({what}): {} packages",
            i + 1,
            r.name,
            r.packages
        );
    }
    for p in &plan.packages {
        let _ = writeln!(s, "{}  {}", p.rpm.nevra(), p.origin.label());
        for b in &p.inherited_over {
            let _ = writeln!(
                s,
                "    over build {} ({}): inheritance takes the first tag with a build",
                b.nvr, b.tag_name
            );
        }
        for &i in &p.shadowed {
            let r = &plan.removed[i];
            let _ = writeln!(
                s,
                "    shadows {} ({}): {}",
                r.rpm.nevra(),
                r.origin.label(),
                r.reason.describe(plan.mode)
            );
        }
    }
    let gone: Vec<&Removed> = plan
        .removed
        .iter()
        .filter(|r| r.replaced_by.is_none() && r.reason != Reason::Arch)
        .collect();
    if !gone.is_empty() {
        s.push_str("left out, no package of that name in the buildroot:\n");
        for r in gone {
            let _ = writeln!(
                s,
                "  {} ({}): {}",
                r.rpm.nevra(),
                r.origin.label(),
                r.reason.describe(plan.mode)
            );
        }
    }
    let arch: Vec<String> = plan
        .removed
        .iter()
        .filter(|r| r.reason == Reason::Arch)
        .map(|r| r.rpm.nevra())
        .collect();
    if !arch.is_empty() {
        let _ = writeln!(s, "other arches, not merged: {}", arch.join(", "));
    }
    for b in &plan.blocked_builds {
        let _ = writeln!(
            s,
            "blocked build: {} ({}), by the block of {} in {}",
            b.build.nvr, b.build.tag_name, b.block.package_name, b.block.tag_name
        );
    }
    for w in &plan.warnings {
        let _ = writeln!(s, "warning: {w}");
    }
    s
}

/// The fate of the packages named `name` (or built from srpm `name`) in one plan.
#[derive(Serialize)]
pub struct Fate<'a> {
    pub mode: Option<MergeMode>,
    /// Whether this is the mode the tag's external repos are configured with.
    pub configured: bool,
    #[serde(rename = "in")]
    pub kept: Vec<&'a RootPackage>,
    #[serde(rename = "out")]
    pub left_out: Vec<&'a Removed>,
}

fn about(rpm: &buildroot::Rpm, name: &str) -> bool {
    rpm.name == name || rpm.srpm().0 == name
}

pub fn fate<'a>(plan: &'a BuildrootPlan, name: &str, configured: bool) -> Fate<'a> {
    Fate {
        mode: plan.mode,
        configured,
        kept: plan
            .packages
            .iter()
            .filter(|p| about(&p.rpm, name))
            .collect(),
        left_out: plan
            .removed
            .iter()
            .filter(|r| about(&r.rpm, name))
            .collect(),
    }
}

/// `--explain PKG` text: the fate of PKG under each merge mode.
pub fn render_explain(tag: &str, arch: &str, name: &str, fates: &[Fate<'_>]) -> String {
    let mut s = format!("{name} in the {tag} buildroot for {arch}\n");
    for f in fates {
        let mode = f.mode.map_or("none", buildroot::mode_name);
        let _ = writeln!(
            s,
            "merge mode {mode}{}:",
            if f.configured {
                " (configured)"
            } else {
                " (what if)"
            }
        );
        if f.kept.is_empty() {
            s.push_str("  in:  nothing\n");
        }
        for p in &f.kept {
            let _ = writeln!(s, "  in:  {}  from {}", p.rpm.nevra(), p.origin.label());
            for b in &p.inherited_over {
                let _ = writeln!(
                    s,
                    "       over build {} ({}): inheritance takes the first tag with a build",
                    b.nvr, b.tag_name
                );
            }
        }
        for r in &f.left_out {
            let _ = writeln!(
                s,
                "  out: {}  from {}: {}",
                r.rpm.nevra(),
                r.origin.label(),
                r.reason.describe(f.mode)
            );
        }
    }
    s
}

/// What `koji buildroot` is asked beyond the plan.
struct BuildrootAsk<'a> {
    explain: Option<&'a str>,
    install: Option<&'a str>,
}

#[derive(Serialize)]
struct GroupInstallJson {
    tag: String,
    arch: String,
    group: String,
    ok: bool,
    missing: Vec<String>,
    koji_only: Vec<String>,
    packages: Vec<String>,
    install_size: u64,
    pullers: Vec<(String, u64, Vec<String>)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    explanation: Option<String>,
}

/// `koji buildroot --install GROUP`: the group installed into the buildroot.
fn group_install(
    view: &TagView,
    plan: &BuildrootPlan,
    pool: &Pool,
    group: &str,
    json: bool,
) -> i32 {
    let gi = match view.install_group(group, plan, pool) {
        Ok(g) => g,
        Err(e) => return fail(e),
    };
    if json {
        let (packages, size, pullers, explanation) = match &gi.result {
            Ok(t) => (
                t.packages.iter().map(|(p, _)| pool.nevra(*p)).collect(),
                t.packages
                    .iter()
                    .map(|(p, _)| pool.pkg(*p).info.size_installed)
                    .sum(),
                crate::analysis::pullers::heaviest_pullers(pool, t, 5)
                    .into_iter()
                    .map(|p| {
                        (
                            pool.nevra(p.pkg),
                            p.size,
                            p.brings.iter().map(|&b| pool.nevra(b)).collect(),
                        )
                    })
                    .collect(),
                None,
            ),
            Err(e) => (Vec::new(), 0, Vec::new(), Some(e.render(pool))),
        };
        output::json(&GroupInstallJson {
            tag: plan.tag.clone(),
            arch: plan.arch.clone(),
            group: gi.group.clone(),
            ok: gi.result.is_ok(),
            missing: gi.missing.clone(),
            koji_only: gi.koji_only.clone(),
            packages,
            install_size: size,
            pullers,
            explanation,
        });
    } else {
        let mut s = format!(
            "group {} into the {} buildroot for {}\n",
            gi.group, plan.tag, plan.arch
        );
        if !gi.missing.is_empty() {
            let _ = writeln!(s, "not in the buildroot: {}", gi.missing.join(", "));
        }
        if !gi.koji_only.is_empty() {
            let _ = writeln!(
                s,
                "Koji builds (their dependencies are not known, left out): {}",
                gi.koji_only.join(", ")
            );
        }
        match &gi.result {
            Ok(t) => s.push_str(&super::install::render_transaction(pool, t)),
            Err(e) => {
                let _ = writeln!(s, "Cannot install: {}", e.render(pool));
            }
        }
        output::out(&output::sanitize(&s));
    }
    i32::from(gi.result.is_err() || !gi.missing.is_empty())
}

fn buildroot(
    src: &dyn KojiSource,
    tag: &str,
    event: Option<i64>,
    ext: &ExternalArgs,
    mode: Option<MergeMode>,
    ask: BuildrootAsk<'_>,
    json: bool,
) -> i32 {
    let explain = ask.explain;
    let view = match load_view(src, tag, event) {
        Ok(v) => v,
        Err(e) => return fail(e),
    };
    let arch = match view.pick_arch(ext.arch.as_deref()) {
        Ok(a) => a,
        Err(e) => return fail(e),
    };
    let (pool, externals) = match load_externals(&view.repos, &arch, ext) {
        Ok(x) => x,
        Err(e) => return fail(e),
    };
    let plan = match plan_for(&view, &arch, &pool, &externals, mode) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    if let Some(group) = ask.install {
        return group_install(&view, &plan, &pool, group, json);
    }
    if let Some(name) = explain {
        let configured = plan_for(&view, &arch, &pool, &externals, None);
        let configured = match configured {
            Ok(p) => p,
            Err(e) => return fail(e),
        };
        let mut plans = vec![(configured, true)];
        if plans[0].0.mode.is_some() {
            for m in [MergeMode::Koji, MergeMode::Simple, MergeMode::Bare] {
                if plans[0].0.mode != Some(m) {
                    match plan_for(&view, &arch, &pool, &externals, Some(m)) {
                        Ok(p) => plans.push((p, false)),
                        Err(e) => return fail(e),
                    }
                }
            }
        }
        let fates: Vec<Fate<'_>> = plans.iter().map(|(p, c)| fate(p, name, *c)).collect();
        if json {
            output::json(&fates);
        } else {
            output::out(&output::sanitize(&render_explain(
                &plan.tag, &arch, name, &fates,
            )));
        }
        return 0;
    }
    if json {
        output::json(&plan);
    } else {
        output::out(&output::sanitize(&render_buildroot(&plan)));
    }
    0
}

#[derive(Serialize)]
struct LintJson<'a> {
    tag: &'a str,
    arch: Option<&'a str>,
    lints: &'a [Lint],
}

/// `bramble koji lint` text: one line per finding, errors first.
pub fn render_lints(lints: &[Lint]) -> String {
    let mut s = String::new();
    for l in lints {
        let _ = writeln!(s, "{}: {}: {}", l.severity.as_str(), l.code, l.message);
    }
    if lints.is_empty() {
        s.push_str("no findings\n");
    }
    s
}

fn lint(
    src: &dyn KojiSource,
    tag: &str,
    event: Option<i64>,
    ext: &ExternalArgs,
    json: bool,
) -> i32 {
    let view = match load_view(src, tag, event) {
        Ok(v) => v,
        Err(e) => return fail(e),
    };
    // against the buildroot, when the tag has one
    let arch = view.pick_arch(ext.arch.as_deref()).ok();
    let lints = if let Some(arch) = &arch {
        let (pool, externals) = match load_externals(&view.repos, arch, ext) {
            Ok(x) => x,
            Err(e) => return fail(e),
        };
        match plan_for(&view, arch, &pool, &externals, None) {
            Ok(plan) => view.lints(Some((&plan, &pool))),
            Err(e) => return fail(e),
        }
    } else if let Some(a) = &ext.arch {
        return fail(format!("`{tag}` has no repo for arch `{a}`"));
    } else {
        view.lints(None)
    };
    let name = view.config.tag.name.clone();
    if json {
        output::json(&LintJson {
            tag: &name,
            arch: arch.as_deref(),
            lints: &lints,
        });
    } else {
        output::out(&output::sanitize(&render_lints(&lints)));
    }
    i32::from(lints.iter().any(|l| l.severity != Severity::Info))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(child: (i64, &str), parent: (i64, &str), priority: i64) -> InheritanceEntry {
        InheritanceEntry {
            link: InheritanceLink {
                child: TagId(child.0),
                child_name: child.1.into(),
                parent: TagId(parent.0),
                parent_name: parent.1.into(),
                priority,
                maxdepth: None,
                intransitive: false,
                noconfig: false,
                pkg_filter: String::new(),
            },
            tag: TagId(parent.0),
            name: parent.1.into(),
            currdepth: 1,
            nextdepth: None,
            filter: Vec::new(),
        }
    }

    #[test]
    fn dot_has_each_tag_once_and_labels_links() {
        let mut a = entry((1, "build"), (2, "base"), 10);
        a.link.maxdepth = Some(1);
        a.link.pkg_filter = "^(a|\"b\")$".into();
        let mut b = entry((1, "build"), (3, "extra"), 20);
        b.link.intransitive = true;
        b.link.noconfig = true;
        // `base` is reached again through `extra`: one node, and the same link once
        let c = entry((3, "extra"), (2, "base"), 0);
        let again = entry((3, "extra"), (2, "base"), 0);
        let dot = render_inheritance_dot("build", 1, &[a, b, c, again], false);
        assert_eq!(
            dot,
            "digraph \"inheritance of build\" {\n  rankdir=BT;\n  node [shape=box];\n  \
             t1 [label=\"build (1)\", style=bold];\n  t2 [label=\"base (2)\"];\n  \
             t1 -> t2 [label=\"10\\nmaxdepth 1\\nfilter ^(a|\\\"b\\\")$\"];\n  \
             t3 [label=\"extra (3)\"];\n  \
             t1 -> t3 [label=\"20\\nnoconfig\", style=dashed];\n  \
             t3 -> t2 [label=\"0\"];\n}\n"
        );
        assert!(render_inheritance_dot("x", 9, &[], true).starts_with(
            "digraph \"reverse inheritance of x\" {\n  rankdir=BT;\n  node [shape=box];\n  \
             t9 [label=\"x (9)\", style=bold];\n"
        ));
    }
}
