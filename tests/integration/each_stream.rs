//! `bramble closure --each-stream` against dnf: for each stream, dnf's repoclosure in a root
//! where `dnf module enable M:S` was run (recorded by testdata/run-oracles.sh in
//! testdata/expected/each-stream/GROUP/M-S-2-repoclosure.*).

use std::collections::BTreeMap;
use std::path::Path;

use crate::common;

/// Run `--each-stream` and split the text output into `stream -> blocks`.
fn each_stream(name: &str, repo: &Path, platform: Option<&str>) -> (i32, BTreeMap<String, String>) {
    let mut cmd = common::bramble();
    cmd.args(["closure", "--forcearch", "x86_64", "--each-stream", "-s"])
        .arg(format!("{name},{}", repo.display()));
    if let Some(p) = platform {
        cmd.args(["--module-platform-id", p]);
    }
    let out = cmd.output().expect("run bramble");
    let mut runs: BTreeMap<String, String> = BTreeMap::new();
    let mut current = None;
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        if let Some(rest) = line.strip_prefix("# stream ") {
            let stream = rest.split(" (").next().unwrap_or(rest).to_string();
            runs.insert(stream.clone(), String::new());
            current = Some(stream);
        } else if line.starts_with("# ") {
            continue;
        } else {
            let s = current.as_ref().expect("a block before any stream header");
            runs.get_mut(s).unwrap().push_str(&format!("{line}\n"));
        }
    }
    (out.status.code().unwrap_or(-1), runs)
}

/// dnf's recorded repoclosure per stream of a group: `stream -> (sorted blocks, rc)`.
fn expected(group: &str) -> BTreeMap<String, (String, i32)> {
    let dir = common::testdata().join("expected/each-stream").join(group);
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let path = e.unwrap().path();
        let file = path.file_name().unwrap().to_str().unwrap().to_string();
        if let Some(case) = file.strip_suffix("-2-repoclosure.sorted") {
            let cmd =
                std::fs::read_to_string(dir.join(format!("{case}-1-module-enable.cmd"))).unwrap();
            let stream = cmd.trim().rsplit(' ').next().unwrap().to_string();
            let rc: i32 = std::fs::read_to_string(dir.join(format!("{case}-2-repoclosure.rc")))
                .unwrap()
                .trim()
                .parse()
                .unwrap();
            out.insert(stream, (std::fs::read_to_string(&path).unwrap(), rc));
        }
    }
    assert!(!out.is_empty(), "no recorded cases in {}", dir.display());
    out
}

fn agree(group: &str, name: &str, repo: &Path, platform: Option<&str>) {
    let want = expected(group);
    let (rc, got) = each_stream(name, repo, platform);
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "{group}: the streams tried"
    );
    for (stream, (blocks, _)) in &want {
        assert_eq!(&got[stream], blocks, "{group}: {stream}");
    }
    let any_bad = want.values().any(|(_, rc)| *rc != 0);
    assert_eq!(rc, if any_bad { 1 } else { 0 }, "{group}: exit status");
}

#[test]
fn each_stream_agrees_with_dnf_on_the_modular_fixture() {
    let repo = common::testdata().join("repos/modular");
    agree("modular", "modular", &repo, Some("platform:el9"));
}

#[test]
fn each_stream_agrees_with_dnf_on_the_oracle_scenarios() {
    let Some(oracle) = common::oracle() else {
        return;
    };
    agree(
        "oracle-modular",
        "modular",
        &oracle.join("repos/modular"),
        Some("platform:el9"),
    );
    agree(
        "oracle-modular-pruned",
        "modular-pruned",
        &oracle.join("repos/modular-pruned"),
        Some("platform:el9"),
    );
}

#[test]
fn each_stream_agrees_with_dnf_on_dnf_own_module_testdata() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let repo = corpus.join("dnf-testdata/modules/modules/_all/x86_64");
    agree("dnf-modules-all", "all", &repo, None);
}

#[test]
fn each_stream_json_and_bound() {
    let repo = common::testdata().join("repos/modular");
    let out = common::bramble()
        .args([
            "closure",
            "--forcearch",
            "x86_64",
            "--each-stream",
            "--json",
        ])
        .args([
            "--module-platform-id",
            "platform:el9",
            "--max-combinations",
            "1",
        ])
        .arg("-s")
        .arg(format!("modular,{}", repo.display()))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["combinations"], 2);
    assert_eq!(v["checked_combinations"], 1);
    let run = &v["runs"][0];
    assert_eq!(run["stream"], "postgresql:15");
    assert_eq!(run["active"], serde_json::json!(["postgresql:15"]));
    assert_eq!(run["unresolved"], 1);
    assert_eq!(run["broken"][0]["nevra"], "pgapp-1.0-1.el9.noarch");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("checked 1 of 2 streams"), "{err}");
    assert_eq!(out.status.code(), Some(1));
}
