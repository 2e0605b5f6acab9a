//! Koji client profiles, read as the `koji` CLI reads them (`koji.read_config`): the files
//! `/etc/koji.conf.d/*.conf`, `/etc/koji.conf`, `~/.koji/config.d/*.conf`, `~/.koji/config`
//! in that order (or one file given with `-c`), later files overriding earlier ones key by
//! key, in the section named after the profile (`koji` by default). bramble uses `server`
//! (the hub URL), `topurl`, `timeout`, and for TLS `cert` (client certificate and key in
//! one PEM file) and `serverca` (CA bundle to verify the hub), `~` expanded. As in koji,
//! `cert` is used when `authtype = ssl`, or when no `authtype` is set and the file exists.
//!
//! The files are Python `configparser` INI: `[section]`, `key = value` or `key: value`,
//! `#`/`;` comment lines, indented continuation lines; keys are case-insensitive.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::load::error::{LoadError, Result};

/// The profile used when none is named.
pub const DEFAULT_PROFILE: &str = "koji";

/// A resolved profile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    /// The hub's XML-RPC URL.
    pub server: String,
    pub topurl: Option<String>,
    /// Seconds to wait for an answer.
    pub timeout: Option<u64>,
    /// The TLS client certificate (and key) to present, when koji would use one.
    pub cert: Option<PathBuf>,
    /// CA certificates to verify the hub with.
    pub serverca: Option<PathBuf>,
    /// Files that contributed to it, in the order read.
    pub files: Vec<PathBuf>,
}

/// The configuration files in the order the koji CLI reads them (only those that exist).
pub fn default_files(home: Option<&Path>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let push_dir = |dir: &Path, out: &mut Vec<PathBuf>| {
        if let Ok(rd) = std::fs::read_dir(dir) {
            let mut files: Vec<PathBuf> = rd
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "conf") && p.is_file())
                .collect();
            files.sort();
            out.extend(files);
        }
    };
    push_dir(Path::new("/etc/koji.conf.d"), &mut out);
    out.push(PathBuf::from("/etc/koji.conf"));
    if let Some(home) = home {
        push_dir(&home.join(".koji/config.d"), &mut out);
        out.push(home.join(".koji/config"));
    }
    out.retain(|p| p.is_file());
    out
}

/// Sections of an INI text: section → key → value.
pub type Ini = BTreeMap<String, BTreeMap<String, String>>;

/// Parses Python-configparser INI text; errors name the file and line.
pub fn parse_ini(text: &str, path: &Path) -> Result<Ini> {
    let mut ini = Ini::new();
    let mut section: Option<String> = None;
    let mut last_key: Option<String> = None;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim_end();
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            // continuation of the previous value
            if let (Some(s), Some(k)) = (&section, &last_key)
                && let Some(v) = ini.get_mut(s).and_then(|m| m.get_mut(k))
            {
                v.push('\n');
                v.push_str(trimmed);
                continue;
            }
        }
        if let Some(rest) = trimmed.strip_prefix('[') {
            let Some(name) = rest.strip_suffix(']') else {
                return Err(syntax(path, n, "a section header must end with `]`"));
            };
            let name = name.trim().to_owned();
            ini.entry(name.clone()).or_default();
            section = Some(name);
            last_key = None;
            continue;
        }
        let Some(cut) = trimmed.find(['=', ':']) else {
            return Err(syntax(path, n, "expected `key = value`"));
        };
        let Some(s) = &section else {
            return Err(syntax(path, n, "a key before any `[section]`"));
        };
        let key = trimmed[..cut].trim().to_ascii_lowercase();
        let value = trimmed[cut + 1..].trim().to_owned();
        ini.entry(s.clone()).or_default().insert(key.clone(), value);
        last_key = Some(key);
    }
    Ok(ini)
}

fn syntax(path: &Path, n: usize, msg: &str) -> LoadError {
    LoadError::Syntax {
        path: path.to_owned(),
        line: n as u64 + 1,
        column: 1,
        msg: msg.to_owned(),
    }
}

