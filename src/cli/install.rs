//! `bramble install --dry-run`: what installing some roots on top of an installed set
//! would bring in and why each package came, or, when it cannot work, the derivation of
//! why (the python-magic story: "`s3cmd` requires `python3-magic`; `python3-file-magic`
//! conflicts with it; `python3-file-magic` is installed because `insights-client`
//! requires it"). Exit 0 when the install would succeed, 1 when it would fail, 2 on error.
//!
//! Roots and installed sets are given as names/dependencies, or as a file listing an
//! image's packages (see [`parse_package_list`]), which `bramble why` reads the same way.

use std::path::Path;

use clap::Args;
use serde::Serialize;

use super::args::SourceArgs;
use super::output;
use crate::analysis::alternatives::alternatives;
use crate::analysis::install::{Reason, Root, Transaction, simulate_install};
use crate::analysis::pullers::heaviest_pullers;
use crate::model::nevra::Nevra;
use crate::model::package::PkgId;
use crate::model::pool::Pool;

#[derive(Args, Debug)]
pub struct InstallArgs {
    #[command(flatten)]
    pub src: SourceArgs,
    /// Only simulate (required: bramble never installs anything).
    #[arg(long = "dry-run")]
    pub dry_run: bool,
    /// What to install: package names, dependencies (`foo >= 1.0`, `/usr/bin/x`), comps
    /// groups (`@core`; a Koji buildroot repo's `@build`), or a file listing packages (one
    /// per line, or a kickstart `%packages` section, whose `@group` lines count too).
    #[arg(required = true, value_name = "ROOT")]
    pub roots: Vec<String>,
    /// The installed set: a file listing an image's packages (NEVRAs or names, one per
    /// line, `#` comments; or a kickstart file).
    #[arg(long, value_name = "FILE", conflicts_with = "installed_from")]
    pub installed: Option<String>,
    /// The installed set is what installing these roots into an empty system gives
    /// (repeatable or comma-separated).
    #[arg(long = "installed-from", value_name = "ROOTS", value_delimiter = ',')]
    pub installed_from: Vec<String>,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

/// The package entries of an image list: one NEVRA or name per line, `#` starting a
/// comment. When the text has a kickstart `%packages` section, only that section is
/// read; exclusions (`-name`), groups (`@...`) and options are skipped.
pub fn parse_package_list(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let section = lines.iter().position(|l| {
        l.split_whitespace()
            .next()
            .is_some_and(|w| w == "%packages")
    });
    let body: &[&str] = match section {
        Some(start) => {
            let rest = lines.get(start + 1..).unwrap_or(&[]);
            let end = rest
                .iter()
                .position(|l| l.starts_with('%'))
                .unwrap_or(rest.len());
            &rest[..end]
        }
        None => &lines,
    };
    body.iter()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty() && !l.starts_with('-') && !l.starts_with('@'))
        .map(str::to_string)
        .collect()
}

/// One entry of a package list in the pool: the package with exactly this NEVRA (epoch
/// optional), else the newest host-installable package of this name.
pub fn resolve_entry(pool: &Pool, entry: &str) -> Option<PkgId> {
    if let Some(n) = Nevra::parse(entry) {
        let exact = pool.by_name(n.name).iter().copied().find(|&p| {
            pool.arch(p) == n.arch && pool.evr(p).cmp_full(&n.evr) == std::cmp::Ordering::Equal
        });
        if exact.is_some() {
            return exact;
        }
    }
    let named = pool.by_name(entry);
    let pick = |only_installable: bool| {
        named
            .iter()
            .copied()
            .filter(|&p| !only_installable || pool.is_installable(p))
            .max_by(|&a, &b| pool.evr(a).cmp_full(&pool.evr(b)))
    };
    pick(true).or_else(|| pick(false))
}

