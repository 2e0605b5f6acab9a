//! `bramble koji`: Koji tag inheritance from a live hub (`--hub URL`, `-p PROFILE`) or a
//! snapshot (`--snapshot FILE`).
//!
//! - `inheritance TAG [--reverse]` prints what `koji list-tag-inheritance` prints, byte for
//!   byte; the forward walk is computed by bramble from each tag's own links.
//! - `tagged TAG [--inherit] [--latest]` prints what `koji list-tagged` prints; `latest TAG`
//!   is `tagged --inherit --latest`, and `--explain` adds what each build shadowed and the
//!   builds that blocks hide.
//! - `snapshot TAG... -o FILE` saves every hub answer these views need, for use offline.
//!
//! Every view has `--json`. Exit status: 0, or 2 on errors.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand};
use serde::Serialize;

use super::output;
use crate::analysis::inherit::{self, LatestView};
use crate::load::error::LoadError;
use crate::load::http::{HttpClient, HttpOptions};
use crate::load::koji::config::{self, DEFAULT_PROFILE};
use crate::load::koji::hub::{HubClient, KojiSource};
use crate::load::koji::snapshot::{self, Recorder, Snapshot};
use crate::load::koji::{Parts, TreeRequest, load_tree};
use crate::model::tag::{InheritanceEntry, TagTree, TaggedBuild};

#[derive(Args, Debug)]
pub struct KojiArgs {
    #[command(flatten)]
    pub src: HubArgs,
    #[command(subcommand)]
    pub command: KojiCommand,
}

/// Where Koji data comes from. Without any of `--hub`, `-p`, `--snapshot`, the `koji`
/// profile of the koji client configuration is used.
#[derive(Args, Debug)]
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
}

#[derive(Subcommand, Debug)]
pub enum KojiCommand {
    /// A tag's inheritance, as `koji list-tag-inheritance` prints it.
    #[command(alias = "tree")]
    Inheritance {
        tag: String,
        /// The tags that inherit from TAG instead of those it inherits from.
        #[arg(long)]
        reverse: bool,
        #[arg(long)]
        json: bool,
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
    /// Save every hub answer the views of these tags need into FILE, for offline use.
    Snapshot {
        #[arg(required = true)]
        tags: Vec<String>,
        /// The snapshot file to write.
        #[arg(short = 'o', long, value_name = "FILE")]
        output: PathBuf,
    },
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
    let (url, timeout) = match &a.hub {
        Some(url) => (url.clone(), DEFAULT_TIMEOUT),
        None => {
            let name = a.profile.as_deref().unwrap_or(DEFAULT_PROFILE);
            let files = match &a.config {
                Some(f) => vec![f.clone()],
                None => {
                    config::default_files(std::env::var_os("HOME").map(PathBuf::from).as_deref())
                }
            };
            let p = config::load_profile(name, &files)?;
            (p.server, p.timeout.unwrap_or(DEFAULT_TIMEOUT))
        }
    };
    let http = HttpClient::new(HttpOptions {
        read_timeout: Duration::from_secs(timeout),
        ..HttpOptions::default()
    });
    Ok(Box::new(HubClient::new(&url, http)))
}

/// `koji list-tag-inheritance` text: the root line, then one line per entry with the
/// flags (`M` maxdepth, `F` filter, `I` intransitive, `N` noconfig) and the tree drawing.
pub fn render_inheritance(
    root_name: &str,
    root_id: i64,
    entries: &[InheritanceEntry],
    reverse: bool,
) -> String {
    let mut s = format!("     {root_name} ({root_id})\n");
    let mut sibdepths: Vec<i64> = Vec::new();
    let spaces = |n: i64| " ".repeat(usize::try_from(n).unwrap_or(0));
    for (i, cur) in entries.iter().enumerate() {
        let siblings = entries[i + 1..]
            .iter()
            .filter(|t| {
                if reverse {
                    t.link.parent == cur.link.parent
                } else {
                    t.link.child == cur.link.child
                }
            })
            .count();
        let l = &cur.link;
        for (on, c) in [
            (l.maxdepth.is_some(), 'M'),
            (!l.pkg_filter.is_empty(), 'F'),
            (l.intransitive, 'I'),
            (l.noconfig, 'N'),
        ] {
            s.push(if on { c } else { '.' });
        }
        let mut outdepth = 0;
        for &depth in &sibdepths {
            if depth < cur.currdepth {
                s.push_str(&spaces((depth - outdepth) * 3 - 1));
                s.push('\u{2502}');
                outdepth = depth;
            }
        }
        s.push_str(&spaces((cur.currdepth - outdepth) * 3 - 1));
        s.push(if siblings > 0 { '\u{251c}' } else { '\u{2514}' });
        s.push('\u{2500}');
        let _ = writeln!(s, "{} ({})", cur.name, cur.tag);
        if siblings > 0 {
            if sibdepths.last() != Some(&cur.currdepth) {
                sibdepths.push(cur.currdepth);
            }
        } else if sibdepths.last() == Some(&cur.currdepth) {
            sibdepths.pop();
        }
    }
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

/// Runs `bramble koji ...`.
pub fn run(args: KojiArgs) -> i32 {
    let src = match open_source(&args.src) {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let event = args.src.event;
    match args.command {
        KojiCommand::Inheritance { tag, reverse, json } => {
            let parts = Parts {
                reverse,
                ..Parts::default()
            };
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
            if json {
                output::json(&InheritanceJson {
                    tag: &name,
                    tag_id: tree.root.0,
                    reverse,
                    inheritance: &entries,
                });
            } else {
                output::out(&output::sanitize(&render_inheritance(
                    &name,
                    tree.root.0,
                    &entries,
                    reverse,
                )));
            }
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
