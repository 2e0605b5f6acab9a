//! `bramble query`: `dnf repoquery` over any loaded sources. Same option names, same
//! output lines (sorted, de-duplicated, as dnf prints them), plus `--json` with a stable
//! schema (documented in the README).

use std::collections::BTreeSet;

use clap::Args;
use serde::Serialize;

use super::args::SourceArgs;
use super::modules::ModuleArgs;
use super::output::{self, sanitize};
use crate::analysis::select::PkgPattern;
use crate::load::source::Filelists;
use crate::model::package::{DepKind, PkgId};
use crate::model::pool::Pool;

#[derive(Args, Debug, Default)]
pub struct QueryArgs {
    #[command(flatten)]
    pub src: SourceArgs,
    #[command(flatten)]
    pub module: ModuleArgs,
    /// Package patterns (name, NEVRA forms, globs); none: every package.
    pub patterns: Vec<String>,
    /// Show detailed information, as `dnf repoquery --info`.
    #[arg(short = 'i', long)]
    pub info: bool,
    /// Output format with dnf's `%{tag}` tags (e.g. `%{name}-%{version}`).
    #[arg(long = "queryformat", visible_alias = "qf", value_name = "FORMAT")]
    pub queryformat: Option<String>,
    #[arg(long)]
    pub requires: bool,
    /// Only Requires(pre) and friends.
    #[arg(long = "requires-pre")]
    pub requires_pre: bool,
    #[arg(long)]
    pub provides: bool,
    #[arg(long)]
    pub conflicts: bool,
    #[arg(long)]
    pub obsoletes: bool,
    #[arg(long)]
    pub recommends: bool,
    #[arg(long)]
    pub suggests: bool,
    #[arg(long)]
    pub supplements: bool,
    #[arg(long)]
    pub enhances: bool,
    /// List the files of the packages.
    #[arg(short = 'l', long = "list", visible_alias = "files")]
    pub list: bool,
    /// Show changelogs.
    #[arg(long = "changelogs", visible_alias = "changelog")]
    pub changelogs: bool,
    /// Every requirement with the packages that provide it.
    #[arg(long)]
    pub deplist: bool,
    /// Packages providing this capability or file (repeatable).
    #[arg(long, value_name = "CAPABILITY")]
    pub whatprovides: Vec<String>,
    #[arg(long, value_name = "CAPABILITY")]
    pub whatrequires: Vec<String>,
    #[arg(long, value_name = "CAPABILITY")]
    pub whatconflicts: Vec<String>,
    #[arg(long, value_name = "CAPABILITY")]
    pub whatobsoletes: Vec<String>,
    #[arg(long, value_name = "CAPABILITY")]
    pub whatrecommends: Vec<String>,
    #[arg(long, value_name = "CAPABILITY")]
    pub whatsuggests: Vec<String>,
    #[arg(long, value_name = "CAPABILITY")]
    pub whatsupplements: Vec<String>,
    #[arg(long, value_name = "CAPABILITY")]
    pub whatenhances: Vec<String>,
    /// Packages owning this file (repeatable).
    #[arg(short = 'f', long = "file", value_name = "PATH")]
    pub file: Vec<String>,
    /// Only packages of these arches (comma separated or repeated).
    #[arg(long = "arch", visible_alias = "archlist", value_delimiter = ',')]
    pub arch: Vec<String>,
    /// Only packages of these repos (comma separated or repeated).
    #[arg(long = "repo", visible_alias = "repoid", value_delimiter = ',')]
    pub repo: Vec<String>,
    /// Only packages named by this advisory (updateinfo id; repeatable).
    #[arg(long = "advisory", visible_alias = "advisories", value_delimiter = ',')]
    pub advisory: Vec<String>,
    /// Only the N newest versions per name.arch (negative: all but the N newest).
    #[arg(long = "latest-limit", allow_hyphen_values = true)]
    pub latest_limit: Option<i64>,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
    /// Show packages of every module stream (dnf's option; `query` applies no module
    /// filtering, so this is the default).
    #[arg(long = "disable-modular-filtering")]
    pub disable_modular_filtering: bool,
}

