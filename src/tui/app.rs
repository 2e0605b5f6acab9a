//! The TUI's state and the one place it changes: [`App::update`] applies an [`Action`]
//! (from a key, through the key map, or from the command palette) and
//! [`App::on_job`] applies a job's result. Neither touches the terminal or spawns
//! threads: work to start is queued as [`Effect`]s, which the event loop hands to
//! `jobs` (and tests run inline). So the whole key handling is testable without a
//! terminal, and drawing (`views`) is a pure function of `&App`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;

use super::data::{Catalog, Problem};
use super::details::{DetailRow, detail_rows};
use super::doc::{Doc, DocNav, Link};
use super::filter::{self, Query};
use super::jobs::{JobEvent, JobProgress, LoadRequest};
use super::keymap::{Action, COMMANDS, ViewId, complete};
use super::tags::{KojiCatalog, KojiRequest};
use super::theme::{Role, Theme};
use crate::analysis::closure::{ClosureOptions, ClosureReport};
use crate::analysis::install::{Explanation, Reason, Root, Step, Uninstallable, simulate_install};
use crate::analysis::why::why;
use crate::model::package::PkgId;
use crate::model::pool::SourceKind;
use crate::progress::Cancel;
use crate::text::{sanitize_line, shell_quote};

/// Pools up to this size are filtered on the UI thread (well under a frame); larger ones
/// on the filter worker.
pub const SYNC_FILTER_LIMIT: usize = 20_000;

/// Who has the keyboard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Normal,
    /// Typing a package filter after `/`.
    Filter,
    /// Typing a command after `:`.
    Command,
}

/// Work for the event loop to start.
pub enum Effect {
    Load(LoadRequest, Arc<JobProgress>),
    Closure {
        generation: u64,
        cat: Arc<Catalog>,
        opts: ClosureOptions,
        /// Also check installability (`closure --installable`).
        installable: bool,
        progress: Arc<JobProgress>,
    },
    Filter {
        generation: u64,
        cat: Arc<Catalog>,
        text: String,
    },
    Conflicts {
        generation: u64,
        cat: Arc<Catalog>,
        progress: Arc<JobProgress>,
    },
    /// Read a package's changelog.
    Changelog {
        cat: Arc<Catalog>,
        pkg: PkgId,
    },
    /// Reload the Koji data (another event).
    Koji {
        generation: u64,
        req: KojiRequest,
        progress: Arc<JobProgress>,
    },
    /// Put text on the clipboard (OSC 52).
    Copy(String),
}

/// Cursor and scroll of a list. `offset` and `page` are written while drawing (the
/// view knows its height), hence `Cell`.
#[derive(Default, Debug)]
pub struct ListNav {
    pub cursor: usize,
    pub offset: Cell<usize>,
    pub page: Cell<usize>,
}

impl ListNav {
    /// Move for a navigation action; true when the action was one.
    pub fn navigate(&mut self, action: Action, len: usize) -> bool {
        let page = self.page.get().max(1);
        let last = len.saturating_sub(1);
        self.cursor = match action {
            Action::Up => self.cursor.saturating_sub(1),
            Action::Down => (self.cursor + 1).min(last),
            Action::PageUp => self.cursor.saturating_sub(page),
            Action::PageDown => (self.cursor + page).min(last),
            Action::Top => 0,
            Action::Bottom => last,
            _ => return false,
        };
        true
    }

    pub fn clamp(&mut self, len: usize) {
        self.cursor = self.cursor.min(len.saturating_sub(1));
    }

    /// The first row to draw in `height` rows so the cursor is visible; remembers it.
    pub fn scroll(&self, height: usize, len: usize) -> usize {
        self.scroll_at(self.cursor, height, len)
    }

    /// [`ListNav::scroll`] for a cursor at `pos` of the rows drawn (folded rows left out).
    pub fn scroll_at(&self, pos: usize, height: usize, len: usize) -> usize {
        self.page.set(height.saturating_sub(1).max(1));
        let mut off = self.offset.get().min(len.saturating_sub(height.max(1)));
        if pos < off {
            off = pos;
        } else if height > 0 && pos >= off + height {
            off = pos + 1 - height;
        }
        self.offset.set(off);
        off
    }
}

/// The Packages view: the (filtered) list and the details pane with its trail.
#[derive(Default)]
pub struct PackagesState {
    /// The filter text last applied.
    pub query: String,
    /// Matching packages in display order; `None`: every package.
    pub matches: Option<Vec<PkgId>>,
    pub filter_error: Option<String>,
    /// A filter is running on the worker.
    pub pending: bool,
    filter_gen: u64,
    pub list: ListNav,
    /// The details pane has the keyboard.
    pub focus_details: bool,
    /// Packages followed in the details pane, the shown one last (the breadcrumb).
    pub trail: Vec<PkgId>,
    /// Details cursor per trail entry, to come back to where one was.
    trail_cursor: Vec<usize>,
    pub details: ListNav,
    rows: RefCell<Option<(PkgId, Rc<Vec<DetailRow>>)>>,
    /// Changelogs read so far (or why not); a package absent is being read.
    pub changelogs:
        std::collections::HashMap<PkgId, Result<Vec<crate::load::other::Changelog>, String>>,
    /// Changelogs asked for.
    changelog_asked: std::collections::HashSet<PkgId>,
}

impl PackagesState {
    /// The details rows of `id`, cached.
    pub fn rows(&self, cat: &Catalog, id: PkgId) -> Rc<Vec<DetailRow>> {
        if let Some((p, rows)) = self.rows.borrow().as_ref()
            && *p == id
        {
            return Rc::clone(rows);
        }
        let mut rows = detail_rows(cat, id);
        rows.extend(super::details::changelog_rows(
            self.changelogs.get(&id),
            self.changelog_asked.contains(&id),
        ));
        let rows = Rc::new(rows);
        *self.rows.borrow_mut() = Some((id, Rc::clone(&rows)));
        rows
    }

    /// The packages listed, in order.
    pub fn visible<'a>(&'a self, cat: &'a Catalog) -> &'a [PkgId] {
        self.matches.as_deref().unwrap_or(&cat.order)
    }

    pub fn selected(&self, cat: &Catalog) -> Option<PkgId> {
        self.visible(cat).get(self.list.cursor).copied()
    }

    /// The package the details pane shows.
    pub fn shown(&self, cat: &Catalog) -> Option<PkgId> {
        if self.focus_details {
            self.trail.last().copied()
        } else {
            self.selected(cat)
        }
    }
}

/// The Closure view.
#[derive(Default)]
pub struct ClosureState {
    pub newest: bool,
    pub best: bool,
    generation: u64,
    pub running: Option<Arc<JobProgress>>,
    pub report: Option<Arc<ClosureReport>>,
    /// Check installability too (`i`).
    pub installable: bool,
    /// `:check REPO...`: only these repos' packages are checked (names; empty: all).
    pub check: Vec<String>,
    /// `:arch ARCH...`: only packages of these arches are checked (empty: all).
    pub arches: Vec<String>,
    /// With `installable`: the checked packages that cannot be installed, and why.
    pub uninstallable: Option<Arc<Vec<Uninstallable>>>,
    /// The options the report was made with (`newest`, `best`, `installable`).
    pub report_opts: (bool, bool, bool),
    pub error: Option<String>,
    /// A run was asked for before the data was loaded.
    pub wanted: bool,
    pub nav: ListNav,
}

/// A row of the Closure view.
pub struct ClosureRow {
    pub spans: Vec<(String, Role)>,
    pub pkg: PkgId,
}

impl ClosureState {
    pub fn rows(&self, pool: Option<&crate::model::pool::Pool>) -> Vec<ClosureRow> {
        let mut rows = Vec::new();
        let Some(r) = &self.report else {
            return rows;
        };
        if let (Some(bad), Some(pool)) = (&self.uninstallable, pool)
            && !bad.is_empty()
        {
            rows.push(ClosureRow {
                spans: vec![(
                    format!(
                        "{} checked packages cannot be installed at all (closure --installable):",
                        bad.len()
                    ),
                    Role::Title,
                )],
                pkg: bad[0].pkg,
            });
            for u in bad.iter() {
                rows.push(ClosureRow {
                    spans: vec![
                        (sanitize_line(&pool.nevra(u.pkg)).into_owned(), Role::Link),
                        (
                            format!("  {}", sanitize_line(&pool.repo_of(u.pkg).name)),
                            Role::Dim,
                        ),
                    ],
                    pkg: u.pkg,
                });
                rows.push(ClosureRow {
                    spans: vec![(
                        format!("    {}", sanitize_line(&u.reason.render(pool))),
                        Role::Error,
                    )],
                    pkg: u.pkg,
                });
            }
            rows.push(ClosureRow {
                spans: vec![(String::new(), Role::Normal)],
                pkg: bad[0].pkg,
            });
        }
        for b in &r.broken {
            rows.push(ClosureRow {
                spans: vec![
                    (sanitize_line(&b.nevra).into_owned(), Role::Link),
                    (format!("  {}", sanitize_line(&b.repo)), Role::Dim),
                    (format!("  {} unresolved", b.unresolved.len()), Role::Error),
                ],
                pkg: b.pkg,
            });
            for u in &b.unresolved {
                rows.push(ClosureRow {
                    spans: vec![(format!("    {}", sanitize_line(&u.dep)), Role::Error)],
                    pkg: b.pkg,
                });
                for h in &u.hints {
                    rows.push(ClosureRow {
                        spans: vec![(
                            format!("      hint: {}", sanitize_line(&h.describe())),
                            Role::Dim,
                        )],
                        pkg: b.pkg,
                    });
                }
            }
        }
        rows
    }
}

/// The Tags view: which tag's page, forward or reverse tree, the cursor.
#[derive(Default)]
pub struct TagsState {
    pub page: usize,
    pub reverse: bool,
    pub nav: DocNav,
    /// A Koji reload (`:event N`) is running.
    pub loading: Option<Arc<JobProgress>>,
    generation: u64,
}

