//! bramble against the real `dnf repoquery` / `dnf repoclosure` outputs recorded in
//! `$BRAMBLE_ORACLE/expected` (dnf 4.14 on Debian 12). Every recorded dnf command line is
//! translated mechanically (`repoquery` → `bramble query`, `repoclosure` →
//! `bramble closure`, `module list` → `bramble modules`, `--repofrompath` kept,
//! `--setopt=best=True` → `--best`, modular filtering on as in dnf, streams enabled by
//! an earlier `module enable` in the same installroot passed as `--enable-module`) and
//! the outputs must be identical: stdout byte for byte (repoclosure: with dependency lines
//! sorted inside each block, since dnf's order there is random), exit status, and dnf's
//! closing error line.

use std::path::Path;

pub struct Case {
    pub name: String,
    pub args: Vec<String>,
    pub want_stdout: String,
    pub want_rc: i32,
    pub want_stderr: String,
}

/// Translate a recorded dnf command line; `None` when it is not a run bramble
/// reproduces (installs, rpm, testsolv, module commands other than `module list`).
///
/// dnf applies modular filtering in every repoquery/repoclosure run (with the default
/// streams, or hiding every modular package when it finds no platform), so those runs
/// become `--modules` runs, unless dnf was told `--disable-modular-filtering`;
/// `--setopt=module_platform_id=X` is kept (bramble accepts it as dnf spells it).
/// `module list` becomes `bramble modules`.
pub fn translate(cmd: &str, root: &Path, root_var: &str) -> Option<Vec<String>> {
    let words = shlex::split(cmd.trim())?;
    if words.first().map(String::as_str) != Some("dnf") {
        return None;
    }
    let mut args = Vec::new();
    let mut sub = None;
    let mut rest = Vec::new();
    let mut best = false;
    let mut module_opts = Vec::new();
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
        } else if w.starts_with("--setopt=module_platform_id=") {
            module_opts.push(w.clone());
        } else if w.starts_with("--setopt=") {
            return None;
        } else if w == "repoquery" || w == "repoclosure" || w == "module" {
            sub = Some(w.clone());
        } else if !w.starts_with('-') {
            return None; // install, ...
        }
    }
    let sub = sub?;
    let mut out = vec![match sub.as_str() {
        "repoquery" => "query".to_string(),
        "repoclosure" => "closure".to_string(),
        _ => {
            // only `module list` (no arguments) is reproduced
            if rest != ["list"] {
                return None;
            }
            rest.clear();
            "modules".to_string()
        }
    }];
    out.extend(args);
    if best {
        out.push("--best".into());
    }
    let unfiltered = rest.iter().any(|w| w == "--disable-modular-filtering");
    rest.retain(|w| w != "--disable-modular-filtering");
    if !unfiltered && out[0] != "modules" {
        out.push("--modules".into());
    }
    out.extend(module_opts);
    out.extend(rest);
    Some(out)
}

/// `dnf --installroot=R module enable -y N:S`: dnf records the enabled stream in R, and
/// the later runs with the same installroot see it. Returns `(R, [N:S...])`.
fn module_enable(cmd: &str) -> Option<(String, Vec<String>)> {
    let words = shlex::split(cmd.trim())?;
    let root = words
        .iter()
        .find_map(|w| w.strip_prefix("--installroot="))?
        .to_string();
    let at = words
        .windows(2)
        .position(|w| w[0] == "module" && w[1] == "enable")?;
    let specs = words[at + 2..]
        .iter()
        .filter(|w| !w.starts_with('-'))
        .cloned()
        .collect();
    Some((root, specs))
}

fn installroot(cmd: &str) -> Option<String> {
    shlex::split(cmd.trim())?
        .iter()
        .find_map(|w| w.strip_prefix("--installroot=").map(String::from))
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
            eprintln!("skipped scenario {scen}");
            continue;
        }
        // enabled streams per installroot, from `module enable` runs met so far
        let mut enabled: std::collections::HashMap<String, Vec<String>> = Default::default();
        let mut cmds: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "cmd"))
            .collect();
        cmds.sort();
        for cmd in cmds {
            let text = std::fs::read_to_string(&cmd).unwrap();
            if let Some((r, specs)) = module_enable(&text) {
                enabled.entry(r).or_default().extend(specs);
                continue;
            }
            let Some(mut args) = translate(&text, root, root_var) else {
                continue;
            };
            if let Some(specs) = installroot(&text).and_then(|r| enabled.get(&r)) {
                for s in specs {
                    args.push("--enable-module".into());
                    args.push(s.clone());
                }
            }
            // case names may contain dots (`whatprovides-libz.so.1`): strip `.cmd` by hand
            let stem = cmd
                .to_string_lossy()
                .strip_suffix(".cmd")
                .unwrap()
                .to_string();
            let read = |ext: &str| std::fs::read_to_string(format!("{stem}.{ext}")).ok();
            let is_closure = args[0] == "closure";
            let want_stdout = if is_closure {
                read("sorted")
                    .or_else(|| read("stdout"))
                    .unwrap_or_default()
            } else {
                read("stdout").unwrap_or_default()
            };
            let want_rc = read("rc").and_then(|s| s.trim().parse().ok()).unwrap_or(0);
            let want_stderr = read("stderr").unwrap_or_default();
            out.push(Case {
                name: format!("{scen}/{}", stem.rsplit('/').next().unwrap()),
                args,
                want_stdout,
                want_rc,
                want_stderr,
            });
        }
    }
    out
}

