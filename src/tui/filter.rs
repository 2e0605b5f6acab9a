//! The package filter typed after `/`:
//!
//! * plain text: a substring of the NEVRA, case-insensitive unless the text has a capital
//!   letter (smart case); exact name matches first, then names starting with the text,
//!   then the rest, each in dnf's order;
//! * text with `*`, `?` or `[`: a glob over the name or the NEVRA, as dnf's patterns;
//! * `re:` then a regular expression over the NEVRA (smart case too);
//! * `~` then a fuzzy pattern over the name (nucleo's fzf syntax), best matches first.
//!
//! Matching is a pure function of the catalog and the query, so it runs on the UI thread
//! for small pools and on a worker for large ones (see `jobs`).

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern as Fuzzy};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use super::data::Catalog;
use crate::model::package::PkgId;
use crate::progress::Cancel;

/// A parsed filter.
pub enum Query {
    All,
    Substring { needle: String, ignore_case: bool },
    Glob(glob::Pattern),
    Regex(regex::Regex),
    Fuzzy(Fuzzy),
}

impl Query {
    /// Parse filter text; an invalid glob or regex is an error to show, not a panic.
    pub fn parse(text: &str) -> Result<Query, String> {
        let t = text.trim();
        if t.is_empty() {
            return Ok(Query::All);
        }
        if let Some(re) = t.strip_prefix("re:") {
            let ignore_case = !re.chars().any(char::is_uppercase);
            return regex::RegexBuilder::new(re)
                .case_insensitive(ignore_case)
                .size_limit(1 << 20)
                .build()
                .map(Query::Regex)
                .map_err(|e| format!("invalid regex: {e}"));
        }
        if let Some(f) = t.strip_prefix('~') {
            if f.trim().is_empty() {
                return Ok(Query::All);
            }
            return Ok(Query::Fuzzy(Fuzzy::parse(
                f,
                CaseMatching::Smart,
                Normalization::Smart,
            )));
        }
        if t.contains(['*', '?', '[']) {
            return glob::Pattern::new(t)
                .map(Query::Glob)
                .map_err(|e| format!("invalid glob: {e}"));
        }
        let ignore_case = !t.chars().any(char::is_uppercase);
        Ok(Query::Substring {
            needle: if ignore_case {
                t.to_lowercase()
            } else {
                t.to_string()
            },
            ignore_case,
        })
    }

    pub fn is_all(&self) -> bool {
        matches!(self, Query::All)
    }
}

/// The packages of `cat` matching `q`, in display order; `None` when cancelled.
pub fn run(cat: &Catalog, q: &Query, cancel: &Cancel) -> Option<Vec<PkgId>> {
    let pool = &cat.pool;
    let mut out = Vec::new();
    match q {
        Query::All => return Some(cat.order.clone()),
        Query::Substring {
            needle,
            ignore_case,
        } => {
            let (mut exact, mut prefix, mut rest) = (Vec::new(), Vec::new(), Vec::new());
            for (i, &id) in cat.order.iter().enumerate() {
                if i % 4096 == 0 && cancel.is_cancelled() {
                    return None;
                }
                let hay: &str = if *ignore_case {
                    &cat.lower[id.index()]
                } else {
                    &cat.nevra[id.index()]
                };
                if !hay.contains(needle.as_str()) {
                    continue;
                }
                // Lower-casing may change byte lengths (non-ASCII): never slice blindly.
                let name = hay.get(..pool.name(id).len()).unwrap_or("");
                if name == needle {
                    exact.push(id);
                } else if name.starts_with(needle.as_str()) {
                    prefix.push(id);
                } else {
                    rest.push(id);
                }
            }
            out.extend(exact);
            out.extend(prefix);
            out.extend(rest);
        }
        Query::Glob(g) => {
            for (i, &id) in cat.order.iter().enumerate() {
                if i % 4096 == 0 && cancel.is_cancelled() {
                    return None;
                }
                if g.matches(pool.name(id)) || g.matches(&cat.nevra[id.index()]) {
                    out.push(id);
                }
            }
        }
        Query::Regex(re) => {
            for (i, &id) in cat.order.iter().enumerate() {
                if i % 4096 == 0 && cancel.is_cancelled() {
                    return None;
                }
                if re.is_match(&cat.nevra[id.index()]) {
                    out.push(id);
                }
            }
        }
        Query::Fuzzy(p) => {
            let mut matcher = Matcher::new(Config::DEFAULT);
            let mut buf = Vec::new();
            let mut scored = Vec::new();
            for (i, &id) in cat.order.iter().enumerate() {
                if i % 4096 == 0 && cancel.is_cancelled() {
                    return None;
                }
                let hay = Utf32Str::new(pool.name(id), &mut buf);
                if let Some(score) = p.score(hay, &mut matcher) {
                    scored.push((score, i, id));
                }
            }
            scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            out.extend(scored.into_iter().map(|(_, _, id)| id));
        }
    }
    Some(out)
}