/// One package in `--json` output.
#[derive(Serialize)]
pub struct JsonPackage {
    pub name: String,
    pub epoch: u32,
    pub version: String,
    pub release: String,
    pub arch: String,
    pub nevra: String,
    pub repo: String,
    pub summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub info: Option<JsonInfo>,
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub deps: std::collections::BTreeMap<&'static str, Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub files: Option<Vec<String>>,
}

#[derive(Serialize)]
pub struct JsonInfo {
    pub description: String,
    pub url: String,
    pub license: String,
    pub sourcerpm: String,
    pub vendor: String,
    pub packager: String,
    pub buildhost: String,
    pub size_package: u64,
    pub size_installed: u64,
    pub time_build: u64,
    pub location: String,
    pub checksum: String,
}

fn dep_kinds(a: &QueryArgs) -> Vec<DepKind> {
    let mut v = Vec::new();
    let flags = [
        (a.provides, DepKind::Provides),
        (a.requires, DepKind::Requires),
        (a.conflicts, DepKind::Conflicts),
        (a.obsoletes, DepKind::Obsoletes),
        (a.recommends, DepKind::Recommends),
        (a.suggests, DepKind::Suggests),
        (a.supplements, DepKind::Supplements),
        (a.enhances, DepKind::Enhances),
    ];
    for (on, k) in flags {
        if on {
            v.push(k);
        }
    }
    v
}

/// Packages selected by patterns, --arch, --repo and the --what* filters, among the
/// `available` ones (modular filtering) when given.
fn selection(
    pool: &mut Pool,
    a: &QueryArgs,
    available: Option<&[bool]>,
) -> Result<Vec<PkgId>, String> {
    let pats: Vec<PkgPattern> = a
        .patterns
        .iter()
        .map(|p| PkgPattern::new(p))
        .collect::<Result<_, _>>()?;
    let candidates = pool
        .ids()
        .filter(|id| available.is_none_or(|m| m[id.index()]));
    let mut ids: Vec<PkgId> = crate::analysis::select::select(pool, candidates, &pats);
    if !a.arch.is_empty() {
        ids.retain(|&id| a.arch.iter().any(|x| x == pool.arch(id)));
    }
    if !a.repo.is_empty() {
        ids.retain(|&id| a.repo.iter().any(|x| *x == pool.repo_of(id).name));
    }
    let mut whatprovides = a.whatprovides.clone();
    whatprovides.extend(a.file.iter().cloned());
    let filters: [(&[String], Option<DepKind>); 8] = [
        (&whatprovides, None),
        (&a.whatrequires, Some(DepKind::Requires)),
        (&a.whatconflicts, Some(DepKind::Conflicts)),
        (&a.whatobsoletes, Some(DepKind::Obsoletes)),
        (&a.whatrecommends, Some(DepKind::Recommends)),
        (&a.whatsuggests, Some(DepKind::Suggests)),
        (&a.whatsupplements, Some(DepKind::Supplements)),
        (&a.whatenhances, Some(DepKind::Enhances)),
    ];
    for (caps, kind) in filters {
        if caps.is_empty() {
            continue;
        }
        let mut keep = BTreeSet::new();
        for cap in caps {
            let matched = match kind {
                None => whatprovides_cap(pool, cap)?,
                Some(k) => what_depends_cap(pool, cap, k)?,
            };
            keep.extend(matched);
        }
        ids.retain(|id| keep.contains(id));
    }
    if let Some(n) = a.latest_limit {
        ids = latest_limit(pool, &ids, n);
    }
    Ok(ids)
}

