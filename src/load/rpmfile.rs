//! Placeholder until the rpm header loader lands: reports `.rpm` sources as unsupported.

use std::path::PathBuf;

use super::error::LoadError;
use crate::model::pool::Pool;
use crate::progress::Progress;

pub struct RpmLoadResult {
    pub packages: usize,
    pub errors: Vec<LoadError>,
}

pub fn load_rpm_paths(
    _pool: &mut Pool,
    _repo_name: &str,
    _paths: &[PathBuf],
    _progress: &dyn Progress,
) -> Result<RpmLoadResult, LoadError> {
    Err(LoadError::Unsupported {
        what: ".rpm files".into(),
        why: "not implemented yet".into(),
    })
}
