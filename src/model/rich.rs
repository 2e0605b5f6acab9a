//! Rich (boolean) dependencies, rpm 4.13+: `(A and B)`, `(A if B else C)`, `(A with B)`, …
//!
//! A dependency whose name starts with `(` is a boolean expression over simple dependencies
//! (`name [op evr]`). This module parses such a string into a [`Rich`] tree and prints a tree
//! back the way libsolv's `pool_dep2str` does, which is what dnf shows in `repoclosure` and
//! `repoquery` output.
//!
//! The grammar and its restrictions follow rpm's `rpmrichParse` (`lib/rpmds.c`):
//! - an operand is a nested `( … )` group or a simple dependency; a name token ends at
//!   whitespace, at `,` or at a `)` that closes nothing opened inside the token, so
//!   `pkgconfig(foo)` and `perl(Foo::Bar)` are single names;
//! - a group chains one operator: `and`, `or` and `with` chain (`a and b and c`), `if` and
//!   `unless` take one optional `else`, `without` takes exactly two operands; mixing different
//!   operators at one level needs parentheses;
//! - no `and`, `if` or `unless` may appear anywhere inside a `with`/`without` operand
//!   (rpm: "Illegal ops in with/without");
//! - nothing may follow the closing parenthesis, not even whitespace.
//!
//! rpm's build-time checks that depend on the tag (`if` inside `or` in a `Requires`, `unless`
//! inside `and` in a `Conflicts`) are not applied: rpm itself accepts such dependencies when
//! it reads packages, and so do libsolv and dnf.
//!
//! Invariants: parsing never panics and never recurses deeper than [`MAX_DEPTH`] groups; every
//! error carries the byte offset in the input where it was detected. A group holding a single
//! operand (`(foo)`, `((a or b))`) parses to that operand, as in libsolv.

use std::fmt;

use serde::Serialize;

use crate::model::dep::Cmp;

/// The deepest nesting of parentheses [`parse_rich`] accepts.
pub const MAX_DEPTH: usize = 64;

/// A rich dependency: a boolean expression over leaves of type `L`.
///
/// `L` is [`SimpleDep`] straight from the parser; the pool maps leaves to its interned form
/// with [`Rich::map_leaves`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Rich<L> {
    /// A simple `name [op evr]` dependency.
    Leaf(L),
    /// All operands are required (`a and b and …`).
    And(Vec<Rich<L>>),
    /// At least one operand is required (`a or b or …`).
    Or(Vec<Rich<L>>),
    /// One package must satisfy every operand (`a with b with …`).
    With(Vec<Rich<L>>),
    /// One package must satisfy the first operand and not the second.
    Without(Box<Rich<L>>, Box<Rich<L>>),
    /// `(then if cond)` or `(then if cond else otherwise)`.
    If {
        then: Box<Rich<L>>,
        cond: Box<Rich<L>>,
        otherwise: Option<Box<Rich<L>>>,
    },
    /// `(then unless cond)` or `(then unless cond else otherwise)`.
    Unless {
        then: Box<Rich<L>>,
        cond: Box<Rich<L>>,
        otherwise: Option<Box<Rich<L>>>,
    },
}

/// A simple dependency inside a rich one, borrowing from the parsed string.
///
/// `evr` is empty exactly when `cmp` is [`Cmp::Any`]. It is the EVR as written, except that
/// a zero epoch (`0:1.0`) is dropped, as libsolv's `pool_parserpmrichdep` does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct SimpleDep<'a> {
    pub name: &'a str,
    pub cmp: Cmp,
    pub evr: &'a str,
}

/// Why a rich dependency could not be parsed, and where.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid rich dependency at column {}: {}", .pos + 1, .msg)]
pub struct RichParseError {
    /// Byte offset in the input where the problem was found (the column shown is `pos + 1`).
    pub pos: usize,
    pub msg: String,
}

/// Whether `s` is a rich dependency rather than a simple name: it starts with `(`.
#[must_use]
pub fn is_rich(s: &str) -> bool {
    s.starts_with('(')
}

/// Parses a rich dependency such as `(foo >= 1.0 or (bar if baz))`.
///
/// # Errors
///
/// A [`RichParseError`] at the byte where the input stops following rpm's grammar (see the
/// module documentation), including nesting deeper than [`MAX_DEPTH`].
pub fn parse_rich(s: &str) -> Result<Rich<SimpleDep<'_>>, RichParseError> {
    let mut parser = Parser {
        src: s,
        bytes: s.as_bytes(),
        pos: 0,
    };
    if !is_rich(s) {
        return Err(error(0, "a rich dependency must start with `(`"));
    }
    let group = parser.group(1)?;
    if parser.pos < s.len() {
        return Err(error(
            parser.pos,
            "unexpected text after the closing `)` of the rich dependency",
        ));
    }
    Ok(group.node)
}