fn whatprovides_cap(pool: &mut Pool, cap: &str) -> Result<Vec<PkgId>, String> {
    if cap.contains(['*', '?', '[']) {
        let pat = glob::Pattern::new(cap).map_err(|e| format!("invalid pattern `{cap}`: {e}"))?;
        let mut out: Vec<PkgId> = pool
            .ids()
            .filter(|&id| {
                pool.deps_of(id, DepKind::Provides)
                    .iter()
                    .any(|d| pat.matches(pool.str(d.name)))
            })
            .collect();
        out.extend(
            pool.files
                .iter()
                .filter(|(_, s)| pat.matches(pool.str(*s)))
                .map(|(p, _)| *p),
        );
        return Ok(out);
    }
    let dep = pool.parse_reldep(cap)?;
    pool.build_indexes();
    Ok(pool.whatprovides(&dep))
}

/// Packages with a dependency of `kind` that either names `cap` (glob on the name) or is
/// satisfied by a package called `cap`, as dnf 4's `--whatrequires` does.
fn what_depends_cap(pool: &mut Pool, cap: &str, kind: DepKind) -> Result<Vec<PkgId>, String> {
    let is_glob = cap.contains(['*', '?', '[']);
    let pat = if is_glob {
        Some(glob::Pattern::new(cap).map_err(|e| format!("invalid pattern `{cap}`: {e}"))?)
    } else {
        None
    };
    let dep = if is_glob {
        None
    } else {
        Some(pool.parse_reldep(cap)?)
    };
    pool.build_indexes();
    let targets: Vec<PkgId> = match &dep {
        Some(d) if d.cmp == crate::model::dep::Cmp::Any => pool.by_name(pool.str(d.name)).to_vec(),
        _ => Vec::new(),
    };
    let mut scratch = Vec::new();
    let out = pool
        .ids()
        .filter(|&id| {
            pool.deps_of(id, kind).iter().any(|d| {
                let by_name = match (&pat, &dep) {
                    (Some(p), _) => p.matches(pool.str(d.name)),
                    (None, Some(q)) => {
                        d.name == q.name
                            && (pool.dep_matches(d, q) || q.cmp == crate::model::dep::Cmp::Any)
                    }
                    _ => false,
                };
                if by_name {
                    return true;
                }
                if targets.is_empty() {
                    return false;
                }
                scratch.clear();
                pool.whatprovides_into(d, &mut scratch);
                scratch.iter().any(|p| targets.contains(p))
            })
        })
        .collect();
    Ok(out)
}

fn latest_limit(pool: &Pool, ids: &[PkgId], n: i64) -> Vec<PkgId> {
    let mut groups: std::collections::BTreeMap<(&str, &str), Vec<PkgId>> = Default::default();
    for &id in ids {
        groups
            .entry((pool.name(id), pool.arch(id)))
            .or_default()
            .push(id);
    }
    let mut out = Vec::new();
    for (_, mut v) in groups {
        v.sort_by(|&a, &b| pool.evr(b).cmp_full(&pool.evr(a)));
        // distinct versions, newest first
        let mut versions: Vec<Vec<PkgId>> = Vec::new();
        for id in v {
            match versions.last_mut() {
                Some(last) if pool.evr(last[0]).cmp_full(&pool.evr(id)).is_eq() => last.push(id),
                _ => versions.push(vec![id]),
            }
        }
        let take: Vec<Vec<PkgId>> = if n >= 0 {
            versions.into_iter().take(n as usize).collect()
        } else {
            versions.into_iter().skip((-n) as usize).collect()
        };
        out.extend(take.into_iter().flatten());
    }
    out
}

