//! libsolv's solver testcases (`testsolv` `.t` files): the commands (`repo`, `system`,
//! `job`, `solverflags`, `poolflags`, `result`, `nextjob`, ...) and the `testtags`
//! repositories they load, inline (`#>` lines) or from a `.repo`/`.repo.gz` file next to
//! the testcase. Only the text is parsed here; what the commands mean is
//! `analysis::testcase`'s business. Commands this parser does not know are kept (with
//! their line) so the runner can name them as unsupported.
//!
//! Grammar, as libsolv's `ext/testcase.c` reads it: one command per line, words split at
//! blanks; lines starting with `#` are comments except `#>` lines, which are the
//! contents of the preceding `<inline>` repo or result. `nextjob` starts a further solve
//! over the same repositories. A `testtags` repo is lines `=Tag: value` (one value) or
//! `+Tag:` ... `-Tag:` (one value per line); `=Pkg: name [E:]version release arch`
//! starts a package.

use std::path::Path;

use super::compress::read_decoded;
use super::error::LoadError;
use crate::model::testcase::{
    TcJob, TcOther, TcPackage, TcRepo, TcResult, TcRun, TcSystem, Testcase,
};

fn syntax(path: &Path, line: usize, msg: impl Into<String>) -> LoadError {
    LoadError::Syntax {
        path: path.to_path_buf(),
        line: line as u64,
        column: 1,
        msg: msg.into(),
    }
}

/// Read a testcase file; external repo and result files are read relative to its
/// directory.
pub fn read_testcase(path: &Path) -> Result<Testcase, LoadError> {
    let bytes = read_decoded(path, None)?;
    let text = String::from_utf8_lossy(&bytes);
    parse_testcase(&text, path)
}

/// Parse testcase text; `path` names it in errors and locates external files.
pub fn parse_testcase(text: &str, path: &Path) -> Result<Testcase, LoadError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let lines: Vec<&str> = text.lines().collect();
    let mut tc = Testcase {
        path: path.to_path_buf(),
        runs: vec![TcRun::default()],
        ..Testcase::default()
    };
    let mut i = 0;
    // The `#>` lines following line `i` (advancing past them).
    let inline = |i: &mut usize| -> Vec<String> {
        let mut out = Vec::new();
        while *i + 1 < lines.len() && lines[*i + 1].starts_with("#>") {
            *i += 1;
            out.push(lines[*i][2..].to_string());
        }
        out
    };
    while i < lines.len() {
        let lineno = i + 1;
        let raw = lines[i];
        let words: Vec<&str> = raw.split_whitespace().collect();
        if words.is_empty() || raw.starts_with('#') {
            i += 1;
            continue;
        }
        let run = tc.runs.len() - 1;
        match words[0] {
            "repo" => {
                if words.len() < 4 || (words.len() < 5 && words[3] != "empty") {
                    return Err(syntax(path, lineno, "repo: expected NAME PRIO FORMAT FILE"));
                }
                let (priority, subpriority) = parse_prio(words[2])
                    .ok_or_else(|| syntax(path, lineno, format!("bad priority `{}`", words[2])))?;
                let format = words[3].to_string();
                let file_word = words.get(4).copied().unwrap_or("");
                let body = if format == "empty" {
                    String::new()
                } else if file_word == "<inline>" {
                    inline(&mut i).join("\n")
                } else {
                    let file = dir.join(file_word);
                    let bytes = read_decoded(&file, None)?;
                    String::from_utf8_lossy(&bytes).into_owned()
                };
                let packages = if format == "testtags" {
                    let src = if file_word == "<inline>" {
                        path.to_path_buf()
                    } else {
                        dir.join(file_word)
                    };
                    let offset = if file_word == "<inline>" { lineno } else { 0 };
                    parse_testtags(&body, &src, offset)?
                } else {
                    Vec::new()
                };
                tc.repos.push(TcRepo {
                    name: words[1].to_string(),
                    priority,
                    subpriority,
                    format,
                    packages,
                    line: lineno,
                });
            }
            "system" => {
                if words.len() < 3 {
                    return Err(syntax(
                        path,
                        lineno,
                        "system: expected ARCH DISTTYPE [REPO]",
                    ));
                }
                tc.system = Some(TcSystem {
                    arch: words[1].to_string(),
                    disttype: words[2].to_string(),
                    installed: words.get(3).map(|s| s.to_string()),
                    line: lineno,
                });
            }
            "job" => {
                if words.len() < 3 {
                    return Err(syntax(path, lineno, "job: expected ACTION SELECTOR ..."));
                }
                let mut what: Vec<String> = words[3..].iter().map(|s| s.to_string()).collect();
                let mut flags = Vec::new();
                if let Some(last) = what.last()
                    && last.starts_with('[')
                    && last.ends_with(']')
                {
                    flags = last[1..last.len() - 1]
                        .split(',')
                        .filter(|f| !f.is_empty())
                        .map(str::to_string)
                        .collect();
                    what.pop();
                }
                tc.runs[run].jobs.push(TcJob {
                    action: words[1].to_string(),
                    selector: words[2].to_string(),
                    what,
                    flags,
                    line: lineno,
                });
            }
            "solverflags" => tc.runs[run]
                .solverflags
                .extend(words[1..].iter().map(|s| s.to_string())),
            "poolflags" => tc.runs[run]
                .poolflags
                .extend(words[1..].iter().map(|s| s.to_string())),
            "result" if words.len() < 3 => {
                // libsolv ignores a `result` without a file; keep it as an unknown command.
                tc.runs[run].other.push(TcOther {
                    words: words.iter().map(|s| s.to_string()).collect(),
                    line: lineno,
                });
            }
            "result" => {
                let lines = if words[2] == "<inline>" {
                    inline(&mut i)
                } else {
                    let bytes = read_decoded(&dir.join(words[2]), None)?;
                    String::from_utf8_lossy(&bytes)
                        .lines()
                        .map(str::to_string)
                        .collect()
                };
                tc.runs[run].result = Some(TcResult {
                    flags: words[1].split(',').map(str::to_string).collect(),
                    lines,
                    line: lineno,
                });
            }
            "nextjob" => tc.runs.push(TcRun::default()),
            _ => {
                // Keep the command; an inline body belongs to it.
                let _ = inline(&mut i);
                tc.runs[run].other.push(TcOther {
                    words: words.iter().map(|s| s.to_string()).collect(),
                    line: lineno,
                });
            }
        }
        i += 1;
    }
    Ok(tc)
}

