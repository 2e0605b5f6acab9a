//! The text of `koji list-tag-inheritance [--reverse]`, as people paste it into tickets,
//! read back as a partial inheritance graph: the root tag, and per line the tag, its
//! depth (from the tree drawing), the link flags (`M` maxdepth, `F` filter, `I`
//! intransitive, `N` noconfig) and the tag it hangs under. What the text does not say
//! (priorities, maxdepth values, filter patterns) is not invented: priorities are the
//! order of the lines, and a set `M`/`F` flag is kept as [`UNKNOWN_MAXDEPTH`] /
//! [`UNKNOWN_FILTER`]. Rendering the result again gives the same text, byte for byte.

use std::path::Path;

use crate::load::error::LoadError;
use crate::model::tag::{InheritanceEntry, InheritanceLink, TagId};

/// The maxdepth of a link whose `M` flag is set in the text (the value is not shown).
pub const UNKNOWN_MAXDEPTH: i64 = -1;
/// The filter of a link whose `F` flag is set in the text (the pattern is not shown).
pub const UNKNOWN_FILTER: &str = "(not in the text)";

/// A pasted inheritance listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PastedInheritance {
    pub root: TagId,
    pub root_name: String,
    /// The walk, in the text's order.
    pub entries: Vec<InheritanceEntry>,
}

fn syntax(path: &Path, line: usize, column: usize, msg: impl Into<String>) -> LoadError {
    LoadError::Syntax {
        path: path.to_path_buf(),
        line: line as u64,
        column: column as u64,
        msg: msg.into(),
    }
}

/// `name (id)` at the end of a line.
fn name_id(s: &str) -> Option<(String, i64)> {
    let s = s.trim_end();
    let open = s.rfind(" (")?;
    let id = s.get(open + 2..s.len().checked_sub(1)?)?;
    if !s.ends_with(')') {
        return None;
    }
    let id: i64 = id.parse().ok()?;
    let name = s[..open].trim();
    if name.is_empty() || name.contains(char::is_whitespace) {
        return None;
    }
    Some((name.to_string(), id))
}

