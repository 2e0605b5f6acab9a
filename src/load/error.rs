//! Errors of the load layer. Every variant names the file (or URL) and, where the
//! format has one, the position, so a user can find the bad byte.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: {msg} (at compressed byte {offset})", path.display())]
    Decompress {
        path: PathBuf,
        offset: u64,
        msg: String,
    },
    #[error("{}:{line}:{column}: {msg}", path.display())]
    Syntax {
        path: PathBuf,
        line: u64,
        column: u64,
        msg: String,
    },
    #[error("{}: {kind} checksum mismatch: expected {expected}, got {actual}", path.display())]
    Checksum {
        path: PathBuf,
        kind: String,
        expected: String,
        actual: String,
    },
    #[error("{}: {msg}", path.display())]
    Invalid { path: PathBuf, msg: String },
    /// A binary file (an `.rpm`) that is not what it should be at byte `offset`.
    #[error("{}: {msg} (at byte {offset})", path.display())]
    Malformed {
        path: PathBuf,
        offset: u64,
        msg: String,
    },
    #[error("{url}: {msg}")]
    Http { url: String, msg: String },
    /// A Koji hub (or a snapshot standing in for one) could not answer a call: an XML-RPC
    /// fault, an answer that is not XML-RPC, or one of an unexpected shape.
    #[error("{origin}: {method}: {msg}")]
    Rpc {
        origin: String,
        method: String,
        msg: String,
    },
    /// Koji client configuration (profiles, hub choice).
    #[error("koji configuration: {msg}")]
    KojiConfig { msg: String },
    #[error("{what} is not supported: {why}")]
    Unsupported { what: String, why: String },
}

pub type Result<T, E = LoadError> = std::result::Result<T, E>;