impl<L> Rich<L> {
    /// The same tree with every leaf replaced by `f(leaf)`, leaves visited in source order.
    ///
    /// # Errors
    ///
    /// The first error `f` returns; no further leaves are visited.
    pub fn map_leaves<M, E>(&self, mut f: impl FnMut(&L) -> Result<M, E>) -> Result<Rich<M>, E> {
        self.map_with(&mut f)
    }

    fn map_with<M, E, F>(&self, f: &mut F) -> Result<Rich<M>, E>
    where
        F: FnMut(&L) -> Result<M, E>,
    {
        let boxed = |r: &Rich<L>, f: &mut F| r.map_with(f).map(Box::new);
        let list = |v: &[Rich<L>], f: &mut F| {
            v.iter()
                .map(|r| r.map_with(f))
                .collect::<Result<Vec<_>, E>>()
        };
        Ok(match self {
            Rich::Leaf(l) => Rich::Leaf(f(l)?),
            Rich::And(v) => Rich::And(list(v, f)?),
            Rich::Or(v) => Rich::Or(list(v, f)?),
            Rich::With(v) => Rich::With(list(v, f)?),
            Rich::Without(a, b) => Rich::Without(boxed(a, f)?, boxed(b, f)?),
            Rich::If {
                then,
                cond,
                otherwise,
            } => Rich::If {
                then: boxed(then, f)?,
                cond: boxed(cond, f)?,
                otherwise: otherwise.as_deref().map(|o| boxed(o, f)).transpose()?,
            },
            Rich::Unless {
                then,
                cond,
                otherwise,
            } => Rich::Unless {
                then: boxed(then, f)?,
                cond: boxed(cond, f)?,
                otherwise: otherwise.as_deref().map(|o| boxed(o, f)).transpose()?,
            },
        })
    }

    /// Every leaf, left to right as written.
    pub fn leaves(&self) -> Leaves<'_, L> {
        Leaves { stack: vec![self] }
    }
}

/// Iterator over the leaves of a [`Rich`] tree, in source order; see [`Rich::leaves`].
#[derive(Clone, Debug)]
pub struct Leaves<'r, L> {
    stack: Vec<&'r Rich<L>>,
}

impl<'r, L> Iterator for Leaves<'r, L> {
    type Item = &'r L;

    fn next(&mut self) -> Option<&'r L> {
        while let Some(node) = self.stack.pop() {
            match node {
                Rich::Leaf(l) => return Some(l),
                Rich::And(v) | Rich::Or(v) | Rich::With(v) => self.stack.extend(v.iter().rev()),
                Rich::Without(a, b) => self.stack.extend([&**b, &**a]),
                Rich::If {
                    then,
                    cond,
                    otherwise,
                }
                | Rich::Unless {
                    then,
                    cond,
                    otherwise,
                } => {
                    self.stack.extend(otherwise.as_deref());
                    self.stack.extend([&**cond, &**then]);
                }
            }
        }
        None
    }
}

impl fmt::Display for SimpleDep<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.cmp == Cmp::Any {
            f.write_str(self.name)
        } else {
            write!(f, "{} {} {}", self.name, self.cmp.as_str(), self.evr)
        }
    }
}

/// The operators libsolv prints without parentheses when nested in themselves.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Chain {
    And,
    Or,
    With,
    Without,
}

impl<L: fmt::Display> fmt::Display for Rich<L> {
    /// Prints like libsolv's `pool_dep2str`: every boolean sub-expression is parenthesised
    /// except an `and`/`or`/`with`/`without` directly inside the same operator
    /// (`((a or b) or c)` prints as `(a or b or c)`), and an `else` branch is not wrapped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, None)
    }
}

impl<L: fmt::Display> Rich<L> {
    /// Writes `self` as an operand of `parent` (`None`: top level or a non-chaining parent).
    fn write(&self, f: &mut fmt::Formatter<'_>, parent: Option<Chain>) -> fmt::Result {
        match self {
            Rich::Leaf(l) => write!(f, "{l}"),
            Rich::And(v) => write_chain(f, v.iter(), Chain::And, " and ", parent),
            Rich::Or(v) => write_chain(f, v.iter(), Chain::Or, " or ", parent),
            Rich::With(v) => write_chain(f, v.iter(), Chain::With, " with ", parent),
            Rich::Without(a, b) => write_chain(
                f,
                [&**a, &**b].into_iter(),
                Chain::Without,
                " without ",
                parent,
            ),
            Rich::If {
                then,
                cond,
                otherwise,
            } => write_cond(f, then, " if ", cond, otherwise.as_deref()),
            Rich::Unless {
                then,
                cond,
                otherwise,
            } => write_cond(f, then, " unless ", cond, otherwise.as_deref()),
        }
    }
}

