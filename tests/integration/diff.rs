//! `bramble diff`: the python-magic story as two image lists over demo-base + demo-copr
//! (the image gained `insights-client`, and installing `s3cmd` broke), and the diff-old /
//! diff-new repo pair (libwidget 1.0 -> 2.0 breaks widget-app's `libwidget < 2.0`), whose
//! package-level changes are compared with `dnf repodiff`'s recorded output.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::common;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = common::bramble()
        .arg("diff")
        .args(args)
        .args(["--forcearch", "x86_64"])
        .output()
        .expect("run bramble");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn repo(name: &str) -> String {
    format!(
        "{name},{}",
        common::testdata().join("repos").join(name).display()
    )
}

fn list(name: &str) -> String {
    common::testdata()
        .join("diff")
        .join(name)
        .display()
        .to_string()
}

fn image_args() -> Vec<String> {
    vec![
        "-s".into(),
        repo("demo-base"),
        "-s".into(),
        repo("demo-copr"),
        "--old-list".into(),
        list("image-old.txt"),
        "--new-list".into(),
        list("image-new.txt"),
        "--roots".into(),
        "s3cmd".into(),
    ]
}

#[test]
fn image_gaining_insights_client_breaks_s3cmd_and_is_blamed() {
    let args = image_args();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (rc, out, err) = run(&args);
    assert_eq!(rc, 1, "{out}\n{err}");
    // Problems come first, with the blame naming the change that broke it.
    let first_pkgs = out.find("Packages:").expect("packages section");
    let blame = "blame: `python3-file-magic` is new in NEW, pulled by `insights-client`, \
                 which is new in NEW (`insights-client` is listed in the image)";
    let at = out
        .find(blame)
        .unwrap_or_else(|| panic!("{blame}\nnot in:\n{out}"));
    assert!(at < first_pkgs, "{out}");
    assert!(out.contains("install of s3cmd now fails"), "{out}");
    assert!(
        out.contains("Install of s3cmd: succeeds in OLD, fails in NEW"),
        "{out}"
    );
    // The package part: what the image gained (insights-client and what it pulls).
    for nevra in [
        "insights-client-3.2.2-1.el9.noarch",
        "python3-file-magic-5.39-16.el9.noarch",
        "file-libs-5.39-16.el9.x86_64",
    ] {
        assert!(out.contains(&format!("added        {nevra}\n")), "{out}");
    }
    assert!(
        out.contains("Packages: 3 added, 0 removed, 0 upgraded"),
        "{out}"
    );

    let mut args = image_args();
    args.push("--json".into());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (rc, out, _) = run(&args);
    assert_eq!(rc, 1);
    let v: Value = serde_json::from_str(&out).expect("json");
    let problems = v["new_problems"].as_array().expect("new_problems");
    assert_eq!(problems.len(), 1, "{out}");
    assert_eq!(problems[0]["kind"], "install");
    let chain = &problems[0]["blame"][0]["chain"];
    assert_eq!(chain[0]["package"], "insights-client");
    assert_eq!(chain[0]["via"], "python3-file-magic");
    assert_eq!(v["install"]["old_ok"], true);
    assert_eq!(v["install"]["new_ok"], false);
}

#[test]
fn same_image_twice_is_clean() {
    let (rc, out, err) = run(&[
        "-s",
        &repo("demo-base"),
        "-s",
        &repo("demo-copr"),
        "--old-list",
        &list("image-new.txt"),
        "--new-list",
        &list("image-new.txt"),
    ]);
    assert_eq!(rc, 0, "{out}\n{err}");
    assert!(out.contains("Problems new in NEW: 0"), "{out}");
    assert!(out.contains("Packages: 0 added, 0 removed"), "{out}");
}

fn repo_pair_json(extra: &[&str]) -> (i32, Value) {
    let (old, new) = (repo("diff-old"), repo("diff-new"));
    let mut args = vec!["--old", &old, "--new", &new, "--json"];
    args.extend_from_slice(extra);
    let (rc, out, err) = run(&args);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    (rc, v)
}