/// The `@group` entries of an image list or kickstart `%packages` section.
pub fn list_groups(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_ks = false;
    let has_ks = text
        .lines()
        .any(|l| l.split_whitespace().next() == Some("%packages"));
    for l in text.lines().map(str::trim) {
        if l.split_whitespace().next() == Some("%packages") {
            in_ks = true;
            continue;
        }
        if l.starts_with('%') {
            in_ks = false;
        }
        if has_ks && !in_ks {
            continue;
        }
        let l = l.split('#').next().unwrap_or("").trim();
        if let Some(g) = l.strip_prefix('@') {
            let g = g.split_whitespace().next().unwrap_or("");
            if !g.is_empty() {
                out.push(g.to_string());
            }
        }
    }
    out
}

/// The comps groups of the loaded sources, first repository first.
pub type Groups = [(crate::model::package::RepoId, crate::model::comps::Comps)];

/// The package names `@group` stands for: the group's mandatory and default packages
/// (what `dnf group install` installs), from the first repository that has the group.
pub fn group_names(groups: &Groups, key: &str) -> Result<Vec<String>, String> {
    let g = groups
        .iter()
        .find_map(|(_, c)| c.find_group(key))
        .ok_or_else(|| {
            if groups.is_empty() {
                format!("@{key}: the loaded sources have no comps groups")
            } else {
                format!("@{key}: no such group in the loaded comps")
            }
        })?;
    Ok(g.default_install().map(|p| p.name.clone()).collect())
}

/// Read a package-list file and resolve it against the pool (`@group` entries through
/// `groups`); entries not found are reported on stderr and skipped.
pub fn read_package_file(pool: &Pool, groups: &Groups, path: &Path) -> Result<Vec<PkgId>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut entries = parse_package_list(&text);
    for g in list_groups(&text) {
        entries.extend(group_names(groups, &g)?);
    }
    let mut out = Vec::new();
    for entry in entries {
        match resolve_entry(pool, &entry) {
            Some(p) if !out.contains(&p) => out.push(p),
            Some(_) => {}
            None => eprintln!(
                "bramble: warning: {}: no package {} in the loaded sources",
                output::sanitize(&path.display().to_string()),
                output::sanitize(&entry)
            ),
        }
    }
    Ok(out)
}

/// Command-line roots: `@group` is the group's packages, an existing file is a package
/// list, a name only one package has is that package, anything else a requirement.
pub fn parse_roots(pool: &mut Pool, groups: &Groups, args: &[String]) -> Result<Vec<Root>, String> {
    let mut roots = Vec::new();
    let mut expanded = Vec::new();
    for a in args {
        match a.strip_prefix('@') {
            Some(g) => {
                let names = group_names(groups, g)?;
                if names.is_empty() {
                    return Err(format!(
                        "@{g}: the group lists no mandatory or default packages"
                    ));
                }
                // a group member no repo has is skipped, as dnf does
                for n in names {
                    if pool.by_name(&n).is_empty() && pool.strings.get(&n).is_none() {
                        eprintln!("bramble: warning: @{g}: no package {n} in the loaded sources");
                    } else {
                        expanded.push(n);
                    }
                }
            }
            None => expanded.push(a.clone()),
        }
    }
    for a in &expanded {
        let path = Path::new(a);
        if path.is_file() {
            roots.extend(
                read_package_file(pool, groups, path)?
                    .into_iter()
                    .map(Root::Pkg),
            );
        } else if let [only] = pool.by_name(a) {
            // One package of that name: name it, so the derivation says "`x` (a root)".
            roots.push(Root::Pkg(*only));
        } else {
            roots.push(Root::parse(pool, a).map_err(|e| format!("{a}: {e}"))?);
        }
    }
    Ok(roots)
}

/// Why a package is in a transaction, in words.
pub fn reason_text(pool: &Pool, r: &Reason) -> String {
    match r {
        Reason::Root => "root".to_string(),
        Reason::Required { by, dep } => {
            format!("required by {} via {}", pool.name(*by), pool.dep_str(dep))
        }
        Reason::Upgrade { of } => format!("upgrades {}", pool.nevra(*of)),
    }
}

