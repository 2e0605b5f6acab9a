//! Work that must not block the UI, on worker threads: loading sources, closure runs and
//! (on large pools) filtering. As in gitui's async jobs, each job reports back through
//! the event channel with a generation number, and a newer request supersedes an older
//! one: a stale closure run is cancelled and its result dropped; the filter worker keeps
//! one running and one queued query, a newer keystroke replacing the queued one.
//!
//! Progress is shared state ([`JobProgress`]) the UI reads when it draws; jobs never
//! touch the terminal.

use std::sync::mpsc::Sender;
use std::sync::{Arc, Condvar, Mutex};

use super::data::{Catalog, OtherSource, Problem};
use super::demo::DEMO_REPOS;
use super::event::Msg;
use super::filter::{self, Query};
use super::tags::{KojiCatalog, KojiFrom, KojiRequest};
use crate::analysis::closure::{ClosureOptions, ClosureReport, closure, dnf_order, select};
use crate::analysis::install::{Uninstallable, check_installable};
use crate::load::embedded::load_embedded_repo;
use crate::load::other::{Changelog, parse_other_for};
use crate::load::source::{LoadOptions, Source, load_sources};
use crate::model::package::PkgId;
use crate::model::pool::Pool;
use crate::progress::{Cancel, Progress};
use crate::text::sanitize_line;

/// One phase of a job (`demo-base: primary`), with its size when known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhaseState {
    pub name: String,
    pub total: Option<u64>,
    pub done: u64,
}

/// Progress and cancellation of one running job, shared with the UI.
#[derive(Default)]
pub struct JobProgress {
    phases: Mutex<Vec<PhaseState>>,
    pub cancel: Cancel,
}

impl JobProgress {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Every phase so far, the current one last.
    pub fn snapshot(&self) -> Vec<PhaseState> {
        self.phases.lock().map(|p| p.clone()).unwrap_or_default()
    }

    /// The current phase and how far it is (0..=1), when its size is known.
    pub fn current(&self) -> Option<(String, Option<f64>)> {
        let p = self.phases.lock().ok()?;
        let last = p.last()?;
        let frac = last
            .total
            .filter(|&t| t > 0)
            .map(|t| (last.done as f64 / t as f64).min(1.0));
        Some((last.name.clone(), frac))
    }
}

impl Progress for JobProgress {
    fn phase(&self, name: &str, total: Option<u64>) {
        if let Ok(mut p) = self.phases.lock() {
            if let Some(last) = p.last_mut()
                && let Some(t) = last.total
            {
                last.done = last.done.max(t);
            }
            p.push(PhaseState {
                name: name.to_string(),
                total,
                done: 0,
            });
        }
    }

    fn advance(&self, n: u64) {
        if let Ok(mut p) = self.phases.lock()
            && let Some(last) = p.last_mut()
        {
            last.done += n;
        }
    }
}

/// What to load.
#[derive(Clone, Debug)]
pub enum LoadRequest {
    /// The demo build tree compiled into the binary (with its Koji snapshot).
    Demo { host_arch: Option<String> },
    /// Sources as given on the command line (`[NAME,]PATH|URL`), and Koji tags.
    Sources {
        args: Vec<String>,
        opts: Box<LoadOptions>,
        koji: Option<KojiRequest>,
    },
    /// Two sides to compare (`--old`/`--new`); the other views show NEW.
    Diff(super::diffview::DiffRequest),
}

impl LoadRequest {
    /// The Koji part of the request.
    pub fn koji(&self) -> Option<&KojiRequest> {
        static DEMO: std::sync::OnceLock<KojiRequest> = std::sync::OnceLock::new();
        match self {
            LoadRequest::Demo { .. } => Some(DEMO.get_or_init(|| KojiRequest {
                from: KojiFrom::Demo,
                tags: Vec::new(),
                event: None,
                externals: Vec::new(),
            })),
            LoadRequest::Sources { koji, .. } => koji.as_ref(),
            LoadRequest::Diff(_) => None,
        }
    }
}

