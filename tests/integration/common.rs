//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// `$BRAMBLE_ORACLE` (the shared oracle directory), or `None` with a note on stderr.
pub fn oracle() -> Option<PathBuf> {
    env_dir("BRAMBLE_ORACLE")
}

/// `$BRAMBLE_CORPUS` (the shared corpus directory), or `None` with a note on stderr.
pub fn corpus() -> Option<PathBuf> {
    env_dir("BRAMBLE_CORPUS")
}

fn env_dir(var: &str) -> Option<PathBuf> {
    match std::env::var_os(var) {
        Some(v) if PathBuf::from(&v).is_dir() => Some(PathBuf::from(v)),
        _ => {
            eprintln!("skipped: {var} is not set to a directory");
            None
        }
    }
}

/// The project's own fixtures.
pub fn testdata() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata")
}

pub fn bramble() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("bramble").expect("bramble binary")
}
