//! bramble's entry point: parse arguments, hand over to the CLI or the TUI, and map the
//! outcome to an exit status in one place.

use clap::Parser;

use bramble::cli::TuiKojiArgs;
use bramble::tui::jobs::LoadRequest;
use bramble::tui::tags::{KojiFrom, KojiRequest};

fn main() {
    let cli = bramble::cli::Cli::parse();
    let koji = match koji_request(&cli.koji) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("bramble: {e}");
            std::process::exit(2);
        }
    };
    let code = if cli.command.is_some() {
        bramble::cli::run(cli)
    } else if cli.demo {
        bramble::tui::run(LoadRequest::Demo { host_arch: None })
    } else if !cli.diff.old.is_empty() {
        bramble::tui::run(LoadRequest::Diff(bramble::tui::diffview::DiffRequest {
            old: cli.diff.old,
            new: cli.diff.new,
            roots: cli.diff.roots,
        }))
    } else if !cli.sources.is_empty() || koji.is_some() {
        bramble::tui::run(LoadRequest::Sources {
            args: cli.sources,
            opts: Default::default(),
            koji,
        })
    } else {
        bramble::cli::run(cli)
    };
    std::process::exit(code);
}

/// The Koji request of the TUI's options, if any (here, not in `cli`: it builds a `tui`
/// value, and `cli` sits below `tui`).
fn koji_request(a: &TuiKojiArgs) -> Result<Option<KojiRequest>, String> {
    let from = match (&a.snapshot, &a.hub, &a.profile, &a.text) {
        (Some(p), None, None, None) => KojiFrom::Snapshot(p.clone()),
        (None, Some(u), None, None) => KojiFrom::Hub(u.clone()),
        (None, None, Some(p), None) => KojiFrom::Profile(p.clone()),
        (None, None, None, Some(p)) => KojiFrom::Text {
            path: p.clone(),
            reverse: a.text_reverse,
        },
        (None, None, None, None) => return Ok(None),
        _ => {
            return Err(
                "give only one of --koji-snapshot, --koji-hub, --koji-profile and --koji-text"
                    .into(),
            );
        }
    };
    if a.tags.is_empty() && matches!(from, KojiFrom::Hub(_) | KojiFrom::Profile(_)) {
        return Err("name the tags to show with --tag TAG".into());
    }
    let mut externals = Vec::new();
    for e in &a.external {
        match e.split_once('=') {
            Some((n, l)) if !n.is_empty() && !l.is_empty() => {
                externals.push((n.to_string(), l.to_string()));
            }
            _ => return Err(format!("--external wants NAME=LOCATION, not `{e}`")),
        }
    }
    Ok(Some(KojiRequest {
        from,
        tags: a.tags.clone(),
        event: a.event,
        externals,
    }))
}
