//! The installability engine on the oracle's scenario repos (`BRAMBLE_ORACLE`): the
//! python-magic story on real metadata, dnf's install transactions, and "closure problems
//! imply uninstallable" on broken-closure.

use std::path::Path;

use bramble::analysis::closure::{ClosureOptions, closure};
use bramble::analysis::install::{Root, check_installable, simulate_install};
use bramble::load::source::{Filelists, LoadOptions, Source, load_sources};
use bramble::model::package::PkgId;
use bramble::model::pool::Pool;
use bramble::progress::{Cancel, NoProgress};

use crate::common;

fn load(repos: &[(&str, &Path)]) -> Pool {
    let sources: Vec<Source> = repos
        .iter()
        .map(|(n, p)| Source::parse(&format!("{n},{}", p.display())).unwrap())
        .collect();
    let opts = LoadOptions {
        filelists: Filelists::Auto,
        host_arch: Some("x86_64".into()),
        ..Default::default()
    };
    let loaded = load_sources(&sources, &opts, &NoProgress);
    assert!(loaded.problems.iter().all(|p| !p.fatal));
    loaded.pool
}

fn one(pool: &Pool, name: &str) -> PkgId {
    let v = pool.by_name(name);
    assert_eq!(v.len(), 1, "{name}");
    v[0]
}

/// Package names of a recorded `dnf install` transaction table.
fn dnf_transaction(stdout: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in stdout.lines() {
        if line.starts_with("Installing") {
            inside = true;
        } else if line.starts_with("Transaction Summary") {
            inside = false;
        } else if inside && line.starts_with(' ') && line.split_whitespace().count() >= 5 {
            out.push(line.split_whitespace().next().unwrap().to_string());
        }
    }
    out.sort();
    out
}

fn sorted_names(pool: &Pool, ids: impl Iterator<Item = PkgId>) -> Vec<String> {
    let mut v: Vec<String> = ids.map(|p| pool.name(p).to_string()).collect();
    v.sort();
    v
}

#[test]
fn magic_conflict_story_on_real_metadata() {
    let Some(oracle) = common::oracle() else {
        return;
    };
    let repos = oracle.join("repos/magic-conflict");
    let expected = oracle.join("expected/magic-conflict");
    let pool = load(&[
        ("base-os", &repos.join("base-os")),
        ("copr", &repos.join("copr")),
    ]);
    // Every package can be installed alone: the conflict is invisible to closure and to
    // installcheck alike.
    let all: Vec<PkgId> = pool.ids().collect();
    assert!(check_installable(&pool, &all, &[], &NoProgress, &Cancel::new()).is_empty());

    let (s3, ic) = (one(&pool, "s3cmd"), one(&pool, "insights-client"));
    // `dnf install s3cmd` and `dnf install insights-client`: the same packages as dnf.
    for (root, case) in [
        (s3, "install-s3cmd.stdout"),
        (ic, "installed-1-install-insights-client.stdout"),
    ] {
        let t = simulate_install(&pool, &[Root::Pkg(root)], &[], &[]).unwrap();
        let want = dnf_transaction(&std::fs::read_to_string(expected.join(case)).unwrap());
        assert_eq!(
            sorted_names(&pool, t.packages.iter().map(|x| x.0)),
            want,
            "{case}"
        );
    }

    // `dnf install --assumeno insights-client s3cmd`: fails, naming both chains.
    let err = simulate_install(&pool, &[Root::Pkg(ic), Root::Pkg(s3)], &[], &[]).unwrap_err();
    assert_eq!(
        err.render(&pool),
        "`s3cmd` (a root) requires `python3-magic`; `python3-file-magic` conflicts with \
         `python3-magic`; `python3-file-magic` is needed because `insights-client` requires \
         it (`insights-client` is a root)"
    );
    assert_eq!(
        std::fs::read_to_string(expected.join("install-insights-client-s3cmd.rc"))
            .unwrap()
            .trim(),
        "1"
    );

    // The image after `dnf install -y insights-client`, then `dnf install s3cmd`.
    let image: Vec<PkgId> = simulate_install(&pool, &[Root::Pkg(ic)], &[], &[])
        .unwrap()
        .packages
        .iter()
        .map(|x| x.0)
        .collect();
    let rpm_qa = std::fs::read_to_string(expected.join("installed-4-rpm-qa.stdout")).unwrap();
    assert_eq!(
        image.len(),
        rpm_qa.lines().filter(|l| !l.is_empty()).count()
    );
    let err = simulate_install(&pool, &[Root::Pkg(s3)], &image, &[]).unwrap_err();
    assert_eq!(
        err.render(&pool),
        "`s3cmd` (a root) requires `python3-magic`; `python3-file-magic` conflicts with \
         `python3-magic`; `python3-file-magic` is installed because `insights-client` \
         requires it (`insights-client` is installed)"
    );
}

#[test]
fn closure_problems_imply_uninstallable_on_broken_closure() {
    let Some(oracle) = common::oracle() else {
        return;
    };
    let pool = load(&[("broken", &oracle.join("repos/broken-closure"))]);
    let report = closure(
        &pool,
        &ClosureOptions::default(),
        &NoProgress,
        &Cancel::new(),
    )
    .unwrap();
    assert_eq!(
        report.broken.len(),
        10,
        "dnf: 19 unresolved across 10 packages"
    );
    let all: Vec<PkgId> = pool.ids().collect();
    let bad = check_installable(&pool, &all, &[], &NoProgress, &Cancel::new());
    for u in &bad {
        eprintln!("{}: {}", pool.nevra(u.pkg), u.reason.render(&pool));
    }
    for b in &report.broken {
        assert!(
            bad.iter().any(|u| u.pkg == b.pkg),
            "{} has unresolved dependencies but is reported installable",
            b.nevra
        );
    }
}
