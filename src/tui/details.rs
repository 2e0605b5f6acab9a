//! The details of one package as rows: NEVRA, repo, summary, every requirement with the
//! packages that satisfy it (or "unresolved"), the conflicts those providers bring,
//! reverse requires, provides, conflicts, obsoletes, weak dependencies, files and the
//! description. Rows that name a package are links: Enter follows them.
//!
//! Rows are data (text and a [`Role`] per span), computed once per package and cached by
//! the caller; drawing only styles the visible ones. Every string is sanitised here.

use super::data::Catalog;
use super::theme::Role;
use crate::model::package::{DepKind, PkgId, Reldep};
use crate::text::sanitize_line;

/// How many providers, requirers or files one section lists before "… and N more".
const MAX_ITEMS: usize = 200;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    Header,
    Requires,
    RequiredBy,
    Provides,
    Conflicts,
    ConflictedBy,
    Obsoletes,
    Weak,
    Files,
    Description,
    Changelog,
}

#[derive(Clone, Debug)]
pub struct DetailRow {
    pub spans: Vec<(String, Role)>,
    /// The package this row names; Enter follows it.
    pub link: Option<PkgId>,
    pub section: Section,
    /// The dependency this row is about, as dnf prints it (for `@`).
    pub dep: Option<String>,
}

impl DetailRow {
    fn new(section: Section, spans: Vec<(String, Role)>) -> Self {
        DetailRow {
            spans,
            link: None,
            section,
            dep: None,
        }
    }

    /// The row as plain text (for tests and copying).
    pub fn text(&self) -> String {
        self.spans.iter().map(|(s, _)| s.as_str()).collect()
    }
}

fn s(text: impl AsRef<str>, role: Role) -> (String, Role) {
    (sanitize_line(text.as_ref()).into_owned(), role)
}

struct Builder<'a> {
    cat: &'a Catalog,
    rows: Vec<DetailRow>,
    multi_repo: bool,
}

impl Builder<'_> {
    fn heading(&mut self, section: Section, title: &str, n: usize) {
        self.rows.push(DetailRow::new(section, vec![]));
        self.rows.push(DetailRow::new(
            section,
            vec![s(format!("{title} ({n})"), Role::Title)],
        ));
    }

    fn pkg_spans(&self, p: PkgId, role: Role) -> Vec<(String, Role)> {
        let mut v = vec![s(self.cat.nevra(p), role)];
        if self.multi_repo {
            v.push(s(format!("  {}", self.cat.pool.repo_of(p).name), Role::Dim));
        }
        v
    }

    fn link(&mut self, section: Section, prefix: Vec<(String, Role)>, p: PkgId, role: Role) {
        let mut spans = prefix;
        spans.extend(self.pkg_spans(p, role));
        self.rows.push(DetailRow {
            spans,
            link: Some(p),
            section,
            dep: None,
        });
    }

    fn more(&mut self, section: Section, n: usize) {
        if n > MAX_ITEMS {
            self.rows.push(DetailRow::new(
                section,
                vec![s(format!("    … and {} more", n - MAX_ITEMS), Role::Dim)],
            ));
        }
    }

    /// Packages `p` conflicts with, either way round (other than `except`).
    fn conflicts_of(&self, p: PkgId, except: PkgId) -> Vec<PkgId> {
        let pool = &self.cat.pool;
        let mut v = self.cat.rev.dependents(pool, p, DepKind::Conflicts);
        for d in pool.deps_of(p, DepKind::Conflicts) {
            v.extend(pool.whatprovides(d));
        }
        v.retain(|&o| o != p && o != except);
        v.sort_unstable();
        v.dedup();
        v
    }
}

/// Every row of the details of `id`.
/// How many changelog entries the details show.
const MAX_CHANGELOG: usize = 20;

/// The changelog section: read on demand from other.xml, so it may still be coming.
pub fn changelog_rows(
    state: Option<&Result<Vec<crate::load::other::Changelog>, String>>,
    asked: bool,
) -> Vec<DetailRow> {
    let mut rows = vec![DetailRow::new(Section::Changelog, vec![])];
    match state {
        None if !asked => rows.push(DetailRow::new(
            Section::Changelog,
            vec![s(
                "Changelog: Enter opens the details, which read it",
                Role::Dim,
            )],
        )),
        None => rows.push(DetailRow::new(
            Section::Changelog,
            vec![s("Changelog: reading other.xml…", Role::Dim)],
        )),
        Some(Err(e)) => rows.push(DetailRow::new(
            Section::Changelog,
            vec![s("Changelog: ", Role::Title), s(e, Role::Dim)],
        )),
        Some(Ok(logs)) => {
            rows.push(DetailRow::new(
                Section::Changelog,
                vec![s(format!("Changelog ({})", logs.len()), Role::Title)],
            ));
            for c in logs.iter().take(MAX_CHANGELOG) {
                rows.push(DetailRow::new(
                    Section::Changelog,
                    vec![
                        s(
                            format!("  * {} ", crate::cli::output::format_day(c.date)),
                            Role::Dim,
                        ),
                        s(&c.author, Role::Normal),
                    ],
                ));
                for l in c.text.lines() {
                    rows.push(DetailRow::new(
                        Section::Changelog,
                        vec![s(format!("    {l}"), Role::Normal)],
                    ));
                }
            }
            if logs.len() > MAX_CHANGELOG {
                rows.push(DetailRow::new(
                    Section::Changelog,
                    vec![s(
                        format!(
                            "  … and {} more (bramble query --changelogs)",
                            logs.len() - MAX_CHANGELOG
                        ),
                        Role::Dim,
                    )],
                ));
            }
        }
    }
    rows
}

