//! bramble's entry point: parse arguments, hand over to the CLI or the TUI, and map the
//! outcome to an exit status in one place.

use clap::Parser;

use bramble::tui::jobs::LoadRequest;

fn main() {
    let cli = bramble::cli::Cli::parse();
    let koji = match cli.koji.request() {
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
