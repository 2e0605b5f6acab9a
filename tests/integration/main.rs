//! The one integration test binary: CLI behaviour, layering, and conformance against
//! the real corpora (`BRAMBLE_CORPUS`, `BRAMBLE_ORACLE`; skipped when unset).

mod closure_hints;
mod common;
mod conflicts;
mod conformance_corpus;
mod conformance_modules;
mod conformance_oracle;
mod conformance_vercmp;
mod diff;
mod each_stream;
mod http_repo;
mod install_cli;
mod installability;
mod koji;
mod koji_buildroot;
mod koji_dot;
mod koji_tls;
mod layering;
mod libsolv_testcases;
mod tui_e2e;
mod tui_scale;