pub struct LoadOutcome {
    pub catalog: Catalog,
    /// With [`LoadRequest::Diff`]: the comparison.
    pub diff: Option<super::diffview::DiffPage>,
    pub koji: Option<KojiCatalog>,
    pub problems: Vec<Problem>,
}

fn set_other(v: &mut Vec<OtherSource>, id: crate::model::package::RepoId, src: OtherSource) {
    if v.len() <= id.index() {
        v.resize(id.index() + 1, OtherSource::None);
    }
    v[id.index()] = src;
}

/// The changelog of one package, from its repository's `other.xml` (read to the package).
pub fn changelog(cat: &Catalog, id: PkgId) -> Result<Vec<Changelog>, String> {
    let repo = cat.pool.pkg(id).repo;
    let sum = cat.pool.pkg(id).info.checksum.to_string();
    let wanted = |pkgid: &str, _: &str| pkgid == sum;
    let found = match cat.other.get(repo.index()) {
        Some(OtherSource::Repo(r)) => {
            if r.record("other").is_none() {
                return Err("the repository has no other.xml".into());
            }
            let http = crate::load::http::HttpClient::new(Default::default());
            r.read_changelogs(&http, &wanted)
                .map_err(|e| e.to_string())?
        }
        Some(OtherSource::Embedded(d)) => {
            match crate::load::embedded::open_embedded_record(d.name, d.files, "other")
                .map_err(|e| e.to_string())?
            {
                None => return Err("the repository has no other.xml".into()),
                Some(input) => parse_other_for(std::io::BufReader::new(input), &wanted)
                    .map_err(|e| format!("embedded:{}/other.xml: {}", d.name, e.msg))?,
            }
        }
        _ => return Err("no changelog source for this package".into()),
    };
    Ok(found.into_iter().next().map(|x| x.2).unwrap_or_default())
}

/// The request for the first of several sources, if there are several.
pub fn first_alone(req: &LoadRequest) -> Option<LoadRequest> {
    match req {
        LoadRequest::Sources { args, opts, .. } if args.len() > 1 => Some(LoadRequest::Sources {
            args: args[..1].to_vec(),
            opts: opts.clone(),
            koji: None,
        }),
        _ => None,
    }
}

/// Load synchronously (the worker calls this; tests too).
pub fn load(req: &LoadRequest, progress: &JobProgress) -> LoadOutcome {
    let mut problems = Vec::new();
    let mut modules = Vec::new();
    let mut groups = Vec::new();
    let mut diff = None;
    let mut other: Vec<OtherSource> = Vec::new();
    let pool =
        match req {
            LoadRequest::Demo { host_arch } => {
                let host = host_arch
                    .clone()
                    .unwrap_or_else(|| crate::load::repofile::host_arch().to_string());
                let mut pool = Pool::new(&host);
                for r in DEMO_REPOS {
                    match load_embedded_repo(&mut pool, r.name, r.location, r.files, progress) {
                        Ok(loaded) => {
                            problems.extend(loaded.warnings.into_iter().map(|w| Problem {
                                source: r.name.to_string(),
                                message: w,
                                fatal: false,
                            }));
                            set_other(&mut other, loaded.id, OtherSource::Embedded(r));
                            if let Some(c) = loaded.comps {
                                groups.push((loaded.id, c));
                            }
                            if let Some(m) = loaded.modules {
                                problems.extend(m.errors.iter().map(|e| Problem {
                                    source: r.name.to_string(),
                                    message: e.to_string(),
                                    fatal: false,
                                }));
                                modules.push((loaded.id, m.index));
                            }
                        }
                        Err(e) => problems.push(Problem {
                            source: r.name.to_string(),
                            message: e.to_string(),
                            fatal: true,
                        }),
                    }
                }
                pool.build_indexes();
                pool
            }
            LoadRequest::Diff(d) => {
                let (pool, page, probs) = super::diffview::load(d, progress);
                problems.extend(probs);
                diff = Some(page);
                pool
            }
            LoadRequest::Sources { args, opts, .. } => {
                let mut sources = Vec::new();
                for a in args {
                    match Source::parse(a) {
                        Ok(s) => sources.push(s),
                        Err(e) => problems.push(Problem {
                            source: a.clone(),
                            message: e.to_string(),
                            fatal: true,
                        }),
                    }
                }
                let mut loaded = load_sources(&sources, opts, progress);
                problems.extend(std::mem::take(&mut loaded.problems).into_iter().map(|p| {
                    Problem {
                        source: p.source,
                        message: p.error.to_string(),
                        fatal: p.fatal,
                    }
                }));
                for r in &mut loaded.repos {
                    if let Some(m) = r.modules.take() {
                        modules.push((r.id, m));
                    }
                    set_other(&mut other, r.id, OtherSource::Repo(Box::new(r.clone())));
                }
                loaded.pool
            }
        };
    let koji = req.koji().and_then(|k| {
        let (cat, probs) = super::tags::load(k, progress);
        problems.extend(probs);
        cat
    });
    progress.phase("indexing", None);
    LoadOutcome {
        catalog: Catalog::new(pool)
            .with_modules(modules)
            .with_groups(groups)
            .with_other(other),
        diff,
        koji,
        problems,
    }
}

