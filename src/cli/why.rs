//! `bramble why PKG --from ROOTS`: the shortest `Requires` chain(s) from the roots to a
//! package, drawn as an inverted tree like `cargo tree -i` (the package at the top, who
//! requires it below, down to the roots). Roots are package names, dependencies, or a
//! package-list file (as for `bramble install`). When installing the roots can be
//! simulated, the chain follows the providers the simulation picked. Exit 0 when a chain
//! exists, 1 when the package is not pulled in by the roots, 2 on error.

use clap::Args;
use serde::Serialize;

use super::args::SourceArgs;
use super::install::{parse_roots, resolve_entry};
use super::output;
use crate::analysis::install::{Reason, Root, simulate_install};
use crate::analysis::why::{Chain, Link, why};
use crate::model::package::PkgId;
use crate::model::pool::Pool;

#[derive(Args, Debug)]
pub struct WhyArgs {
    #[command(flatten)]
    pub src: SourceArgs,
    /// The package to explain (name or NEVRA).
    #[arg(value_name = "PKG")]
    pub pkg: String,
    /// The roots: names, dependencies or a package-list file (repeatable or
    /// comma-separated).
    #[arg(long, required = true, value_name = "ROOTS", value_delimiter = ',')]
    pub from: Vec<String>,
    /// Show every shortest chain (up to --limit), not just one.
    #[arg(long)]
    pub all: bool,
    /// Most chains shown with --all.
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

/// The chains as an inverted tree: the target, then each package requiring it (with the
/// dependency), indented, down to the roots. Chains sharing their end are merged.
pub fn render_tree(pool: &Pool, target: PkgId, chains: &[Chain], roots: &[PkgId]) -> String {
    let mut s = pool.nevra(target);
    if roots.contains(&target) {
        s.push_str(" (root)");
    }
    s.push('\n');
    let rev: Vec<Vec<Link>> = chains
        .iter()
        .map(|c| c.links.iter().rev().copied().collect())
        .collect();
    let refs: Vec<&[Link]> = rev
        .iter()
        .map(Vec::as_slice)
        .filter(|c| !c.is_empty())
        .collect();
    branch(pool, &refs, "", roots, &mut s);
    s
}

fn branch(pool: &Pool, chains: &[&[Link]], prefix: &str, roots: &[PkgId], s: &mut String) {
    // Group by the first link, keeping order.
    let mut groups: Vec<(Link, Vec<&[Link]>)> = Vec::new();
    for c in chains {
        let Some((head, rest)) = c.split_first() else {
            continue;
        };
        match groups.iter_mut().find(|g| g.0.pkg == head.pkg) {
            Some(g) => g.1.push(rest),
            None => groups.push((*head, vec![rest])),
        }
    }
    let n = groups.len();
    for (i, (link, rest)) in groups.iter().enumerate() {
        let last = i + 1 == n;
        s.push_str(prefix);
        s.push_str(if last { "└── " } else { "├── " });
        s.push_str(&pool.nevra(link.pkg));
        s.push_str(&format!(" (requires {})", pool.dep_str(&link.dep)));
        if roots.contains(&link.pkg) && rest.iter().all(|r| r.is_empty()) {
            s.push_str(" [root]");
        }
        s.push('\n');
        let sub = format!("{prefix}{}", if last { "    " } else { "│   " });
        branch(pool, rest, &sub, roots, s);
    }
}

#[derive(Serialize)]
struct JsonLink {
    nevra: String,
    requires: String,
}

#[derive(Serialize)]
struct JsonOut {
    target: String,
    roots: Vec<String>,
    /// Each chain from a root to the target.
    chains: Vec<Vec<JsonLink>>,
}

pub fn run(a: WhyArgs) -> i32 {
    let (mut loaded, failed) = match a.src.load() {
        Ok(x) => x,
        Err(e) => {
            eprintln!("bramble: {e}");
            return 2;
        }
    };
    let (groups, _) = loaded.comps(&a.src.options());
    let roots = match parse_roots(&mut loaded.pool, &groups, &a.from) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("bramble: --from: {}", output::sanitize(&e));
            return 2;
        }
    };
    let pool = &loaded.pool;
    // The packages installing the roots would pick, when that works.
    let (root_pkgs, preferred): (Vec<PkgId>, Vec<bool>) =
        match simulate_install(pool, &roots, &[], &[]) {
            Ok(t) => {
                let mut pref = vec![false; pool.len()];
                for (p, _) in &t.packages {
                    if let Some(x) = pref.get_mut(p.index()) {
                        *x = true;
                    }
                }
                let r = t
                    .packages
                    .iter()
                    .filter(|(_, r)| *r == Reason::Root)
                    .map(|x| x.0)
                    .collect();
                (r, pref)
            }
            Err(_) => {
                let r = roots
                    .iter()
                    .flat_map(|r| match r {
                        Root::Pkg(p) => vec![*p],
                        Root::Dep(d) => pool.whatprovides(d),
                    })
                    .collect();
                (r, Vec::new())
            }
        };
    let in_pref = |p: &&PkgId| preferred.get(p.index()).copied().unwrap_or(false);
    let target = pool
        .by_name(&a.pkg)
        .iter()
        .find(in_pref)
        .copied()
        .or_else(|| resolve_entry(pool, &a.pkg));
    let Some(target) = target else {
        eprintln!(
            "bramble: no package {} in the loaded sources",
            output::sanitize(&a.pkg)
        );
        return 2;
    };
    let limit = if a.all { a.limit.max(1) } else { 1 };
    let chains = why(pool, &root_pkgs, target, &preferred, limit);
    if a.json {
        output::json(&JsonOut {
            target: pool.nevra(target),
            roots: root_pkgs.iter().map(|&p| pool.nevra(p)).collect(),
            chains: chains
                .iter()
                .map(|c| {
                    c.links
                        .iter()
                        .map(|l| JsonLink {
                            nevra: pool.nevra(l.pkg),
                            requires: pool.dep_str(&l.dep),
                        })
                        .collect()
                })
                .collect(),
        });
    } else if chains.is_empty() {
        output::out(&output::sanitize(&format!(
            "{} is not required by the roots\n",
            pool.nevra(target)
        )));
    } else {
        output::out(&output::sanitize(&render_tree(
            pool, target, &chains, &root_pkgs,
        )));
    }
    if failed {
        2
    } else if chains.is_empty() {
        1
    } else {
        0
    }
}
