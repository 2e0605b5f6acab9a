//! `bramble koji inheritance --format dot` on every recorded tag of the replay hub
//! (forward and reverse): one node per tag named in what the real `koji` CLI printed, one
//! edge per distinct link, and Graphviz's `dot` accepts it (when installed).

use std::collections::BTreeSet;
use std::io::Write;
use std::process::{Command, Stdio};

use crate::common;
use crate::koji::{hub_dir, recorded_tags, start_replay_hub};

/// `NAME (ID)` of every line of `koji list-tag-inheritance` output, each once.
fn tags_of_cli_text(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            // four flag characters (`M`, `F`, `I`, `N` or `.`), except on the root line
            let rest = if l.starts_with("     ") {
                l
            } else {
                l.get(4..).unwrap_or(l)
            };
            rest.trim_start_matches([' ', '\u{2502}', '\u{251c}', '\u{2514}', '\u{2500}'])
                .to_string()
        })
        .collect()
}

/// Node labels and edges `(from, to)` of our dot output.
fn parse_dot(dot: &str) -> (Vec<String>, Vec<(String, String)>) {
    let mut nodes = Vec::new();
    let mut edges = Vec::new();
    for line in dot.lines().map(str::trim) {
        if let Some((lhs, rest)) = line.split_once(" [label=\"") {
            if let Some((from, to)) = lhs.split_once(" -> ") {
                edges.push((from.to_string(), to.to_string()));
            } else {
                let label = rest.split('"').next().unwrap_or_default();
                nodes.push(label.to_string());
            }
        }
    }
    (nodes, edges)
}

fn graphviz_accepts(dot: &str) -> Option<bool> {
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(dot.as_bytes()).ok()?;
    Some(child.wait().ok()?.success())
}

#[test]
fn dot_output_has_every_tag_once_and_parses() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let Some(dir) = hub_dir() else { return };
    let Some(hub) = start_replay_hub(&corpus) else {
        return;
    };
    let mut checked = 0;
    let mut by_dot = 0;
    for tag in recorded_tags(&dir) {
        for (flag, file) in [
            (None, "list-tag-inheritance.txt"),
            (Some("--reverse"), "list-tag-inheritance__reverse.txt"),
        ] {
            let mut cmd = common::bramble();
            cmd.args([
                "koji",
                "--hub",
                hub.url.as_str(),
                "inheritance",
                "--format",
                "dot",
            ]);
            cmd.args(flag).arg(&tag);
            let out = cmd.output().unwrap();
            assert!(out.status.success(), "{tag} {flag:?}");
            let dot = String::from_utf8(out.stdout).unwrap();
            assert!(dot.starts_with("digraph \""), "{dot}");
            assert!(dot.ends_with("}\n"), "{dot}");
            let (nodes, edges) = parse_dot(&dot);
            let unique: BTreeSet<&String> = nodes.iter().collect();
            assert_eq!(unique.len(), nodes.len(), "a node twice: {dot}");
            let cli = std::fs::read_to_string(dir.join("cli").join(&tag).join(file)).unwrap();
            let want = tags_of_cli_text(&cli);
            assert_eq!(
                unique.into_iter().cloned().collect::<BTreeSet<_>>(),
                want,
                "{tag} {flag:?}"
            );
            let distinct: BTreeSet<&(String, String)> = edges.iter().collect();
            assert_eq!(distinct.len(), edges.len(), "an edge twice: {dot}");
            assert!(edges.len() >= nodes.len() - 1, "every tag is linked: {dot}");
            if let Some(ok) = graphviz_accepts(&dot) {
                assert!(ok, "dot rejects: {dot}");
                by_dot += 1;
            }
            checked += 1;
        }
    }
    assert!(checked > 0);
    eprintln!("{checked} dot graphs checked, {by_dot} of them parsed by graphviz");
}
