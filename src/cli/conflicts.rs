//! `bramble conflicts`: every pair of packages across the loaded sources that cannot be
//! installed together, and why (explicit `Conflicts`, `Obsoletes`, alternatives whose
//! providers clash, file conflicts), grouped by capability, each side with its repo.
//!
//! Exit status: 0 when nothing is found, 1 when some conflict is (dismissed file
//! conflicts and plain alternatives shown with `--alternatives` do not count), 2 on error.
//! The `--json` schema is documented in README.md.

use clap::Args;
use serde::Serialize;

use super::args::SourceArgs;
use super::modules::ModuleArgs;
use super::output;
use crate::analysis::conflicts::{
    Conflict, ConflictKind, ConflictOptions, ConflictReport, FileCoverage, SortKey, find_conflicts,
};
use crate::analysis::select::PkgPattern;
use crate::load::source::Filelists;
use crate::model::package::PkgId;
use crate::model::pool::Pool;
use crate::progress::{Cancel, NoProgress};

#[derive(Args, Debug)]
pub struct ConflictsArgs {
    #[command(flatten)]
    pub src: SourceArgs,
    #[command(flatten)]
    pub module: ModuleArgs,
    /// Only this kind (repeatable): conflicts, obsoletes, alternatives, file.
    #[arg(long = "kind", value_enum, value_name = "KIND")]
    pub kind: Vec<ConflictKind>,
    /// Only entries where one side matches this NEVRA pattern (repeatable).
    #[arg(long = "pkg", value_name = "PATTERN")]
    pub pkg: Vec<String>,
    /// Also list plain alternatives: required capabilities provided by packages of
    /// several names that do not clash (many on a full distribution).
    #[arg(long)]
    pub alternatives: bool,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
    /// Order of the groups.
    #[arg(long, value_enum, default_value_t = SortKey::Name)]
    pub sort: SortKey,
    /// Print how long loading and the detection took, on stderr.
    #[arg(long)]
    pub timings: bool,
}

#[derive(Serialize)]
struct JsonSide {
    nevra: String,
    name: String,
    arch: String,
    repo: String,
}

fn side(pool: &Pool, p: PkgId) -> JsonSide {
    JsonSide {
        nevra: pool.nevra(p),
        name: pool.name(p).to_string(),
        arch: pool.arch(p).to_string(),
        repo: pool.repo_of(p).name.clone(),
    }
}

#[derive(Serialize)]
struct JsonPath {
    path: String,
    status: &'static str,
    reason: &'static str,
}

#[derive(Serialize)]
struct JsonEntry {
    kind: ConflictKind,
    capability: String,
    a: JsonSide,
    b: JsonSide,
    problem: bool,
    text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    paths: Vec<JsonPath>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    providers: Vec<JsonSide>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    required_by: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    required_by_count: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    clash: Option<bool>,
}

#[derive(Serialize)]
struct JsonOut {
    packages: usize,
    problems: usize,
    file_lists: FileCoverage,
    entries: Vec<JsonEntry>,
}

fn json_entry(pool: &Pool, c: &Conflict) -> JsonEntry {
    let alt = c.kind == ConflictKind::Alternatives;
    JsonEntry {
        kind: c.kind,
        capability: c.capability(pool),
        a: side(pool, c.a),
        b: side(pool, c.b),
        problem: c.is_problem(),
        text: c.describe(pool),
        status: c.file_status().map(|s| s.as_str()),
        paths: c
            .paths
            .iter()
            .map(|p| JsonPath {
                path: pool.str(p.path).to_string(),
                status: p.status.as_str(),
                reason: p.reason,
            })
            .collect(),
        providers: c.providers.iter().map(|&p| side(pool, p)).collect(),
        required_by: c.required_by.iter().map(|&p| pool.nevra(p)).collect(),
        required_by_count: alt.then_some(c.required_by_count),
        clash: alt.then_some(c.clash),
    }
}

fn pkg_str(pool: &Pool, p: PkgId) -> String {
    format!("{} ({})", pool.nevra(p), pool.repo_of(p).name)
}