/// The Conflicts view.
#[derive(Default)]
pub struct ConflictsState {
    pub running: Option<Arc<JobProgress>>,
    generation: u64,
    pub doc: Doc,
    pub nav: DocNav,
    /// Pairs found by the last run (`None`: not run).
    pub found: Option<usize>,
    pub error: Option<String>,
    /// A run was asked for before the data was loaded.
    pub wanted: bool,
}

/// The Install view: the last `:install` or `:why` and its answer.
#[derive(Default)]
pub struct InstallState {
    /// What was asked, as typed.
    pub asked: Option<String>,
    pub doc: Doc,
    pub nav: DocNav,
    /// Whether the answer is a failure.
    pub failed: bool,
}

/// A popup over the current view (the `@` command).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Popup {
    pub title: String,
    pub lines: Vec<String>,
    /// What `y` copies while the popup is open.
    pub copy: String,
}

pub struct App {
    pub view: ViewId,
    pub mode: Mode,
    /// The filter or command line being typed.
    pub input: String,
    /// Selected completion in the command palette.
    pub palette: usize,
    pub theme: Theme,
    pub request: LoadRequest,
    pub data: Option<Arc<Catalog>>,
    /// Loading progress while the load job runs.
    pub loading: Option<Arc<JobProgress>>,
    /// `data` holds only the first of several sources; the rest is loading.
    pub partial: bool,
    pub problems: Vec<Problem>,
    pub packages: PackagesState,
    pub closure: ClosureState,
    pub koji: Option<Arc<KojiCatalog>>,
    pub tags: TagsState,
    pub modules: DocNav,
    pub install: InstallState,
    pub conflicts: ConflictsState,
    /// With `--old`/`--new`: the comparison, and the cursor over it.
    pub diff: Option<Arc<super::diffview::DiffPage>>,
    pub diff_nav: DocNav,
    pub errors: ListNav,
    pub help: ListNav,
    pub popup: Option<Popup>,
    /// A one-line message in the footer (cleared by the next key).
    pub message: Option<(String, Role)>,
    pub effects: Vec<Effect>,
    pub quit: bool,
}

impl App {
    /// A new app that will load `request` (queued as the first effect).
    pub fn new(request: LoadRequest, theme: Theme) -> Self {
        let progress = JobProgress::new();
        let view = if matches!(request, LoadRequest::Diff(_)) {
            ViewId::Diff
        } else {
            ViewId::Overview
        };
        App {
            view,
            mode: Mode::Normal,
            input: String::new(),
            palette: 0,
            theme,
            request: request.clone(),
            data: None,
            loading: Some(Arc::clone(&progress)),
            partial: false,
            problems: Vec::new(),
            packages: PackagesState::default(),
            closure: ClosureState::default(),
            koji: None,
            tags: TagsState::default(),
            modules: DocNav::default(),
            install: InstallState::default(),
            conflicts: ConflictsState::default(),
            diff: None,
            diff_nav: DocNav::default(),
            errors: ListNav::default(),
            help: ListNav::default(),
            popup: None,
            message: None,
            effects: vec![Effect::Load(request, progress)],
            quit: false,
        }
    }

    /// Whether a job is running (the event loop then redraws progress periodically).
    pub fn busy(&self) -> bool {
        self.loading.is_some()
            || self.closure.running.is_some()
            || self.packages.pending
            || self.tags.loading.is_some()
            || self.conflicts.running.is_some()
    }

    /// Apply a key press (through the key map).
    pub fn on_key(&mut self, key: &crossterm::event::KeyEvent) {
        let typing = self.mode != Mode::Normal;
        if let Some(action) = super::keymap::action_for(key, typing) {
            self.update(action);
        }
    }

    /// Apply one action.
    pub fn update(&mut self, action: Action) {
        self.message = None;
        if self.mode != Mode::Normal {
            self.update_input(action);
            return;
        }
        if self.popup.is_some() {
            match action {
                Action::Copy => {
                    if let Some(p) = self.popup.take() {
                        self.copy(p.copy);
                    }
                }
                Action::Back | Action::Enter | Action::Quit => self.popup = None,
                _ => {}
            }
            return;
        }
        match action {
            Action::Quit => self.quit = true,
            Action::NextView => self.show(self.view.next()),
            Action::PrevView => self.show(self.view.prev()),
            Action::Show(v) => self.show(v),
            Action::StartFilter => {
                self.show(ViewId::Packages);
                self.packages.focus_details = false;
                self.mode = Mode::Filter;
                self.input = self.packages.query.clone();
            }
            Action::StartCommand => {
                self.mode = Mode::Command;
                self.input.clear();
                self.palette = 0;
            }
            Action::RunClosure => {
                self.show(ViewId::Closure);
                self.start_closure();
            }
            Action::ToggleNewest => {
                self.closure.newest = !self.closure.newest;
                self.show(ViewId::Closure);
                self.start_closure();
            }
            Action::ToggleBest => {
                self.closure.best = !self.closure.best;
                self.show(ViewId::Closure);
                self.start_closure();
            }
            Action::ToggleInstallable => {
                self.closure.installable = !self.closure.installable;
                self.show(ViewId::Closure);
                self.start_closure();
            }
            Action::RunConflicts => {
                self.show(ViewId::Conflicts);
                self.start_conflicts();
            }
            Action::ToggleReverse => {
                if self.view == ViewId::Tags {
                    self.tags.reverse = !self.tags.reverse;
                    self.tags.nav.reset();
                }
            }
            Action::ShowStream => self.show_stream(),
            Action::ToggleFold => {
                if self.view == ViewId::Tags
                    && let Some((doc, nav)) = self.doc_view_mut()
                    && !nav.toggle_fold(doc)
                {
                    self.message = Some(("z folds rows of the tree".into(), Role::Dim));
                }
            }
            Action::ShowCommand => self.popup = Some(self.equivalent_command()),
            Action::Copy => match self.current_package() {
                Some(id) => {
                    let name = self
                        .data
                        .as_ref()
                        .map(|c| sanitize_line(c.pool.name(id)).into_owned())
                        .unwrap_or_default();
                    self.copy(name);
                }
                None => self.message = Some(("no package selected".into(), Role::Warning)),
            },
            Action::Back => self.back(),
            Action::Enter => self.enter(),
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom => self.navigate(action),
            Action::Char(_)
            | Action::Backspace
            | Action::ClearInput
            | Action::Submit
            | Action::Complete => {}
        }
    }

    fn show(&mut self, v: ViewId) {
        self.view = v;
    }

    fn copy(&mut self, text: String) {
        if text.is_empty() {
            return;
        }
        self.message = Some((format!("copied `{text}` (OSC 52)"), Role::Ok));
        self.effects.push(Effect::Copy(text));
    }

    fn update_input(&mut self, action: Action) {
        match (self.mode, action) {
            (_, Action::Quit) => self.quit = true,
            (_, Action::Char(c)) => {
                self.input.push(c);
                self.palette = 0;
                self.after_edit();
            }
            (_, Action::Backspace) => {
                self.input.pop();
                self.palette = 0;
                self.after_edit();
            }
            (_, Action::ClearInput) => {
                self.input.clear();
                self.after_edit();
            }
            (Mode::Filter, Action::Submit) => {
                self.mode = Mode::Normal;
                self.input.clear();
            }
            (Mode::Filter, Action::Back) => {
                self.mode = Mode::Normal;
                self.input.clear();
                self.set_filter(String::new());
            }
            (Mode::Filter, Action::Up | Action::Down) => self.navigate(action),
            (Mode::Command, Action::Up) => self.palette = self.palette.saturating_sub(1),
            (Mode::Command, Action::Down) => {
                let n = complete(&self.input).len();
                self.palette = (self.palette + 1).min(n.saturating_sub(1));
            }
            (Mode::Command, Action::Complete) => {
                if let Some(c) = complete(&self.input).get(self.palette) {
                    let rest = self
                        .input
                        .trim_start()
                        .split_once(char::is_whitespace)
                        .map(|(_, r)| r.trim().to_string())
                        .unwrap_or_default();
                    self.input = if rest.is_empty() {
                        c.name.to_string()
                    } else {
                        format!("{} {rest}", c.name)
                    };
                }
            }
            (Mode::Command, Action::Submit) => {
                let text = self.input.trim().to_string();
                let (word, rest) = match text.split_once(char::is_whitespace) {
                    Some((w, r)) => (w.to_string(), r.trim().to_string()),
                    None => (text.clone(), String::new()),
                };
                let found = COMMANDS
                    .iter()
                    .find(|c| c.name == word || word == "q" && c.name == "quit")
                    .or_else(|| complete(&word).get(self.palette).copied());
                self.mode = Mode::Normal;
                self.input.clear();
                match found {
                    Some(c) if !rest.is_empty() => self.command_with_args(c.name, &rest),
                    Some(c) => self.update(c.action),
                    None => {
                        self.message = Some((
                            format!("unknown command `{}`", sanitize_line(&text)),
                            Role::Error,
                        ));
                    }
                }
            }
            (Mode::Command, Action::Back) => {
                self.mode = Mode::Normal;
                self.input.clear();
            }
            _ => {}
        }
    }

    fn after_edit(&mut self) {
        if self.mode == Mode::Filter {
            self.set_filter(self.input.clone());
        }
    }

    /// Apply a filter: inline for small pools, on the worker for large ones.
    pub fn set_filter(&mut self, text: String) {
        self.packages.query = text.clone();
        self.packages.list.cursor = 0;
        self.packages.list.offset.set(0);
        let query = match Query::parse(&text) {
            Ok(q) => q,
            Err(e) => {
                self.packages.filter_error = Some(e);
                return;
            }
        };
        self.packages.filter_error = None;
        let Some(cat) = self.data.clone() else {
            return;
        };
        self.packages.filter_gen += 1;
        if query.is_all() {
            self.packages.matches = None;
            self.packages.pending = false;
        } else if cat.pool.len() <= SYNC_FILTER_LIMIT {
            self.packages.matches = filter::run(&cat, &query, &Cancel::new());
            self.packages.pending = false;
        } else {
            self.packages.pending = true;
            self.effects.push(Effect::Filter {
                generation: self.packages.filter_gen,
                cat,
                text,
            });
        }
    }

