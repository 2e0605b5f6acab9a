//! Module streams on the command line: the module options `closure` and `query` share
//! (`--modules`, `--module-platform-id`, `--enable-module`, `--disable-module`, and
//! dnf's `--setopt=module_platform_id=...`), and `bramble modules`, which lists streams
//! as `dnf module list` does (same table), as JSON, or their problems (`--problems`).

use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use super::args::SourceArgs;
use super::output::{self, sanitize};
use crate::analysis::modules::{
    ModState, ModularFilter, ModuleConfig, ModuleProblem, ModuleState, PlatformSource,
    modular_filter, module_problems, resolve,
};
use crate::load::modulemd::load_modules_file;
use crate::load::source::Loaded;
use crate::model::evr::rpmvercmp;
use crate::model::module::ModuleIndex;
use crate::model::package::RepoId;
use crate::model::pool::{Pool, SourceKind};

/// dnf's message when no platform is known (printed on stderr, as dnf does).
pub const NO_PLATFORM: &str = "Detection of Platform Module failed: No valid Platform ID detected";

#[derive(Args, Debug, Clone, Default)]
pub struct ModuleArgs {
    /// Apply modular filtering as dnf does: artifacts of inactive streams are hidden,
    /// and so are other packages named like an active stream's packages.
    #[arg(long)]
    pub modules: bool,
    /// The platform stream (`platform:el9`); default: from a system-release package.
    #[arg(long = "module-platform-id", value_name = "NAME:STREAM")]
    pub platform: Option<String>,
    /// dnf's `--setopt`; `module_platform_id=NAME:STREAM` is understood.
    #[arg(long = "setopt", value_name = "KEY=VALUE")]
    pub setopt: Vec<String>,
    /// Enable a module stream (repeatable); implies --modules.
    #[arg(long = "enable-module", value_name = "NAME:STREAM")]
    pub enable: Vec<String>,
    /// Disable a module (repeatable); implies --modules.
    #[arg(long = "disable-module", value_name = "NAME")]
    pub disable: Vec<String>,
}

impl ModuleArgs {
    /// Whether modular filtering applies.
    pub fn filtering(&self) -> bool {
        self.modules || !self.enable.is_empty() || !self.disable.is_empty()
    }

    pub fn config(&self) -> Result<ModuleConfig, String> {
        let mut platform = self.platform.clone();
        for s in &self.setopt {
            match s.split_once('=') {
                Some(("module_platform_id", v)) => platform = Some(v.to_string()),
                _ => {
                    return Err(format!(
                        "--setopt {s}: only module_platform_id=NAME:STREAM is understood"
                    ));
                }
            }
        }
        let mut enabled = Vec::new();
        for e in &self.enable {
            match e.split_once(':') {
                Some((n, s)) if !n.is_empty() && !s.is_empty() && !s.contains(':') => {
                    enabled.push((n.to_string(), s.to_string()))
                }
                _ => return Err(format!("--enable-module {e}: expected NAME:STREAM")),
            }
        }
        Ok(ModuleConfig {
            platform,
            enabled,
            disabled: self.disable.clone(),
        })
    }

    /// The modular filter for `loaded`, or `None` when filtering is off. Says on
    /// stderr, as dnf does, when no platform could be found.
    pub fn filter(&self, loaded: &Loaded) -> Result<Option<ModularFilter>, String> {
        if !self.filtering() {
            return Ok(None);
        }
        let cfg = self.config()?;
        let indexes: Vec<(RepoId, &ModuleIndex)> = loaded.module_indexes().collect();
        let state = resolve(&loaded.pool, &indexes, &cfg);
        report_state(&state);
        Ok(Some(modular_filter(&loaded.pool, &state)))
    }
}

/// Print what dnf prints about the module state on stderr.
fn report_state(state: &ModuleState<'_>) {
    if !state.is_empty() && state.platform_source == PlatformSource::Missing {
        eprintln!("{NO_PLATFORM}");
    }
    for p in &state.problems {
        eprintln!("bramble: warning: {}", sanitize(p));
    }
}

