//! `bramble conflicts` on the python-magic story (our demo fixture, always; the oracle's
//! magic-conflict repos with `BRAMBLE_ORACLE`) and on the oracle's file-conflict
//! scenario, whose rpm transaction test (`expected/file-conflict/rpm-test-all`) says which
//! shared paths really conflict.

use std::path::Path;

use serde_json::Value;

use crate::common;

fn run(sources: &[String], args: &[&str]) -> (i32, String, String) {
    let mut cmd = common::bramble();
    cmd.arg("conflicts")
        .args(args)
        .arg("--forcearch")
        .arg("x86_64");
    for s in sources {
        cmd.arg("-s").arg(s);
    }
    let out = cmd.output().expect("run bramble");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(sources: &[String], args: &[&str]) -> (i32, Value) {
    let mut a = vec!["--json"];
    a.extend_from_slice(args);
    let (rc, out, err) = run(sources, &a);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out} {err}"));
    (rc, v)
}

fn entries(v: &Value) -> &Vec<Value> {
    v["entries"].as_array().expect("entries")
}

/// `(kind, a name, a repo, b name, b repo)` of every entry.
fn pairs(v: &Value) -> Vec<(String, String, String, String, String)> {
    entries(v)
        .iter()
        .map(|e| {
            let s = |x: &Value| x.as_str().unwrap_or("").to_string();
            (
                s(&e["kind"]),
                s(&e["a"]["name"]),
                s(&e["a"]["repo"]),
                s(&e["b"]["name"]),
                s(&e["b"]["repo"]),
            )
        })
        .collect()
}

fn magic(sources: &[String], base: &str, copr: &str) {
    let (rc, v) = json(sources, &[]);
    assert_eq!(rc, 1, "{v}");
    let found = pairs(&v);
    let want = (
        "conflicts".to_string(),
        "python3-file-magic".to_string(),
        base.to_string(),
        "python3-magic".to_string(),
        copr.to_string(),
    );
    assert!(found.contains(&want), "{found:?}");
    // Nothing else clashes in these repos, and the file lists were not read whole.
    assert!(
        found.iter().all(|p| p.0 != "conflicts" || p == &want),
        "{found:?}"
    );
    assert_eq!(v["file_lists"], "none");

    let (rc, text, err) = run(sources, &[]);
    assert_eq!(rc, 1);
    assert!(
        text.contains("python3-magic  [conflicts]\n  python3-file-magic-"),
        "{text}"
    );
    assert!(
        text.contains(&format!("({base}) conflicts with python3-magic-")),
        "{text}"
    );
    assert!(text.contains(&format!(".noarch ({copr})\n")), "{text}");
    assert!(err.contains("file conflicts not checked"), "{err}");

    // Narrowing: --kind obsoletes finds nothing; --pkg on an unrelated package neither.
    let (rc, v) = json(sources, &["--kind", "obsoletes"]);
    assert_eq!((rc, entries(&v).len()), (0, 0), "{v}");
    let (rc, v) = json(sources, &["--pkg", "bash"]);
    assert_eq!((rc, entries(&v).len()), (0, 0), "{v}");
    let (rc, v) = json(sources, &["--pkg", "s3cmd*", "--pkg", "python3-magic"]);
    assert_eq!(rc, 1);
    assert!(pairs(&v).contains(&want));
}

#[test]
fn magic_conflict_on_demo_fixture() {
    let t = common::testdata().join("repos");
    let sources = vec![
        format!("demo-base,{}", t.join("demo-base").display()),
        format!("demo-copr,{}", t.join("demo-copr").display()),
    ];
    magic(&sources, "demo-base", "demo-copr");
}

#[test]
fn magic_conflict_on_oracle_repos() {
    let Some(oracle) = common::oracle() else {
        return;
    };
    let r = oracle.join("repos/magic-conflict");
    let sources = vec![
        format!("base-os,{}", r.join("base-os").display()),
        format!("copr,{}", r.join("copr").display()),
    ];
    magic(&sources, "base-os", "copr");
    // The copr repo alone has no conflict: exit 0, no output.
    let (rc, out, _) = run(&sources[1..], &[]);
    assert_eq!((rc, out.as_str()), (0, ""));
}

