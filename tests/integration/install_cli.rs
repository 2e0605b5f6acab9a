//! `bramble install --dry-run` and `bramble why` on the python-magic story: our own demo
//! fixture (always) and the oracle's magic-conflict repos (`BRAMBLE_ORACLE`).

use std::path::{Path, PathBuf};

use crate::common;

fn demo_sources() -> Vec<String> {
    let t = common::testdata().join("repos");
    vec![
        format!("demo-base,{}", t.join("demo-base").display()),
        format!("demo-copr,{}", t.join("demo-copr").display()),
    ]
}

fn oracle_sources(oracle: &Path) -> Vec<String> {
    let r: PathBuf = oracle.join("repos/magic-conflict");
    vec![
        format!("base-os,{}", r.join("base-os").display()),
        format!("copr,{}", r.join("copr").display()),
    ]
}

fn run(sources: &[String], args: &[&str]) -> (i32, String) {
    let mut cmd = common::bramble();
    cmd.args(args).arg("--forcearch").arg("x86_64");
    for s in sources {
        cmd.arg("-s").arg(s);
    }
    let out = cmd.output().expect("run bramble");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn magic_story(sources: &[String]) {
    let (rc, out) = run(
        sources,
        &[
            "install",
            "--dry-run",
            "s3cmd",
            "--installed-from",
            "insights-client",
        ],
    );
    assert_eq!(rc, 1, "{out}");
    for name in [
        "`s3cmd`",
        "`python3-magic`",
        "`python3-file-magic`",
        "`insights-client`",
    ] {
        assert!(out.contains(name), "{name} missing from: {out}");
    }
    assert_eq!(
        out,
        "Cannot install: `s3cmd` (a root) requires `python3-magic`; `python3-file-magic` \
         conflicts with `python3-magic`; `python3-file-magic` is installed because \
         `insights-client` requires it (`insights-client` is installed)\n\
         Alternatives (each checked):\n  it installs on the same set without \
         `python3-file-magic-5.39-16.el9.noarch` and `insights-client`, which need it\n"
    );

    let (rc, out) = run(sources, &["install", "--dry-run", "s3cmd"]);
    assert_eq!(rc, 0, "{out}");
    assert!(out.contains("s3cmd-2.3.0-4.el9.noarch"), "{out}");
    assert!(out.contains("required by s3cmd via python3-magic"), "{out}");
    assert!(out.contains("Total install size:"), "{out}");

    let (rc, out) = run(
        sources,
        &[
            "install",
            "--dry-run",
            "--json",
            "s3cmd",
            "--installed-from",
            "insights-client",
        ],
    );
    assert_eq!(rc, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["ok"], false);
    assert!(
        v["explanation"]
            .as_str()
            .unwrap()
            .contains("python3-file-magic")
    );
}

#[test]
fn install_dry_run_on_demo_fixture() {
    magic_story(&demo_sources());
}

#[test]
fn install_dry_run_on_oracle_magic_conflict() {
    let Some(oracle) = common::oracle() else {
        return;
    };
    magic_story(&oracle_sources(&oracle));
}

#[test]
fn installed_file_and_kickstart() {
    let dir = std::env::temp_dir().join(format!("bramble-install-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ks = dir.join("image.ks");
    std::fs::write(
        &ks,
        "lang en_US\n%packages\n# the image\ninsights-client\n-s3cmd\n%end\n",
    )
    .unwrap();
    let ks_arg = ks.display().to_string();
    let (rc, out) = run(
        &demo_sources(),
        &["install", "--dry-run", "s3cmd", "--installed", &ks_arg],
    );
    assert_eq!(rc, 1, "{out}");
    assert!(out.contains("`insights-client`"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn why_on_demo_fixture() {
    let (rc, out) = run(
        &demo_sources(),
        &["why", "python3-file-magic", "--from", "insights-client"],
    );
    assert_eq!(rc, 0, "{out}");
    let mut lines = out.lines();
    assert!(
        lines.next().unwrap().starts_with("python3-file-magic-"),
        "{out}"
    );
    let second = lines.next().unwrap();
    assert!(
        second.contains("insights-client") && second.contains("requires python3-file-magic"),
        "{out}"
    );
    assert!(second.ends_with("[root]"), "{out}");

    // Not pulled in: exit 1.
    let (rc, _) = run(
        &demo_sources(),
        &["why", "s3cmd", "--from", "insights-client"],
    );
    assert_eq!(rc, 1);

    let (rc, out) = run(
        &demo_sources(),
        &[
            "why",
            "python3-file-magic",
            "--from",
            "insights-client",
            "--json",
        ],
    );
    assert_eq!(rc, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(
        v["chains"][0][0]["nevra"]
            .as_str()
            .unwrap()
            .starts_with("insights-client-")
    );
}

#[test]
fn comps_group_roots_and_heaviest_pullers() {
    let src = demo_sources();
    // @core of demo-base's comps: insights-client is a default member, so the image
    // the group makes has python3-file-magic, and s3cmd no longer installs
    let (rc, out) = run(
        &src,
        &["install", "--dry-run", "s3cmd", "--installed-from", "@core"],
    );
    assert_eq!(rc, 1, "{out}");
    assert!(
        out.contains("`python3-file-magic` conflicts with `python3-magic`"),
        "{out}"
    );
    // the way out, checked by the solver: the image without the file-magic side
    assert!(
        out.contains(
            "Alternatives (each checked):\n  it installs on the same set without \
             `python3-file-magic-5.39-16.el9.noarch` and `insights-client`, which need it"
        ),
        "{out}"
    );
    // the group itself installs, and says who pulled in the most
    let (rc, out) = run(&src, &["install", "--dry-run", "@core"]);
    assert_eq!(rc, 0, "{out}");
    assert!(out.contains("insights-client-3.2.2-1.el9.noarch"), "{out}");
    let pullers = out.split("Heaviest pullers").nth(1).unwrap_or_default();
    assert!(
        pullers.contains("insights-client: ") && pullers.contains("python3-file-magic ("),
        "{out}"
    );
    // a kickstart's @group lines count too
    let dir = tempfile::tempdir().unwrap();
    let ks = dir.path().join("image.ks");
    std::fs::write(&ks, "%packages\n@core\n%end\n").unwrap();
    let (rc, out) = run(
        &src,
        &[
            "install",
            "--dry-run",
            "s3cmd",
            "--installed",
            ks.to_str().unwrap(),
        ],
    );
    assert_eq!(rc, 1, "{out}");
    // a group no comps has is an error
    let (rc, _) = run(&src, &["install", "--dry-run", "@nope"]);
    assert_eq!(rc, 2);
}