fn write_chain<'r, L: fmt::Display + 'r>(
    f: &mut fmt::Formatter<'_>,
    operands: impl Iterator<Item = &'r Rich<L>>,
    op: Chain,
    word: &str,
    parent: Option<Chain>,
) -> fmt::Result {
    let paren = parent != Some(op);
    if paren {
        f.write_str("(")?;
    }
    for (i, operand) in operands.enumerate() {
        if i > 0 {
            f.write_str(word)?;
        }
        operand.write(f, Some(op))?;
    }
    if paren {
        f.write_str(")")?;
    }
    Ok(())
}

fn write_cond<L: fmt::Display>(
    f: &mut fmt::Formatter<'_>,
    then: &Rich<L>,
    word: &str,
    cond: &Rich<L>,
    otherwise: Option<&Rich<L>>,
) -> fmt::Result {
    f.write_str("(")?;
    then.write(f, None)?;
    f.write_str(word)?;
    cond.write(f, None)?;
    if let Some(otherwise) = otherwise {
        f.write_str(" else ")?;
        otherwise.write(f, None)?;
    }
    f.write_str(")")
}

/// A boolean operator word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    And,
    Or,
    If,
    Unless,
    Else,
    With,
    Without,
}

impl Op {
    fn from_word(word: &str) -> Option<Op> {
        Some(match word {
            "and" => Op::And,
            "or" => Op::Or,
            "if" => Op::If,
            "unless" => Op::Unless,
            "else" => Op::Else,
            "with" => Op::With,
            "without" => Op::Without,
            _ => return None,
        })
    }

    fn word(self) -> &'static str {
        match self {
            Op::And => "and",
            Op::Or => "or",
            Op::If => "if",
            Op::Unless => "unless",
            Op::Else => "else",
            Op::With => "with",
            Op::Without => "without",
        }
    }
}

/// A parsed group, with the first operator found in it that may not appear inside
/// `with`/`without` (rpm's `RICHPARSE_NO_WITH`).
struct Group<'a> {
    node: Rich<SimpleDep<'a>>,
    no_with: Option<(usize, Op)>,
}

fn error(pos: usize, msg: impl Into<String>) -> RichParseError {
    RichParseError {
        pos,
        msg: msg.into(),
    }
}

struct Parser<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