impl Case {
    /// dnf refused the whole repository (bad checksum, missing or unreadable file).
    fn dnf_refused_repo(&self) -> bool {
        self.want_rc != 0
            && self.want_stdout.trim().is_empty()
            && (self.want_stderr.contains("Failed to download metadata")
                || self.want_stderr.contains("has failed"))
    }
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
        if c.dnf_refused_repo() {
            // dnf refuses a whole repo over a bad or missing file; bramble reports the
            // file as an error (exit 2) and keeps what it could read, or, for a missing
            // file that nothing needs, warns and goes on.
            if rc != 2 && !stderr.contains("names a missing file") {
                why.push(format!(
                    "dnf refused the repo, bramble exited {rc}: {stderr}"
                ));
            }
        } else {
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
            let last = c.want_stderr.lines().last().unwrap_or("");
            if c.args[0] == "closure"
                && !last.is_empty()
                && stderr.lines().last().unwrap_or("") != last
            {
                why.push(format!(
                    "last stderr line {:?}, dnf {last:?}",
                    stderr.lines().last()
                ));
            }
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
    let cases = cases(&oracle.join("expected"), &oracle, "$ORACLE", &[]);
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

/// Our own fixtures (`testdata/repos`), against dnf outputs recorded by
/// `testdata/run-oracles.sh`. Needs no environment: runs in every `cargo test`.
#[test]
fn query_and_closure_equal_dnf_on_our_fixtures() {
    let td = super::common::testdata();
    // corpus: its own test; broken and rpms-only: dnf refuses those repos where
    // bramble reads them, checked by the two tests below.
    let cases = cases(
        &td.join("expected"),
        &td,
        "$TESTDATA",
        &["corpus", "broken", "rpms-only"],
    );
    eprintln!("{} fixture cases", cases.len());
    assert!(cases.len() >= 40, "only {} cases found", cases.len());
    let failures = run_cases(&cases);
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from dnf:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// The real repositories of the corpus that dnf could load, against dnf's outputs
/// recorded by `testdata/run-oracles.sh` (which lists each repo in
/// `testdata/expected/corpus/INDEX.md`).
#[test]
fn query_and_closure_equal_dnf_on_corpus_repos() {
    let Some(corpus) = super::common::corpus() else {
        return;
    };
    let td = super::common::testdata();
    let cases = cases(&td.join("expected/corpus"), &corpus, "$CORPUS", &[]);
    let mut repos: Vec<&str> = cases
        .iter()
        .map(|c| c.name.split('/').next().unwrap())
        .collect();
    repos.dedup();
    for r in &repos {
        eprintln!("corpus repo checked: {r}");
    }
    eprintln!("{} cases over {} corpus repos", cases.len(), repos.len());
    assert!(repos.len() >= 40, "only {} repos", repos.len());
    let failures = run_cases(&cases);
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from dnf:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// The deliberately broken fixtures: dnf refuses each repo (recorded exit status 1);
/// bramble exits 2 and names the file and what is wrong with it, or (a missing file
/// that nothing needs) loads and warns.
#[test]
fn broken_fixtures_fail_with_the_file_named() {
    let td = super::common::testdata();
    let expect: &[(&str, i32, &str)] = &[
        (
            "bad-checksum",
            2,
            "sha256 checksum mismatch: expected 274a0c840ba1",
        ),
        (
            "malformed-primary",
            2,
            "primary.xml.gz:65:1: ill-formed document",
        ),
        (
            "malformed-repomd",
            2,
            "repomd.xml:13:46: unexpected end of document",
        ),
        (
            "missing-filelists",
            0,
            "names a missing file `repodata/e40564dc",
        ),
        (
            "missing-primary",
            2,
            "primary.xml.gz: No such file or directory",
        ),
        (
            "no-repomd",
            2,
            "no repodata/repomd.xml and no .rpm files here",
        ),
        ("truncated-primary", 2, "truncated or corrupt gzip data"),
        (
            "truncated-primary-sum-ok",
            2,
            "truncated or corrupt gzip data",
        ),
    ];
    for (name, rc, msg) in expect {
        let dnf_rc: i32 =
            std::fs::read_to_string(td.join(format!("expected/broken/{name}-repoquery.rc")))
                .unwrap()
                .trim()
                .parse()
                .unwrap();
        assert_ne!(dnf_rc, 0, "{name}: dnf accepted it");
        let dir = td.join("repos/broken").join(name);
        let out = super::common::bramble()
            .args([
                "query",
                "--repofrompath",
                &format!("{name},{}", dir.display()),
            ])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(*rc), "{name}: {stderr}");
        assert!(
            stderr.contains(msg),
            "{name}: expected `{msg}` in: {stderr}"
        );
        assert!(
            stderr.contains(&dir.display().to_string()),
            "{name}: no path in: {stderr}"
        );
    }
}

/// `.rpm` files with no metadata at all: bramble's answers equal dnf's on a copy of the
/// same directory after `createrepo_c` (dnf itself cannot read the bare directory).
#[test]
fn bare_rpm_directory_equals_dnf_on_createrepo_output() {
    let td = super::common::testdata();
    let dir = td.join("repos/rpms-only");
    let src = format!("rpms-only,{}", dir.display());
    let read = |f: &str| std::fs::read_to_string(td.join("expected/rpms-only").join(f)).unwrap();
    let out = super::common::bramble()
        .args([
            "query",
            "--repofrompath",
            &src,
            "--qf",
            "%{name}-%{epoch}:%{version}-%{release}.%{arch}",
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        read("createrepo-repoquery-all.stdout")
    );
    let out = super::common::bramble()
        .args(["closure", "--repofrompath", &src])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        read("createrepo-repoclosure.sorted")
    );
    let want_rc: i32 = read("createrepo-repoclosure.rc").trim().parse().unwrap();
    assert_eq!(out.status.code(), Some(want_rc));
}