/// The grouped text: one block per capability, one line (or a few) per entry.
pub fn render_text(pool: &Pool, entries: &[Conflict]) -> String {
    let mut s = String::new();
    let mut last: Option<(String, ConflictKind)> = None;
    for c in entries {
        let cap = c.capability(pool);
        let group = (cap.clone(), c.kind);
        if last.as_ref() != Some(&group) {
            if last.is_some() {
                s.push('\n');
            }
            let title = match c.kind {
                ConflictKind::FileConflict => "file",
                ConflictKind::Alternatives if c.clash => "alternatives that clash",
                ConflictKind::Alternatives => "alternatives",
                k => k.as_str(),
            };
            s.push_str(&format!("{cap}  [{title}]\n"));
            last = Some(group);
        }
        match c.kind {
            ConflictKind::Conflicts => s.push_str(&format!(
                "  {} conflicts with {}\n",
                pkg_str(pool, c.a),
                pkg_str(pool, c.b)
            )),
            ConflictKind::Obsoletes => s.push_str(&format!(
                "  {} obsoletes {}\n",
                pkg_str(pool, c.a),
                pkg_str(pool, c.b)
            )),
            ConflictKind::Alternatives => {
                let req: Vec<String> = c.required_by.iter().map(|&p| pool.nevra(p)).collect();
                let more = c.required_by_count.saturating_sub(req.len());
                s.push_str(&format!(
                    "  required by {}{}\n",
                    req.join(", "),
                    if more > 0 {
                        format!(" and {more} more")
                    } else {
                        String::new()
                    }
                ));
                for &p in &c.providers {
                    s.push_str(&format!("  provided by {}\n", pkg_str(pool, p)));
                }
                if c.clash {
                    s.push_str(&format!(
                        "  but {} and {} cannot be installed together\n",
                        pool.name(c.a),
                        pool.name(c.b)
                    ));
                }
            }
            ConflictKind::FileConflict => {
                let status = c.file_status().map_or("possible", |s| s.as_str());
                s.push_str(&format!(
                    "  {} and {}: {status}\n",
                    pkg_str(pool, c.a),
                    pkg_str(pool, c.b)
                ));
                const SHOWN: usize = 10;
                for p in c.paths.iter().take(SHOWN) {
                    s.push_str(&format!(
                        "    {} ({}: {})\n",
                        pool.str(p.path),
                        p.status.as_str(),
                        p.reason
                    ));
                }
                if c.paths.len() > SHOWN {
                    s.push_str(&format!("    ... {} more paths\n", c.paths.len() - SHOWN));
                }
            }
        }
    }
    s
}

/// A line for stderr about what the file check covered.
pub fn coverage_note(files: FileCoverage) -> Option<&'static str> {
    match files {
        FileCoverage::Complete | FileCoverage::Skipped => None,
        FileCoverage::Partial => Some(
            "note: file conflicts were checked only between packages of .rpm sources; \
             use --filelists all to check repositories too",
        ),
        FileCoverage::None => Some(
            "note: file conflicts not checked: full file lists were not loaded \
             (use --filelists all)",
        ),
    }
}

pub fn run(a: ConflictsArgs) -> i32 {
    let t0 = std::time::Instant::now();
    let patterns = match a
        .pkg
        .iter()
        .map(|p| PkgPattern::new(p))
        .collect::<Result<Vec<_>, _>>()
    {
        Ok(p) => p,
        Err(e) => {
            eprintln!("bramble: error: --pkg: {e}");
            return 2;
        }
    };
    let (loaded, failed) = match a.src.load() {
        Ok(x) => x,
        Err(e) => {
            eprintln!("bramble: {e}");
            return 2;
        }
    };
    let pool = &loaded.pool;
    let available = match a.module.filter(&loaded) {
        Ok(f) => f.map(|f| f.available).unwrap_or_default(),
        Err(e) => {
            eprintln!("bramble: {e}");
            return 2;
        }
    };
    let opts = ConflictOptions {
        kinds: a.kind.clone(),
        all_alternatives: a.alternatives,
        complete_filelists: a.src.filelists == Filelists::All,
    };
    let t1 = std::time::Instant::now();
    let mut report: ConflictReport =
        find_conflicts(pool, &available, &opts, &NoProgress, &Cancel::new());
    let t2 = std::time::Instant::now();
    if !patterns.is_empty() {
        report.entries.retain(|c| {
            patterns
                .iter()
                .any(|p| p.matches(pool, c.a) || p.matches(pool, c.b))
        });
    }
    report.sort(pool, a.sort);
    if a.timings {
        eprintln!(
            "timings: load {:.3} s, detect {:.3} s ({} packages, {} file entries, {} entries)",
            (t1 - t0).as_secs_f64(),
            (t2 - t1).as_secs_f64(),
            pool.len(),
            pool.files.len(),
            report.entries.len()
        );
    }
    if let Some(note) = coverage_note(report.files) {
        eprintln!("bramble: {note}");
    }
    let problems = report.problems();
    if a.json {
        output::json(&JsonOut {
            packages: report.packages,
            problems,
            file_lists: report.files,
            entries: report.entries.iter().map(|c| json_entry(pool, c)).collect(),
        });
    } else {
        output::out(&output::sanitize(&render_text(pool, &report.entries)));
        if problems > 0 {
            eprintln!("{problems} conflicts found.");
        }
    }
    if failed {
        2
    } else if problems == 0 {
        0
    } else {
        1
    }
}