    fn start_closure(&mut self) {
        if self.partial {
            self.closure.wanted = true;
            self.message = Some(("closure will run once every source is in".into(), Role::Dim));
            return;
        }
        let Some(cat) = self.data.clone() else {
            self.closure.wanted = true;
            self.message = Some(("closure will run once loading is done".into(), Role::Dim));
            return;
        };
        if let Some(old) = self.closure.running.take() {
            old.cancel.cancel();
        }
        self.closure.generation += 1;
        self.closure.error = None;
        let progress = JobProgress::new();
        self.closure.running = Some(Arc::clone(&progress));
        let check = self
            .closure
            .check
            .iter()
            .filter_map(|n| cat.pool.repos.iter().find(|r| &r.name == n).map(|r| r.id))
            .collect();
        self.effects.push(Effect::Closure {
            generation: self.closure.generation,
            cat,
            opts: ClosureOptions {
                newest: self.closure.newest,
                best: self.closure.best,
                check,
                arches: self.closure.arches.clone(),
                ..Default::default()
            },
            installable: self.closure.installable,
            progress,
        });
    }

    /// Apply a job's result.
    pub fn on_job(&mut self, ev: JobEvent) {
        match ev {
            JobEvent::Changelog { pkg, result } => {
                self.packages.changelogs.insert(pkg, result);
                // the cached rows of that package lack it
                let stale = self
                    .packages
                    .rows
                    .borrow()
                    .as_ref()
                    .is_some_and(|(p, _)| *p == pkg);
                if stale {
                    *self.packages.rows.borrow_mut() = None;
                }
            }
            JobEvent::Partial(out) => {
                // only while the full load is still running
                if self.loading.is_some() {
                    self.data = Some(Arc::new(out.catalog));
                    self.problems = out.problems;
                    self.partial = true;
                    if !self.packages.query.is_empty() {
                        self.set_filter(self.packages.query.clone());
                    }
                }
            }
            JobEvent::Loaded(out) => {
                let out = *out;
                self.partial = false;
                self.data = Some(Arc::new(out.catalog));
                self.koji = out.koji.map(Arc::new);
                self.diff = out.diff.map(Arc::new);
                if let Some(d) = &self.diff
                    && let Some(i) = d.doc.rows.iter().position(|r| r.link.is_some())
                {
                    self.diff_nav.nav.cursor = i;
                }
                self.problems = out.problems;
                self.loading = None;
                if !self.packages.query.is_empty() {
                    self.set_filter(self.packages.query.clone());
                }
                if self.closure.wanted {
                    self.closure.wanted = false;
                    self.start_closure();
                }
                if self.conflicts.wanted {
                    self.conflicts.wanted = false;
                    self.start_conflicts();
                }
            }
            JobEvent::ClosureDone { generation, result } => {
                if generation != self.closure.generation {
                    return;
                }
                self.closure.running = None;
                match result {
                    Ok((r, _)) if r.cancelled => {
                        self.message = Some(("closure cancelled".into(), Role::Warning));
                    }
                    Ok((r, bad)) => {
                        self.closure.report = Some(Arc::new(r));
                        self.closure.uninstallable = bad.map(Arc::new);
                        self.closure.report_opts = (
                            self.closure.newest,
                            self.closure.best,
                            self.closure.installable,
                        );
                        self.closure.nav = ListNav::default();
                    }
                    Err(e) => self.closure.error = Some(e),
                }
            }
            JobEvent::KojiLoaded {
                generation,
                koji,
                problems,
            } => {
                if generation != self.tags.generation {
                    return;
                }
                self.tags.loading = None;
                self.problems.retain(|p| !p.source.starts_with("koji"));
                self.problems.extend(problems);
                if let Some(k) = koji {
                    self.message = Some((
                        match k.event {
                            Some(e) => format!("Koji data at event {e}"),
                            None => "Koji data: current".to_string(),
                        },
                        Role::Ok,
                    ));
                    self.koji = Some(Arc::new(k));
                    self.tags.page = self.tags.page.min(
                        self.koji
                            .as_ref()
                            .map_or(0, |k| k.pages.len().saturating_sub(1)),
                    );
                    self.tags.nav.reset();
                } else {
                    self.message = Some(("Koji reload failed: see Errors".into(), Role::Error));
                }
            }
            JobEvent::ConflictsDone { generation, result } => {
                if generation != self.conflicts.generation {
                    return;
                }
                self.conflicts.running = None;
                match result {
                    Ok((doc, n)) => {
                        self.conflicts.doc = doc;
                        self.conflicts.found = Some(n);
                        self.conflicts.nav.reset();
                        if let Some(i) = self
                            .conflicts
                            .doc
                            .rows
                            .iter()
                            .position(|r| r.link.is_some())
                        {
                            self.conflicts.nav.nav.cursor = i;
                        }
                    }
                    Err(e) => self.conflicts.error = Some(e),
                }
            }
            JobEvent::Filtered { generation, ids } => {
                if generation == self.packages.filter_gen {
                    self.packages.matches = Some(ids);
                    self.packages.pending = false;
                    self.packages.list.cursor = 0;
                    self.packages.list.offset.set(0);
                }
            }
        }
    }

    fn back(&mut self) {
        match self.view {
            ViewId::Conflicts if self.conflicts.running.is_some() => {
                if let Some(p) = self.conflicts.running.take() {
                    p.cancel.cancel();
                }
                self.conflicts.generation += 1;
                self.message = Some(("conflict search cancelled".into(), Role::Warning));
            }
            ViewId::Closure if self.closure.running.is_some() => {
                if let Some(p) = self.closure.running.take() {
                    p.cancel.cancel();
                }
                self.closure.generation += 1;
                self.message = Some(("closure cancelled".into(), Role::Warning));
            }
            ViewId::Packages if self.packages.focus_details => {
                let p = &mut self.packages;
                p.trail.pop();
                match p.trail_cursor.pop() {
                    Some(c) if !p.trail.is_empty() => {
                        p.details.cursor = c;
                    }
                    _ => {
                        p.trail.clear();
                        p.trail_cursor.clear();
                        p.focus_details = false;
                    }
                }
            }
            ViewId::Packages if !self.packages.query.is_empty() => {
                self.set_filter(String::new());
            }
            ViewId::Overview => {}
            // a document view retraces its jumps first
            _ => {
                if !self.doc_view_mut().is_some_and(|(_, nav)| nav.back()) {
                    self.show(ViewId::Overview);
                }
            }
        }
    }

    /// Open `id` in the details pane, starting a new trail.
    pub fn open_package(&mut self, id: PkgId) {
        self.show(ViewId::Packages);
        let p = &mut self.packages;
        p.focus_details = true;
        p.trail = vec![id];
        p.trail_cursor.clear();
        p.details = ListNav::default();
        self.first_link();
    }

    /// Ask for the changelog of the package the details show, once.
    fn want_changelog(&mut self) {
        let (Some(cat), Some(&id)) = (self.data.clone(), self.packages.trail.last()) else {
            return;
        };
        if self.packages.changelog_asked.insert(id) {
            self.effects.push(Effect::Changelog { cat, pkg: id });
        }
    }

    /// Put the details cursor on the first link (or the top).
    fn first_link(&mut self) {
        self.want_changelog();
        let Some(cat) = self.data.clone() else {
            return;
        };
        let Some(id) = self.packages.trail.last().copied() else {
            return;
        };
        let rows = self.packages.rows(&cat, id);
        self.packages.details.cursor = rows.iter().position(|r| r.link.is_some()).unwrap_or(0);
        self.packages.details.offset.set(0);
    }

    fn enter(&mut self) {
        let Some(cat) = self.data.clone() else {
            return;
        };
        match self.view {
            ViewId::Packages if !self.packages.focus_details => {
                if let Some(id) = self.packages.selected(&cat) {
                    self.open_package(id);
                }
            }
            ViewId::Packages => {
                let Some(id) = self.packages.trail.last().copied() else {
                    return;
                };
                let rows = self.packages.rows(&cat, id);
                match rows.get(self.packages.details.cursor).and_then(|r| r.link) {
                    Some(target) => {
                        let p = &mut self.packages;
                        p.trail_cursor.push(p.details.cursor);
                        p.trail.push(target);
                        p.details = ListNav::default();
                        self.first_link();
                    }
                    None => {
                        self.message =
                            Some(("this row names no package to follow".into(), Role::Dim));
                    }
                }
            }
            ViewId::Closure => {
                let rows = self.closure.rows(self.data.as_ref().map(|c| &c.pool));
                if let Some(r) = rows.get(self.closure.nav.cursor) {
                    self.open_package(r.pkg);
                }
            }
            ViewId::Tags | ViewId::Modules | ViewId::Install | ViewId::Conflicts | ViewId::Diff => {
                let link = self.doc_link();
                self.follow(link);
            }
            ViewId::Overview => self.show(ViewId::Packages),
            ViewId::Errors | ViewId::Help => {}
        }
    }