/// Expand dnf's `%{tag}` query format for one package.
pub fn format_package(pool: &Pool, id: PkgId, fmt: &str) -> String {
    let p = pool.pkg(id);
    let fmt = fmt.replace("\\n", "\n").replace("\\t", "\t");
    let mut out = String::new();
    let mut rest = fmt.as_str();
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        // optional width: %-20{name}
        let width_len = after
            .find(|c: char| !(c == '-' || c.is_ascii_digit()))
            .unwrap_or(after.len());
        let (width, tail) = after.split_at(width_len);
        if let Some(body) = tail.strip_prefix('{')
            && let Some(end) = body.find('}')
        {
            let tag = &body[..end];
            let val = tag_value(pool, id, p, tag);
            let w: i64 = width.parse().unwrap_or(0);
            if w < 0 {
                out.push_str(&format!("{:<width$}", val, width = (-w) as usize));
            } else if w > 0 {
                out.push_str(&format!("{:>width$}", val, width = w as usize));
            } else {
                out.push_str(&val);
            }
            rest = &body[end + 1..];
            continue;
        }
        out.push('%');
        rest = after;
    }
    out.push_str(rest);
    out
}

fn tag_value(pool: &Pool, id: PkgId, p: &crate::model::package::Package, tag: &str) -> String {
    let i = &p.info;
    match tag {
        "name" => pool.str(p.name).into(),
        "epoch" => p.epoch.to_string(),
        "version" => pool.str(p.version).into(),
        "release" => pool.str(p.release).into(),
        "arch" => pool.str(p.arch).into(),
        "evr" => pool.evr(id).to_string(),
        "nevra" => pool.nevra(id),
        "full_nevra" => pool.full_nevra(id),
        "repoid" | "reponame" => pool.repo_of(id).name.clone(),
        "summary" => i.summary.to_string(),
        "description" => i.description.to_string(),
        "url" => i.url.to_string(),
        "license" => pool.str(i.license).into(),
        "vendor" => pool.str(i.vendor).into(),
        "packager" => pool.str(i.packager).into(),
        "group" => pool.str(i.group).into(),
        "buildhost" => pool.str(i.buildhost).into(),
        "sourcerpm" => pool.str(i.sourcerpm).into(),
        "size" | "downloadsize" | "packagesize" => i.size_package.to_string(),
        "installsize" => i.size_installed.to_string(),
        "buildtime" => i.time_build.to_string(),
        "location" => i.location.to_string(),
        "checksum" | "pkgid" => i.checksum.to_string(),
        "modularitylabel" => pool.str(i.modularity_label).into(),
        other => {
            let kind = DepKind::ALL.iter().find(|k| k.as_str() == other);
            match kind {
                Some(&k) => {
                    let mut v: Vec<String> = pool
                        .deps_of(id, k)
                        .iter()
                        .map(|d| pool.dep_str(d))
                        .collect();
                    v.sort();
                    v.dedup();
                    v.join("\n")
                }
                None => format!("%{{{other}}}"),
            }
        }
    }
}

fn info_text(pool: &Pool, id: PkgId) -> String {
    let p = pool.pkg(id);
    let i = &p.info;
    let mut s = String::new();
    let mut field = |k: &str, v: &str| {
        let mut lines = v.lines();
        s.push_str(&format!("{k:<13}: {}\n", lines.next().unwrap_or("")));
        for l in lines {
            s.push_str(&format!("{:<13}: {l}\n", ""));
        }
    };
    field("Name", pool.str(p.name));
    if p.epoch != 0 {
        field("Epoch", &p.epoch.to_string());
    }
    field("Version", pool.str(p.version));
    field("Release", pool.str(p.release));
    field("Architecture", pool.str(p.arch));
    field("Size", &human_size(i.size_package));
    let source = pool.str(i.sourcerpm);
    field("Source", if source.is_empty() { "None" } else { source });
    field("Repository", &pool.repo_of(id).name);
    field("Summary", &i.summary);
    if !i.url.is_empty() {
        field("URL", &i.url);
    }
    field("License", pool.str(i.license));
    field("Description", &i.description);
    s
}

fn human_size(n: u64) -> String {
    let units = ["", "k", "M", "G", "T"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < units.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n}")
    } else {
        format!("{v:.1} {}", units[u])
    }
}