/// Parse the listing; `reverse` says it is `--reverse` output (entries lead to children).
/// `path` names the file in errors.
pub fn parse_inheritance_text(
    text: &str,
    path: &Path,
    reverse: bool,
) -> Result<PastedInheritance, LoadError> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let Some((first_no, first)) = lines.next() else {
        return Err(syntax(path, 1, 1, "empty: no root tag line"));
    };
    let (root_name, root_id) = match first.strip_prefix("     ").and_then(name_id) {
        Some(x) => x,
        None => {
            return Err(syntax(
                path,
                first_no + 1,
                1,
                "expected the root line `     NAME (ID)` of koji list-tag-inheritance",
            ));
        }
    };
    let root = TagId(root_id);
    let mut entries: Vec<InheritanceEntry> = Vec::new();
    // the tag at each depth on the current path (index 0: the root)
    let mut path_tags: Vec<(TagId, String)> = vec![(root, root_name.clone())];
    let mut next_priority: std::collections::HashMap<i64, i64> = Default::default();
    for (no, line) in lines {
        let chars: Vec<char> = line.chars().collect();
        let lineno = no + 1;
        if chars.len() < 8 {
            return Err(syntax(
                path,
                lineno,
                1,
                "line too short for an inheritance entry",
            ));
        }
        let flags: String = chars[..4].iter().collect();
        for (i, (c, want)) in flags.chars().zip(['M', 'F', 'I', 'N']).enumerate() {
            if c != '.' && c != want {
                return Err(syntax(
                    path,
                    lineno,
                    i + 1,
                    format!("flag column {} is `{c}`: expected `{want}` or `.`", i + 1),
                ));
            }
        }
        let Some(branch) = chars
            .iter()
            .position(|&c| c == '\u{251c}' || c == '\u{2514}')
        else {
            return Err(syntax(
                path,
                lineno,
                5,
                "no tree branch (├─ or └─) on the line",
            ));
        };
        if (branch + 1) < 4
            || (branch + 1 - 4) % 3 != 0
            || chars.get(branch + 1) != Some(&'\u{2500}')
        {
            return Err(syntax(
                path,
                lineno,
                branch + 1,
                "the tree branch is not where a depth puts it",
            ));
        }
        let depth = (branch + 1 - 4) / 3;
        if depth == 0 || depth > path_tags.len() {
            return Err(syntax(
                path,
                lineno,
                branch + 1,
                format!(
                    "depth {depth} under a line of depth {}",
                    path_tags.len() - 1
                ),
            ));
        }
        let rest: String = chars[branch + 2..].iter().collect();
        let Some((name, id)) = name_id(&rest) else {
            return Err(syntax(path, lineno, branch + 3, "expected `NAME (ID)`"));
        };
        path_tags.truncate(depth);
        let (above, above_name) = path_tags[depth - 1].clone();
        let prio = next_priority.entry(above.0).or_insert(0);
        let priority = *prio;
        *prio += 1;
        let (child, child_name, parent, parent_name) = if reverse {
            (TagId(id), name.clone(), above, above_name)
        } else {
            (above, above_name, TagId(id), name.clone())
        };
        let link = InheritanceLink {
            child,
            child_name,
            parent,
            parent_name,
            priority,
            maxdepth: flags.starts_with('M').then_some(UNKNOWN_MAXDEPTH),
            intransitive: flags.chars().nth(2) == Some('I'),
            noconfig: flags.chars().nth(3) == Some('N'),
            pkg_filter: if flags.chars().nth(1) == Some('F') {
                UNKNOWN_FILTER.to_string()
            } else {
                String::new()
            },
        };
        entries.push(InheritanceEntry {
            link,
            tag: TagId(id),
            name: name.clone(),
            currdepth: depth as i64,
            nextdepth: None,
            filter: Vec::new(),
        });
        path_tags.push((TagId(id), name));
    }
    Ok(PastedInheritance {
        root,
        root_name,
        entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const F16_REVERSE: &str = "     f16 (1)
....  ├─f17 (2)
....  │  ├─f18 (3)
...N  │  │  └─f19-candidates (22)
....  │  └─f17-build (13)
....  └─f16-build (9)
";

    #[test]
    fn round_trip_and_links() {
        let p = parse_inheritance_text(F16_REVERSE, Path::new("t.txt"), true).unwrap();
        assert_eq!(p.root_name, "f16");
        assert_eq!(p.entries.len(), 5);
        let cand = &p.entries[2];
        assert_eq!(cand.currdepth, 3);
        assert_eq!(cand.link.parent_name, "f18");
        assert_eq!(cand.link.child_name, "f19-candidates");
        assert!(cand.link.noconfig);
        assert_eq!(p.entries[3].link.parent_name, "f17");
        // forward: links go from the line above to the tag
        let fwd =
            "     f19-build (4)\nM...  ├─f19 (2)\n.F..  │  └─f18 (1)\n..I.  └─f19-basedeps (3)\n";
        let p = parse_inheritance_text(fwd, Path::new("t.txt"), false).unwrap();
        assert_eq!(p.entries[1].link.child_name, "f19");
        assert_eq!(p.entries[1].link.parent_name, "f18");
        assert_eq!(p.entries[0].link.maxdepth, Some(UNKNOWN_MAXDEPTH));
        assert_eq!(p.entries[1].link.pkg_filter, UNKNOWN_FILTER);
        assert!(p.entries[2].link.intransitive);
        assert_eq!(p.entries[2].link.priority, 1, "second parent of f19-build");
        // (the byte-for-byte round trip over the corpus is in tests/integration/koji.rs)
    }

    #[test]
    fn errors_name_line_and_column() {
        let e = parse_inheritance_text("", Path::new("x.txt"), false).unwrap_err();
        assert!(e.to_string().contains("x.txt"), "{e}");
        let e = parse_inheritance_text("f19 (4)\n", Path::new("x.txt"), false).unwrap_err();
        assert!(matches!(e, LoadError::Syntax { line: 1, .. }), "{e:?}");
        let bad = "     f19-build (4)\n..X.  └─f19 (2)\n";
        let e = parse_inheritance_text(bad, Path::new("x.txt"), false).unwrap_err();
        assert!(
            matches!(
                e,
                LoadError::Syntax {
                    line: 2,
                    column: 3,
                    ..
                }
            ),
            "{e:?}"
        );
        let bad = "     f19-build (4)\n....        └─f19 (2)\n";
        let e = parse_inheritance_text(bad, Path::new("x.txt"), false).unwrap_err();
        assert!(matches!(e, LoadError::Syntax { line: 2, .. }), "{e:?}");
        let bad = "     f19-build (4)\n....  └─f19 (two)\n";
        assert!(parse_inheritance_text(bad, Path::new("x.txt"), false).is_err());
        // every prefix of a good listing either parses or errors; none panics
        for cut in 0..F16_REVERSE.len() {
            if F16_REVERSE.is_char_boundary(cut) {
                let _ = parse_inheritance_text(&F16_REVERSE[..cut], Path::new("x"), true);
            }
        }
    }
}
