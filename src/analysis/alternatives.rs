//! Ways out of a failed install: after [`simulate_install`] explains why the roots cannot
//! be installed, try what the user could do instead — take another version of a root
//! package, or drop one of the installed packages the derivation names (the one whose
//! chain brings the conflicting side) — and keep those that install. Each is checked by
//! the solver, so a listed alternative really works.
//!
//! Another provider of a requirement is not tried: the solver already considered every
//! provider, so if one worked the install would not have failed.

use super::install::{Explanation, Root, Step, simulate_install};
use crate::model::package::{DepKind, PkgId};
use crate::model::pool::Pool;

/// How many candidates are tried at most (each is one solver run).
const MAX_TRIES: usize = 64;

/// A way to make the install work.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Alternative {
    /// Installing this other version of the root `instead_of` works.
    Version { pkg: PkgId, instead_of: PkgId },
    /// It works on the installed set without `pkg`, the installed package on the other
    /// side of the conflict, and without `also`: the installed packages that need it.
    Without { pkg: PkgId, also: Vec<PkgId> },
}

impl Alternative {
    pub fn describe(&self, pool: &Pool) -> String {
        match self {
            Alternative::Version { pkg, instead_of } => format!(
                "`{}` instead of `{}` installs",
                pool.nevra(*pkg),
                pool.nevra(*instead_of)
            ),
            Alternative::Without { pkg, also } if also.is_empty() => {
                format!("it installs on the same set without `{}`", pool.nevra(*pkg))
            }
            Alternative::Without { pkg, also } => {
                let also: Vec<String> = also
                    .iter()
                    .map(|p| format!("`{}`", pool.name(*p)))
                    .collect();
                format!(
                    "it installs on the same set without `{}` and {}, which need it",
                    pool.nevra(*pkg),
                    also.join(", ")
                )
            }
        }
    }
}

/// Alternatives for `roots` on `installed` that `why` (the failure) suggests.
pub fn alternatives(
    pool: &Pool,
    roots: &[Root],
    installed: &[PkgId],
    available: &[bool],
    why: &Explanation,
) -> Vec<Alternative> {
    let usable = |p: PkgId| {
        pool.is_installable(p) && (available.is_empty() || available.get(p.index()) == Some(&true))
    };
    let mut tries: Vec<Alternative> = Vec::new();
    for r in roots {
        if let Root::Pkg(root) = r {
            let mut others: Vec<PkgId> = pool
                .by_name(pool.name(*root))
                .iter()
                .copied()
                .filter(|&p| p != *root && pool.arch(p) == pool.arch(*root) && usable(p))
                .collect();
            // newest first
            others.sort_by(|&a, &b| pool.evr(b).cmp_full(&pool.evr(a)));
            tries.extend(others.into_iter().map(|pkg| Alternative::Version {
                pkg,
                instead_of: *root,
            }));
        }
    }
    for st in &why.steps {
        if let Step::Installed { pkg } = st
            && installed.contains(pkg)
            && !tries
                .iter()
                .any(|t| matches!(t, Alternative::Without { pkg: p, .. } if p == pkg))
        {
            tries.push(Alternative::Without {
                pkg: *pkg,
                also: dependents(pool, installed, *pkg),
            });
        }
    }
    tries.truncate(MAX_TRIES);
    tries
        .into_iter()
        .filter(|a| match a {
            Alternative::Version { pkg, instead_of } => {
                let trial: Vec<Root> = roots
                    .iter()
                    .map(|r| match r {
                        Root::Pkg(p) if p == instead_of => Root::Pkg(*pkg),
                        other => *other,
                    })
                    .collect();
                simulate_install(pool, &trial, installed, available).is_ok()
            }
            Alternative::Without { pkg, also } => {
                let rest: Vec<PkgId> = installed
                    .iter()
                    .copied()
                    .filter(|p| p != pkg && !also.contains(p))
                    .collect();
                simulate_install(pool, roots, &rest, available).is_ok()
            }
        })
        .collect()
}

/// The installed packages that cannot stay without `gone`: those with a requirement
/// only `gone` (or another package leaving) provides among the installed, to a fixpoint.
fn dependents(pool: &Pool, installed: &[PkgId], gone: PkgId) -> Vec<PkgId> {
    let mut out: Vec<PkgId> = Vec::new();
    loop {
        let leaving = |p: PkgId| p == gone || out.contains(&p);
        let next = installed.iter().copied().find(|&y| {
            !leaving(y)
                && pool.deps_of(y, DepKind::Requires).iter().any(|d| {
                    let provs = pool.whatprovides(d);
                    let inst: Vec<PkgId> = provs
                        .into_iter()
                        .filter(|p| installed.contains(p))
                        .collect();
                    !inst.is_empty() && inst.iter().all(|&p| leaving(p))
                })
        });
        match next {
            Some(y) => out.push(y),
            None => return out,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::pool::SourceKind;
    use crate::model::pool::test_support::add;

    /// s3cmd 2 requires python3-magic, which the installed python3-file-magic (pulled
    /// by insights-client) conflicts with; s3cmd 1 requires python3dist(magic), which
    /// python3-file-magic provides.
    #[test]
    fn the_magic_story_has_two_ways_out() {
        let mut pool = Pool::new("x86_64");
        pool.add_repo("r", "r", SourceKind::RpmMd);
        let s3new = add(&mut pool, "s3cmd-2-1.noarch", &["R:python3-magic"]);
        let s3old = add(&mut pool, "s3cmd-1-1.noarch", &["R:python3dist(magic)"]);
        let _magic = add(
            &mut pool,
            "python3-magic-0.4-1.noarch",
            &["P:python3dist(magic)"],
        );
        let fmagic = add(
            &mut pool,
            "python3-file-magic-5.39-1.noarch",
            &["P:python3dist(magic)", "C:python3-magic"],
        );
        let insights = add(
            &mut pool,
            "insights-client-3-1.noarch",
            &["R:python3-file-magic"],
        );
        pool.build_indexes();
        let roots = [Root::Pkg(s3new)];
        let installed = [insights, fmagic];
        let why = simulate_install(&pool, &roots, &installed, &[]).unwrap_err();
        let alts = alternatives(&pool, &roots, &installed, &[], &why);
        assert!(
            alts.contains(&Alternative::Version {
                pkg: s3old,
                instead_of: s3new
            }),
            "{alts:?}"
        );
        assert!(
            alts.contains(&Alternative::Without {
                pkg: fmagic,
                also: vec![insights]
            }),
            "{alts:?}"
        );
        assert!(
            alts.iter().any(|a| a
                .describe(&pool)
                .contains("and `insights-client`, which need it")),
            "{alts:?}"
        );
        assert!(alts[0].describe(&pool).contains("s3cmd-1-1.noarch"));
        // when nothing else exists, nothing is suggested
        let mut pool = Pool::new("x86_64");
        pool.add_repo("r", "r", SourceKind::RpmMd);
        let a = add(&mut pool, "a-1-1.noarch", &["R:missing"]);
        pool.build_indexes();
        let why = simulate_install(&pool, &[Root::Pkg(a)], &[], &[]).unwrap_err();
        assert!(alternatives(&pool, &[Root::Pkg(a)], &[], &[], &why).is_empty());
    }
}