pub fn run(a: QueryArgs) -> i32 {
    let mut opts = a.src.options();
    // File paths asked about are read from file lists even when no dependency names them;
    // globs over paths need every entry.
    for p in a
        .file
        .iter()
        .chain(&a.whatprovides)
        .filter(|p| p.starts_with('/'))
    {
        if p.contains(['*', '?', '[']) {
            opts.filelists = Filelists::All;
        }
        opts.extra_paths.push(p.clone());
    }
    let (mut loaded, mut failed) = match a.src.load_with(opts.clone()) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("bramble: {e}");
            return 2;
        }
    };
    let available = match a.module.filter(&loaded) {
        Ok(f) => f.map(|f| f.available),
        Err(e) => {
            eprintln!("bramble: {e}");
            return 2;
        }
    };
    let pool = &mut loaded.pool;
    let mut ids = match selection(pool, &a, available.as_deref()) {
        Ok(ids) => ids,
        Err(e) => {
            eprintln!("bramble: {e}");
            return 2;
        }
    };
    if !a.advisory.is_empty() {
        let (advs, problems) = loaded.advisories(&opts);
        failed |= report(&problems);
        let pool = &loaded.pool;
        ids.retain(|&id| {
            advs.iter()
                .filter(|(_, adv)| a.advisory.contains(&adv.id))
                .flat_map(|(_, adv)| &adv.packages)
                .any(|ap| {
                    ap.name == pool.name(id)
                        && ap.arch == pool.arch(id)
                        && ap.version == pool.str(pool.pkg(id).version)
                        && ap.release == pool.str(pool.pkg(id).release)
                        && ap.epoch.parse::<u32>().unwrap_or(0) == pool.pkg(id).epoch
                })
        });
    }
    let visible = |id: PkgId| available.as_ref().is_none_or(|m| m[id.index()]);
    if a.list {
        for p in loaded.read_files_of(&ids, &opts) {
            eprintln!(
                "bramble: error: {}: {}",
                sanitize(&p.source),
                sanitize(&p.error.to_string())
            );
            failed = true;
        }
    }
    let pool = &loaded.pool;
    let kinds = dep_kinds(&a);
    if a.json {
        let pkgs: Vec<JsonPackage> = ids
            .iter()
            .map(|&id| json_package(pool, id, &a, &kinds))
            .collect();
        output::json(&serde_json::json!({ "packages": pkgs }));
        return if failed { 2 } else { 0 };
    }
    let mut lines: BTreeSet<String> = BTreeSet::new();
    let mut blocks: Vec<(String, String)> = Vec::new();
    if a.deplist {
        for &id in &ids {
            let mut s = format!("package: {}\n", pool.nevra(id));
            let mut deps: Vec<_> = pool.deps_of(id, DepKind::Requires).to_vec();
            deps.sort_by_key(|d| pool.dep_str(d));
            deps.dedup_by_key(|d| pool.dep_str(d));
            for d in deps {
                s.push_str(&format!("  dependency: {}\n", pool.dep_str(&d)));
                let mut provs: Vec<PkgId> = pool
                    .whatprovides(&d)
                    .into_iter()
                    .filter(|&p| pool.is_installable(p) && visible(p))
                    .collect();
                provs.sort_by(|&x, &y| crate::analysis::closure::dnf_order(pool, x, y));
                for p in provs {
                    s.push_str(&format!("   provider: {}\n", pool.nevra(p)));
                }
            }
            blocks.push((pool.nevra(id), s));
        }
    } else if a.info {
        // dnf collects one string per package in a set and prints them sorted
        let set: BTreeSet<String> = ids.iter().map(|&id| info_text(pool, id)).collect();
        for b in set {
            blocks.push((b.clone(), b));
        }
    } else if a.changelogs {
        let (logs, problems) = loaded.changelogs_of(&ids, &opts);
        failed |= report(&problems);
        let mut sorted = ids.clone();
        sorted.sort_by(|&x, &y| crate::analysis::closure::dnf_order(pool, x, y));
        let mut text = String::new();
        for id in sorted {
            text.push_str(&format!("Changelog for {}\n", pool.nevra(id)));
            // other.xml lists the oldest entry first; dnf prints the newest first
            for c in logs
                .get(&id)
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .rev()
            {
                text.push_str(&format!(
                    "* {} {}\n{}\n\n",
                    output::format_day(c.date),
                    c.author,
                    c.text
                ));
            }
        }
        output::out(&sanitize(&text));
        return if failed { 2 } else { 0 };
    } else if a.list {
        // as dnf: one string per package (its files, sorted), de-duplicated, sorted
        for &id in &ids {
            let mut files: Vec<&str> = pool
                .files
                .iter()
                .filter(|(p, _)| *p == id)
                .map(|(_, s)| pool.str(*s))
                .collect();
            files.sort_unstable();
            if !files.is_empty() {
                lines.insert(files.join("\n"));
            }
        }
    } else if a.requires_pre {
        for &id in &ids {
            for d in pool
                .deps_of(id, DepKind::Requires)
                .iter()
                .filter(|d| d.is_pre())
            {
                lines.insert(pool.dep_str(d));
            }
        }
    } else if !kinds.is_empty() {
        for &id in &ids {
            for &k in &kinds {
                for d in pool.deps_of(id, k) {
                    lines.insert(pool.dep_str(d));
                }
            }
        }
    } else {
        let fmt = a
            .queryformat
            .clone()
            .unwrap_or_else(|| "%{name}-%{epoch}:%{version}-%{release}.%{arch}".into());
        for &id in &ids {
            lines.insert(format_package(pool, id, &fmt));
        }
    }
    let mut text = String::new();
    blocks.sort();
    // dnf separates blocks with an empty line, with none after the last
    let joined: Vec<String> = blocks.into_iter().map(|(_, b)| b).collect();
    text.push_str(&joined.join("\n"));
    for l in lines {
        text.push_str(&l);
        text.push('\n');
    }
    output::out(&sanitize(&text));
    if failed { 2 } else { 0 }
}

