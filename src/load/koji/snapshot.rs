//! Koji snapshots: every hub answer that loading a tag tree needed, saved as one JSON file,
//! so the same views work later with no hub access (post-mortems, tickets, tests).
//!
//! A snapshot is a list of calls with their answers (or faults), keyed by method and
//! arguments; [`Recorder`] wraps a live source and records what passes through, and a
//! [`Snapshot`] answers the same calls again. Loading is deterministic (each call follows
//! from earlier answers), so replaying a snapshot reproduces the load exactly. Answers are
//! stored as `koji call --json-output` would print them.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::hub::{Call, KojiSource};
use crate::load::error::{LoadError, Result};

/// The `format` field of every snapshot file.
pub const FORMAT: &str = "bramble-koji-snapshot";
/// The current `version`.
pub const VERSION: u32 = 1;

/// A fault as the hub sent it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fault {
    pub message: String,
}

/// One recorded call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Recorded {
    #[serde(flatten)]
    pub call: Call,
    #[serde(default)]
    pub result: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<Fault>,
}

/// A snapshot file's content.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SnapshotFile {
    pub format: String,
    pub version: u32,
    /// The hub the answers came from.
    pub hub: String,
    /// The tags it was taken for.
    pub tags: Vec<String>,
    /// The event asked for (`None`: the state at `last_event`).
    pub event: Option<i64>,
    pub calls: Vec<Recorded>,
}

/// A snapshot opened for answering calls.
#[derive(Debug)]
pub struct Snapshot {
    origin: String,
    file: SnapshotFile,
    index: HashMap<String, usize>,
}

impl Snapshot {
    pub fn from_file_content(origin: &str, file: SnapshotFile) -> Self {
        let index = file
            .calls
            .iter()
            .enumerate()
            .map(|(i, r)| (r.call.key(), i))
            .collect();
        Self {
            origin: origin.to_owned(),
            file,
            index,
        }
    }

    /// Reads a snapshot file.
    pub fn open(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
            path: path.to_owned(),
            source,
        })?;
        let invalid = |msg: String| LoadError::Invalid {
            path: path.to_owned(),
            msg,
        };
        let file: SnapshotFile = serde_json::from_slice(&bytes).map_err(|e| {
            invalid(format!(
                "not a bramble Koji snapshot (line {}: {e})",
                e.line()
            ))
        })?;
        if file.format != FORMAT {
            return Err(invalid(format!(
                "format is `{}`, not `{FORMAT}`",
                file.format
            )));
        }
        if file.version > VERSION {
            return Err(invalid(format!(
                "snapshot version {} is newer than this bramble reads ({VERSION})",
                file.version
            )));
        }
        Ok(Self::from_file_content(&path.display().to_string(), file))
    }

    pub fn content(&self) -> &SnapshotFile {
        &self.file
    }
}

impl KojiSource for Snapshot {
    fn origin(&self) -> &str {
        &self.origin
    }

    fn call(&self, call: &Call) -> Result<Value> {
        let Some(&i) = self.index.get(&call.key()) else {
            return Err(LoadError::Rpc {
                origin: self.origin.clone(),
                method: call.to_string(),
                msg: format!(
                    "not in this snapshot (taken from {} for {}{}); take a new one with `bramble koji snapshot`",
                    self.file.hub,
                    self.file.tags.join(", "),
                    self.file
                        .event
                        .map(|e| format!(" at event {e}"))
                        .unwrap_or_default()
                ),
            });
        };
        let r = &self.file.calls[i];
        match &r.fault {
            Some(f) => Err(LoadError::Rpc {
                origin: self.origin.clone(),
                method: call.method.clone(),
                msg: f.message.clone(),
            }),
            None => Ok(r.result.clone()),
        }
    }
}

/// Wraps a source and records every call and its answer.
pub struct Recorder<'a> {
    inner: &'a dyn KojiSource,
    calls: Mutex<Vec<Recorded>>,
}

impl<'a> Recorder<'a> {
    pub fn new(inner: &'a dyn KojiSource) -> Self {
        Self {
            inner,
            calls: Mutex::new(Vec::new()),
        }
    }

    fn record(&self, call: &Call, answer: &Result<Value>) {
        let rec = match answer {
            Ok(v) => Recorded {
                call: call.clone(),
                result: v.clone(),
                fault: None,
            },
            Err(LoadError::Rpc { msg, .. }) if msg.starts_with("fault ") => Recorded {
                call: call.clone(),
                result: Value::Null,
                fault: Some(Fault {
                    message: msg.clone(),
                }),
            },
            // transport errors are not answers: nothing to replay
            Err(_) => return,
        };
        if let Ok(mut calls) = self.calls.lock()
            && !calls.iter().any(|r| r.call == rec.call)
        {
            calls.push(rec);
        }
    }