fn changes(v: &Value, kind: &str) -> BTreeSet<String> {
    v["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .filter(|c| c["kind"] == kind)
        .map(|c| {
            let side = if kind == "removed" { "old" } else { "new" };
            c[side]["nevra"].as_str().unwrap_or("").to_string()
        })
        .collect()
}

#[test]
fn upgrade_breaking_a_versioned_require() {
    let (rc, v) = repo_pair_json(&[]);
    assert_eq!(rc, 1, "{v}");
    let problems = v["new_problems"].as_array().expect("new_problems");
    assert_eq!(problems.len(), 2, "{v:#}");
    let subjects: BTreeSet<&str> = problems
        .iter()
        .map(|p| p["subject"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        subjects,
        BTreeSet::from([
            "widget-app-1.0-1.x86_64 requires libwidget < 2.0",
            "widget-app-1.0-1.x86_64 requires libwidget.so.1()(64bit)",
        ])
    );
    let pinned = problems
        .iter()
        .find(|p| p["subject"].as_str().is_some_and(|s| s.ends_with("< 2.0")))
        .expect("the versioned require");
    let texts: Vec<&str> = pinned["blame"]
        .as_array()
        .expect("blame")
        .iter()
        .map(|b| b["text"].as_str().unwrap_or(""))
        .collect();
    assert!(
        texts.contains(
            &"`libwidget < 2.0` was provided in OLD by `libwidget-1.0-1.x86_64`, which is \
              upgraded (libwidget-2.0-1.x86_64) in NEW"
        ),
        "{texts:?}"
    );
    assert!(
        texts.contains(&"`widget-app` is rebuilt in NEW (same NEVRA, new checksum)"),
        "{texts:?}"
    );
    // Rebuilt and arch change, which repodiff does not show.
    assert_eq!(
        changes(&v, "rebuilt"),
        BTreeSet::from(["widget-app-1.0-1.x86_64".into()])
    );
    assert_eq!(
        changes(&v, "arch-changed"),
        BTreeSet::from(["widget-tools-1.0-1.noarch".into()])
    );
    // Dependency changes: widget-app gained `Requires: gadget`.
    let deps = v["deps"].as_array().expect("deps");
    let app = deps
        .iter()
        .find(|d| d["name"] == "widget-app")
        .expect("widget-app deps");
    assert_eq!(app["changes"][0]["kind"], "requires");
    assert_eq!(app["changes"][0]["added"][0], "gadget");
}

#[test]
fn install_roots_on_both_repo_sides() {
    let (rc, v) = repo_pair_json(&["--roots", "widget-app"]);
    assert_eq!(rc, 1);
    assert_eq!(v["install"]["old_ok"], true, "{v:#}");
    assert_eq!(v["install"]["new_ok"], false, "{v:#}");
    let install = v["new_problems"]
        .as_array()
        .expect("problems")
        .iter()
        .find(|p| p["kind"] == "install")
        .expect("install problem");
    let texts: Vec<&str> = install["blame"]
        .as_array()
        .expect("blame")
        .iter()
        .map(|b| b["text"].as_str().unwrap_or(""))
        .collect();
    assert!(
        texts
            .iter()
            .any(|t| t.contains("`libwidget-1.0-1.x86_64`, which is upgraded")),
        "{texts:?}"
    );
}

/// `dnf repodiff --compare-arch --downgrade --simple` lines, recorded by run-oracles.sh:
/// (added, removed, upgraded `old -> new`, downgraded, obsoleted-by pairs).
fn parse_repodiff(text: &str) -> [BTreeSet<String>; 5] {
    let mut out: [BTreeSet<String>; 5] = Default::default();
    let mut section = 0;
    let mut last_removed = String::new();
    for line in text.lines() {
        if let Some(p) = line.strip_prefix("Added package  : ") {
            out[0].insert(p.to_string());
        } else if let Some(p) = line.strip_prefix("Removed package: ") {
            out[1].insert(p.to_string());
            last_removed = p.to_string();
        } else if let Some(p) = line.strip_prefix("Obsoleted by   : ") {
            out[4].insert(format!("{last_removed} {p}"));
        } else if line == "Upgraded packages" {
            section = 2;
        } else if line == "Downgraded packages" {
            section = 3;
        } else if line == "Summary" {
            section = 0;
        } else if line.contains(" -> ") && section > 0 {
            out[section].insert(line.to_string());
        }
    }
    out
}

/// Our changes in repodiff's terms: with `by_arch` (`--compare-arch`) keyed by name.arch
/// (an arch change is a removal and an addition), else by name and printed `name-evr`
/// (an arch change with the same EVR is not a change). A rebuild (same EVR) is never one.
fn as_repodiff(v: &Value, by_arch: bool) -> [BTreeSet<String>; 5] {
    let fmt = |s: &str| -> String {
        if by_arch {
            s.to_string()
        } else {
            s.rsplit_once('.').map_or(s, |x| x.0).to_string()
        }
    };
    let mut got: [BTreeSet<String>; 5] = Default::default();
    for c in v["packages"].as_array().expect("packages") {
        let o = fmt(c["old"]["nevra"].as_str().unwrap_or(""));
        let n = fmt(c["new"]["nevra"].as_str().unwrap_or(""));
        match c["kind"].as_str().unwrap_or("") {
            "added" => {
                got[0].insert(n);
            }
            "removed" => {
                if let Some(by) = c["obsoleted_by"].as_str() {
                    got[4].insert(format!("{o} {}", fmt(by)));
                }
                got[1].insert(o);
            }
            "upgraded" => {
                got[2].insert(format!("{o} -> {n}"));
            }
            "downgraded" => {
                got[3].insert(format!("{o} -> {n}"));
            }
            "arch-changed" if by_arch => {
                got[0].insert(n);
                got[1].insert(o);
            }
            _ => {}
        }
    }
    got
}

#[test]
fn package_changes_match_dnf_repodiff() {
    let (_, v) = repo_pair_json(&["--no-closure"]);
    for (case, by_arch) in [("repodiff-compare-arch", true), ("repodiff-binary", false)] {
        let expected = std::fs::read_to_string(
            common::testdata().join(format!("expected/diff/{case}.stdout")),
        )
        .expect("recorded repodiff");
        assert_eq!(
            as_repodiff(&v, by_arch),
            parse_repodiff(&expected),
            "{case}"
        );
    }
}

/// A Koji snapshot pair where the external repos' merge mode changed from `koji` to
/// `bare` (testdata/diff/koji-merge-bare.json is testdata/koji/snapshot.json with that one
/// edit): the diff names the repos and, with their content, the buildroot packages that
/// changed origin — `foo` now comes from dist-f19-updates (1.1) instead of f19 (1.0).
#[test]
fn koji_merge_mode_change_and_buildroot_origins() {
    let td = common::testdata();
    let k = td.join("koji/repos");
    let old = td.join("koji/snapshot.json").display().to_string();
    let new = td.join("diff/koji-merge-bare.json").display().to_string();
    let base = format!("dist-f19-base={}", k.join("dist-f19-base").display());
    let upd = format!("dist-f19-updates={}", k.join("dist-f19-updates").display());
    let args = [
        "--old-snapshot",
        &old,
        "--new-snapshot",
        &new,
        "--tag",
        "f19-build",
        "--external",
        &base,
        "--external",
        &upd,
    ];
    let (rc, out, err) = run(&args);
    assert_eq!(rc, 0, "{out}\n{err}");
    assert!(
        out.contains("~ dist-f19-updates: merge_mode koji -> bare"),
        "{out}"
    );
    assert!(
        out.contains(
            "~ foo.x86_64: nevra foo-1.0-1.fc19.x86_64 -> foo-1.1-1.fc19.x86_64, origin f19 \
             (build foo-1.0-1.fc19) -> dist-f19-updates"
        ),
        "{out}"
    );
    assert!(out.contains("Inheritance: 0 changes"), "{out}");

    let mut args = args.to_vec();
    args.push("--json");
    let (_, out, _) = run(&args);
    let v: Value = serde_json::from_str(&out).expect("json");
    let repos = v["external_repos"].as_array().expect("external_repos");
    assert!(repos.iter().all(|r| r["kind"] == "changed"
        && r["fields"][0]["field"] == "merge_mode"
        && r["fields"][0]["new"] == "bare"));
    // The same snapshot on both sides: nothing changed.
    let (rc, out, _) = run(&[
        "--old-snapshot",
        &old,
        "--new-snapshot",
        &old,
        "--tag",
        "f19-build",
    ]);
    assert_eq!(rc, 0);
    assert!(out.contains("External repos: 0 changes"), "{out}");
}

#[test]
fn srpm_grouping_lists_binaries_under_their_source() {
    let (old, new) = (repo("diff-old"), repo("diff-new"));
    let (rc, out, err) = run(&["--old", &old, "--new", &new, "--srpm", "--no-closure"]);
    assert_eq!(rc, 0, "{out}\n{err}");
    assert!(
        out.contains(
            "  upgraded     libwidget 1.0-1 -> 2.0-1\n      upgraded     \
             libwidget-1.0-1.x86_64 -> libwidget-2.0-1.x86_64\n"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "removed      widget-legacy-0.9-3.noarch (obsoleted by widget-ng-2.0-1.noarch)"
        ),
        "{out}"
    );
}

#[test]
fn bad_arguments_exit_2() {
    let (rc, _, err) = run(&["--old", &repo("diff-old")]);
    assert_eq!(rc, 2, "{err}");
    let (rc, _, err) = run(&["--old", "x,/nonexistent/repo", "--new", &repo("diff-new")]);
    assert_eq!(rc, 2, "{err}");
}

/// A new repo that brings a conflicting package: the conflict is a new problem of NEW,
/// blamed on the package that arrived (exit 1).
#[test]
fn a_new_conflict_is_a_new_problem() {
    let t = common::testdata().join("repos");
    let out = common::bramble()
        .args(["diff", "--old"])
        .arg(t.join("demo-base"))
        .arg("--new")
        .arg(t.join("demo-base"))
        .arg("--new")
        .arg(t.join("demo-copr"))
        .arg("--json")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let new = v["conflicts"]["new"].as_array().unwrap();
    assert_eq!(new.len(), 1, "{v}");
    assert_eq!(new[0]["kind"], "conflict");
    let subject = new[0]["subject"].as_str().unwrap();
    assert!(
        subject.contains("python3-file-magic") && subject.contains("python3-magic-0.4.27"),
        "{subject}"
    );
    assert_eq!(new[0]["blame"][0]["package"], "python3-magic");
    assert_eq!(new[0]["blame"][0]["change"], "new in NEW");
    // and the other way round it is gone
    let out = common::bramble()
        .args(["diff", "--new"])
        .arg(t.join("demo-base"))
        .arg("--old")
        .arg(t.join("demo-base"))
        .arg("--old")
        .arg(t.join("demo-copr"))
        .arg("--json")
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["conflicts"]["fixed"].as_array().unwrap().len(), 1, "{v}");
}
