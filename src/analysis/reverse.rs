//! Reverse dependencies through an index: which packages require (conflict with,
//! obsolete) a given package, without scanning every dependency of the pool per query
//! as [`Pool::what_depends`] does. Built once after loading (one pass over the
//! dependencies), it answers in time proportional to the candidates sharing a name
//! with what the package provides, so an interactive view can show "required by" for
//! any package of a Fedora-size pool at once.
//!
//! The answer is the same as `what_depends`: a dependency counts when the pool's
//! `whatprovides` of it contains the package (provides, file entries, and rich
//! dependencies by their provider set).

use rustc_hash::FxHashMap;

use super::closure::dnf_order;
use crate::model::intern::Sym;
use crate::model::package::{DepKind, PkgId, Reldep};
use crate::model::pool::Pool;

/// Name → (package, index of the dependency in `pool.deps`).
type ByName = FxHashMap<Sym, Vec<(PkgId, u32)>>;

/// Dependencies of some kinds, indexed by the names they mention.
pub struct ReverseIndex {
    /// One map per indexed kind.
    by_name: Vec<(DepKind, ByName)>,
}

impl ReverseIndex {
    /// Index the dependencies of `kinds` of every package of `pool` (indexed).
    pub fn build(pool: &Pool, kinds: &[DepKind]) -> Self {
        let mut by_name = Vec::new();
        for &kind in kinds {
            let mut map = ByName::default();
            for id in pool.ids() {
                let p = pool.pkg(id);
                let k = kind.index();
                for d in p.dep_start[k]..p.dep_start[k + 1] {
                    let dep = &pool.deps[d as usize];
                    match pool.rich_tree(dep).filter(|_| dep.is_rich()) {
                        Some(tree) => {
                            let mut names: Vec<Sym> = tree.leaves().map(|l| l.name).collect();
                            names.sort_unstable();
                            names.dedup();
                            for n in names {
                                map.entry(n).or_default().push((id, d));
                            }
                        }
                        None => map.entry(dep.name).or_default().push((id, d)),
                    }
                }
            }
            by_name.push((kind, map));
        }
        ReverseIndex { by_name }
    }

    /// Packages with a dependency of `kind` that `target` satisfies, in dnf's order,
    /// each once. Empty when `kind` was not indexed.
    pub fn dependents(&self, pool: &Pool, target: PkgId, kind: DepKind) -> Vec<PkgId> {
        let Some((_, map)) = self.by_name.iter().find(|(k, _)| *k == kind) else {
            return Vec::new();
        };
        // Names `target` answers to: its provides and its file entries.
        let mut names: Vec<Sym> = pool
            .deps_of(target, DepKind::Provides)
            .iter()
            .map(|d| d.name)
            .collect();
        names.push(pool.pkg(target).name);
        let start = pool.files.partition_point(|&(p, _)| p < target);
        names.extend(
            pool.files[start..]
                .iter()
                .take_while(|&&(p, _)| p == target)
                .map(|&(_, s)| s),
        );
        names.sort_unstable();
        names.dedup();
        let mut verdict: FxHashMap<Reldep, bool> = FxHashMap::default();
        let mut scratch = Vec::new();
        let mut out = Vec::new();
        for n in names {
            for &(pkg, d) in map.get(&n).map(Vec::as_slice).unwrap_or(&[]) {
                let mut dep = pool.deps[d as usize];
                dep.flags &= !Reldep::PRE;
                let ok = *verdict.entry(dep).or_insert_with(|| {
                    scratch.clear();
                    pool.whatprovides_into(&dep, &mut scratch);
                    scratch.contains(&target)
                });
                if ok {
                    out.push(pkg);
                }
            }
        }
        out.sort_by(|&a, &b| dnf_order(pool, a, b).then(a.cmp(&b)));
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::package::PackageInfo;
    use crate::model::pool::{NewPackage, SourceKind};

    fn add(pool: &mut Pool, name: &str, provides: &[&str], requires: &[&str]) -> PkgId {
        let mut deps: [Vec<Reldep>; 8] = Default::default();
        for p in provides {
            deps[0].push(pool.parse_reldep(p).unwrap());
        }
        for r in requires {
            deps[1].push(pool.parse_reldep(r).unwrap());
        }
        pool.add_package(
            NewPackage {
                name,
                epoch: 0,
                version: "1.0",
                release: "1",
                arch: "noarch",
                info: PackageInfo::default(),
            },
            &deps,
        )
    }

    #[test]
    fn agrees_with_the_scan() {
        let mut pool = Pool::new("x86_64");
        pool.add_repo("t", "/t", SourceKind::RpmMd);
        let lib = add(&mut pool, "lib", &["lib = 1.0-1", "libfoo.so"], &[]);
        let a = add(&mut pool, "a", &["a = 1.0-1"], &["lib >= 1.0"]);
        let b = add(&mut pool, "b", &["b = 1.0-1"], &["(libfoo.so or other)"]);
        let c = add(
            &mut pool,
            "c",
            &["c = 1.0-1"],
            &["lib > 2.0", "/usr/bin/lib"],
        );
        let d = add(&mut pool, "d", &["d = 1.0-1"], &["/usr/bin/lib"]);
        pool.add_file(lib, "/usr/bin/lib");
        pool.build_indexes();
        let idx = ReverseIndex::build(&pool, &[DepKind::Requires]);
        let got = idx.dependents(&pool, lib, DepKind::Requires);
        assert_eq!(got, vec![a, b, c, d]);
        let mut scan = pool.what_depends(lib, DepKind::Requires);
        scan.sort_by(|&x, &y| dnf_order(&pool, x, y));
        assert_eq!(got, scan);
        assert!(idx.dependents(&pool, a, DepKind::Requires).is_empty());
        assert!(idx.dependents(&pool, lib, DepKind::Conflicts).is_empty());
    }
}