    /// The snapshot of everything recorded so far.
    pub fn snapshot(&self, tags: Vec<String>, event: Option<i64>) -> SnapshotFile {
        SnapshotFile {
            format: FORMAT.to_owned(),
            version: VERSION,
            hub: self.inner.origin().to_owned(),
            tags,
            event,
            calls: self.calls.lock().map(|c| c.clone()).unwrap_or_default(),
        }
    }
}

impl KojiSource for Recorder<'_> {
    fn origin(&self) -> &str {
        self.inner.origin()
    }

    fn call(&self, call: &Call) -> Result<Value> {
        let r = self.inner.call(call);
        self.record(call, &r);
        r
    }

    fn multicall(&self, calls: &[Call]) -> Result<Vec<Result<Value>>> {
        let rs = self.inner.multicall(calls)?;
        for (c, r) in calls.iter().zip(&rs) {
            self.record(c, r);
        }
        Ok(rs)
    }
}

/// Writes a snapshot to `path` (through a temporary file in the same directory, so a
/// failed write never leaves half a snapshot).
pub fn write(path: &Path, file: &SnapshotFile) -> Result<()> {
    let io = |p: &Path| {
        let p: PathBuf = p.to_owned();
        move |source| LoadError::Io { path: p, source }
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile_in(&dir).map_err(io(path))?;
    let json = serde_json::to_vec_pretty(file).map_err(|e| LoadError::Invalid {
        path: path.to_owned(),
        msg: format!("cannot serialise the snapshot: {e}"),
    })?;
    let tmp_path = tmp.1.clone();
    let result = tmp
        .0
        .write_all(&json)
        .and_then(|()| tmp.0.write_all(b"\n"))
        .and_then(|()| tmp.0.sync_all())
        .and_then(|()| std::fs::rename(&tmp_path, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp_path);
    }
    result.map_err(io(path))
}

/// A new file `.bramble-snapshot-PID-N.tmp` in `dir`.
fn tempfile_in(dir: &Path) -> std::io::Result<(std::fs::File, PathBuf)> {
    for n in 0..100 {
        let p = dir.join(format!(".bramble-snapshot-{}-{n}.tmp", std::process::id()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&p)
        {
            Ok(f) => return Ok((f, p)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("no free temporary file name"))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed;
    impl KojiSource for Fixed {
        fn origin(&self) -> &str {
            "http://hub.invalid/kojihub"
        }
        fn call(&self, call: &Call) -> Result<Value> {
            match call.method.as_str() {
                "getTag" => Ok(serde_json::json!({"id": 1, "name": call.args[0]})),
                _ => Err(LoadError::Rpc {
                    origin: self.origin().into(),
                    method: call.method.clone(),
                    msg: "fault 1000: no".into(),
                }),
            }
        }
    }

    #[test]
    fn recorded_answers_replay_offline() {
        let rec = Recorder::new(&Fixed);
        let get = Call::new("getTag", vec![Value::from("f19")]).kw("event", 3);
        let bad = Call::new("getRepo", vec![Value::from("f19")]);
        assert!(rec.call(&get).is_ok());
        assert!(rec.call(&bad).is_err());
        let file = rec.snapshot(vec!["f19".into()], None);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("snap.json");
        write(&path, &file).unwrap();
        let snap = Snapshot::open(&path).unwrap();
        assert_eq!(snap.content(), &file);
        assert_eq!(snap.call(&get).unwrap()["name"], "f19");
        let e = snap.call(&bad).unwrap_err().to_string();
        assert!(e.contains("fault 1000: no"), "{e}");
        let other = Call::new("getTag", vec![Value::from("f20")]);
        let e = snap.call(&other).unwrap_err().to_string();
        assert!(
            e.contains("not in this snapshot") && e.contains("hub.invalid"),
            "{e}"
        );
        // nothing but the snapshot is left in the directory
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn other_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.json");
        std::fs::write(&path, b"{\"format\": \"other\", \"version\": 1, \"hub\": \"\", \"tags\": [], \"event\": null, \"calls\": []}").unwrap();
        let e = Snapshot::open(&path).unwrap_err().to_string();
        assert!(e.contains("not `bramble-koji-snapshot`"), "{e}");
        std::fs::write(&path, b"<html>").unwrap();
        let e = Snapshot::open(&path).unwrap_err().to_string();
        assert!(e.contains("not a bramble Koji snapshot"), "{e}");
    }
}
