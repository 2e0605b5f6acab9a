//! bramble against the real `dnf repoquery` / `dnf repoclosure` outputs recorded in
//! `$BRAMBLE_ORACLE/expected` (dnf 4.14 on Debian 12). Every recorded dnf command line is
//! translated mechanically (`repoquery` → `bramble query`, `repoclosure` →
//! `bramble closure`, `--repofrompath` kept, `--setopt=best=True` → `--best`) and the
//! outputs must be identical: stdout byte for byte (repoclosure: with dependency lines
//! sorted inside each block, since dnf's order there is random), exit status, and dnf's
//! closing error line.

use std::path::Path;

/// Scenarios whose dnf runs apply modular filtering; matched by the modules issue.
const MODULAR: &[&str] = &["modular", "modular-pruned"];

pub struct Case {
    pub name: String,
    pub args: Vec<String>,
    pub want_stdout: String,
    pub want_rc: i32,
    pub want_last_stderr: String,
}

/// Translate a recorded dnf command line; `None` when it is not a repoquery/repoclosure
/// run bramble reproduces (installs, rpm, testsolv, module commands).
pub fn translate(cmd: &str, root: &Path, root_var: &str) -> Option<Vec<String>> {
    let words = shlex::split(cmd.trim())?;
    if words.first().map(String::as_str) != Some("dnf") {
        return None;
    }
    let mut args = Vec::new();
    let mut sub = None;
    let mut rest = Vec::new();
    let mut best = false;
    for w in &words[1..] {
        if sub.is_some() {
            rest.push(w.clone());
            continue;
        }
        if let Some(v) = w.strip_prefix("--repofrompath=") {
            args.push("--repofrompath".to_string());
            args.push(v.replace(root_var, &root.display().to_string()));
        } else if w == "--setopt=best=True" {
            best = true;
        } else if w.starts_with("--setopt=") {
            return None;
        } else if w == "repoquery" || w == "repoclosure" {
            sub = Some(w.clone());
        } else if !w.starts_with('-') {
            return None; // install, module, ...
        }
    }
    let sub = sub?;
    let mut out = vec![if sub == "repoquery" {
        "query".to_string()
    } else {
        "closure".to_string()
    }];
    out.extend(args);
    if best {
        out.push("--best".into());
    }
    out.extend(rest);
    Some(out)
}

pub fn cases(expected: &Path, root: &Path, root_var: &str, skip: &[&str]) -> Vec<Case> {
    let mut out = Vec::new();
    let mut dirs: Vec<_> = std::fs::read_dir(expected)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    dirs.sort();
    for dir in dirs.into_iter().filter(|d| d.is_dir()) {
        let scen = dir.file_name().unwrap().to_string_lossy().to_string();
        if skip.contains(&scen.as_str()) {
            eprintln!(
                "skipped scenario {scen}: dnf applies modular filtering there (modules issue)"
            );
            continue;
        }
        let mut cmds: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "cmd"))
            .collect();
        cmds.sort();
        for cmd in cmds {
            let text = std::fs::read_to_string(&cmd).unwrap();
            let Some(args) = translate(&text, root, root_var) else {
                continue;
            };
            let stem = cmd.with_extension("");
            let read = |ext: &str| std::fs::read_to_string(stem.with_extension(ext)).ok();
            let is_closure = args[0] == "closure";
            let want_stdout = if is_closure {
                read("sorted")
                    .or_else(|| read("stdout"))
                    .unwrap_or_default()
            } else {
                read("stdout").unwrap_or_default()
            };
            let want_rc = read("rc").and_then(|s| s.trim().parse().ok()).unwrap_or(0);
            let want_last_stderr = if is_closure {
                read("stderr")
                    .unwrap_or_default()
                    .lines()
                    .last()
                    .unwrap_or("")
                    .to_string()
            } else {
                String::new()
            };
            out.push(Case {
                name: format!("{scen}/{}", stem.file_name().unwrap().to_string_lossy()),
                args,
                want_stdout,
                want_rc,
                want_last_stderr,
            });
        }
    }
    out
}

/// Run every case; return the failures.
pub fn run_cases(cases: &[Case]) -> Vec<String> {
    let mut failures = Vec::new();
    for c in cases {
        let out = super::common::bramble().args(&c.args).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let rc = out.status.code().unwrap_or(-1);
        let mut why = Vec::new();
        if stdout != c.want_stdout {
            why.push(format!(
                "stdout differs:\n--- dnf\n{}--- bramble\n{}",
                c.want_stdout, stdout
            ));
        }
        if rc != c.want_rc {
            why.push(format!(
                "exit status {rc}, dnf {}; stderr: {stderr}",
                c.want_rc
            ));
        }
        if !c.want_last_stderr.is_empty()
            && stderr.lines().last().unwrap_or("") != c.want_last_stderr
        {
            why.push(format!(
                "last stderr line {:?}, dnf {:?}",
                stderr.lines().last(),
                c.want_last_stderr
            ));
        }
        if !why.is_empty() {
            failures.push(format!(
                "{} (bramble {}):\n{}",
                c.name,
                c.args.join(" "),
                why.join("\n")
            ));
        }
    }
    failures
}

#[test]
fn query_and_closure_equal_dnf_on_every_oracle_scenario() {
    let Some(oracle) = super::common::oracle() else {
        return;
    };
    let cases = cases(&oracle.join("expected"), &oracle, "$ORACLE", MODULAR);
    for c in &cases {
        eprintln!("checked {}", c.name);
    }
    eprintln!("{} oracle cases", cases.len());
    assert!(cases.len() >= 30, "only {} cases found", cases.len());
    let failures = run_cases(&cases);
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from dnf:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}