/// rpm's `risspace`.
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// rpm's `SKIPWHITE`: whitespace and commas.
    fn skip_white(&mut self) {
        while self.peek().is_some_and(|c| is_space(c) || c == b',') {
            self.pos += 1;
        }
    }

    /// rpm's `SKIPNONWHITEX`: the end of the token starting at `start`. The token stops at
    /// whitespace, `,`, or a `)` that does not close a `(` opened inside the token.
    fn token_end(&self, start: usize) -> usize {
        let mut open = 0usize;
        let mut i = start;
        while let Some(&c) = self.bytes.get(i) {
            if is_space(c) || c == b',' {
                break;
            }
            if c == b')' {
                if open == 0 {
                    break;
                }
                open -= 1;
            } else if c == b'(' {
                open += 1;
            }
            i += 1;
        }
        i
    }

    /// Parses `( operand [op operand]… )` starting at the `(` under the cursor.
    fn group(&mut self, depth: usize) -> Result<Group<'a>, RichParseError> {
        let open = self.pos;
        if depth > MAX_DEPTH {
            return Err(error(
                open,
                format!("rich dependency nested more than {MAX_DEPTH} levels deep"),
            ));
        }
        self.pos += 1;

        let mut operands = Vec::new();
        let mut first: Option<(usize, Op)> = None;
        // The operator being chained; `else` after `if`/`unless` replaces it.
        let mut chain: Option<Op> = None;
        let mut no_with: Option<(usize, Op)> = None;
        loop {
            self.skip_white();
            match self.peek() {
                None | Some(b')') => {
                    let msg = match (chain, self.peek()) {
                        (Some(op), _) => format!("missing operand after `{}`", op.word()),
                        (None, None) => "unterminated rich dependency: missing `)`".to_owned(),
                        (None, Some(_)) => "empty rich dependency `()`".to_owned(),
                    };
                    return Err(error(self.pos, msg));
                }
                Some(b'(') => {
                    let sub = self.group(depth + 1)?;
                    no_with = no_with.or(sub.no_with);
                    operands.push(sub.node);
                }
                Some(_) => operands.push(Rich::Leaf(self.simple()?)),
            }

            self.skip_white();
            match self.peek() {
                None => {
                    return Err(error(self.pos, "unterminated rich dependency: missing `)`"));
                }
                Some(b')') => break,
                Some(_) => {}
            }

            // rpm's op token ends at whitespace or `)` (not at `,`).
            let start = self.pos;
            let mut end = start;
            while self
                .bytes
                .get(end)
                .is_some_and(|&c| !is_space(c) && c != b')')
            {
                end += 1;
            }
            let word = self.src.get(start..end).unwrap_or_default();
            let Some(op) = Op::from_word(word) else {
                return Err(error(
                    start,
                    format!(
                        "unknown operator `{word}` (expected and, or, if, unless, else, with \
                         or without)"
                    ),
                ));
            };
            chain = Some(Self::check_chain(chain, op, start)?);
            first.get_or_insert((start, op));
            self.pos = end;
        }
        let close = self.pos;
        self.pos += 1;

        let node = build(first.map(|(_, op)| op), operands)
            .ok_or_else(|| error(close, "malformed rich dependency"))?;
        if let Some((_, Op::With | Op::Without)) = first
            && let Some((pos, op)) = no_with
        {
            return Err(error(
                pos,
                format!("`{}` is not allowed inside `with`/`without`", op.word()),
            ));
        }
        let own = first.filter(|(_, op)| matches!(op, Op::And | Op::If | Op::Unless));
        Ok(Group {
            node,
            no_with: no_with.or(own),
        })
    }

    /// Applies rpm's chaining rules to operator `op` following `chain`; returns the new chain.
    fn check_chain(chain: Option<Op>, op: Op, at: usize) -> Result<Op, RichParseError> {
        match (chain, op) {
            (None | Some(Op::And | Op::Or | Op::With | Op::Without), Op::Else) => {
                Err(error(at, "`else` without `if` or `unless`"))
            }
            (Some(Op::Else), Op::Else) => Err(error(at, "`if`/`unless` takes at most one `else`")),
            (Some(Op::If | Op::Unless), Op::Else) | (None, _) => Ok(op),
            (Some(prev), _) if prev == op && matches!(op, Op::And | Op::Or | Op::With) => Ok(op),
            (Some(prev), _) if prev == op => Err(error(
                at,
                format!("`{}` cannot be chained; use parentheses", op.word()),
            )),
            (Some(Op::Else), _) => Err(error(
                at,
                format!(
                    "`{}` after `else` needs parentheses around the `else` branch",
                    op.word()
                ),
            )),
            (Some(prev), _) => Err(error(
                at,
                format!(
                    "cannot mix `{}` and `{}` without parentheses",
                    prev.word(),
                    op.word()
                ),
            )),
        }
    }

    /// Parses `name [op evr]` at the cursor (which is not at whitespace, `(` or `)`).
    fn simple(&mut self) -> Result<SimpleDep<'a>, RichParseError> {
        let start = self.pos;
        let end = self.token_end(start);
        let name = self.src.get(start..end).unwrap_or_default();
        if name.is_empty() {
            return Err(error(start, "expected a dependency name"));
        }
        self.pos = end;
        self.skip_white();
        let op_start = self.pos;
        let op_end = self.token_end(op_start);
        let op = self.src.get(op_start..op_end).unwrap_or_default();
        let Some(cmp) = Cmp::from_op(op) else {
            return Ok(SimpleDep {
                name,
                cmp: Cmp::Any,
                evr: "",
            });
        };
        self.pos = op_end;
        self.skip_white();
        let evr_start = self.pos;
        let evr_end = self.token_end(evr_start);
        let evr = self.src.get(evr_start..evr_end).unwrap_or_default();
        if evr.is_empty() {
            return Err(error(evr_start, format!("missing version after `{op}`")));
        }
        self.pos = evr_end;
        // libsolv drops a zero epoch here, so dnf never shows it.
        let evr = match evr.strip_prefix("0:") {
            Some(rest) if !rest.is_empty() => rest,
            _ => evr,
        };
        Ok(SimpleDep { name, cmp, evr })
    }
}

