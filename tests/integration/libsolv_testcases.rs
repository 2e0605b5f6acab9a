//! libsolv's own solver testcases (`libsolv-testcases`, `libsolv-zypptestcases` in
//! `$BRAMBLE_CORPUS`): every `.t` is run with bramble's solver and compared with its
//! result blocks (the same transaction lines, problems exactly when libsolv found some).
//! Prints pass / fail / unsupported per category (directory) and the unsupported
//! features, and holds the pass rate over the supported testcases to a floor.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use bramble::analysis::testcase::{Verdict, run_testcase};
use bramble::load::testcase::read_testcase;

/// The pass rate over supported testcases reached when this test was written, rounded
/// down; see the table the test prints.
const FLOOR: f64 = 0.90;

#[derive(Default)]
struct Tally {
    pass: usize,
    fail: usize,
    unsupported: usize,
}

fn testcases(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            testcases(&p, out);
        } else if p.extension().is_some_and(|x| x == "t") {
            out.push(p);
        }
    }
}

#[test]
fn libsolv_testcases_agree_with_testsolv() {
    let Some(corpus) = super::common::corpus() else {
        return;
    };
    let mut table: BTreeMap<String, Tally> = BTreeMap::new();
    let mut features: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for set in ["libsolv-testcases", "libsolv-zypptestcases"] {
        let root = corpus.join(set);
        let mut files = Vec::new();
        testcases(&root, &mut files);
        files.sort();
        for f in files {
            let rel = f.strip_prefix(&root).unwrap_or(&f);
            let category = format!(
                "{set}/{}",
                rel.parent()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            );
            let t = table.entry(category).or_default();
            let tc = match read_testcase(&f) {
                Ok(tc) => tc,
                Err(e) => {
                    t.fail += 1;
                    failures.push(format!("{}: {e}", rel.display()));
                    continue;
                }
            };
            match run_testcase(&tc) {
                Err(u) => {
                    t.unsupported += 1;
                    *features.entry(u.feature.clone()).or_default() += 1;
                }
                Ok(runs) => {
                    let mut diff = Vec::new();
                    for r in &runs {
                        match r.verdict() {
                            Verdict::Match => {}
                            Verdict::NoExpectation => diff.push("no result block".to_string()),
                            Verdict::Mismatch(d) => diff.extend(d),
                        }
                    }
                    if diff.is_empty() {
                        t.pass += 1;
                    } else {
                        t.fail += 1;
                        diff.truncate(4);
                        failures.push(format!("{}/{}: {}", set, rel.display(), diff.join(" | ")));
                    }
                }
            }
        }
    }
    let (mut pass, mut fail, mut unsup) = (0, 0, 0);
    eprintln!(
        "{:<48} {:>5} {:>5} {:>6} {:>6}",
        "category", "pass", "fail", "unsup", "rate"
    );
    for (cat, t) in &table {
        let sup = t.pass + t.fail;
        let rate = if sup > 0 {
            format!("{:.0}%", 100.0 * t.pass as f64 / sup as f64)
        } else {
            "-".to_string()
        };
        eprintln!(
            "{cat:<48} {:>5} {:>5} {:>6} {:>6}",
            t.pass, t.fail, t.unsupported, rate
        );
        pass += t.pass;
        fail += t.fail;
        unsup += t.unsupported;
    }
    let rate = pass as f64 / (pass + fail).max(1) as f64;
    eprintln!(
        "total: {pass} pass, {fail} fail, {unsup} unsupported; {:.1}% of supported",
        100.0 * rate
    );
    eprintln!("unsupported features (testcases):");
    for (f, n) in &features {
        eprintln!("  {n:>4}  {f}");
    }
    eprintln!("failures:");
    for f in &failures {
        eprintln!("  {f}");
    }
    assert!(pass + fail > 0, "no testcase was supported");
    assert!(
        rate >= FLOOR,
        "pass rate {:.1}% is below the floor {:.1}%",
        100.0 * rate,
        100.0 * FLOOR
    );
}