/// The transaction as a table: package, repo, size, why; then the total.
pub fn render_transaction(pool: &Pool, t: &Transaction) -> String {
    let rows: Vec<[String; 4]> = t
        .packages
        .iter()
        .map(|(p, r)| {
            [
                pool.nevra(*p),
                pool.repo_of(*p).name.clone(),
                crate::text::human_size(pool.pkg(*p).info.size_installed),
                reason_text(pool, r),
            ]
        })
        .collect();
    let w0 = rows.iter().map(|r| r[0].len()).max().unwrap_or(0);
    let w1 = rows.iter().map(|r| r[1].len()).max().unwrap_or(0);
    let w2 = rows.iter().map(|r| r[2].len()).max().unwrap_or(0);
    let mut s = format!("Installing {} packages:\n", rows.len());
    for r in &rows {
        s.push_str(&format!(
            "  {:w0$}  {:w1$}  {:>w2$}  {}\n",
            r[0], r[1], r[2], r[3]
        ));
    }
    let total: u64 = t
        .packages
        .iter()
        .map(|(p, _)| pool.pkg(*p).info.size_installed)
        .sum();
    s.push_str(&format!(
        "Total install size: {}\n",
        crate::text::human_size(total)
    ));
    let pullers = heaviest_pullers(pool, t, 5);
    if !pullers.is_empty() {
        s.push_str("Heaviest pullers (what each brought in, by installed size):\n");
        for p in &pullers {
            let brings: Vec<String> = p
                .brings
                .iter()
                .take(4)
                .map(|&b| {
                    format!(
                        "{} ({})",
                        pool.name(b),
                        crate::text::human_size(pool.pkg(b).info.size_installed)
                    )
                })
                .collect();
            let more = p.brings.len().saturating_sub(4);
            s.push_str(&format!(
                "  {}: {} with {} package(s): {}{}\n",
                pool.name(p.pkg),
                crate::text::human_size(p.size),
                p.brings.len(),
                brings.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            ));
        }
    }
    s
}

#[derive(Serialize)]
struct JsonPkg {
    nevra: String,
    repo: String,
    size: u64,
    reason: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dep: Option<String>,
}

#[derive(Serialize)]
struct JsonOut {
    ok: bool,
    installed: usize,
    packages: Vec<JsonPkg>,
    install_size: u64,
    /// The packages that brought in the most, heaviest first.
    pullers: Vec<JsonPuller>,
    #[serde(skip_serializing_if = "Option::is_none")]
    explanation: Option<String>,
    /// On failure: what would work instead, each checked by the solver.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    alternatives: Vec<String>,
}

#[derive(Serialize)]
struct JsonPuller {
    nevra: String,
    /// Installed size of the package and all it brought in.
    size: u64,
    brings: Vec<String>,
}

fn json_pkg(pool: &Pool, p: PkgId, r: &Reason) -> JsonPkg {
    let (reason, by, dep) = match r {
        Reason::Root => ("root", None, None),
        Reason::Required { by, dep } => {
            ("required", Some(pool.nevra(*by)), Some(pool.dep_str(dep)))
        }
        Reason::Upgrade { of } => ("upgrade", Some(pool.nevra(*of)), None),
    };
    JsonPkg {
        nevra: pool.nevra(p),
        repo: pool.repo_of(p).name.clone(),
        size: pool.pkg(p).info.size_installed,
        reason,
        by,
        dep,
    }
}

