//! bramble's entry point: parse arguments, hand over to the CLI or the TUI, and map the
//! outcome to an exit status in one place.

use clap::Parser;

fn main() {
    let cli = bramble::cli::Cli::parse();
    std::process::exit(bramble::cli::run(cli));
}