/// What a closure run found: the report and, when asked for, the checked packages
/// that cannot be installed at all (`closure --installable`).
pub type ClosureResult = (ClosureReport, Option<Vec<Uninstallable>>);

/// Run closure synchronously (and the installability check when `installable`).
pub fn run_closure(
    cat: &Catalog,
    opts: &ClosureOptions,
    installable: bool,
    progress: &JobProgress,
) -> Result<ClosureResult, String> {
    let report = closure(&cat.pool, opts, progress, &progress.cancel)
        .map_err(|e| sanitize_line(&e.to_string()).into_owned())?;
    if !installable || report.cancelled {
        return Ok((report, None));
    }
    let sel = select(&cat.pool, opts).map_err(|e| sanitize_line(&e.to_string()).into_owned())?;
    let candidates: Vec<PkgId> = sel
        .to_check
        .iter()
        .copied()
        .filter(|&p| cat.pool.is_installable(p))
        .collect();
    let mut bad = check_installable(
        &cat.pool,
        &candidates,
        &sel.available,
        progress,
        &progress.cancel,
    );
    bad.sort_by(|x, y| dnf_order(&cat.pool, x.pkg, y.pkg));
    Ok((report, Some(bad)))
}

/// Results of jobs, delivered to the event loop.
pub enum JobEvent {
    /// A package's changelog was read (or could not be).
    Changelog {
        pkg: PkgId,
        result: Result<Vec<Changelog>, String>,
    },
    /// The first of several sources is in: the views can show it while the rest loads.
    Partial(Box<LoadOutcome>),
    Loaded(Box<LoadOutcome>),
    ClosureDone {
        generation: u64,
        result: Result<ClosureResult, String>,
    },
    Filtered {
        generation: u64,
        ids: Vec<PkgId>,
    },
    ConflictsDone {
        generation: u64,
        result: Result<(super::doc::Doc, usize), String>,
    },
    KojiLoaded {
        generation: u64,
        koji: Option<KojiCatalog>,
        problems: Vec<Problem>,
    },
}

type FilterRequest = (u64, Arc<Catalog>, String);

#[derive(Default)]
struct FilterSlot {
    queued: Mutex<Option<FilterRequest>>,
    wake: Condvar,
    running: Mutex<Option<Arc<Cancel>>>,
}

/// Spawns jobs; results arrive as [`Msg::Job`] on the event channel.
pub struct Jobs {
    tx: Sender<Msg>,
    filter: Arc<FilterSlot>,
}

impl Jobs {
    pub fn new(tx: Sender<Msg>) -> Self {
        let filter = Arc::new(FilterSlot::default());
        let slot = Arc::clone(&filter);
        let ftx = tx.clone();
        std::thread::Builder::new()
            .name("bramble-filter".into())
            .spawn(move || filter_worker(&slot, &ftx))
            .ok();
        Jobs { tx, filter }
    }