    fn navigate(&mut self, action: Action) {
        let cat = self.data.clone();
        match self.view {
            ViewId::Packages => {
                let Some(cat) = cat else {
                    return;
                };
                if self.packages.focus_details && self.mode == Mode::Normal {
                    let Some(id) = self.packages.trail.last().copied() else {
                        return;
                    };
                    let rows = self.packages.rows(&cat, id);
                    let d = &mut self.packages.details;
                    // Up/Down hop between links; paging moves by rows.
                    let links: Vec<usize> = rows
                        .iter()
                        .enumerate()
                        .filter(|(_, r)| r.link.is_some() || r.dep.is_some())
                        .map(|(i, _)| i)
                        .collect();
                    match action {
                        Action::Down => {
                            if let Some(&n) = links.iter().find(|&&i| i > d.cursor) {
                                d.cursor = n;
                            } else {
                                d.navigate(Action::Bottom, rows.len());
                            }
                        }
                        Action::Up => {
                            if let Some(&n) = links.iter().rev().find(|&&i| i < d.cursor) {
                                d.cursor = n;
                            } else {
                                d.cursor = 0;
                            }
                        }
                        _ => {
                            d.navigate(action, rows.len());
                        }
                    }
                } else {
                    let len = self.packages.visible(&cat).len();
                    self.packages.list.navigate(action, len);
                }
            }
            ViewId::Closure => {
                let len = self.closure.rows(self.data.as_ref().map(|c| &c.pool)).len();
                self.closure.nav.navigate(action, len);
            }
            ViewId::Errors => {
                let len = self.problems.len();
                self.errors.navigate(action, len);
            }
            ViewId::Help => {
                let len = super::views::help::row_count();
                self.help.navigate(action, len);
            }
            ViewId::Tags | ViewId::Modules | ViewId::Install | ViewId::Conflicts | ViewId::Diff => {
                if let Some((doc, nav)) = self.doc_view_mut() {
                    nav.navigate(doc, action);
                }
            }
            ViewId::Overview => {}
        }
    }

