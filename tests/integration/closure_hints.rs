//! `bramble closure --hints` naming providers that are not available: in a repo that is
//! not enabled (an `enabled=0` section of a `.repo` file, or `--disabled NAME,PATH`), and
//! hidden by module filtering.

use crate::common;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = common::bramble()
        .args(["closure", "--forcearch", "x86_64"])
        .args(args)
        .output()
        .expect("run bramble");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const LIB_HINT: &str = "    lookaside-lib >= 1.0\n      hint: provided by lookaside-lib-1.2-1.noarch \
                        in repo lookaside, which is not enabled\n";

#[test]
fn a_disabled_repo_file_section_is_only_used_for_hints() {
    let repos = common::testdata().join("repos");
    let dir = tempfile::tempdir().unwrap();
    let repo_file = dir.path().join("t.repo");
    std::fs::write(
        &repo_file,
        format!(
            "[closure]\nname=closure\nbaseurl=file://{}\n\n\
             [lookaside]\nname=lookaside\nenabled=0\nbaseurl=file://{}\n",
            repos.join("closure").display(),
            repos.join("lookaside").display()
        ),
    )
    .unwrap();
    let file = repo_file.to_str().unwrap();
    // Without --hints the disabled section is not even read: dnf's output.
    let (rc, plain, _) = run(&["-s", file]);
    assert_eq!(rc, 1);
    assert!(!plain.contains("lookaside-lib-1.2"));
    assert!(!plain.contains(" from lookaside\n"), "{plain}");
    // With --hints: the same blocks (nothing resolved by it, nothing of it checked),
    // plus the hints.
    let (rc, hinted, err) = run(&["-s", file, "--hints"]);
    assert_eq!(rc, 1, "{err}");
    assert!(hinted.contains(LIB_HINT), "{hinted}");
    let without: String = hinted
        .lines()
        .filter(|l| !l.starts_with("      hint: "))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(without, plain);
    // --check of a repo that is not enabled is refused.
    let (rc, _, err) = run(&["-s", file, "--hints", "--check", "lookaside"]);
    assert_eq!(rc, 2);
    assert!(err.contains("not enabled"), "{err}");
}

#[test]
fn disabled_option_names_extra_repos_and_json_carries_the_hint() {
    let repos = common::testdata().join("repos");
    let closure = format!("closure,{}", repos.join("closure").display());
    let lookaside = format!("lookaside,{}", repos.join("lookaside").display());
    let (rc, text, _) = run(&["-s", &closure, "--disabled", &lookaside, "--hints"]);
    assert_eq!(rc, 1);
    assert!(text.contains(LIB_HINT), "{text}");
    let (_, json, _) = run(&["-s", &closure, "--disabled", &lookaside, "--json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let hint = v["broken"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|b| b["unresolved"].as_array().unwrap())
        .find(|u| u["dep"] == "lookaside-lib >= 1.0")
        .map(|u| u["hints"][0].clone())
        .unwrap();
    assert_eq!(hint["kind"], "disabled-repo");
    assert_eq!(hint["repo"], "lookaside");
    // A disabled repo that cannot be read is a warning, not a failure.
    let empty = tempfile::tempdir().unwrap();
    let gone = format!("gone,{}", empty.path().display());
    let (rc, _, err) = run(&["-s", &closure, "--disabled", &gone]);
    assert_eq!(rc, 1, "{err}");
    assert!(err.contains("bramble: warning: gone"), "{err}");
}

#[test]
fn providers_hidden_by_module_filtering_are_hinted() {
    let modular = format!(
        "modular,{}",
        common::testdata().join("repos/modular").display()
    );
    let (rc, text, _) = run(&[
        "-s",
        &modular,
        "--modules",
        "--module-platform-id",
        "platform:el9",
        "--hints",
    ]);
    assert_eq!(rc, 1);
    assert!(
        text.contains(
            "    postgresql-server >= 16\n      hint: provided by packages hidden by module \
             filtering: postgresql-server-16.1-1.module+el9.4.0+21002+5e6f7a8b.x86_64 \
             (artifact of inactive stream postgresql:16:"
        ),
        "{text}"
    );
}