pub fn run(a: InstallArgs) -> i32 {
    if !a.dry_run {
        eprintln!("bramble: install only simulates; pass --dry-run");
        return 2;
    }
    let (mut loaded, failed) = match a.src.load() {
        Ok(x) => x,
        Err(e) => {
            eprintln!("bramble: {e}");
            return 2;
        }
    };
    let (groups, problems) = loaded.comps(&a.src.options());
    for p in problems {
        eprintln!(
            "bramble: warning: {}: {}",
            output::sanitize(&p.source),
            output::sanitize(&p.error.to_string())
        );
    }
    let pool = &mut loaded.pool;
    let installed: Vec<PkgId> = if let Some(f) = &a.installed {
        match read_package_file(pool, &groups, Path::new(f)) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("bramble: {}", output::sanitize(&e));
                return 2;
            }
        }
    } else if !a.installed_from.is_empty() {
        let base = match parse_roots(pool, &groups, &a.installed_from) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("bramble: --installed-from: {}", output::sanitize(&e));
                return 2;
            }
        };
        match simulate_install(pool, &base, &[], &[]) {
            Ok(t) => t.packages.iter().map(|x| x.0).collect(),
            Err(why) => {
                eprintln!(
                    "bramble: --installed-from cannot be installed itself: {}",
                    output::sanitize(&why.render(pool))
                );
                return 2;
            }
        }
    } else {
        Vec::new()
    };
    let roots = match parse_roots(pool, &groups, &a.roots) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("bramble: {}", output::sanitize(&e));
            return 2;
        }
    };
    let pool = &loaded.pool;
    let result = simulate_install(pool, &roots, &installed, &[]);
    let alts: Vec<String> = match &result {
        Err(why) => alternatives(pool, &roots, &installed, &[], why)
            .iter()
            .map(|a| a.describe(pool))
            .collect(),
        Ok(_) => Vec::new(),
    };
    if a.json {
        let (packages, explanation, pullers) = match &result {
            Ok(t) => (
                t.packages
                    .iter()
                    .map(|(p, r)| json_pkg(pool, *p, r))
                    .collect::<Vec<_>>(),
                None,
                heaviest_pullers(pool, t, 5)
                    .into_iter()
                    .map(|p| JsonPuller {
                        nevra: pool.nevra(p.pkg),
                        size: p.size,
                        brings: p.brings.iter().map(|&b| pool.nevra(b)).collect(),
                    })
                    .collect(),
            ),
            Err(e) => (Vec::new(), Some(e.render(pool)), Vec::new()),
        };
        output::json(&JsonOut {
            ok: result.is_ok(),
            installed: installed.len(),
            install_size: packages.iter().map(|p| p.size).sum(),
            packages,
            pullers,
            explanation,
            alternatives: alts,
        });
    } else {
        match &result {
            Ok(t) => output::out(&output::sanitize(&render_transaction(pool, t))),
            Err(e) => {
                let mut text = format!("Cannot install: {}\n", e.render(pool));
                if !alts.is_empty() {
                    text.push_str("Alternatives (each checked):\n");
                    for a in &alts {
                        text.push_str(&format!("  {a}\n"));
                    }
                }
                output::out(&output::sanitize(&text));
            }
        }
    }
    if failed {
        2
    } else if result.is_ok() {
        0
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_list_with_comments() {
        let got = parse_package_list("# image\nbash\n\n  glibc-2.34-100.el9.x86_64 # pinned\n");
        assert_eq!(got, ["bash", "glibc-2.34-100.el9.x86_64"]);
    }

    #[test]
    fn kickstart_reads_only_packages_section() {
        let ks = "lang en_US\n%packages --ignoremissing\n@core\nbash\n-dracut\ntar\n%end\n\
                  %post\necho hi\n%end\n";
        assert_eq!(parse_package_list(ks), ["bash", "tar"]);
    }

    #[test]
    fn sizes_are_human() {
        assert_eq!(crate::text::human_size(512), "512 B");
        assert_eq!(crate::text::human_size(1536), "1.5 KiB");
        assert_eq!(crate::text::human_size(3 * 1024 * 1024), "3.0 MiB");
    }
}