/// Print load problems met after the initial load; true if any was fatal.
fn report(problems: &[crate::load::source::LoadProblem]) -> bool {
    for p in problems {
        eprintln!(
            "bramble: error: {}: {}",
            sanitize(&p.source),
            sanitize(&p.error.to_string())
        );
    }
    problems.iter().any(|p| p.fatal)
}

fn json_package(pool: &Pool, id: PkgId, a: &QueryArgs, kinds: &[DepKind]) -> JsonPackage {
    let p = pool.pkg(id);
    let i = &p.info;
    let mut deps = std::collections::BTreeMap::new();
    for &k in kinds {
        deps.insert(
            k.as_str(),
            pool.deps_of(id, k)
                .iter()
                .map(|d| pool.dep_str(d))
                .collect(),
        );
    }
    JsonPackage {
        name: pool.name(id).into(),
        epoch: p.epoch,
        version: pool.str(p.version).into(),
        release: pool.str(p.release).into(),
        arch: pool.arch(id).into(),
        nevra: pool.nevra(id),
        repo: pool.repo_of(id).name.clone(),
        summary: i.summary.to_string(),
        info: a.info.then(|| JsonInfo {
            description: i.description.to_string(),
            url: i.url.to_string(),
            license: pool.str(i.license).into(),
            sourcerpm: pool.str(i.sourcerpm).into(),
            vendor: pool.str(i.vendor).into(),
            packager: pool.str(i.packager).into(),
            buildhost: pool.str(i.buildhost).into(),
            size_package: i.size_package,
            size_installed: i.size_installed,
            time_build: i.time_build,
            location: i.location.to_string(),
            checksum: i.checksum.to_string(),
        }),
        deps,
        files: a.list.then(|| {
            pool.files
                .iter()
                .filter(|(p, _)| *p == id)
                .map(|(_, s)| pool.str(*s).to_string())
                .collect()
        }),
    }
}