pub fn detail_rows(cat: &Catalog, id: PkgId) -> Vec<DetailRow> {
    let pool = &cat.pool;
    let mut b = Builder {
        cat,
        rows: Vec::new(),
        multi_repo: pool.repos.len() > 1,
    };
    let info = &pool.pkg(id).info;
    let repo = pool.repo_of(id);
    b.rows.push(DetailRow::new(
        Section::Header,
        vec![s(cat.nevra(id), Role::Title)],
    ));
    b.rows.push(DetailRow::new(
        Section::Header,
        vec![
            s("repo ", Role::Dim),
            s(&repo.name, Role::Normal),
            s("  arch ", Role::Dim),
            s(pool.arch(id), Role::Normal),
            s(
                if pool.is_installable(id) {
                    ""
                } else {
                    "  (not installable here)"
                },
                Role::Warning,
            ),
        ],
    ));
    if !info.summary.is_empty() {
        b.rows.push(DetailRow::new(
            Section::Header,
            vec![s(&info.summary, Role::Normal)],
        ));
    }

    // Requires, with their providers and the conflicts those bring.
    let reqs = pool.deps_of(id, DepKind::Requires);
    b.heading(Section::Requires, "Requires", reqs.len());
    for d in reqs {
        let text = pool.dep_str(d);
        let name = pool.str(d.name);
        let pre = if d.is_pre() { " (pre)" } else { "" };
        let mut head = DetailRow::new(
            Section::Requires,
            vec![s(format!("  {text}{pre}"), Role::Normal)],
        );
        head.dep = Some(text.clone());
        if name.starts_with("rpmlib(") {
            head.spans.push(s("  rpm feature", Role::Dim));
            b.rows.push(head);
            continue;
        }
        let provs: Vec<PkgId> = pool
            .whatprovides(d)
            .into_iter()
            .filter(|&p| pool.is_installable(p))
            .collect();
        match provs.len() {
            0 => {
                head.spans.push(s("  unresolved", Role::Error));
                b.rows.push(head);
            }
            1 => {
                let p = provs[0];
                head.spans.push(s(" → ", Role::Dim));
                if p == id {
                    head.spans.push(s("itself", Role::Dim));
                    b.rows.push(head);
                    continue;
                }
                head.spans.extend(b.pkg_spans(p, Role::Link));
                head.link = Some(p);
                b.rows.push(head);
                for c in b.conflicts_of(p, id) {
                    b.link(
                        Section::Requires,
                        vec![s("      ✗ conflicts with ", Role::Warning)],
                        c,
                        Role::Link,
                    );
                }
            }
            n => {
                head.spans.push(s(format!("  {n} providers"), Role::Dim));
                b.rows.push(head);
                for &p in provs.iter().take(MAX_ITEMS) {
                    b.link(
                        Section::Requires,
                        vec![s("    → ", Role::Dim)],
                        p,
                        Role::Link,
                    );
                    for c in b.conflicts_of(p, id) {
                        b.link(
                            Section::Requires,
                            vec![s("        ✗ conflicts with ", Role::Warning)],
                            c,
                            Role::Link,
                        );
                    }
                }
                b.more(Section::Requires, n);
            }
        }
    }

    let rdeps: Vec<PkgId> = cat
        .rev
        .dependents(pool, id, DepKind::Requires)
        .into_iter()
        .filter(|&p| p != id)
        .collect();
    b.heading(Section::RequiredBy, "Required by", rdeps.len());
    for &p in rdeps.iter().take(MAX_ITEMS) {
        b.link(
            Section::RequiredBy,
            vec![s("  ", Role::Normal)],
            p,
            Role::Link,
        );
    }
    b.more(Section::RequiredBy, rdeps.len());

    let provides = pool.deps_of(id, DepKind::Provides);
    b.heading(Section::Provides, "Provides", provides.len());
    for d in provides {
        let mut row = DetailRow::new(
            Section::Provides,
            vec![s(format!("  {}", pool.dep_str(d)), Role::Normal)],
        );
        row.dep = Some(pool.dep_str(d));
        b.rows.push(row);
    }

    let conflicts = pool.deps_of(id, DepKind::Conflicts);
    if !conflicts.is_empty() {
        b.heading(Section::Conflicts, "Conflicts", conflicts.len());
        for d in conflicts {
            let text = pool.dep_str(d);
            let hits: Vec<PkgId> = pool
                .whatprovides(d)
                .into_iter()
                .filter(|&p| p != id)
                .collect();
            let mut row = DetailRow::new(
                Section::Conflicts,
                vec![s(format!("  {text}"), Role::Warning)],
            );
            row.dep = Some(text);
            if hits.is_empty() {
                row.spans.push(s("  (no loaded package)", Role::Dim));
            }
            b.rows.push(row);
            for &p in hits.iter().take(MAX_ITEMS) {
                b.link(
                    Section::Conflicts,
                    vec![s("    ✗ ", Role::Warning)],
                    p,
                    Role::Link,
                );
            }
        }
    }
    let conflicted: Vec<PkgId> = cat
        .rev
        .dependents(pool, id, DepKind::Conflicts)
        .into_iter()
        .filter(|&p| p != id)
        .collect();
    if !conflicted.is_empty() {
        b.heading(Section::ConflictedBy, "Conflicted by", conflicted.len());
        for &p in conflicted.iter().take(MAX_ITEMS) {
            b.link(
                Section::ConflictedBy,
                vec![s("  ✗ ", Role::Warning)],
                p,
                Role::Link,
            );
        }
    }

    let obsoletes = pool.deps_of(id, DepKind::Obsoletes);
    if !obsoletes.is_empty() {
        b.heading(Section::Obsoletes, "Obsoletes", obsoletes.len());
        for d in obsoletes {
            let text = pool.dep_str(d);
            let mut row = DetailRow::new(
                Section::Obsoletes,
                vec![s(format!("  {text}"), Role::Normal)],
            );
            row.dep = Some(text);
            b.rows.push(row);
            let hits: Vec<PkgId> = pool
                .by_name(pool.str(d.name))
                .iter()
                .copied()
                .filter(|&p| p != id && pool.pkg_matches(p, d))
                .collect();
            for p in hits {
                b.link(
                    Section::Obsoletes,
                    vec![s("    → ", Role::Dim)],
                    p,
                    Role::Link,
                );
            }
        }
    }

    for kind in [
        DepKind::Recommends,
        DepKind::Suggests,
        DepKind::Supplements,
        DepKind::Enhances,
    ] {
        let deps: &[Reldep] = pool.deps_of(id, kind);
        if deps.is_empty() {
            continue;
        }
        let mut title = kind.as_str().to_string();
        if let Some(f) = title.get_mut(0..1) {
            f.make_ascii_uppercase();
        }
        b.heading(Section::Weak, &title, deps.len());
        for d in deps {
            let text = pool.dep_str(d);
            let provs = pool.whatprovides(d);
            let mut row = DetailRow::new(Section::Weak, vec![s(format!("  {text}"), Role::Normal)]);
            row.dep = Some(text);
            match provs.first() {
                Some(&p) if p != id => {
                    row.spans.push(s(" → ", Role::Dim));
                    row.spans.extend(b.pkg_spans(p, Role::Link));
                    row.link = Some(p);
                }
                Some(_) => {}
                None => row.spans.push(s("  (nothing provides it)", Role::Dim)),
            }
            b.rows.push(row);
        }
    }

    let start = pool.files.partition_point(|&(p, _)| p < id);
    let files: Vec<&str> = pool.files[start..]
        .iter()
        .take_while(|&&(p, _)| p == id)
        .map(|&(_, f)| pool.str(f))
        .collect();
    b.heading(Section::Files, "Files", files.len());
    if !repo.full_filelists {
        b.rows.push(DetailRow::new(
            Section::Files,
            vec![s(
                "  (only primary's files; filelists not read in full)",
                Role::Dim,
            )],
        ));
    }
    for f in files.iter().take(MAX_ITEMS) {
        b.rows.push(DetailRow::new(
            Section::Files,
            vec![s(format!("  {f}"), Role::Normal)],
        ));
    }
    b.more(Section::Files, files.len());

    if !info.description.is_empty() {
        b.rows.push(DetailRow::new(Section::Description, vec![]));
        b.rows.push(DetailRow::new(
            Section::Description,
            vec![s("Description", Role::Title)],
        ));
        for line in info.description.lines() {
            b.rows.push(DetailRow::new(
                Section::Description,
                vec![s(format!("  {line}"), Role::Normal)],
            ));
        }
    }
    b.rows
}
