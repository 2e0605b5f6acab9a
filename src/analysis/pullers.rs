//! The heaviest pullers of a transaction: which packages bring in the most (by installed
//! size), and what — the answer to "how does `fedpkg` bring `mock` into the buildroot".
//! The transaction's reasons form a tree (each package came in because one package
//! required it); a package's weight is its own size plus the weight of what it alone
//! brought in.

use super::install::{Reason, Transaction};
use crate::model::package::PkgId;
use crate::model::pool::Pool;

/// One puller: the package, what it brought in (itself excluded, heaviest first), and
/// the installed size of all of it, itself included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Puller {
    pub pkg: PkgId,
    pub brings: Vec<PkgId>,
    pub size: u64,
}

/// The `n` packages that brought in the most, heaviest first. A package counts only
/// if it brought in something; nested pullers are all listed (a root and the package
/// under it that carries most of its weight both show).
pub fn heaviest_pullers(pool: &Pool, t: &Transaction, n: usize) -> Vec<Puller> {
    let index: std::collections::HashMap<PkgId, usize> = t
        .packages
        .iter()
        .enumerate()
        .map(|(i, (p, _))| (*p, i))
        .collect();
    let parent: Vec<Option<usize>> = t
        .packages
        .iter()
        .map(|(_, r)| match r {
            Reason::Required { by, .. } => index.get(by).copied(),
            Reason::Root | Reason::Upgrade { .. } => None,
        })
        .collect();
    let own: Vec<u64> = t
        .packages
        .iter()
        .map(|(p, _)| pool.pkg(*p).info.size_installed)
        .collect();
    // children lists; packages come in pull order, so a parent precedes its children
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); t.packages.len()];
    for (i, p) in parent.iter().enumerate() {
        if let Some(p) = p
            && *p != i
        {
            children[*p].push(i);
        }
    }
    let mut weight = own.clone();
    let mut order: Vec<usize> = (0..t.packages.len()).collect();
    // deepest first: a post-order from the pull order reversed works because parents
    // come first
    order.reverse();
    for &i in &order {
        if let Some(p) = parent[i]
            && p != i
        {
            weight[p] += weight[i];
        }
    }
    let mut out: Vec<Puller> = (0..t.packages.len())
        .filter(|&i| !children[i].is_empty())
        .map(|i| {
            let mut brings = Vec::new();
            let mut stack = children[i].clone();
            while let Some(c) = stack.pop() {
                brings.push(c);
                stack.extend(children[c].iter().copied());
            }
            brings.sort_by(|&a, &b| own[b].cmp(&own[a]).then(a.cmp(&b)));
            Puller {
                pkg: t.packages[i].0,
                brings: brings.into_iter().map(|c| t.packages[c].0).collect(),
                size: weight[i],
            }
        })
        .collect();
    out.sort_by(|a, b| b.size.cmp(&a.size).then(a.pkg.cmp(&b.pkg)));
    out.truncate(n);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::package::{PackageInfo, Reldep};
    use crate::model::pool::{NewPackage, SourceKind};

    fn add(pool: &mut Pool, name: &str, size: u64) -> PkgId {
        let info = PackageInfo {
            size_installed: size,
            ..PackageInfo::default()
        };
        let d: [Vec<Reldep>; 8] = Default::default();
        pool.add_package(
            NewPackage {
                name,
                epoch: 0,
                version: "1",
                release: "1",
                arch: "noarch",
                info,
            },
            &d,
        )
    }

    #[test]
    fn fedpkg_brings_mock() {
        let mut pool = Pool::new("x86_64");
        pool.add_repo("r", "r", SourceKind::RpmMd);
        let build = add(&mut pool, "rpm-build", 10);
        let fedpkg = add(&mut pool, "fedpkg", 5);
        let mock = add(&mut pool, "mock", 100);
        let py = add(&mut pool, "python3", 50);
        let tar = add(&mut pool, "tar", 3);
        pool.build_indexes();
        let dep = Reldep::unversioned(pool.strings.get("mock").unwrap());
        let t = Transaction {
            packages: vec![
                (build, Reason::Root),
                (fedpkg, Reason::Root),
                (mock, Reason::Required { by: fedpkg, dep }),
                (py, Reason::Required { by: mock, dep }),
                (tar, Reason::Required { by: build, dep }),
            ],
        };
        let p = heaviest_pullers(&pool, &t, 5);
        assert_eq!(p[0].pkg, fedpkg);
        assert_eq!(p[0].size, 155);
        assert_eq!(p[0].brings, vec![mock, py]);
        assert_eq!(p[1].pkg, mock);
        assert_eq!(p[1].size, 150);
        assert_eq!(p[2].pkg, build);
        assert_eq!(p[2].size, 13);
        assert_eq!(heaviest_pullers(&pool, &t, 1).len(), 1);
    }
}