/// Resolves `profile` from `files` (later files override earlier ones).
pub fn load_profile(profile: &str, files: &[PathBuf]) -> Result<Profile> {
    let mut values: BTreeMap<String, String> = BTreeMap::new();
    let mut used = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(f).map_err(|source| LoadError::Io {
            path: f.clone(),
            source,
        })?;
        let ini = parse_ini(&text, f)?;
        if let Some(section) = ini.get(profile) {
            values.extend(section.iter().map(|(k, v)| (k.clone(), v.clone())));
            used.push(f.clone());
        }
    }
    if used.is_empty() {
        let searched = if files.is_empty() {
            "no configuration file exists (/etc/koji.conf, ~/.koji/config)".to_owned()
        } else {
            format!(
                "searched {}",
                files
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        return Err(LoadError::KojiConfig {
            msg: format!("no profile `{profile}`: {searched}; give the hub with --hub URL"),
        });
    }
    let Some(server) = values.get("server").filter(|s| !s.is_empty()) else {
        return Err(LoadError::KojiConfig {
            msg: format!("profile `{profile}` has no `server`"),
        });
    };
    let timeout = match values.get("timeout") {
        Some(t) => Some(t.parse::<f64>().ok().filter(|t| *t > 0.0).ok_or_else(|| {
            LoadError::KojiConfig {
                msg: format!("profile `{profile}`: `timeout = {t}` is not a number of seconds"),
            }
        })? as u64),
        None => None,
    };
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let path_of = |key: &str| {
        values
            .get(key)
            .filter(|v| !v.is_empty())
            .map(|v| expand_user(v, home.as_deref()))
    };
    let cert = path_of("cert").filter(|c| match values.get("authtype").map(String::as_str) {
        Some("ssl") => true,
        None | Some("") => c.is_file(),
        Some(_) => false,
    });
    Ok(Profile {
        name: profile.to_owned(),
        server: server.clone(),
        topurl: values.get("topurl").cloned().filter(|s| !s.is_empty()),
        timeout,
        cert,
        serverca: path_of("serverca"),
        files: used,
    })
}

/// `~` and `~/...` as Python's `os.path.expanduser` reads them (other users' `~name`
/// are left as they are).
pub fn expand_user(path: &str, home: Option<&Path>) -> PathBuf {
    match (path.strip_prefix('~'), home) {
        (Some(""), Some(h)) => h.to_owned(),
        (Some(rest), Some(h)) if rest.starts_with('/') => h.join(rest.trim_start_matches('/')),
        _ => PathBuf::from(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_files_override_key_by_key() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.conf");
        let b = dir.path().join("b.conf");
        std::fs::write(
            &a,
            "; system\n[koji]\nserver = https://koji.example/kojihub\ntopurl: https://kojipkgs.example\n\n[brew]\nserver=https://brew.example/brewhub\n",
        )
        .unwrap();
        std::fs::write(
            &b,
            "[koji]\nServer = http://127.0.0.1:1/kojihub\ntimeout = 60\n",
        )
        .unwrap();
        let p = load_profile("koji", &[a.clone(), b.clone()]).unwrap();
        assert_eq!(p.server, "http://127.0.0.1:1/kojihub");
        assert_eq!(p.topurl.as_deref(), Some("https://kojipkgs.example"));
        assert_eq!(p.timeout, Some(60));
        assert_eq!(p.files, [a.clone(), b.clone()]);
        let brew = load_profile("brew", &[a.clone(), b.clone()]).unwrap();
        assert_eq!(brew.server, "https://brew.example/brewhub");
        assert_eq!(brew.files, std::slice::from_ref(&a));
        let e = load_profile("stg", &[a, b]).unwrap_err().to_string();
        assert!(
            e.contains("no profile `stg`") && e.contains("a.conf"),
            "{e}"
        );
    }

    #[test]
    fn tls_files_follow_koji_rules() {
        let dir = tempfile::tempdir().unwrap();
        let pem = dir.path().join("client.pem");
        std::fs::write(&pem, "x").unwrap();
        let conf = dir.path().join("k.conf");
        let write = |body: &str| {
            std::fs::write(&conf, format!("[koji]\nserver = https://h/kojihub\n{body}")).unwrap()
        };
        write(&format!("cert = {}\nserverca = /ca.pem\n", pem.display()));
        let p = load_profile("koji", std::slice::from_ref(&conf)).unwrap();
        assert_eq!(
            p.cert.as_deref(),
            Some(pem.as_path()),
            "no authtype: the file exists"
        );
        assert_eq!(p.serverca.as_deref(), Some(Path::new("/ca.pem")));
        write("cert = /nonexistent.pem\n");
        let p = load_profile("koji", std::slice::from_ref(&conf)).unwrap();
        assert_eq!(
            p.cert, None,
            "no authtype and no file: not used, as in koji"
        );
        write("authtype = ssl\ncert = /nonexistent.pem\n");
        let p = load_profile("koji", std::slice::from_ref(&conf)).unwrap();
        assert_eq!(p.cert.as_deref(), Some(Path::new("/nonexistent.pem")));
        write(&format!("authtype = noauth\ncert = {}\n", pem.display()));
        let p = load_profile("koji", std::slice::from_ref(&conf)).unwrap();
        assert_eq!(p.cert, None);
        let home = Path::new("/home/u");
        assert_eq!(
            expand_user("~/.koji/c", Some(home)),
            Path::new("/home/u/.koji/c")
        );
        assert_eq!(expand_user("~", Some(home)), home);
        assert_eq!(expand_user("~bob/x", Some(home)), Path::new("~bob/x"));
        assert_eq!(expand_user("/a", None), Path::new("/a"));
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let e = parse_ini("[koji]\nserver\n", Path::new("/x.conf"))
            .unwrap_err()
            .to_string();
        assert_eq!(e, "/x.conf:2:1: expected `key = value`");
        let ini = parse_ini("[p]\nk = a\n  b\n", Path::new("/x")).unwrap();
        assert_eq!(ini["p"]["k"], "a\nb");
    }
}