    /// The package under the cursor of the current view, if any.
    pub fn current_package(&self) -> Option<PkgId> {
        let cat = self.data.as_ref()?;
        match self.view {
            ViewId::Packages => self.packages.shown(cat),
            ViewId::Closure => self
                .closure
                .rows(Some(&cat.pool))
                .get(self.closure.nav.cursor)
                .map(|r| r.pkg),
            ViewId::Tags | ViewId::Modules | ViewId::Install | ViewId::Conflicts | ViewId::Diff => {
                match self.doc_link()? {
                    Link::Package(p) => Some(p),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// `--repofrompath` options for every rpm-md repo loaded, for dnf and bramble.
    fn repo_args(&self) -> (Vec<String>, Vec<String>) {
        let mut dnf = vec!["--disablerepo='*'".to_string()];
        let mut bramble = Vec::new();
        if let Some(cat) = &self.data {
            for r in &cat.pool.repos {
                let spec = format!("{},{}", sanitize_line(&r.name), sanitize_line(&r.location));
                if r.kind == SourceKind::RpmMd {
                    dnf.push(shell_quote(&format!("--repofrompath={spec}")).into_owned());
                }
                bramble.push(format!("-s {}", shell_quote(&spec)));
            }
        } else if let LoadRequest::Sources { args, .. } = &self.request {
            for a in args {
                bramble.push(format!("-s {}", shell_quote(&sanitize_line(a))));
            }
        }
        (dnf, bramble)
    }

    /// The `dnf` and `bramble` commands that show what is on screen.
    pub fn equivalent_command(&self) -> Popup {
        let (dnf_repos, br_repos) = self.repo_args();
        let dnf = format!("dnf {}", dnf_repos.join(" "));
        let br = br_repos.join(" ");
        let mut cmds: Vec<(String, String)> = Vec::new();
        let pkg_spec = |id: PkgId| -> String {
            let Some(cat) = &self.data else {
                return String::new();
            };
            let name = cat.pool.name(id);
            let unique = cat.pool.by_name(name).len() == 1;
            let spec = if unique {
                name.to_string()
            } else {
                cat.pool.nevra(id)
            };
            shell_quote(&sanitize_line(&spec)).into_owned()
        };
        match self.view {
            ViewId::Packages => {
                let dep_row = self.data.as_ref().and_then(|cat| {
                    let id = self.packages.trail.last()?;
                    if !self.packages.focus_details {
                        return None;
                    }
                    let rows = self.packages.rows(cat, *id);
                    let row = rows.get(self.packages.details.cursor)?;
                    row.dep.clone()
                });
                if let Some(dep) = dep_row {
                    let q = shell_quote(&sanitize_line(&dep)).into_owned();
                    cmds.push((
                        format!("{dnf} repoquery --whatprovides {q}"),
                        format!("bramble query {br} --whatprovides {q}"),
                    ));
                }
                if let Some(id) = self.current_package() {
                    let spec = pkg_spec(id);
                    cmds.push((
                        format!("{dnf} repoquery --requires {spec}"),
                        format!("bramble query {br} --requires {spec}"),
                    ));
                    cmds.push((
                        format!("{dnf} repoquery --whatrequires {spec}"),
                        format!("bramble query {br} --whatrequires {spec}"),
                    ));
                } else if !self.packages.query.is_empty() {
                    let q = shell_quote(&sanitize_line(&self.packages.query)).into_owned();
                    cmds.push((
                        format!("{dnf} repoquery {q}"),
                        format!("bramble query {br} {q}"),
                    ));
                }
            }
            ViewId::Closure => {
                let mut flags = String::new();
                if self.closure.newest {
                    flags.push_str(" --newest");
                }
                if self.closure.best {
                    flags.push_str(" --best");
                }
                for r in &self.closure.check {
                    flags.push_str(&format!(" --check {}", shell_quote(&sanitize_line(r))));
                }
                for a in &self.closure.arches {
                    flags.push_str(&format!(" --arch {}", shell_quote(&sanitize_line(a))));
                }
                cmds.push((
                    format!("{dnf} repoclosure{flags}"),
                    format!("bramble closure {br}{flags} --hints"),
                ));
            }
            _ => cmds.push((format!("{dnf} repoquery"), format!("bramble query {br}"))),
        }
        let copy = cmds.first().map(|c| c.0.clone()).unwrap_or_default();
        let mut lines = Vec::new();
        for (d, b) in cmds {
            lines.push(d);
            lines.push(format!("  same with bramble: {b}"));
            lines.push(String::new());
        }
        lines.push("y copies the first dnf command · Esc closes".into());
        Popup {
            title: "equivalent command".into(),
            lines,
            copy,
        }
    }
}

/// Roots as typed in the TUI (`s3cmd python3-dateutil @core`, commas too): `@group` is
/// the comps group's mandatory and default packages, a name only one package has is that
/// package, another name or capability is a requirement. Unlike the CLI, the pool is
/// shared and frozen, so only names it already knows can be asked for.
pub fn parse_roots(cat: &Catalog, text: &str) -> Result<Vec<Root>, String> {
    let pool = &cat.pool;
    let mut words: Vec<String> = Vec::new();
    let mut files: Vec<PkgId> = Vec::new();
    for w in text.split([' ', ',']).filter(|w| !w.is_empty()) {
        let path = std::path::Path::new(w);
        if path.is_file() {
            // an image's package list or a kickstart, as `bramble install` reads them
            let body =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", sanitize_line(w)))?;
            for entry in crate::cli::install::parse_package_list(&body) {
                if let Some(p) = crate::cli::install::resolve_entry(pool, &entry) {
                    files.push(p);
                }
            }
            for g in crate::cli::install::list_groups(&body) {
                words.push(format!("@{g}"));
            }
            continue;
        }
        words.push(w.to_string());
    }
    // `@group`s, typed or from a list file
    let mut expanded: Vec<String> = Vec::new();
    for w in words {
        match w.strip_prefix('@') {
            Some(g) => {
                let names = crate::cli::install::group_names(&cat.groups, g)
                    .map_err(|e| sanitize_line(&e).into_owned())?;
                expanded.extend(names.into_iter().filter(|n| !pool.by_name(n).is_empty()));
            }
            None => expanded.push(w),
        }
    }
    let mut roots: Vec<Root> = files.into_iter().map(Root::Pkg).collect();
    for w in &expanded {
        let root = Root::named(pool, w)
            .ok_or_else(|| format!("no package or capability named `{}`", sanitize_line(w)))?;
        roots.push(root);
    }
    if roots.is_empty() {
        return Err("name at least one package".into());
    }
    Ok(roots)
}

impl App {
    fn start_conflicts(&mut self) {
        if self.partial {
            self.conflicts.wanted = true;
            self.message = Some((
                "conflicts will be found once every source is in".into(),
                Role::Dim,
            ));
            return;
        }
        let Some(cat) = self.data.clone() else {
            self.conflicts.wanted = true;
            self.message = Some((
                "conflicts will be found once loading is done".into(),
                Role::Dim,
            ));
            return;
        };
        if let Some(old) = self.conflicts.running.take() {
            old.cancel.cancel();
        }
        self.conflicts.generation += 1;
        self.conflicts.error = None;
        let progress = JobProgress::new();
        self.conflicts.running = Some(Arc::clone(&progress));
        self.effects.push(Effect::Conflicts {
            generation: self.conflicts.generation,
            cat,
            progress,
        });
    }

    /// The document the Tags view shows.
    pub fn tags_doc(&self) -> Option<&Doc> {
        super::tags::page_doc(self.koji.as_deref()?, self.tags.page, self.tags.reverse)
    }

    /// The document and cursor of the current view, when it is a document view (Tags,
    /// Modules, Install, Conflicts, Diff).
    fn doc_view(&self) -> Option<(&Doc, &DocNav)> {
        match self.view {
            ViewId::Tags => Some((self.tags_doc()?, &self.tags.nav)),
            ViewId::Modules => Some((&self.data.as_deref()?.modules.doc, &self.modules)),
            ViewId::Install => Some((&self.install.doc, &self.install.nav)),
            ViewId::Conflicts => Some((&self.conflicts.doc, &self.conflicts.nav)),
            ViewId::Diff => Some((&self.diff.as_deref()?.doc, &self.diff_nav)),
            _ => None,
        }
    }

    /// [`App::doc_view`] with the cursor to move.
    fn doc_view_mut(&mut self) -> Option<(&Doc, &mut DocNav)> {
        match self.view {
            ViewId::Tags => {
                let k = self.koji.as_deref()?;
                let doc = super::tags::page_doc(k, self.tags.page, self.tags.reverse)?;
                Some((doc, &mut self.tags.nav))
            }
            ViewId::Modules => Some((&self.data.as_deref()?.modules.doc, &mut self.modules)),
            ViewId::Install => Some((&self.install.doc, &mut self.install.nav)),
            ViewId::Conflicts => Some((&self.conflicts.doc, &mut self.conflicts.nav)),
            ViewId::Diff => Some((&self.diff.as_deref()?.doc, &mut self.diff_nav)),
            _ => None,
        }
    }

    /// The link of the row under the cursor of a document view.
    fn doc_link(&self) -> Option<Link> {
        let (doc, nav) = self.doc_view()?;
        doc.rows.get(nav.nav.cursor)?.link.clone()
    }

    /// Follow a document link.
    fn follow(&mut self, link: Option<Link>) {
        match link {
            Some(Link::Package(p)) => self.open_package(p),
            Some(Link::Row(r)) => {
                if let Some((_, nav)) = self.doc_view_mut() {
                    nav.jump(r);
                }
            }
            Some(Link::Tag(t)) => self.open_tag(&t),
            Some(Link::Stream(k)) => self.open_stream(&k),
            None => self.message = Some(("nothing to follow on this row".into(), Role::Dim)),
        }
    }

    /// Show a tag's page, or the row of that tag (or external repo) in the current page.
    pub fn open_tag(&mut self, target: &str) {
        self.show(ViewId::Tags);
        let Some(k) = self.koji.clone() else {
            self.message = Some(("no Koji data loaded".into(), Role::Warning));
            return;
        };
        if let Some(i) = k.page(target)
            && i != self.tags.page
        {
            self.tags.page = i;
            self.tags.reverse = false;
            self.tags.nav.reset();
            return;
        }
        let key = super::tags::anchor_for(target);
        match self.tags_doc().and_then(|d| d.find(&key)) {
            Some(r) => self.tags.nav.jump(r),
            None => {
                self.message = Some((
                    format!("`{}` has no page here", sanitize_line(target)),
                    Role::Dim,
                ));
            }
        }
    }

    /// Show a module stream (`name:stream`) in the Modules view.
    pub fn open_stream(&mut self, key: &str) {
        self.show(ViewId::Modules);
        let Some(cat) = self.data.clone() else {
            return;
        };
        match cat.modules.doc.find(&super::modules::stream_anchor(key)) {
            Some(r) => self.modules.jump(r),
            None => {
                self.message = Some((
                    format!("no stream `{}` loaded", sanitize_line(key)),
                    Role::Warning,
                ));
            }
        }
    }

    /// `m`: from the package on screen to the module stream it belongs to.
    fn show_stream(&mut self) {
        let Some(cat) = self.data.clone() else {
            return;
        };
        let Some(id) = self.current_package() else {
            self.message = Some(("no package selected".into(), Role::Dim));
            return;
        };
        match cat.modules.stream_of.get(&id) {
            Some(k) => self.open_stream(&k.clone()),
            None => {
                self.message = Some((
                    format!("{} is not an artifact of any loaded stream", cat.nevra(id)),
                    Role::Dim,
                ));
            }
        }
    }

    /// A palette command with arguments.
    fn command_with_args(&mut self, name: &str, rest: &str) {
        match name {
            "install" => self.run_install(rest),
            "check" | "arch" => self.set_closure_filter(name, rest),
            "why" => self.run_why(rest),
            "tags" => self.open_tag(rest),
            "event" => self.reload_koji(rest),
            _ => {
                self.message = Some((format!("`:{name}` takes no arguments"), Role::Warning));
            }
        }
    }

    /// `:check REPO...` / `:arch ARCH...` (`all` clears): what the closure checks; re-runs.
    fn set_closure_filter(&mut self, name: &str, rest: &str) {
        let words: Vec<String> = rest
            .split([' ', ','])
            .filter(|w| !w.is_empty() && *w != "all")
            .map(str::to_string)
            .collect();
        if name == "check"
            && let Some(cat) = &self.data
            && let Some(bad) = words
                .iter()
                .find(|w| !cat.pool.repos.iter().any(|r| &r.name == *w))
        {
            self.message = Some((
                format!("no repo `{}` (see the Overview)", sanitize_line(bad)),
                Role::Error,
            ));
            return;
        }
        if name == "check" {
            self.closure.check = words;
        } else {
            self.closure.arches = words;
        }
        self.show(ViewId::Closure);
        self.start_closure();
    }

    /// `:event N` (or `:event now`): the Koji data at another hub event.
    fn reload_koji(&mut self, arg: &str) {
        let Some(mut req) = self.request.koji().cloned() else {
            self.message = Some(("no Koji source to reload".into(), Role::Warning));
            return;
        };
        req.event = match arg {
            "now" | "none" => None,
            n => match n.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    self.message = Some(("usage: :event N | :event now".into(), Role::Warning));
                    return;
                }
            },
        };
        self.tags.generation += 1;
        let progress = JobProgress::new();
        self.tags.loading = Some(Arc::clone(&progress));
        self.show(ViewId::Tags);
        self.effects.push(Effect::Koji {
            generation: self.tags.generation,
            req,
            progress,
        });
    }

    /// `:install ROOTS [--on ROOTS]`: simulate, show the transaction or the derivation.
    pub fn run_install(&mut self, text: &str) {
        self.show(ViewId::Install);
        let Some(cat) = self.data.clone() else {
            self.message = Some(("still loading".into(), Role::Dim));
            return;
        };
        let pool = &cat.pool;
        let (want, on) = match text.split_once("--on") {
            Some((a, b)) => (a.trim(), Some(b.trim())),
            None => (text.trim(), None),
        };
        let roots = match parse_roots(&cat, want) {
            Ok(r) => r,
            Err(e) => {
                self.message = Some((e, Role::Error));
                return;
            }
        };
        let mut d = Doc::new();
        let installed: Vec<PkgId> = match on {
            None => Vec::new(),
            Some(on) => {
                let base = match parse_roots(&cat, on) {
                    Ok(r) => r,
                    Err(e) => {
                        self.message = Some((e, Role::Error));
                        return;
                    }
                };
                match simulate_install(pool, &base, &[], &[]) {
                    Ok(t) => t.packages.iter().map(|(p, _)| *p).collect(),
                    Err(e) => {
                        d.heading(&format!(
                            "The installed set `{on}` itself cannot be installed:"
                        ));
                        explanation_rows(&mut d, pool, &e);
                        self.set_install(text, d, true);
                        return;
                    }
                }
            }
        };
        if let Some(on) = on {
            d.line(vec![super::doc::s(
                format!("on top of {} packages installed by `{on}`", installed.len()),
                Role::Dim,
            )]);
        }
        let failed = match simulate_install(pool, &roots, &installed, &[]) {
            Ok(t) => {
                let total: u64 = t
                    .packages
                    .iter()
                    .map(|(p, _)| pool.pkg(*p).info.size_installed)
                    .sum();
                d.heading(&format!(
                    "Installing {} packages, {} installed size (Enter: details)",
                    t.packages.len(),
                    crate::text::human_size(total)
                ));
                for (p, r) in &t.packages {
                    let why = match r {
                        Reason::Root => "asked for".to_string(),
                        Reason::Required { by, dep } => {
                            format!("{} requires {}", pool.name(*by), pool.dep_str(dep))
                        }
                        Reason::Upgrade { of } => format!("upgrades {}", pool.nevra(*of)),
                    };
                    d.push(
                        vec![
                            super::doc::s(format!("  {}", cat.nevra(*p)), Role::Link),
                            super::doc::s(format!("  {}", cat.repo_name(*p)), Role::Dim),
                            super::doc::s(format!("  {why}"), Role::Dim),
                        ],
                        Some(Link::Package(*p)),
                    );
                }
                false
            }
            Err(e) => {
                d.heading("Cannot install: the derivation, in order");
                explanation_rows(&mut d, pool, &e);
                let alts =
                    crate::analysis::alternatives::alternatives(pool, &roots, &installed, &[], &e);
                if !alts.is_empty() {
                    d.blank();
                    d.heading("Alternatives (each checked by the solver)");
                    for a in alts {
                        d.line(vec![super::doc::s(
                            format!("  {}", a.describe(pool)),
                            Role::Ok,
                        )]);
                    }
                }
                true
            }
        };
        self.set_install(text, d, failed);
    }

    fn set_install(&mut self, asked: &str, doc: Doc, failed: bool) {
        self.install.asked = Some(asked.to_string());
        self.install.doc = doc;
        self.install.failed = failed;
        self.install.nav.reset();
        if let Some(i) = self.install.doc.rows.iter().position(|r| r.link.is_some()) {
            self.install.nav.nav.cursor = i;
        }
    }

    /// `:why PKG --from ROOTS`: the shortest Requires chains, each package a link.
    pub fn run_why(&mut self, text: &str) {
        self.show(ViewId::Install);
        let Some(cat) = self.data.clone() else {
            return;
        };
        let pool = &cat.pool;
        let Some((target, from)) = text.split_once("--from") else {
            self.message = Some(("usage: :why PKG --from ROOTS".into(), Role::Warning));
            return;
        };
        let target = target.trim();
        let Some(&t) = pool
            .by_name(target)
            .iter()
            .max_by(|a, b| pool.evr(**a).cmp_full(&pool.evr(**b)))
        else {
            self.message = Some((
                format!("no package named `{}`", sanitize_line(target)),
                Role::Error,
            ));
            return;
        };
        let mut roots = Vec::new();
        for w in from.split([' ', ',']).filter(|w| !w.is_empty()) {
            let found = pool.by_name(w);
            if found.is_empty() {
                self.message = Some((
                    format!("no package named `{}`", sanitize_line(w)),
                    Role::Error,
                ));
                return;
            }
            roots.extend_from_slice(found);
        }
        let chains = why(pool, &roots, t, &[], 20);
        let mut d = Doc::new();
        if chains.is_empty() {
            d.heading(&format!(
                "{} is not reachable from {} through Requires",
                cat.nevra(t),
                from.trim()
            ));
        } else {
            d.heading(&format!(
                "{} shortest chain(s) to {} (Enter: details)",
                chains.len(),
                cat.nevra(t)
            ));
        }
        for (i, c) in chains.iter().enumerate() {
            if i > 0 {
                d.blank();
            }
            for (depth, l) in c.links.iter().enumerate() {
                d.push(
                    vec![
                        super::doc::s(
                            format!("{}{}", "  ".repeat(depth + 1), pool.name(l.pkg)),
                            Role::Link,
                        ),
                        super::doc::s(format!("  requires {}", pool.dep_str(&l.dep)), Role::Dim),
                    ],
                    Some(Link::Package(l.pkg)),
                );
            }
            d.push(
                vec![super::doc::s(
                    format!("{}{}", "  ".repeat(c.links.len() + 1), cat.nevra(c.target)),
                    Role::Warning,
                )],
                Some(Link::Package(c.target)),
            );
        }
        self.set_install(text, d, false);
    }
}

/// A derivation as rows: each fact on its own row, then every package it names as a link.
fn explanation_rows(d: &mut Doc, pool: &crate::model::pool::Pool, e: &Explanation) {
    for fact in e.render(pool).split("; ") {
        d.line(vec![super::doc::s(format!("  {fact}"), Role::Error)]);
    }
    let mut named: Vec<PkgId> = Vec::new();
    for st in &e.steps {
        let ps: Vec<PkgId> = match st {
            Step::Root { pkg } | Step::Installed { pkg } | Step::NotInstallable { pkg } => {
                vec![*pkg]
            }
            Step::RootRequires { providers, .. } => providers.clone(),
            Step::Requires { pkg, providers, .. } => {
                let mut v = vec![*pkg];
                v.extend(providers);
                v
            }
            Step::NeededBy { pkg, by, .. } => vec![*pkg, *by],
            Step::NothingProvides { pkg, .. } => vec![*pkg],
            Step::Conflicts { pkg, other, .. } | Step::Obsoletes { pkg, other, .. } => {
                vec![*pkg, *other]
            }
            Step::SameName { a, b } => vec![*a, *b],
            Step::GaveUp { .. } => Vec::new(),
        };
        for p in ps {
            if !named.contains(&p) {
                named.push(p);
            }
        }
    }
    if !named.is_empty() {
        d.blank();
        d.heading("Packages named (Enter: details)");
        for p in named {
            d.push(
                vec![
                    super::doc::s(format!("  {}", pool.nevra(p)), Role::Link),
                    super::doc::s(format!("  {}", pool.repo_of(p).name), Role::Dim),
                ],
                Some(Link::Package(p)),
            );
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::tui::jobs;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    /// An app on the demo, loaded and with effects run inline.
    pub(crate) fn demo_app() -> App {
        let mut app = App::new(
            LoadRequest::Demo {
                host_arch: Some("x86_64".into()),
            },
            Theme { color: false },
        );
        run_effects(&mut app);
        app
    }

    /// Run queued effects synchronously, as the event loop does on threads.
    pub(crate) fn run_effects(app: &mut App) {
        while !app.effects.is_empty() {
            for e in std::mem::take(&mut app.effects) {
                match e {
                    Effect::Load(req, progress) => {
                        let out = jobs::load(&req, &progress);
                        app.on_job(JobEvent::Loaded(Box::new(out)));
                    }
                    Effect::Closure {
                        generation,
                        cat,
                        opts,
                        installable,
                        progress,
                    } => {
                        let result = jobs::run_closure(&cat, &opts, installable, &progress);
                        app.on_job(JobEvent::ClosureDone { generation, result });
                    }
                    Effect::Filter {
                        generation,
                        cat,
                        text,
                    } => {
                        let q = Query::parse(&text).unwrap();
                        let ids = filter::run(&cat, &q, &Cancel::new()).unwrap();
                        app.on_job(JobEvent::Filtered { generation, ids });
                    }
                    Effect::Conflicts {
                        generation,
                        cat,
                        progress,
                    } => {
                        let result = crate::tui::conflicts::run(&cat, &progress);
                        app.on_job(JobEvent::ConflictsDone { generation, result });
                    }
                    Effect::Koji {
                        generation,
                        req,
                        progress,
                    } => {
                        let (koji, problems) = crate::tui::tags::load(&req, progress.as_ref());
                        app.on_job(JobEvent::KojiLoaded {
                            generation,
                            koji,
                            problems,
                        });
                    }
                    Effect::Changelog { cat, pkg } => {
                        let result = jobs::changelog(&cat, pkg);
                        app.on_job(JobEvent::Changelog { pkg, result });
                    }
                    Effect::Copy(_) => {}
                }
            }
        }
    }

    pub(crate) fn keys(app: &mut App, keys: &str) {
        for c in keys.chars() {
            app.on_key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
    }

    pub(crate) fn key(app: &mut App, code: KeyCode) {
        app.on_key(&KeyEvent::new(code, KeyModifiers::NONE));
    }

    fn names(app: &App) -> Vec<String> {
        let cat = app.data.as_ref().unwrap();
        app.packages
            .visible(cat)
            .iter()
            .map(|&id| cat.pool.name(id).to_string())
            .collect()
    }

    #[test]
    fn loads_the_demo() {
        let app = demo_app();
        let cat = app.data.as_ref().unwrap();
        assert!(app.loading.is_none());
        assert!(app.problems.is_empty(), "{:?}", app.problems);
        assert_eq!(cat.pool.repos.len(), 4);
        // the modular repo's metadata and the Koji snapshot come with the demo
        assert!(cat.modules.streams >= 2, "{}", cat.modules.streams);
        let koji = app.koji.as_ref().expect("demo Koji data");
        assert_eq!(koji.pages[0].name, "f19-build");
        assert!(!cat.pool.by_name("s3cmd").is_empty());
        assert_eq!(cat.order.len(), cat.pool.len());
    }

    #[test]
    fn filter_modes() {
        let mut app = demo_app();
        keys(&mut app, "/s3cmd");
        assert_eq!(app.mode, Mode::Filter);
        assert_eq!(app.view, ViewId::Packages);
        assert_eq!(names(&app), ["s3cmd"]);
        key(&mut app, KeyCode::Enter);
        assert_eq!(app.mode, Mode::Normal);
        assert_eq!(app.packages.query, "s3cmd");

        app.set_filter("python3-*magic".into());
        assert_eq!(names(&app), ["python3-file-magic", "python3-magic"]);
        app.set_filter("re:^python3-(file-)?magic-".into());
        assert_eq!(names(&app), ["python3-file-magic", "python3-magic"]);
        app.set_filter("re:(".into());
        assert!(app.packages.filter_error.is_some());
        app.set_filter("~s3c".into());
        assert_eq!(names(&app).first().map(String::as_str), Some("s3cmd"));
        // Substring: the exact name first.
        app.set_filter("magic".into());
        let n = names(&app);
        assert!(n.len() >= 2 && n.contains(&"python3-magic".to_string()));
        app.set_filter("MAGIC".into());
        assert!(
            names(&app).is_empty(),
            "smart case: capitals are case-sensitive"
        );
        // Esc while typing clears the filter.
        keys(&mut app, "/x");
        key(&mut app, KeyCode::Esc);
        assert_eq!(app.mode, Mode::Normal);
        assert!(app.packages.matches.is_none());
    }

    #[test]
    fn details_follow_and_back() {
        let mut app = demo_app();
        keys(&mut app, "/s3cmd");
        key(&mut app, KeyCode::Enter);
        key(&mut app, KeyCode::Enter);
        assert!(app.packages.focus_details);
        let cat = app.data.clone().unwrap();
        let s3cmd = cat.pool.by_name("s3cmd")[0];
        assert_eq!(app.packages.trail, [s3cmd]);
        // the changelog is read from other.xml on demand, then shown
        assert!(matches!(app.effects.last(), Some(Effect::Changelog { .. })));
        run_effects(&mut app);
        let rows = app.packages.rows(&cat, s3cmd);
        let text: Vec<String> = rows.iter().map(|r| r.text()).collect();
        let at = text
            .iter()
            .position(|t| t.starts_with("Changelog ("))
            .unwrap_or_else(|| panic!("{text:#?}"));
        assert!(text[at + 1].starts_with("  * "), "{text:#?}");
        let rows = app.packages.rows(&cat, s3cmd);
        let text: Vec<String> = rows.iter().map(|r| r.text()).collect();
        let magic_row = text
            .iter()
            .position(|t| t.starts_with("  python3-magic → python3-magic-0.4.27"))
            .unwrap_or_else(|| panic!("{text:#?}"));
        assert!(
            text[magic_row + 1].contains("conflicts with python3-file-magic"),
            "{text:#?}"
        );
        // Walk down to the python3-magic row and follow it.
        while app.packages.details.cursor < magic_row {
            key(&mut app, KeyCode::Down);
        }
        assert_eq!(app.packages.details.cursor, magic_row);
        key(&mut app, KeyCode::Enter);
        let magic = cat.pool.by_name("python3-magic")[0];
        assert_eq!(app.packages.trail, [s3cmd, magic]);
        let rows = app.packages.rows(&cat, magic);
        assert!(
            rows.iter()
                .any(|r| r.section == super::super::details::Section::ConflictedBy)
        );
        key(&mut app, KeyCode::Esc);
        assert_eq!(app.packages.trail, [s3cmd]);
        assert_eq!(app.packages.details.cursor, magic_row);
        key(&mut app, KeyCode::Esc);
        assert!(!app.packages.focus_details);
        key(&mut app, KeyCode::Esc);
        assert!(app.packages.matches.is_none(), "Esc clears the filter");
    }

    #[test]
    fn closure_runs_toggles_and_jumps() {
        let mut app = demo_app();
        keys(&mut app, "c");
        assert_eq!(app.view, ViewId::Closure);
        assert!(app.closure.running.is_some());
        run_effects(&mut app);
        assert!(app.closure.running.is_none());
        let report = app.closure.report.clone().unwrap();
        assert!(report.unresolved_count() > 0);
        keys(&mut app, "n");
        run_effects(&mut app);
        assert!(app.closure.newest);
        assert_eq!(app.closure.report_opts, (true, false, false));
        key(&mut app, KeyCode::Enter);
        assert_eq!(app.view, ViewId::Packages);
        assert!(app.packages.focus_details);
        assert_eq!(
            Some(app.packages.trail[0]),
            app.closure.report.as_ref().map(|r| r.broken[0].pkg)
        );
    }

    #[test]
    fn closure_installable_toggle() {
        let mut app = demo_app();
        keys(&mut app, "c");
        run_effects(&mut app);
        assert!(app.closure.uninstallable.is_none());
        keys(&mut app, "i");
        assert!(app.closure.installable);
        run_effects(&mut app);
        assert_eq!(app.closure.report_opts, (false, false, true));
        let cat = app.data.clone().unwrap();
        let bad = app.closure.uninstallable.clone().unwrap();
        // every package with an unresolved requirement is also uninstallable, and each
        // comes with a derivation
        let report = app.closure.report.clone().unwrap();
        for b in &report.broken {
            if cat.pool.is_installable(b.pkg) {
                assert!(bad.iter().any(|u| u.pkg == b.pkg), "{}", b.nevra);
            }
        }
        assert!(bad.iter().all(|u| !u.reason.render(&cat.pool).is_empty()));
        let rows = app.closure.rows(Some(&cat.pool));
        assert!(rows[0].spans[0].0.contains("cannot be installed at all"));
    }

    #[test]
    fn closure_check_and_arch_from_the_palette() {
        let mut app = demo_app();
        keys(&mut app, "c");
        run_effects(&mut app);
        let all = app.closure.report.clone().unwrap();
        // only demo-copr's 3 packages are checked; the other repos are lookaside
        keys(&mut app, ":check demo-copr");
        key(&mut app, KeyCode::Enter);
        run_effects(&mut app);
        let copr = app.closure.report.clone().unwrap();
        assert_eq!(copr.checked, 3);
        assert!(
            copr.broken.is_empty(),
            "demo-copr resolves with the others as lookaside"
        );
        assert!(all.checked > copr.checked);
        // the equivalent command says so
        keys(&mut app, "@");
        assert!(
            app.popup
                .as_ref()
                .unwrap()
                .copy
                .contains("--check demo-copr")
        );
        key(&mut app, KeyCode::Esc);
        // an unknown repo is refused
        keys(&mut app, ":check nope");
        key(&mut app, KeyCode::Enter);
        assert!(
            app.message
                .as_ref()
                .is_some_and(|m| m.0.contains("no repo"))
        );
        // arch: only noarch packages of every repo
        keys(&mut app, ":check all");
        key(&mut app, KeyCode::Enter);
        keys(&mut app, ":arch noarch");
        key(&mut app, KeyCode::Enter);
        run_effects(&mut app);
        let cat = app.data.clone().unwrap();
        let r = app.closure.report.clone().unwrap();
        assert!(r.broken.iter().all(|b| cat.pool.arch(b.pkg) == "noarch"));
        assert!(r.checked < all.checked);
    }

    #[test]
    fn closure_cancel_drops_the_result() {
        let mut app = demo_app();
        keys(&mut app, "c");
        key(&mut app, KeyCode::Esc);
        assert!(app.closure.running.is_none());
        run_effects(&mut app);
        assert!(app.closure.report.is_none(), "stale result ignored");
    }

    #[test]
    fn views_palette_popup_copy_quit() {
        let mut app = demo_app();
        key(&mut app, KeyCode::Tab);
        assert_eq!(app.view, ViewId::Packages);
        app.on_key(&KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT));
        assert_eq!(app.view, ViewId::Overview);
        keys(&mut app, "9");
        assert_eq!(app.view, ViewId::Errors);
        keys(&mut app, "?");
        assert_eq!(app.view, ViewId::Help);
        keys(&mut app, ":er");
        key(&mut app, KeyCode::Tab);
        assert_eq!(app.input, "errors");
        key(&mut app, KeyCode::Enter);
        assert_eq!(app.view, ViewId::Errors);
        keys(&mut app, ":bogus");
        key(&mut app, KeyCode::Enter);
        assert!(
            app.message
                .as_ref()
                .is_some_and(|m| m.0.contains("unknown"))
        );
        // y on a package queues a clipboard write.
        keys(&mut app, "2/s3cmd");
        key(&mut app, KeyCode::Enter);
        keys(&mut app, "y");
        assert!(matches!(app.effects.last(), Some(Effect::Copy(n)) if n == "s3cmd"));
        // @ shows the dnf command; q closes the popup first.
        keys(&mut app, "@");
        let popup = app.popup.clone().unwrap();
        assert!(
            popup.copy.starts_with(
                "dnf --disablerepo='*' --repofrompath=demo-base,testdata/repos/demo-base"
            ),
            "{}",
            popup.copy
        );
        assert!(
            popup.copy.ends_with("repoquery --requires s3cmd"),
            "{}",
            popup.copy
        );
        keys(&mut app, "q");
        assert!(app.popup.is_none() && !app.quit);
        keys(&mut app, ":q");
        key(&mut app, KeyCode::Enter);
        assert!(app.quit);
        // Ctrl-c quits even while typing.
        let mut app = demo_app();
        keys(&mut app, "/s3");
        app.on_key(&KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
        assert!(app.quit);
    }

    #[test]
    fn list_navigation_is_bounded() {
        let mut app = demo_app();
        keys(&mut app, "2");
        let len = app.data.as_ref().unwrap().order.len();
        keys(&mut app, "k");
        assert_eq!(app.packages.list.cursor, 0);
        keys(&mut app, "G");
        assert_eq!(app.packages.list.cursor, len - 1);
        keys(&mut app, "j");
        assert_eq!(app.packages.list.cursor, len - 1);
        keys(&mut app, "g");
        assert_eq!(app.packages.list.cursor, 0);
        app.packages.list.page.set(10);
        key(&mut app, KeyCode::PageDown);
        assert_eq!(app.packages.list.cursor, 10);
        key(&mut app, KeyCode::PageUp);
        assert_eq!(app.packages.list.cursor, 0);
    }

    #[test]
    fn keys_before_loading_do_not_panic() {
        let mut app = App::new(LoadRequest::Demo { host_arch: None }, Theme { color: true });
        for c in [
            "2", "j", "G", "/", "x", "\n", "c", "@", "y", "3", "n", "b", "4", "j", "5", "G", "6",
            "r", "7", "m", "x",
        ] {
            for ch in c.chars() {
                if ch == '\n' {
                    key(&mut app, KeyCode::Enter);
                } else {
                    keys(&mut app, &ch.to_string());
                }
            }
            key(&mut app, KeyCode::Enter);
            key(&mut app, KeyCode::Esc);
        }
        assert!(app.closure.wanted);
        run_effects(&mut app);
        assert!(
            app.closure.report.is_some(),
            "the closure asked for early runs after loading"
        );
    }

    fn doc_text(d: &Doc) -> String {
        d.text()
    }

    #[test]
    fn tags_view_walks_the_demo_koji_tag() {
        let mut app = demo_app();
        keys(&mut app, "6");
        assert_eq!(app.view, ViewId::Tags);
        let text = doc_text(app.tags_doc().unwrap());
        // the tree as `koji list-tag-inheritance` draws it, with priorities
        assert!(text.contains("f19-build (4)"), "{text}");
        assert!(
            text.contains("└─f18 (1)") || text.contains("─f18 (1)"),
            "{text}"
        );
        assert!(text.contains("prio "), "{text}");
        // external repos with merge mode, inherited ones named with their tag
        assert!(text.contains("dist-f18-updates"), "{text}");
        assert!(text.contains("merge koji"), "{text}");
        // groups with their origin, and the lints of the story
        assert!(text.contains("srpm-build"), "{text}");
        assert!(text.contains("fedpkg"), "{text}");
        // mock's start: the srpm-build group brings mock through fedpkg
        assert!(text.contains("srpm-build: 7 packages"), "{text}");
        assert!(text.contains("fedpkg brings"), "{text}");
        assert!(
            text.contains("not in the buildroot: shadow-utils"),
            "{text}"
        );
        // the custom foo-1.0 shadows the external foo-1.1 under merge mode koji
        assert!(text.contains("foo-1.0-1.fc19.x86_64"), "{text}");
        assert!(text.contains("shadows foo-1.1"), "{text}");
        let page = &app.koji.as_ref().unwrap().pages[0];
        assert!(page.errors + page.warnings > 0, "the fixture has lints");
        // Enter on the foo row goes to the tag it came from
        let doc = app.tags_doc().unwrap();
        let foo = doc
            .rows
            .iter()
            .position(|r| r.text().starts_with("  foo-1.0-1.fc19.x86_64"))
            .unwrap();
        let origin = match &doc.rows[foo].link {
            Some(Link::Tag(t)) => t.clone(),
            other => panic!("{other:?}"),
        };
        let target = doc.find(&crate::tui::tags::anchor_for(&origin)).unwrap();
        app.tags.nav.nav.cursor = foo;
        key(&mut app, KeyCode::Enter);
        assert_eq!(app.tags.nav.nav.cursor, target);
        key(&mut app, KeyCode::Esc);
        assert_eq!(app.tags.nav.nav.cursor, foo, "Esc returns to the package");
        // z folds the tree below f19 (f18 disappears from what is shown), z again opens it
        let doc = app.tags_doc().unwrap().clone();
        let f19 = doc.find("tag:f19").unwrap();
        let f18 = doc.find("tag:f18").unwrap();
        app.tags.nav.nav.cursor = f19;
        keys(&mut app, "z");
        assert!(!doc.visible(&app.tags.nav.folded).contains(&f18));
        keys(&mut app, "j");
        assert!(
            app.tags.nav.nav.cursor > f18,
            "moving skips the folded rows"
        );
        app.tags.nav.nav.cursor = f19;
        keys(&mut app, "z");
        assert!(doc.visible(&app.tags.nav.folded).contains(&f18));
        // r flips to the reverse tree (when the snapshot has it) and back
        keys(&mut app, "r");
        assert!(app.tags.reverse);
        keys(&mut app, "r");
        assert!(!app.tags.reverse);
        // :event reloads at that event
        keys(&mut app, ":event 40");
        key(&mut app, KeyCode::Enter);
        assert!(app.tags.loading.is_some());
        run_effects(&mut app);
        assert!(app.tags.loading.is_none());
        assert_eq!(app.koji.as_ref().unwrap().event, Some(40));
        keys(&mut app, ":event soon");
        key(&mut app, KeyCode::Enter);
        assert!(app.message.as_ref().is_some_and(|m| m.0.contains("usage")));
    }

    #[test]
    fn modules_view_and_the_jump_from_a_package() {
        let mut app = demo_app();
        keys(&mut app, "7");
        let cat = app.data.clone().unwrap();
        let text = doc_text(&cat.modules.doc);
        assert!(text.contains("postgresql"), "{text}");
        assert!(text.contains("15 [d]"), "default stream marked: {text}");
        assert!(text.contains("inactive"), "16 is not active: {text}");
        // from a modular package to its stream
        let pg: Vec<PkgId> = cat
            .pool
            .by_name("postgresql")
            .iter()
            .copied()
            .filter(|p| cat.modules.stream_of.contains_key(p))
            .collect();
        assert!(!pg.is_empty(), "artifacts are linked to their packages");
        app.open_package(pg[0]);
        keys(&mut app, "m");
        assert_eq!(app.view, ViewId::Modules);
        let row = &cat.modules.doc.rows[app.modules.nav.cursor];
        assert!(
            row.anchor
                .as_deref()
                .is_some_and(|a| a.starts_with("stream:postgresql:")),
            "{:?}",
            row
        );
        // and Enter on an artifact goes back to a package
        let art = cat
            .modules
            .doc
            .rows
            .iter()
            .position(|r| matches!(r.link, Some(Link::Package(_))))
            .unwrap();
        app.modules.nav.cursor = art;
        key(&mut app, KeyCode::Enter);
        assert_eq!(app.view, ViewId::Packages);
        // a non-modular package has no stream
        let s3 = cat.pool.by_name("s3cmd")[0];
        app.open_package(s3);
        keys(&mut app, "m");
        assert_eq!(app.view, ViewId::Packages);
        assert!(app.message.is_some());
    }

    #[test]
    fn install_and_why_from_the_palette() {
        let mut app = demo_app();
        // the python-magic story: s3cmd into an image that has insights-client
        keys(&mut app, ":install s3cmd --on insights-client");
        key(&mut app, KeyCode::Enter);
        assert_eq!(app.view, ViewId::Install);
        assert!(app.install.failed);
        let text = doc_text(&app.install.doc);
        assert!(text.contains("python3-file-magic"), "{text}");
        assert!(text.contains("python3-magic"), "{text}");
        assert!(text.contains("insights-client"), "{text}");
        assert!(
            text.contains("without `python3-file-magic-5.39-16.el9.noarch` and `insights-client`"),
            "{text}"
        );
        // every package named is a link
        assert!(
            app.current_package().is_some()
                || app.install.doc.rows.iter().any(|r| r.link.is_some())
        );
        // alone, s3cmd installs, with the reason of each package
        keys(&mut app, ":install s3cmd");
        key(&mut app, KeyCode::Enter);
        assert!(!app.install.failed);
        let text = doc_text(&app.install.doc);
        assert!(text.contains("s3cmd requires python3-magic"), "{text}");
        let first = app.current_package().unwrap();
        key(&mut app, KeyCode::Enter);
        assert_eq!(app.view, ViewId::Packages);
        assert_eq!(app.packages.trail, [first]);
        // why
        keys(&mut app, ":why python3-file-magic --from insights-client");
        key(&mut app, KeyCode::Enter);
        let text = doc_text(&app.install.doc);
        assert!(
            text.contains("insights-client  requires python3-file-magic"),
            "{text}"
        );
        // comps groups: the demo's @core makes the image that breaks s3cmd
        keys(&mut app, ":install s3cmd --on @core");
        key(&mut app, KeyCode::Enter);
        assert!(app.install.failed, "{}", doc_text(&app.install.doc));
        // an image list or kickstart file as the installed set
        let dir = tempfile::tempdir().unwrap();
        let ks = dir.path().join("image.ks");
        std::fs::write(&ks, "%packages\nbash\n@core\n%end\n").unwrap();
        keys(&mut app, &format!(":install s3cmd --on {}", ks.display()));
        key(&mut app, KeyCode::Enter);
        assert!(app.install.failed, "{}", doc_text(&app.install.doc));
        // unknown names are a message, not a panic
        keys(&mut app, ":install no-such-thing");
        key(&mut app, KeyCode::Enter);
        assert!(
            app.message
                .as_ref()
                .is_some_and(|m| m.0.contains("no package"))
        );
    }

    #[test]
    fn diff_view_opens_on_the_comparison() {
        let t = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/repos");
        let mut app = App::new(
            LoadRequest::Diff(crate::tui::diffview::DiffRequest {
                old: vec![format!("old,{t}/diff-old")],
                new: vec![format!("new,{t}/diff-new")],
                roots: vec!["widget-app".into()],
            }),
            Theme { color: false },
        );
        assert_eq!(app.view, ViewId::Diff);
        run_effects(&mut app);
        let d = app.diff.clone().expect("the comparison");
        // two closure problems and the install of widget-app that now fails
        assert_eq!(d.new_problems, 3);
        let text = d.doc.text();
        assert!(
            text.contains("widget-app-1.0-1.x86_64 requires libwidget < 2.0"),
            "{text}"
        );
        assert!(
            text.contains("which is upgraded (libwidget-2.0-1.x86_64) in NEW"),
            "{text}"
        );
        assert!(text.contains("Install of widget-app"), "{text}");
        // the cursor starts on the first link; Enter opens a NEW package
        let first = app.current_package().expect("a link");
        key(&mut app, KeyCode::Enter);
        assert_eq!(app.view, ViewId::Packages);
        assert_eq!(app.packages.trail, [first]);
        let cat = app.data.clone().unwrap();
        assert_eq!(cat.pool.repos[0].name, "new", "the other views show NEW");
    }

    #[test]
    fn conflicts_view_finds_the_magic_pair_and_its_chains() {
        let mut app = demo_app();
        keys(&mut app, "x");
        assert_eq!(app.view, ViewId::Conflicts);
        assert!(app.conflicts.running.is_some());
        run_effects(&mut app);
        assert!(app.conflicts.running.is_none());
        assert!(app.conflicts.found.unwrap_or(0) >= 1);
        let text = app.conflicts.doc.text();
        let pair = text
            .lines()
            .position(|l| {
                l.contains("python3-file-magic-5.39-16.el9.noarch (demo-base) conflicts with")
            })
            .unwrap_or_else(|| panic!("{text}"));
        assert!(text.contains("python3-magic-0.4.27"), "{text}");
        // both sides' chains: insights-client pulls file-magic, s3cmd pulls magic
        let after: Vec<&str> = text.lines().skip(pair).take(8).collect();
        assert!(
            after.iter().any(|l| l.contains("← insights-client")),
            "{after:#?}"
        );
        assert!(after.iter().any(|l| l.contains("← s3cmd")), "{after:#?}");
        // Enter on the pair goes to its chains, Enter there opens the package
        app.conflicts.nav.nav.cursor = pair;
        key(&mut app, KeyCode::Enter);
        assert_eq!(app.conflicts.nav.nav.cursor, pair + 1);
        let p = app.current_package().unwrap();
        key(&mut app, KeyCode::Enter);
        assert_eq!(app.view, ViewId::Packages);
        assert_eq!(app.packages.trail, [p]);
        // Esc while running cancels
        keys(&mut app, "x");
        key(&mut app, KeyCode::Esc);
        assert!(app.conflicts.running.is_none());
    }

    #[test]
    fn the_first_source_is_usable_while_the_rest_loads() {
        let t = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/repos");
        let req = LoadRequest::Sources {
            args: vec![
                format!("demo-base,{t}/demo-base"),
                format!("demo-copr,{t}/demo-copr"),
            ],
            opts: Default::default(),
            koji: None,
        };
        let mut app = App::new(req.clone(), Theme { color: false });
        app.effects.clear();
        let first = jobs::first_alone(&req).expect("two sources");
        let out = jobs::load(&first, &JobProgress::default());
        app.on_job(JobEvent::Partial(Box::new(out)));
        assert!(app.partial && app.loading.is_some());
        let cat = app.data.clone().unwrap();
        assert_eq!(cat.pool.repos.len(), 1);
        // the views work on what is in
        keys(&mut app, "/insights");
        key(&mut app, KeyCode::Enter);
        assert_eq!(names(&app), ["insights-client"]);
        // analyses wait for everything
        keys(&mut app, "c");
        assert!(app.closure.wanted && app.closure.running.is_none());
        let out = jobs::load(&req, &JobProgress::default());
        app.on_job(JobEvent::Loaded(Box::new(out)));
        assert!(!app.partial);
        assert_eq!(app.data.as_ref().unwrap().pool.repos.len(), 2);
        assert!(
            app.closure.running.is_some(),
            "the closure asked for runs now"
        );
        // a single source has no partial step
        assert!(jobs::first_alone(&LoadRequest::Demo { host_arch: None }).is_none());
    }
}