#[derive(Args, Debug)]
pub struct ModulesArgs {
    #[command(flatten)]
    pub src: SourceArgs,
    #[command(flatten)]
    pub module: ModuleArgs,
    /// Module metadata files to read as well (modules.yaml, plain or compressed).
    #[arg(value_name = "MODULES.YAML")]
    pub files: Vec<PathBuf>,
    /// List problems instead of streams: artifacts missing from the repo, modular
    /// packages without module metadata, unresolvable stream requirements, defaults and
    /// obsoletes pointing nowhere.
    #[arg(long)]
    pub problems: bool,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct JsonStream<'a> {
    repo: &'a str,
    nsvca: String,
    default: bool,
    active: bool,
    state: ModState,
    default_profiles: Vec<String>,
    #[serde(flatten)]
    stream: &'a crate::model::module::ModuleStream,
}

#[derive(Serialize)]
struct JsonOut<'a> {
    platform: Option<String>,
    platform_source: &'a PlatformSource,
    streams: Vec<JsonStream<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    problems: Option<&'a [ModuleProblem]>,
}

/// One row of `dnf module list`.
struct Row {
    repo: String,
    name: String,
    stream: String,
    arch: String,
    cells: [String; 4],
}

/// `dnf module list`'s table: per repository the newest build of each name:stream:arch
/// (the active one when several contexts share that version), sorted by repository,
/// name, stream (rpm version order) and arch; columns padded, one space apart.
pub fn render_list(pool: &Pool, state: &ModuleState<'_>) -> String {
    let mut best: std::collections::BTreeMap<(String, String, String, String), usize> =
        std::collections::BTreeMap::new();
    for (i, e) in state.entries.iter().enumerate() {
        let s = e.stream;
        let repo = pool.repos[e.repo.index()].name.clone();
        let k = (repo, s.name.clone(), s.stream.clone(), s.arch.clone());
        match best.get(&k) {
            Some(&j) => {
                let o = state.entries[j].stream;
                if s.version > o.version
                    || (s.version == o.version && state.active[i] && !state.active[j])
                {
                    best.insert(k, i);
                }
            }
            None => {
                best.insert(k, i);
            }
        }
    }
    let mut rows: Vec<Row> = best
        .into_iter()
        .map(|((repo, name, stream, arch), i)| {
            let s = state.entries[i].stream;
            let mut flags = String::new();
            if state.default_stream(&s.name) == Some(s.stream.as_str()) {
                flags.push_str(" [d]");
            }
            if state.enabled.get(&s.name) == Some(&s.stream) {
                flags.push_str(" [e]");
            }
            if state.disabled.contains(&s.name) {
                flags.push_str(" [x]");
            }
            let default_profiles: Vec<&String> = state
                .defaults
                .get(&s.name)
                .and_then(|d| d.profiles.get(&s.stream))
                .map(|v| v.iter().collect())
                .unwrap_or_default();
            let profiles: Vec<String> = s
                .profiles
                .keys()
                .map(|p| {
                    if default_profiles.contains(&p) {
                        format!("{p} [d]")
                    } else {
                        p.clone()
                    }
                })
                .collect();
            let summary = s.summary.trim().replace('\n', " ");
            Row {
                cells: [
                    s.name.clone(),
                    format!("{}{flags}", s.stream),
                    profiles.join(", "),
                    summary,
                ],
                repo,
                name,
                stream,
                arch,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        a.repo
            .cmp(&b.repo)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| rpmvercmp(&a.stream, &b.stream))
            .then_with(|| a.arch.cmp(&b.arch))
    });
    if rows.is_empty() {
        return String::new();
    }
    let header = ["Name", "Stream", "Profiles", "Summary"];
    let mut width = header.map(|h| h.chars().count());
    for r in &rows {
        for (w, c) in width.iter_mut().zip(&r.cells) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: [&str; 4]| -> String {
        let padded: Vec<String> = cells
            .iter()
            .zip(width)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        padded.join(" ") + "\n"
    };
    let mut out = String::new();
    let mut repo: Option<&str> = None;
    for r in &rows {
        if repo != Some(r.repo.as_str()) {
            if repo.is_some() {
                out.push('\n');
            }
            repo = Some(&r.repo);
            out.push_str(&r.repo);
            out.push('\n');
            out.push_str(&line(header));
        }
        out.push_str(&line([
            r.cells[0].as_str(),
            &r.cells[1],
            &r.cells[2],
            &r.cells[3],
        ]));
    }
    out.push_str("\nHint: [d]efault, [e]nabled, [x]disabled, [i]nstalled\n");
    out
}

pub fn run(a: ModulesArgs) -> i32 {
    let cfg = match a.module.config() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("bramble: {e}");
            return 2;
        }
    };
    let (mut loaded, mut failed) = if a.src.all().is_empty() {
        if a.files.is_empty() {
            eprintln!(
                "bramble: no sources given (use --source/-s, --repofrompath or MODULES.YAML files)"
            );
            return 2;
        }
        (
            Loaded {
                pool: Pool::new(
                    a.src
                        .forcearch
                        .as_deref()
                        .unwrap_or(crate::load::repofile::host_arch()),
                ),
                repos: Vec::new(),
                problems: Vec::new(),
                disabled: Vec::new(),
            },
            false,
        )
    } else {
        match a.src.load() {
            Ok(x) => x,
            Err(e) => {
                eprintln!("bramble: {e}");
                return 2;
            }
        }
    };
    // module files given directly: one pseudo-repository each, named after the file
    let mut file_indexes = Vec::new();
    for f in &a.files {
        match load_modules_file(f) {
            Ok(l) => {
                for e in &l.errors {
                    eprintln!("bramble: warning: {}", sanitize(&e.to_string()));
                }
                let id = loaded.pool.add_repo(
                    &f.display().to_string(),
                    &f.display().to_string(),
                    SourceKind::RpmFiles,
                );
                file_indexes.push((id, l.index));
            }
            Err(e) => {
                eprintln!("bramble: error: {}", sanitize(&e.to_string()));
                failed = true;
            }
        }
    }
    loaded.pool.build_indexes();
    let mut indexes: Vec<(RepoId, &ModuleIndex)> = loaded.module_indexes().collect();
    indexes.extend(file_indexes.iter().map(|(id, i)| (*id, i)));
    let state = resolve(&loaded.pool, &indexes, &cfg);
    if !state.is_empty() && state.platform_source == PlatformSource::Missing && a.module.filtering()
    {
        eprintln!("{NO_PLATFORM}");
    }
    let problems = if a.problems {
        Some(module_problems(&loaded.pool, &state))
    } else {
        None
    };
    if a.json {
        let streams = state
            .entries
            .iter()
            .zip(&state.active)
            .map(|(e, &active)| JsonStream {
                repo: &loaded.pool.repos[e.repo.index()].name,
                nsvca: e.stream.nsvca(),
                default: state.default_stream(&e.stream.name) == Some(e.stream.stream.as_str()),
                active,
                state: state.state_of(&e.stream.name),
                default_profiles: state
                    .defaults
                    .get(&e.stream.name)
                    .and_then(|d| d.profiles.get(&e.stream.stream))
                    .cloned()
                    .unwrap_or_default(),
                stream: e.stream,
            })
            .collect();
        output::json(&JsonOut {
            platform: state.platform.as_ref().map(|(n, s)| format!("{n}:{s}")),
            platform_source: &state.platform_source,
            streams,
            problems: problems.as_deref(),
        });
    } else if let Some(ps) = &problems {
        let mut text = String::new();
        for p in ps {
            text.push_str(&p.describe());
            text.push('\n');
        }
        output::out(&sanitize(&text));
    } else {
        output::out(&sanitize(&render_list(&loaded.pool, &state)));
    }
    if failed {
        2
    } else if problems.is_some_and(|p| !p.is_empty()) {
        1
    } else {
        0
    }
}