/// The node for a group's operands joined by `first` (the group's first operator). `None`
/// only when the operand count cannot come from the parser.
fn build<L>(first: Option<Op>, mut operands: Vec<Rich<L>>) -> Option<Rich<L>> {
    let cond = |mut ops: Vec<Rich<L>>| {
        let otherwise = if ops.len() == 3 {
            ops.pop().map(Box::new)
        } else {
            None
        };
        let cond = Box::new(ops.pop()?);
        let then = Box::new(ops.pop()?);
        ops.is_empty().then_some((then, cond, otherwise))
    };
    Some(match first {
        None if operands.len() == 1 => operands.pop()?,
        Some(Op::And) => Rich::And(operands),
        Some(Op::Or) => Rich::Or(operands),
        Some(Op::With) => Rich::With(operands),
        Some(Op::Without) if operands.len() == 2 => {
            let b = operands.pop()?;
            let a = operands.pop()?;
            Rich::Without(Box::new(a), Box::new(b))
        }
        Some(Op::If) => {
            let (then, cond, otherwise) = cond(operands)?;
            Rich::If {
                then,
                cond,
                otherwise,
            }
        }
        Some(Op::Unless) => {
            let (then, cond, otherwise) = cond(operands)?;
            Rich::Unless {
                then,
                cond,
                otherwise,
            }
        }
        None | Some(Op::Without | Op::Else) => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(name: &str) -> Rich<SimpleDep<'_>> {
        Rich::Leaf(SimpleDep {
            name,
            cmp: Cmp::Any,
            evr: "",
        })
    }

    fn vleaf<'a>(name: &'a str, cmp: Cmp, evr: &'a str) -> Rich<SimpleDep<'a>> {
        Rich::Leaf(SimpleDep { name, cmp, evr })
    }

    fn roundtrip(s: &str) -> String {
        match parse_rich(s) {
            Ok(r) => r.to_string(),
            Err(e) => panic!("{s:?} should parse: {e}"),
        }
    }

    fn err(s: &str) -> RichParseError {
        match parse_rich(s) {
            Ok(r) => panic!("{s:?} should not parse, got {r:?}"),
            Err(e) => e,
        }
    }

    /// Every rich dependency of the oracle's broken-closure scenario (spec files), exactly as
    /// dnf prints it in expected/broken-closure/*.stdout.
    const ORACLE: &[&str] = &[
        "(bar-plugin or baz-plugin)",
        "(baz-plugin >= 2.0 with baz-plugin < 3.0)",
        "(nonexistent-a or nonexistent-b)",
        "(app-core and ghost-supplement)",
        "(app-selinux if selinux-policy)",
        "(missing-x if baz-plugin)",
        "(bar-plugin unless baz-plugin)",
        "(missing-q if missing-z else baz-plugin)",
        "(baz-plugin and foo-tools)",
        "(baz-plugin and missing-and)",
        "(baz-plugin without missing-w)",
        "(foo-tools >= 2:1.6 or missing-or)",
        "(missing-p or (missing-r and baz-plugin))",
    ];

    #[test]
    fn oracle_strings_round_trip_exactly() {
        for s in ORACLE {
            assert_eq!(roundtrip(s), *s);
        }
    }

    #[test]
    fn oracle_strings_parse_to_the_expected_trees() {
        assert_eq!(
            parse_rich("(missing-p or (missing-r and baz-plugin))").ok(),
            Some(Rich::Or(vec![
                leaf("missing-p"),
                Rich::And(vec![leaf("missing-r"), leaf("baz-plugin")]),
            ]))
        );
        assert_eq!(
            parse_rich("(missing-q if missing-z else baz-plugin)").ok(),
            Some(Rich::If {
                then: Box::new(leaf("missing-q")),
                cond: Box::new(leaf("missing-z")),
                otherwise: Some(Box::new(leaf("baz-plugin"))),
            })
        );
        assert_eq!(
            parse_rich("(bar-plugin unless baz-plugin)").ok(),
            Some(Rich::Unless {
                then: Box::new(leaf("bar-plugin")),
                cond: Box::new(leaf("baz-plugin")),
                otherwise: None,
            })
        );
        assert_eq!(
            parse_rich("(baz-plugin >= 2.0 with baz-plugin < 3.0)").ok(),
            Some(Rich::With(vec![
                vleaf("baz-plugin", Cmp::Ge, "2.0"),
                vleaf("baz-plugin", Cmp::Lt, "3.0"),
            ]))
        );
        assert_eq!(
            parse_rich("(baz-plugin without missing-w)").ok(),
            Some(Rich::Without(
                Box::new(leaf("baz-plugin")),
                Box::new(leaf("missing-w"))
            ))
        );
        assert_eq!(
            parse_rich("(foo-tools >= 2:1.6 or missing-or)").ok(),
            Some(Rich::Or(vec![
                vleaf("foo-tools", Cmp::Ge, "2:1.6"),
                leaf("missing-or"),
            ]))
        );
    }

    #[test]
    fn names_keep_balanced_parentheses() {
        assert_eq!(
            parse_rich("(pkgconfig(foo) >= 1.5 and perl(Foo::Bar))").ok(),
            Some(Rich::And(vec![
                vleaf("pkgconfig(foo)", Cmp::Ge, "1.5"),
                leaf("perl(Foo::Bar)"),
            ]))
        );
        assert_eq!(
            parse_rich("(libfoo.so.2()(64bit) or bar)").ok(),
            Some(Rich::Or(vec![leaf("libfoo.so.2()(64bit)"), leaf("bar")]))
        );
        // The unbalanced `)` closes the group.
        assert_eq!(parse_rich("(perl(Foo))").ok(), Some(leaf("perl(Foo)")));
        assert_eq!(
            parse_rich("(a = 1.0)").ok(),
            Some(vleaf("a", Cmp::Eq, "1.0"))
        );
    }

    #[test]
    fn every_comparison_spelling() {
        for (op, cmp) in [
            ("<", Cmp::Lt),
            ("<=", Cmp::Le),
            ("=<", Cmp::Le),
            ("=", Cmp::Eq),
            ("==", Cmp::Eq),
            (">=", Cmp::Ge),
            ("=>", Cmp::Ge),
            (">", Cmp::Gt),
        ] {
            let s = format!("(a {op} 1:2.0-3 or b)");
            let r = parse_rich(&s);
            assert_eq!(
                r.as_ref().ok(),
                Some(&Rich::Or(vec![vleaf("a", cmp, "1:2.0-3"), leaf("b")])),
                "{s}"
            );
            // Printed with the canonical spelling.
            let shown = r.map(|r| r.to_string()).unwrap_or_default();
            assert_eq!(shown, format!("(a {} 1:2.0-3 or b)", cmp.as_str()));
        }
    }

    #[test]
    fn whitespace_and_commas_are_separators() {
        assert_eq!(roundtrip("(  a\tand\n b  )"), "(a and b)");
        assert_eq!(roundtrip("(a   >=   1 or b)"), "(a >= 1 or b)");
        assert_eq!(roundtrip("(a ,and b)"), "(a and b)");
    }

    #[test]
    fn chains_of_one_operator() {
        assert_eq!(
            parse_rich("(a and b and c)").ok(),
            Some(Rich::And(vec![leaf("a"), leaf("b"), leaf("c")]))
        );
        assert_eq!(roundtrip("(a or b or c or d)"), "(a or b or c or d)");
        assert_eq!(roundtrip("(a with b with c)"), "(a with b with c)");
    }

    #[test]
    fn display_matches_libsolv_parenthesisation() {
        // Same-operator nesting prints flat, as pool_dep2str does.
        assert_eq!(roundtrip("((a or b) or c)"), "(a or b or c)");
        assert_eq!(roundtrip("(a and (b and c))"), "(a and b and c)");
        assert_eq!(
            roundtrip("(a or (b and (c or d)))"),
            "(a or (b and (c or d)))"
        );
        // Conditionals are always parenthesised, the else branch never.
        assert_eq!(roundtrip("((a if b) and c)"), "((a if b) and c)");
        assert_eq!(roundtrip("(a if (b if c))"), "(a if (b if c))");
        assert_eq!(
            roundtrip("((a and b) if (c or d) else (e unless f))"),
            "((a and b) if (c or d) else (e unless f))"
        );
        assert_eq!(
            roundtrip("(a unless b else (c or d))"),
            "(a unless b else (c or d))"
        );
        assert_eq!(roundtrip("((a with b) or c)"), "((a with b) or c)");
        // Redundant parentheses vanish; a lone operand is just that operand.
        assert_eq!(roundtrip("((a or b))"), "(a or b)");
        assert_eq!(roundtrip("(foo)"), "foo");
        assert_eq!(roundtrip("(foo >= 1.0)"), "foo >= 1.0");
        assert_eq!(roundtrip("(a == 1 or b)"), "(a = 1 or b)");
        // libsolv's own testcase result (cplxdeps), printed by pool_dep2str.
        assert_eq!(
            roundtrip("((A1 or A2 or A3) if CC1)"),
            "((A1 or A2 or A3) if CC1)"
        );
    }

    #[test]
    fn zero_epoch_is_dropped_like_libsolv() {
        assert_eq!(
            parse_rich("(foo >= 0:1.0 or bar)").ok(),
            Some(Rich::Or(vec![vleaf("foo", Cmp::Ge, "1.0"), leaf("bar")]))
        );
        assert_eq!(roundtrip("(foo >= 0:1.0 or bar)"), "(foo >= 1.0 or bar)");
        assert_eq!(
            roundtrip("(foo >= 10:1.0 or bar)"),
            "(foo >= 10:1.0 or bar)"
        );
        // Nothing after the epoch: kept, as libsolv does.
        assert_eq!(roundtrip("(foo = 0: or bar)"), "(foo = 0: or bar)");
    }

    #[test]
    fn with_operands_follow_rpm() {
        // or / with / without / simple operands are fine.
        assert_eq!(roundtrip("((a or b) with c)"), "((a or b) with c)");
        assert_eq!(
            roundtrip("((a without b) with (c with d))"),
            "((a without b) with c with d)"
        );
        // and / if / unless anywhere below with/without are rejected.
        let e = err("((a and b) with c)");
        assert_eq!(e.pos, 4);
        assert!(e.msg.contains("`and`"), "{e}");
        let e = err("(a without (b or (c if d)))");
        assert_eq!(e.pos, 20);
        assert!(e.msg.contains("`if`"), "{e}");
        err("((a unless b else c) with d)");
        // ... but a with inside an and is fine.
        assert_eq!(roundtrip("((a with b) and c)"), "((a with b) and c)");
    }

    #[test]
    fn leaves_in_source_order() {
        let r = parse_rich("((a and b) if (c or d) else (e unless f))");
        let names: Vec<&str> = r
            .as_ref()
            .map(|r| r.leaves().map(|l| l.name).collect())
            .unwrap_or_default();
        assert_eq!(names, ["a", "b", "c", "d", "e", "f"]);
        let r = parse_rich("(x without (y with z))");
        let names: Vec<&str> = r
            .as_ref()
            .map(|r| r.leaves().map(|l| l.name).collect())
            .unwrap_or_default();
        assert_eq!(names, ["x", "y", "z"]);
    }

    #[test]
    fn map_leaves_keeps_shape_and_stops_at_error() {
        let Ok(r) = parse_rich("(a >= 1 or (b if c else d))") else {
            panic!("parses")
        };
        let mapped: Result<Rich<usize>, ()> = r.map_leaves(|l| Ok(l.name.len() + l.evr.len()));
        assert_eq!(
            mapped,
            Ok(Rich::Or(vec![
                Rich::Leaf(2),
                Rich::If {
                    then: Box::new(Rich::Leaf(1)),
                    cond: Box::new(Rich::Leaf(1)),
                    otherwise: Some(Box::new(Rich::Leaf(1))),
                },
            ]))
        );
        let mut seen = Vec::new();
        let failed: Result<Rich<()>, String> = r.map_leaves(|l| {
            seen.push(l.name);
            if l.name == "c" {
                Err(format!("no {}", l.name))
            } else {
                Ok(())
            }
        });
        assert_eq!(failed, Err("no c".to_owned()));
        assert_eq!(seen, ["a", "b", "c"]);
        // The mapped tree prints the same way.
        let names = r.map_leaves(|l| Ok::<_, ()>(l.to_string()));
        assert_eq!(
            names.map(|n| n.to_string()),
            Ok("(a >= 1 or (b if c else d))".to_owned())
        );
    }

    #[test]
    fn is_rich_checks_the_first_byte() {
        assert!(is_rich("(a or b)"));
        assert!(!is_rich("pkgconfig(foo)"));
        assert!(!is_rich(""));
        assert!(!is_rich(" (a or b)"));
    }

    #[test]
    fn errors_carry_byte_positions() {
        let cases: &[(&str, usize, &str)] = &[
            ("", 0, "must start with `(`"),
            ("a or b", 0, "must start with `(`"),
            ("()", 1, "empty"),
            ("(  )", 3, "empty"),
            ("(a or b", 7, "missing `)`"),
            ("(a or b ", 8, "missing `)`"),
            ("(a or ", 6, "missing operand after `or`"),
            ("(a or)", 5, "missing operand after `or`"),
            ("(a and b) x", 9, "after the closing"),
            ("(a and b) ", 9, "after the closing"),
            ("(a and b))", 9, "after the closing"),
            ("(a nand b)", 3, "unknown operator `nand`"),
            ("(a AND b)", 3, "unknown operator `AND`"),
            ("(a >=1)", 3, "unknown operator `>=1`"),
            ("(a and b or c)", 9, "cannot mix `and` and `or`"),
            ("(a or b and c)", 8, "cannot mix `or` and `and`"),
            ("(a else b)", 3, "`else` without `if`"),
            ("(a and b else c)", 9, "`else` without `if`"),
            ("(a if b else c else d)", 15, "at most one `else`"),
            ("(a if b else c or d)", 15, "after `else`"),
            ("(a if b if c)", 8, "`if` cannot be chained"),
            ("(a unless b unless c)", 12, "`unless` cannot be chained"),
            ("(a without b without c)", 13, "`without` cannot be chained"),
            ("(a >= )", 6, "missing version after `>=`"),
            ("(a >=", 5, "missing version after `>=`"),
            ("(a if (b or c) and d)", 15, "cannot mix `if` and `and`"),
            ("((a or b) and ())", 15, "empty"),
        ];
        for (input, pos, msg) in cases {
            let e = err(input);
            assert_eq!(e.pos, *pos, "{input:?}: {e}");
            assert!(e.msg.contains(msg), "{input:?}: {e}");
        }
    }

    #[test]
    fn error_display_shows_a_one_based_column() {
        let e = err("(a nand b)");
        assert_eq!(
            e.to_string(),
            "invalid rich dependency at column 4: unknown operator `nand` (expected and, or, \
             if, unless, else, with or without)"
        );
    }

    #[test]
    fn nesting_is_limited_without_overflowing_the_stack() {
        let ok = format!("{}a{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert_eq!(parse_rich(&ok).ok(), Some(leaf("a")));
        let too_deep = format!(
            "{}a{}",
            "(".repeat(MAX_DEPTH + 1),
            ")".repeat(MAX_DEPTH + 1)
        );
        let e = err(&too_deep);
        assert_eq!(e.pos, MAX_DEPTH);
        assert!(e.msg.contains("nested"), "{e}");
        // Far deeper and unterminated: still an error, not a crash.
        let e = err(&"(".repeat(100_000));
        assert_eq!(e.pos, MAX_DEPTH);
        let e = err(&"((a or ".repeat(10_000));
        assert!(e.msg.contains("nested"), "{e}");
    }

    #[test]
    fn malformed_input_never_panics() {
        let mut inputs: Vec<String> = ORACLE.iter().map(|s| (*s).to_owned()).collect();
        inputs.extend(
            [
                "((a and b) if (c or d) else (e unless f))",
                "(pkgconfig(foo) >= 1.5 and perl(Foo::Bar) with x)",
                "(a unless b else (c or d))",
                "((a without b) with (c with d))",
                "(ünïcödé >= 1.0~rc1 or ☃)",
                "(a(b(c and d)",
            ]
            .map(str::to_owned),
        );
        let mut checked = 0usize;
        let mut check = |s: &str| {
            // Must return, Ok or Err; an Ok result must print without panicking too.
            if let Ok(r) = parse_rich(s) {
                let _ = r.to_string();
                let _ = r.leaves().count();
            }
            checked += 1;
        };
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for input in &inputs {
            for (i, _) in input.char_indices() {
                check(&input[..i]);
                check(&input[i..]);
            }
            // Deterministic single-byte mutations (kept to ASCII so the string stays valid).
            let alphabet = b"() ,<=>aeflnorsituwhx";
            for _ in 0..200 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let mut bytes = input.clone().into_bytes();
                let at = usize::try_from(seed % 64).unwrap_or(0) % bytes.len().max(1);
                let with = alphabet[usize::try_from(seed >> 32).unwrap_or(0) % alphabet.len()];
                if bytes.get(at).is_some_and(u8::is_ascii) {
                    bytes[at] = with;
                }
                if let Ok(s) = String::from_utf8(bytes) {
                    check(&s);
                }
            }
        }
        assert!(checked > 1000);
    }

    /// Every `name="(..."` attribute value in the rpm-md primary files under `dir`.
    fn rich_names_in_primaries(dir: &std::path::Path) -> Vec<String> {
        use std::io::Read;

        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.contains("primary.xml"))
                {
                    out.push(path);
                }
            }
        }
        let mut files = Vec::new();
        walk(dir, &mut files);
        files.sort();

        let mut names = Vec::new();
        for path in files {
            let Ok(file) = std::fs::File::open(&path) else {
                continue;
            };
            let name = path.to_string_lossy().into_owned();
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or_default();
            let mut reader: Box<dyn Read> = match ext {
                "gz" => Box::new(flate2::read::MultiGzDecoder::new(file)),
                "xz" => Box::new(liblzma::read::XzDecoder::new(file)),
                "bz2" => Box::new(bzip2::read::MultiBzDecoder::new(file)),
                "zst" => match zstd::stream::read::Decoder::new(file) {
                    Ok(d) => Box::new(d),
                    Err(_) => continue,
                },
                "xml" => Box::new(file),
                _ => continue, // zck, sqlite
            };
            let mut xml = String::new();
            if reader.read_to_string(&mut xml).is_err() {
                eprintln!("skipping unreadable {name}");
                continue;
            }
            for (at, _) in xml.match_indices("name=\"(") {
                let value = &xml[at + 6..];
                let Some(end) = value.find('"') else { continue };
                names.push(
                    value[..end]
                        .replace("&lt;", "<")
                        .replace("&gt;", ">")
                        .replace("&quot;", "\"")
                        .replace("&apos;", "'")
                        .replace("&amp;", "&"),
                );
            }
        }
        names.sort();
        names.dedup();
        names
    }

    fn assert_all_parse(names: &[String]) {
        let failures: Vec<String> = names
            .iter()
            .filter_map(|n| parse_rich(n).err().map(|e| format!("{n}: {e}")))
            .collect();
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        // The printed form parses again to the same tree.
        for n in names {
            if let Ok(r) = parse_rich(n) {
                let shown = r.to_string();
                if is_rich(&shown) {
                    assert_eq!(
                        parse_rich(&shown).ok().map(|r2| r2.to_string()),
                        Some(shown)
                    );
                }
            }
        }
    }

    #[test]
    fn corpus_rich_dependencies_parse() {
        let Some(corpus) = std::env::var_os("BRAMBLE_CORPUS") else {
            eprintln!("BRAMBLE_CORPUS not set; skipping");
            return;
        };
        let names = rich_names_in_primaries(std::path::Path::new(&corpus));
        eprintln!("{} distinct rich dependencies in the corpus", names.len());
        assert_all_parse(&names);
    }

    #[test]
    fn oracle_rich_dependencies_parse() {
        let Some(oracle) = std::env::var_os("BRAMBLE_ORACLE") else {
            eprintln!("BRAMBLE_ORACLE not set; skipping");
            return;
        };
        let oracle = std::path::Path::new(&oracle);
        let mut names = rich_names_in_primaries(&oracle.join("repos"));
        // The oracle repos are built from the scenario specs: every rich dependency in them.
        for s in ORACLE {
            assert!(
                names.iter().any(|n| n == s),
                "{s} missing from oracle repos"
            );
        }
        let scale = oracle.join("scale").join("debian-bookworm");
        if scale.is_dir() {
            let before = names.len();
            names.extend(rich_names_in_primaries(&scale));
            assert!(names.len() > before + 1000, "scale repo has many rich deps");
        }
        eprintln!("{} distinct rich dependencies in the oracle", names.len());
        assert_all_parse(&names);
    }
}