    pub fn load(&self, req: LoadRequest, progress: Arc<JobProgress>) {
        let tx = self.tx.clone();
        std::thread::Builder::new()
            .name("bramble-load".into())
            .spawn(move || {
                // Several sources: the first one alone first, so the views fill in while
                // the rest loads (the first source is read twice; the final catalog is
                // the one with everything, file dependencies resolved across all).
                if let Some(first) = first_alone(&req) {
                    let out = load(&first, &progress);
                    if tx.send(Msg::Job(JobEvent::Partial(Box::new(out)))).is_err() {
                        return;
                    }
                }
                let out = load(&req, &progress);
                let _ = tx.send(Msg::Job(JobEvent::Loaded(Box::new(out))));
            })
            .ok();
    }

    pub fn closure(
        &self,
        generation: u64,
        cat: Arc<Catalog>,
        opts: ClosureOptions,
        installable: bool,
        progress: Arc<JobProgress>,
    ) {
        let tx = self.tx.clone();
        std::thread::Builder::new()
            .name("bramble-closure".into())
            .spawn(move || {
                let result = run_closure(&cat, &opts, installable, &progress);
                let _ = tx.send(Msg::Job(JobEvent::ClosureDone { generation, result }));
            })
            .ok();
    }

    pub fn conflicts(&self, generation: u64, cat: Arc<Catalog>, progress: Arc<JobProgress>) {
        let tx = self.tx.clone();
        std::thread::Builder::new()
            .name("bramble-conflicts".into())
            .spawn(move || {
                let result = super::conflicts::run(&cat, &progress);
                let _ = tx.send(Msg::Job(JobEvent::ConflictsDone { generation, result }));
            })
            .ok();
    }

    pub fn changelog(&self, cat: Arc<Catalog>, pkg: PkgId) {
        let tx = self.tx.clone();
        std::thread::Builder::new()
            .name("bramble-changelog".into())
            .spawn(move || {
                let result = changelog(&cat, pkg);
                let _ = tx.send(Msg::Job(JobEvent::Changelog { pkg, result }));
            })
            .ok();
    }

    /// Reload the Koji data (another event).
    pub fn koji(&self, generation: u64, req: KojiRequest, progress: Arc<JobProgress>) {
        let tx = self.tx.clone();
        std::thread::Builder::new()
            .name("bramble-koji".into())
            .spawn(move || {
                let (koji, problems) = super::tags::load(&req, progress.as_ref());
                let _ = tx.send(Msg::Job(JobEvent::KojiLoaded {
                    generation,
                    koji,
                    problems,
                }));
            })
            .ok();
    }

    /// Queue a filter; it replaces any queued one and cancels the running one.
    pub fn filter(&self, generation: u64, cat: Arc<Catalog>, text: String) {
        if let Ok(mut q) = self.filter.queued.lock() {
            *q = Some((generation, cat, text));
        }
        if let Ok(r) = self.filter.running.lock()
            && let Some(c) = r.as_ref()
        {
            c.cancel();
        }
        self.filter.wake.notify_one();
    }
}

fn filter_worker(slot: &FilterSlot, tx: &Sender<Msg>) {
    loop {
        let (generation, cat, text) = {
            let Ok(mut q) = slot.queued.lock() else {
                return;
            };
            loop {
                if let Some(req) = q.take() {
                    break req;
                }
                q = match slot.wake.wait(q) {
                    Ok(q) => q,
                    Err(_) => return,
                };
            }
        };
        let cancel = Arc::new(Cancel::new());
        if let Ok(mut r) = slot.running.lock() {
            *r = Some(Arc::clone(&cancel));
        }
        let Ok(query) = Query::parse(&text) else {
            continue;
        };
        if let Some(ids) = filter::run(&cat, &query, &cancel)
            && tx
                .send(Msg::Job(JobEvent::Filtered { generation, ids }))
                .is_err()
        {
            return;
        }
    }
}