/// `(path, a, b, status)` of every file entry's paths.
fn file_paths(v: &Value) -> Vec<(String, String, String, String)> {
    let mut out = Vec::new();
    for e in entries(v) {
        assert_eq!(e["kind"], "file", "{e}");
        for p in e["paths"].as_array().expect("paths") {
            out.push((
                p["path"].as_str().unwrap_or("").to_string(),
                e["a"]["nevra"].as_str().unwrap_or("").to_string(),
                e["b"]["nevra"].as_str().unwrap_or("").to_string(),
                p["status"].as_str().unwrap_or("").to_string(),
            ));
        }
    }
    out.sort();
    out
}

/// rpm's own verdict, from the recorded `rpm -i --test` of all eight packages:
/// `(path, first nevra, second nevra)`, the pair in name order.
fn rpm_verdict(oracle: &Path) -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(oracle.join("expected/file-conflict/rpm-test-all.stderr"))
        .expect("rpm-test-all.stderr");
    let mut out: Vec<(String, String, String)> = text
        .lines()
        .filter_map(|l| {
            let rest = l.trim().strip_prefix("file ")?;
            let (path, rest) = rest.split_once(" conflicts between attempted installs of ")?;
            let (a, b) = rest.split_once(" and ")?;
            let (a, b) = if a <= b { (a, b) } else { (b, a) };
            Some((path.to_string(), a.to_string(), b.to_string()))
        })
        .collect();
    out.sort();
    out
}

fn ordered(a: &str, b: &str) -> (String, String) {
    if a <= b {
        (a.to_string(), b.to_string())
    } else {
        (b.to_string(), a.to_string())
    }
}

#[test]
fn file_conflicts_from_rpm_headers_agree_with_rpm() {
    let Some(oracle) = common::oracle() else {
        return;
    };
    let rpms = vec![format!(
        "fc,{}",
        oracle.join("repos/file-conflict/Packages").display()
    )];
    let (rc, v) = json(&rpms, &[]);
    assert_eq!(rc, 1, "{v}");
    assert_eq!(v["file_lists"], "complete");
    let found = file_paths(&v);
    let confirmed: Vec<(String, String, String)> = found
        .iter()
        .filter(|f| f.3 == "confirmed")
        .map(|(p, a, b, _)| {
            let (a, b) = ordered(a, b);
            (p.clone(), a, b)
        })
        .collect();
    let mut confirmed = confirmed;
    confirmed.sort();
    let want = rpm_verdict(&oracle);
    assert_eq!(want.len(), 4, "{want:?}");
    assert_eq!(confirmed, want);
    // shared-a/shared-b's identical file and libbar's identical header are dismissed.
    let dismissed: Vec<&str> = found
        .iter()
        .filter(|f| f.3 == "dismissed")
        .map(|f| f.0.as_str())
        .collect();
    assert!(!dismissed.is_empty(), "{found:?}");
    assert!(
        found
            .iter()
            .any(|f| f.3 == "dismissed" && f.1.starts_with("shared-")),
        "{found:?}"
    );
    assert!(found.iter().all(|f| f.3 != "possible"), "{found:?}");
}

#[test]
fn file_conflicts_from_metadata_are_possible() {
    let Some(oracle) = common::oracle() else {
        return;
    };
    let repo = vec![format!(
        "file-conflict,{}",
        oracle.join("repos/file-conflict").display()
    )];
    // Without full file lists nothing is claimed about files.
    let (rc, v) = json(&repo, &[]);
    assert_eq!((rc, v["file_lists"].as_str()), (0, Some("none")), "{v}");

    let (rc, v) = json(&repo, &["--filelists", "all"]);
    assert_eq!(rc, 1, "{v}");
    assert_eq!(v["file_lists"], "complete");
    let found = file_paths(&v);
    assert!(found.iter().all(|f| f.3 == "possible"), "{found:?}");
    // Every path rpm rejects is among the possible ones (metadata cannot tell more)...
    let possible: Vec<(String, String, String)> = found
        .iter()
        .map(|(p, a, b, _)| {
            let (a, b) = ordered(a, b);
            (p.clone(), a, b)
        })
        .collect();
    for w in rpm_verdict(&oracle) {
        assert!(possible.contains(&w), "{w:?} not in {possible:?}");
    }
    // ...and so is the harmless shared-a/shared-b file, but never a directory both own.
    assert!(
        found.iter().any(|f| f.1.starts_with("shared-a")),
        "{found:?}"
    );
    let (_, text, _) = run(&repo, &["--filelists", "all", "--kind", "file"]);
    assert!(text.contains("/opt/thing  [file]\n"), "{text}");
}
