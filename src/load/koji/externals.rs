//! The content of a tag's external repos for one arch, read into one pool: each repo
//! from a location the user gave (`--external NAME=LOCATION`) or from its hub URL with
//! `$arch` filled in. A repo that cannot be read is reported and counts as not loaded,
//! so the buildroot can still be assembled from the rest.

use crate::load::source::{Filelists, LoadOptions, LoadProblem, Source, load_sources};
use crate::model::package::PkgId;
use crate::model::pool::Pool;
use crate::model::tag::TagExternalRepo;
use crate::progress::Progress;

/// What was read: the pool, per external repo (in the order given) its packages or
/// `None` when it was not loaded, and the problems met.
pub struct Externals {
    pub pool: Pool,
    pub content: Vec<(TagExternalRepo, Option<Vec<PkgId>>)>,
    pub problems: Vec<LoadProblem>,
    /// Repos given in `overrides` or fetched that could not even be named as a source.
    pub warnings: Vec<String>,
}

/// Reads `repos` for `arch`. `overrides` (NAME, LOCATION) replace hub URLs; with
/// `no_fetch` only those are read. An override naming no external repo of the tag is an
/// error.
pub fn load_externals(
    repos: &[TagExternalRepo],
    arch: &str,
    overrides: &[(String, String)],
    no_fetch: bool,
    progress: &dyn Progress,
) -> Result<Externals, String> {
    for (name, _) in overrides {
        if !repos.iter().any(|r| &r.external_repo_name == name) {
            return Err(format!("--external: the tag has no external repo `{name}`"));
        }
    }
    let mut sources = Vec::new();
    let mut wanted = Vec::new();
    let mut warnings = Vec::new();
    for r in repos {
        let loc = match overrides.iter().find(|(n, _)| *n == r.external_repo_name) {
            Some((_, l)) => Some(l.clone()),
            None if no_fetch => None,
            None => Some(r.url.replace("$arch", arch)),
        };
        if let Some(loc) = loc {
            match Source::parse(&format!("{},{loc}", r.external_repo_name)) {
                Ok(s) => {
                    sources.push(s);
                    wanted.push(r.external_repo_name.clone());
                }
                Err(e) => warnings.push(format!("external repo `{}`: {e}", r.external_repo_name)),
            }
        }
    }
    let opts = LoadOptions {
        filelists: Filelists::Never,
        host_arch: Some(arch.to_owned()),
        ..LoadOptions::default()
    };
    let loaded = load_sources(&sources, &opts, progress);
    let failed: Vec<String> = loaded
        .problems
        .iter()
        .filter(|p| p.fatal)
        .map(|p| p.source.clone())
        .collect();
    let pool = loaded.pool;
    let content = repos
        .iter()
        .map(|r| {
            let name = &r.external_repo_name;
            let ok = wanted.contains(name)
                && !failed.iter().any(|f| f.starts_with(&format!("{name} (")));
            let ids = ok
                .then(|| {
                    pool.repos
                        .iter()
                        .find(|x| &x.name == name)
                        .map(|x| x.packages().collect::<Vec<_>>())
                })
                .flatten();
            (r.clone(), ids)
        })
        .collect();
    Ok(Externals {
        pool,
        content,
        problems: loaded.problems,
        warnings,
    })
}
