//! Why is a package pulled in: the shortest chains of `Requires` from a set of roots to a
//! target package, for `bramble why PKG --from ROOTS` (an inverted tree as `cargo tree
//! -i` draws it).
//!
//! The graph: an edge `a -> b` when `a` requires a dependency that `b` provides
//! ([`Pool::whatprovides`]; `rpmlib(` requirements are skipped). When a `preferred` set is
//! given (the packages an install simulation of the roots picked), a requirement with
//! providers in it only leads to those, so the chain follows the packages that would
//! really be installed. A breadth-first search from all roots at once gives each
//! package its distance and every predecessor on a shortest path; chains are read back
//! from the target through those predecessors.

use std::collections::VecDeque;

use crate::model::package::{DepKind, PkgId, Reldep};
use crate::model::pool::Pool;

/// One link of a chain: `pkg` requires `dep`, which the next package provides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Link {
    pub pkg: PkgId,
    pub dep: Reldep,
}

/// A chain from a root to the target: `links[0].pkg` is a root, each link's `dep` is
/// provided by the next link's package, the last one's by `target`. Empty when the
/// target is itself a root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chain {
    pub links: Vec<Link>,
    pub target: PkgId,
}

/// Predecessor on a shortest path: `from` requires `dep`, provided by this package.
#[derive(Clone, Copy, Debug)]
struct Pred {
    from: PkgId,
    dep: Reldep,
}

/// The shortest chains from `roots` to `target`, at most `limit` of them (shortest
/// first; all have the same, minimal length). `preferred` (indexed by package, empty:
/// none) restricts a requirement to its preferred providers when it has any. Empty when
/// `target` cannot be reached.
pub fn why(
    pool: &Pool,
    roots: &[PkgId],
    target: PkgId,
    preferred: &[bool],
    limit: usize,
) -> Vec<Chain> {
    let n = pool.len();
    if target.index() >= n || limit == 0 {
        return Vec::new();
    }
    let mut dist: Vec<u32> = vec![u32::MAX; n];
    let mut preds: Vec<Vec<Pred>> = vec![Vec::new(); n];
    let mut queue = VecDeque::new();
    for &r in roots {
        if r.index() < n && dist[r.index()] == u32::MAX {
            dist[r.index()] = 0;
            queue.push_back(r);
        }
    }
    let is_pref = |p: PkgId| preferred.get(p.index()).copied().unwrap_or(false);
    let mut providers = Vec::new();
    while let Some(p) = queue.pop_front() {
        let d = dist[p.index()];
        if dist[target.index()] <= d {
            break;
        }
        for dep in pool.deps_of(p, DepKind::Requires) {
            if pool.str(dep.name).starts_with("rpmlib(") {
                continue;
            }
            providers.clear();
            pool.whatprovides_into(dep, &mut providers);
            providers.retain(|&q| q != p && q.index() < n);
            if providers.iter().any(|&q| is_pref(q)) {
                providers.retain(|&q| is_pref(q));
            }
            for &q in &providers {
                let dq = &mut dist[q.index()];
                if *dq == u32::MAX {
                    *dq = d + 1;
                    queue.push_back(q);
                }
                if *dq == d + 1 && !preds[q.index()].iter().any(|x| x.from == p) {
                    preds[q.index()].push(Pred { from: p, dep: *dep });
                }
            }
        }
    }
    if dist[target.index()] == u32::MAX {
        return Vec::new();
    }
    // Walk back from the target, depth first, collecting up to `limit` chains.
    let mut out = Vec::new();
    let mut stack: Vec<Link> = Vec::new();
    walk(&preds, target, target, &mut stack, &mut out, limit);
    out
}

fn walk(
    preds: &[Vec<Pred>],
    at: PkgId,
    target: PkgId,
    stack: &mut Vec<Link>,
    out: &mut Vec<Chain>,
    limit: usize,
) {
    if out.len() >= limit {
        return;
    }
    let ps = preds.get(at.index()).map(Vec::as_slice).unwrap_or(&[]);
    if ps.is_empty() {
        // A root (distance 0): the stack holds the chain from the target back to here.
        let mut links = stack.clone();
        links.reverse();
        out.push(Chain { links, target });
        return;
    }
    for pr in ps {
        stack.push(Link {
            pkg: pr.from,
            dep: pr.dep,
        });
        walk(preds, pr.from, target, stack, out, limit);
        stack.pop();
        if out.len() >= limit {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::package::PackageInfo;
    use crate::model::pool::{NewPackage, SourceKind};

    fn add(pool: &mut Pool, name: &str, reqs: &[&str]) -> PkgId {
        let mut deps: [Vec<Reldep>; 8] = Default::default();
        deps[0] = vec![pool.parse_reldep(name).unwrap()];
        deps[1] = reqs.iter().map(|r| pool.parse_reldep(r).unwrap()).collect();
        pool.add_package(
            NewPackage {
                name,
                epoch: 0,
                version: "1",
                release: "1",
                arch: "noarch",
                info: PackageInfo::default(),
            },
            &deps,
        )
    }

    fn names(pool: &Pool, c: &Chain) -> Vec<String> {
        c.links
            .iter()
            .map(|l| pool.name(l.pkg).to_string())
            .chain(std::iter::once(pool.name(c.target).to_string()))
            .collect()
    }

    #[test]
    fn shortest_chains_and_preferred_providers() {
        let mut pool = Pool::new("x86_64");
        pool.add_repo("r", "r", SourceKind::RpmMd);
        let top = add(&mut pool, "top", &["mid", "other"]);
        add(&mut pool, "mid", &["leaf"]);
        add(&mut pool, "other", &["alt"]);
        add(&mut pool, "alt", &["leaf"]);
        let leaf = add(&mut pool, "leaf", &[]);
        pool.build_indexes();
        let all = why(&pool, &[top], leaf, &[], 10);
        assert_eq!(all.len(), 1, "only the shortest chain");
        assert_eq!(names(&pool, &all[0]), ["top", "mid", "leaf"]);
        assert_eq!(pool.dep_str(&all[0].links[1].dep), "leaf");
        // The root itself: an empty chain; unreachable: nothing.
        assert!(why(&pool, &[top], top, &[], 10)[0].links.is_empty());
        assert!(why(&pool, &[leaf], top, &[], 10).is_empty());
    }
}
