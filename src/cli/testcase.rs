//! `bramble testcase FILE.t [--compare]`: run one of libsolv's `testsolv` testcases with
//! bramble's solver and print the result lines as testsolv does (`install N-EVR.A@repo`,
//! `erase ...`, `upgrade OLD NEW`, `problem ...`); runs after a `nextjob` follow, each
//! after a `nextjob` line. With `--compare`, compare with the testcase's own `result`
//! blocks instead: exit 0 when every run matches (the same transaction lines, problems
//! exactly when libsolv found some), 1 with a diff when not. Exit 3 names a feature
//! bramble does not support, 2 is an error reading the file.

use std::path::PathBuf;

use clap::Args;

use super::output;
use crate::analysis::testcase::{Verdict, run_testcase};
use crate::load::testcase::read_testcase;

#[derive(Args, Debug)]
pub struct TestcaseArgs {
    /// The testcase (`.t`); repo and result files it names are read next to it.
    pub file: PathBuf,
    /// Compare with the testcase's `result` blocks (exit 0 match, 1 mismatch).
    #[arg(long)]
    pub compare: bool,
}

pub fn run(a: TestcaseArgs) -> i32 {
    let tc = match read_testcase(&a.file) {
        Ok(tc) => tc,
        Err(e) => {
            eprintln!("bramble: {e}");
            return 2;
        }
    };
    let runs = match run_testcase(&tc) {
        Ok(r) => r,
        Err(u) => {
            eprintln!("bramble: {}: {u}", a.file.display());
            return 3;
        }
    };
    let mut status = 0;
    for (i, r) in runs.iter().enumerate() {
        if i > 0 && !a.compare {
            output::line("nextjob");
        }
        if !a.compare {
            for l in &r.lines {
                output::line(&output::sanitize(l));
            }
            continue;
        }
        match r.verdict() {
            Verdict::Match => {}
            Verdict::NoExpectation => {
                output::line(&format!("run {}: no result block to compare with", i + 1));
                status = 1;
            }
            Verdict::Mismatch(diff) => {
                output::line(&format!("run {}: differs from libsolv:", i + 1));
                for d in diff {
                    output::line(&output::sanitize(&d));
                }
                status = 1;
            }
        }
    }
    if a.compare && status == 0 {
        output::line(&format!("{}: matches libsolv", a.file.display()));
    }
    status
}