fn parse_prio(s: &str) -> Option<(i32, i32)> {
    match s.split_once('.') {
        Some((a, b)) => Some((a.parse().ok()?, b.parse().ok()?)),
        None => Some((s.parse().ok()?, 0)),
    }
}

/// Index in `DepKind::ALL` order for a testtags dependency tag.
fn dep_index(tag: &str) -> Option<usize> {
    Some(match tag {
        "Prv" => 0,
        "Req" | "Prq" => 1,
        "Con" => 2,
        "Obs" => 3,
        "Rec" => 4,
        "Sug" => 5,
        "Sup" => 6,
        "Enh" => 7,
        _ => return None,
    })
}

/// Parse a testtags repository. `src` names it in errors; `line_offset` is added to line
/// numbers (an inline repo starts after its `repo` line).
pub fn parse_testtags(
    text: &str,
    src: &Path,
    line_offset: usize,
) -> Result<Vec<TcPackage>, LoadError> {
    let mut out: Vec<TcPackage> = Vec::new();
    let mut block: Option<(String, usize)> = None;
    for (k, line) in text.lines().enumerate() {
        let lineno = line_offset + k + 1;
        if let Some((tag, _)) = &block {
            if line.len() >= 5 && line.starts_with('-') && line[1..].starts_with(tag.as_str()) {
                block = None;
                continue;
            }
            let tag = tag.clone();
            add_value(&mut out, &tag, line.trim_end(), src, lineno)?;
            continue;
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((head, value)) = line.split_once(':') else {
            return Err(syntax(
                src,
                lineno,
                format!("expected `=Tag: value`, got `{line}`"),
            ));
        };
        if head.len() < 2 {
            return Err(syntax(src, lineno, format!("bad tag `{head}`")));
        }
        let (kind, tag) = head.split_at(1);
        match kind {
            "+" => block = Some((tag.to_string(), lineno)),
            "=" => {
                let value = value.trim();
                if tag == "Pkg" {
                    out.push(parse_pkg_line(value, src, lineno)?);
                } else if tag == "Ver" {
                    // Format version; nothing depends on it here.
                } else {
                    add_value(&mut out, tag, value, src, lineno)?;
                }
            }
            _ => return Err(syntax(src, lineno, format!("bad tag `{head}`"))),
        }
    }
    if let Some((tag, line)) = block {
        return Err(syntax(
            src,
            line,
            format!("`+{tag}:` block is never closed"),
        ));
    }
    Ok(out)
}

fn parse_pkg_line(value: &str, src: &Path, lineno: usize) -> Result<TcPackage, LoadError> {
    let w: Vec<&str> = value.split_whitespace().collect();
    if w.len() < 3 {
        return Err(syntax(
            src,
            lineno,
            format!("=Pkg: expected name version release [arch], got `{value}`"),
        ));
    }
    let (epoch, version) = match w[1].split_once(':') {
        Some((e, v)) if !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit()) => (
            e.parse()
                .map_err(|_| syntax(src, lineno, format!("bad epoch `{e}`")))?,
            v,
        ),
        _ => (0, w[1]),
    };
    Ok(TcPackage {
        name: w[0].to_string(),
        epoch,
        version: version.to_string(),
        release: if w[2] == "-" {
            String::new()
        } else {
            w[2].to_string()
        },
        arch: w.get(3).map(|a| a.to_string()).unwrap_or_default(),
        ..TcPackage::default()
    })
}

