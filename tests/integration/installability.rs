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
    // Closure problems imply uninstallable (source and foreign-arch packages are not
    // installable on the host at all). The converse need not hold. One difference is by
    // design: repoclosure judges `(A if B)` by libsolv's provider set and reports it when
    // no A exists, while the solver knows it only binds when B is installed; here
    // rich-consumer is uninstallable for another of its requirements anyway.
    for b in &report.broken {
        assert!(
            bad.iter().any(|u| u.pkg == b.pkg),
            "{} has unresolved dependencies but is reported installable",
            b.nevra
        );
    }
    // The same packages libsolv finds (python3-solv 0.7.23, rpm disttype, one install job
    // per host-installable package), plus the two it does not check (src, aarch64).
    let mut got: Vec<String> = bad.iter().map(|u| pool.nevra(u.pkg)).collect();
    got.sort();
    assert_eq!(
        got,
        [
            "app-core-0.9-1.x86_64",
            "app-core-1.0-1.src",
            "app-extra-1.0-1.noarch",
            "armthing-1.0-1.aarch64",
            "epoch-consumer-1.0-1.noarch",
            "libfoo-2:1.5-1.i686",
            "libfoo-2:1.6-1.i686",
            "multiarch-app-1.0-1.i686",
            "oldname-consumer-1.0-1.noarch",
            "rich-consumer-1.0-1.noarch",
            "widget-client-1.0-1.noarch",
        ]
    );
}

/// Timings on the 63k-package scale repo; run with
/// `cargo test --release --test integration -- --ignored installability_scale --nocapture`.
#[test]
#[ignore = "benchmark: needs the scale repo and a release build"]
fn installability_scale() {
    let Some(oracle) = common::oracle() else {
        return;
    };
    let t = std::time::Instant::now();
    let pool = load(&[("deb", &oracle.join("scale/debian-bookworm"))]);
    eprintln!(
        "load: {:.3} s, {} packages",
        t.elapsed().as_secs_f64(),
        pool.len()
    );
    let all: Vec<PkgId> = pool.ids().filter(|&p| pool.is_installable(p)).collect();
    let t = std::time::Instant::now();
    let bad = check_installable(&pool, &all, &[], &NoProgress, &Cancel::new());
    eprintln!(
        "check_installable: {:.3} s, {} checked, {} cannot be installed",
        t.elapsed().as_secs_f64(),
        all.len(),
        bad.len()
    );
    // libsolv (python3-solv, rpm disttype, an install job per package) finds the same
    // 15,466 packages.
    assert_eq!(bad.len(), 15_466);
    // An "image": the largest transaction among some installable packages, then one more
    // root installed on top of it.
    let ok: Vec<PkgId> = all
        .iter()
        .copied()
        .filter(|p| !bad.iter().any(|u| u.pkg == *p))
        .step_by(97)
        .collect();
    let (mut best, mut image) = (ok[0], Vec::new());
    for &p in &ok {
        let t = simulate_install(&pool, &[Root::Pkg(p)], &[], &[]).unwrap();
        if t.packages.len() > image.len() {
            best = p;
            image = t.packages.iter().map(|x| x.0).collect();
        }
    }
    let t = std::time::Instant::now();
    let tr = simulate_install(&pool, &[Root::Pkg(best)], &[], &[]).unwrap();
    eprintln!(
        "simulate_install {} into an empty system: {:.1} ms, {} packages",
        pool.nevra(best),
        t.elapsed().as_secs_f64() * 1e3,
        tr.packages.len()
    );
    let extra = ok
        .iter()
        .copied()
        .find(|p| !image.contains(p) && pool.name(*p).starts_with("python3-"))
        .unwrap_or(ok[1]);
    let t = std::time::Instant::now();
    let r = simulate_install(&pool, &[Root::Pkg(extra)], &image, &[]);
    eprintln!(
        "simulate_install {} on a {}-package image: {:.1} ms, {}",
        pool.nevra(extra),
        image.len(),
        t.elapsed().as_secs_f64() * 1e3,
        match &r {
            Ok(t) => format!("{} packages added", t.packages.len()),
            Err(e) => e.render(&pool),
        }
    );
}

#[test]
fn closure_installable_cli() {
    let Some(oracle) = common::oracle() else {
        return;
    };
    let repo = format!("b,{}", oracle.join("repos/broken-closure").display());
    let run = |extra: &[&str]| {
        let out = common::bramble()
            .args(["closure", "--forcearch", "x86_64", "--repofrompath", &repo])
            .args(extra)
            .output()
            .unwrap();
        (
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
            out.status.code(),
        )
    };
    let (plain, _, rc) = run(&[]);
    assert_eq!(rc, Some(1));
    assert!(
        !plain.contains("cannot be installed"),
        "dnf's output is unchanged"
    );
    let (text, err, rc) = run(&["--installable"]);
    assert_eq!(rc, Some(1));
    assert!(
        text.starts_with(&plain),
        "closure blocks first, as without the flag"
    );
    assert!(text.contains(
        "package: multiarch-app-1.0-1.i686 from b\n  cannot be installed: `multiarch-app` \
         requires `libfoo.so.2`"
    ));
    assert!(
        err.contains("Error: 9 packages cannot be installed."),
        "{err}"
    );
    let (json, _, _) = run(&["--installable", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let list = v["uninstallable"].as_array().unwrap();
    assert_eq!(list.len(), 9);
    assert_eq!(list[0]["nevra"], "app-core-0.9-1.x86_64");
    assert_eq!(
        list[0]["reason"],
        "nothing provides `oldlib >= 0.1` needed by `app-core`"
    );
    let (json, _, _) = run(&["--json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(v.get("uninstallable").is_none());
}