fn add_value(
    out: &mut [TcPackage],
    tag: &str,
    value: &str,
    src: &Path,
    lineno: usize,
) -> Result<(), LoadError> {
    if value.is_empty() {
        return Ok(());
    }
    let Some(pkg) = out.last_mut() else {
        return Err(syntax(src, lineno, format!("`{tag}` before any `=Pkg:`")));
    };
    if let Some(k) = dep_index(tag) {
        pkg.deps[k].push(value.to_string());
    } else if tag == "Fls" {
        pkg.files.push(value.to_string());
    } else if tag == "Vnd" {
        pkg.vendor = Some(value.to_string());
    } else {
        pkg.other_tags.push(tag.to_string());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CASE: &str = "repo system 0 testtags <inline>\n\
#>=Pkg: A 1 1 noarch\n\
#>=Prv: AA\n\
repo test 10.5 testtags <inline>\n\
#>=Ver: 2.0\n\
#>=Pkg: B 2:3 4 x86_64\n\
#>+Req:\n\
#>A >= 1\n\
#>C\n\
#>-Req:\n\
#>=Con: D < 2\n\
system x86_64 rpm system\n\
# a comment\n\
job install name B [forcebest]\n\
result transaction,problems <inline>\n\
#>install B-2:3-4.x86_64@test\n\
nextjob\n\
solverflags allowuninstall\n\
job erase pkg A-1-1.noarch@system\n\
namespace foo(bar) <inline>\n\
#>x\n";

    #[test]
    fn parses_repos_system_jobs_results_and_runs() {
        let tc = parse_testcase(CASE, Path::new("x.t")).unwrap();
        assert_eq!(tc.repos.len(), 2);
        assert_eq!(tc.repos[0].packages[0].name, "A");
        assert_eq!(tc.repos[0].packages[0].deps[0], vec!["AA"]);
        let b = &tc.repos[1].packages[0];
        assert_eq!((tc.repos[1].priority, tc.repos[1].subpriority), (10, 5));
        assert_eq!(
            (b.epoch, b.version.as_str(), b.release.as_str()),
            (2, "3", "4")
        );
        assert_eq!(b.deps[1], vec!["A >= 1", "C"]);
        assert_eq!(b.deps[2], vec!["D < 2"]);
        let sys = tc.system.as_ref().unwrap();
        assert_eq!(
            (sys.arch.as_str(), sys.installed.as_deref()),
            ("x86_64", Some("system"))
        );
        assert_eq!(tc.runs.len(), 2);
        let j = &tc.runs[0].jobs[0];
        assert_eq!(
            (j.action.as_str(), j.selector.as_str()),
            ("install", "name")
        );
        assert_eq!(j.what, vec!["B"]);
        assert_eq!(j.flags, vec!["forcebest"]);
        assert_eq!(j.text(), "install name B [forcebest]");
        let r = tc.runs[0].result.as_ref().unwrap();
        assert_eq!(r.flags, vec!["transaction", "problems"]);
        assert_eq!(r.lines, vec!["install B-2:3-4.x86_64@test"]);
        assert_eq!(tc.runs[1].solverflags, vec!["allowuninstall"]);
        assert_eq!(tc.runs[1].other[0].words[0], "namespace");
        assert_eq!(tc.runs[1].other[0].line, 20);
    }

    #[test]
    fn errors_name_file_and_line() {
        let e = parse_testcase("repo a 0 testtags <inline>\n#>=Req: x\n", Path::new("t.t"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("t.t:2"), "{e}");
        let e = parse_testcase("system\n", Path::new("t.t"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("t.t:1"), "{e}");
        let e = parse_testcase("repo a x testtags <inline>\n", Path::new("t.t"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("bad priority"), "{e}");
        let e = parse_testtags("=Pkg: a 1 1 noarch\n+Req:\nb\n", Path::new("r"), 0)
            .unwrap_err()
            .to_string();
        assert!(e.contains("never closed"), "{e}");
        assert!(
            parse_testcase(
                "repo a 0 testtags missing.repo\n",
                Path::new("/nonexistent/t.t")
            )
            .is_err()
        );
    }
}
