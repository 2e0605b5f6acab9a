//! dnf `.repo` files and `--repofrompath NAME,PATH`: where a repository lives.
//!
//! The INI dialect is dnf5's (libdnf5 `IniParser`), because that is what users' files are
//! written against:
//! - comments are lines whose *first* byte is `#` or `;`; a `#` later in a value is part of it
//!   (`failovermethod=priority#baseurl=...` really is one value);
//! - a line starting with whitespace continues the previous value (joined with `\n`); such a
//!   line with no value to continue is an error, as in dnf;
//! - a value wrapped in matching `"` or `'` loses them; keys are case-sensitive;
//! - a repeated section is merged into the first one, a repeated key overrides the earlier one;
//! - `[main]` is skipped.
//!
//! Values go through dnf's variable substitution (`$var`, `${var}`, `${var:-word}`,
//! `${var:+word}`, `\` escapes) before they are interpreted. Unknown variables stay literal, as
//! in dnf; a `$releasever` that cannot be expanded is reported in [`RepoSpec::warnings`].
//! An invalid option value (say `enabled=maybe`) keeps the default and warns, as dnf does;
//! malformed lines are a [`LoadError::Syntax`] naming file, line and column.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::load::error::{LoadError, Result};

/// The characters dnf accepts in a repository id.
fn is_repo_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':')
}

/// dnf's limit on nested `${var:-${other:-...}}` expressions.
const MAX_EXPRESSION_DEPTH: u32 = 32;

/// Variables for `$name` substitution in `.repo` values.
///
/// `arch`, `basearch`, `releasever`, `releasever_major` and `releasever_minor` come from the
/// fields (the last two are derived from `releasever` by splitting at the first `.`, as dnf
/// does); anything else is looked up in `custom` (for example the files of `/etc/dnf/vars`,
/// see [`Vars::load_dir`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vars {
    pub arch: String,
    pub basearch: String,
    /// `None` leaves `$releasever` literal (and [`RepoSpec::warnings`] says so).
    pub releasever: Option<String>,
    pub custom: BTreeMap<String, String>,
}

impl Default for Vars {
    /// The host's architecture, no release version.
    fn default() -> Self {
        Self::for_arch(host_arch(), None)
    }
}

impl Vars {
    /// Variables for an rpm architecture such as `x86_64` or `i686`; `basearch` is derived from
    /// it the way dnf derives it.
    pub fn for_arch(arch: &str, releasever: Option<&str>) -> Self {
        Self {
            arch: arch.to_owned(),
            basearch: basearch_of(arch).to_owned(),
            releasever: releasever.map(str::to_owned),
            custom: BTreeMap::new(),
        }
    }

    /// The value of variable `name`, if it has one.
    pub fn get(&self, name: &str) -> Option<&str> {
        match name {
            "arch" => Some(&self.arch),
            "basearch" => Some(&self.basearch),
            "releasever" => self.releasever.as_deref(),
            "releasever_major" => self
                .releasever
                .as_deref()
                .map(|r| r.split_once('.').map_or(r, |(major, _)| major))
                .filter(|m| !m.is_empty()),
            "releasever_minor" => self
                .releasever
                .as_deref()
                .and_then(|r| r.split_once('.'))
                .map(|(_, minor)| minor)
                .filter(|m| !m.is_empty()),
            _ => self.custom.get(name).map(String::as_str),
        }
    }

    /// `text` with every known variable expanded; unknown ones are left as written.
    pub fn substitute(&self, text: &str) -> String {
        self.substitute_tracking(text).0
    }

    /// Like [`Vars::substitute`], also returning the names of variables that were left
    /// unexpanded because they have no value (not those with a `${var:-default}`).
    pub fn substitute_tracking(&self, text: &str) -> (String, Vec<String>) {
        let mut unresolved = Vec::new();
        let (out, _) = self.expand(text, 0, &mut unresolved);
        unresolved.dedup();
        (out, unresolved)
    }

    /// Reads a dnf vars directory (`/etc/dnf/vars`): each file is a variable named after the
    /// file, its value is the file's first line. Sub-directories and unreadable names are
    /// skipped; values already in `custom` are replaced.
    pub fn load_dir(&mut self, dir: &Path) -> Result<()> {
        let io_err = |source| LoadError::Io {
            path: dir.to_path_buf(),
            source,
        };
        for entry in std::fs::read_dir(dir).map_err(io_err)? {
            let entry = entry.map_err(io_err)?;
            let path = entry.path();
            if !path.is_file() {
                continue;
            }
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                continue;
            }
            let text = std::fs::read_to_string(&path).map_err(|source| LoadError::Io {
                path: path.clone(),
                source,
            })?;
            let value = text.lines().next().unwrap_or("").to_owned();
            self.custom.insert(name.to_owned(), value);
        }
        Ok(())
    }

    /// Expands `text` (a whole value at depth 0, or the `word` of `${var:-word}` at depth > 0).
    /// At depth > 0 the scan stops before an unmatched `}`; the second result is how many bytes
    /// were consumed, or `None` when a nested expression has no closing `}` (then the caller
    /// leaves it literal).
    fn expand(
        &self,
        text: &str,
        depth: u32,
        unresolved: &mut Vec<String>,
    ) -> (String, Option<usize>) {
        if depth > MAX_EXPRESSION_DEPTH {
            return (text.to_owned(), Some(text.len()));
        }
        let bytes = text.as_bytes();
        let mut out = String::with_capacity(text.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'}' if depth > 0 => return (out, Some(i)),
                b'\\' => {
                    // `\x` is `x`; a lone trailing backslash stays.
                    let Some(c) = text[i + 1..].chars().next() else {
                        out.push('\\');
                        break;
                    };
                    out.push(c);
                    i += 1 + c.len_utf8();
                }
                b'$' => match self.expand_dollar(text, i, depth, unresolved) {
                    Dollar::Replaced(value, next) => {
                        out.push_str(&value);
                        i = next;
                    }
                    Dollar::Literal(next) => {
                        out.push_str(&text[i..next]);
                        i = next;
                    }
                    Dollar::Unterminated => {
                        out.push_str(&text[i..]);
                        i = bytes.len();
                    }
                },
                _ => {
                    let c = text[i..].chars().next().unwrap_or('\u{fffd}');
                    out.push(c);
                    i += c.len_utf8().max(1);
                }
            }
        }
        if depth > 0 {
            (text.to_owned(), None)
        } else {
            (out, Some(bytes.len()))
        }
    }

    /// Handles the `$` at `text[dollar]`.
    fn expand_dollar(
        &self,
        text: &str,
        dollar: usize,
        depth: u32,
        unresolved: &mut Vec<String>,
    ) -> Dollar {
        let bytes = text.as_bytes();
        let braces = bytes.get(dollar + 1) == Some(&b'{');
        let name_start = dollar + 1 + usize::from(braces);
        let name_end = name_start
            + bytes[name_start.min(bytes.len())..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                .count();
        let name = &text[name_start.min(text.len())..name_end.min(text.len())];
        if !braces {
            return match self.get(name) {
                Some(v) if !name.is_empty() => Dollar::Replaced(v.to_owned(), name_end),
                _ => {
                    if !name.is_empty() {
                        unresolved.push(name.to_owned());
                    }
                    Dollar::Literal(name_end.max(dollar + 1))
                }
            };
        }
        match bytes.get(name_end) {
            None => Dollar::Unterminated,
            Some(b'}') => match self.get(name) {
                Some(v) => Dollar::Replaced(v.to_owned(), name_end + 1),
                None => {
                    if !name.is_empty() {
                        unresolved.push(name.to_owned());
                    }
                    Dollar::Literal(name_end + 1)
                }
            },
            Some(b':') => {
                let mode = bytes.get(name_end + 1).copied();
                if !matches!(mode, Some(b'-' | b'+')) {
                    return if mode.is_none() {
                        Dollar::Unterminated
                    } else {
                        Dollar::Literal(name_end + 1)
                    };
                }
                let word_start = name_end + 2;
                let (word, consumed) = self.expand(&text[word_start..], depth + 1, unresolved);
                let Some(consumed) = consumed else {
                    return Dollar::Unterminated;
                };
                let close = word_start + consumed;
                if bytes.get(close) != Some(&b'}') {
                    return Dollar::Unterminated;
                }
                let value = self.get(name).filter(|v| !v.is_empty());
                let replacement = match (mode, value) {
                    (Some(b'-'), Some(v)) => v.to_owned(),
                    (Some(b'-'), None) | (_, Some(_)) => word,
                    (_, None) => String::new(),
                };
                Dollar::Replaced(replacement, close + 1)
            }
            Some(_) => Dollar::Literal(name_end),
        }
    }
}

enum Dollar {
    /// Substitute this value and continue at the index.
    Replaced(String, usize),
    /// Copy the text up to the index unchanged.
    Literal(usize),
    /// An unfinished `${...`: the rest of the text stays literal.
    Unterminated,
}

/// The rpm architecture of the machine bramble was built for (`x86` becomes `i686`,
/// 64-bit little-endian POWER `ppc64le`, ...).
pub fn host_arch() -> &'static str {
    let little = cfg!(target_endian = "little");
    match std::env::consts::ARCH {
        "x86" => "i686",
        "arm" => "armv7hl",
        "powerpc" => "ppc",
        "powerpc64" if little => "ppc64le",
        "powerpc64" => "ppc64",
        "mips" if little => "mipsel",
        "mips64" if little => "mips64el",
        other => other,
    }
}

/// dnf's base architecture of an rpm architecture: the directory name repositories use
/// (`i686` → `i386`, `armv7hl` → `armhfp`, `amd64` → `x86_64`, ...). Unknown arches map to
/// themselves.
pub fn basearch_of(arch: &str) -> &str {
    match arch {
        "athlon" | "geode" | "i386" | "i486" | "i586" | "i686" => "i386",
        "x86_64" | "amd64" | "ia32e" | "x86_64_v2" | "x86_64_v3" | "x86_64_v4" => "x86_64",
        "armv5tejl" | "armv5tel" | "armv5tl" | "armv6l" | "armv7l" | "armv8l" => "arm",
        "armv6hl" | "armv7hl" | "armv7hnl" | "armv8hl" | "armv8hnl" | "armv8hcnl" => "armhfp",
        "ppc64" | "ppc64iseries" | "ppc64p7" | "ppc64pseries" => "ppc64",
        "sh4" | "sh4a" => "sh4",
        "sparc" | "sparc64" | "sparc64v" | "sparcv8" | "sparcv9" | "sparcv9v" => "sparc",
        a if a.starts_with("alpha") => "alpha",
        other => other,
    }
}

/// One repository as configured: a `.repo` section or a `--repofrompath`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepoSpec {
    pub id: String,
    pub name: Option<String>,
    /// Mirrors of the same repository, in the order dnf would try them.
    pub baseurls: Vec<String>,
    pub metalink: Option<String>,
    pub mirrorlist: Option<String>,
    pub enabled: bool,
    pub module_hotfixes: bool,
    /// Lower is preferred; dnf's default 99.
    pub priority: i32,
    /// Lower is preferred among equal priorities; dnf's default 1000.
    pub cost: i32,
    /// The `.repo` file, or `--repofrompath` for a repository given on the command line.
    pub file: PathBuf,
    /// Line of the `[id]` header (1-based); 0 for `--repofrompath`.
    pub line: usize,
    /// Every other option (`gpgcheck`, `gpgkey`, `type`, `skip_if_unavailable`, ...), after
    /// variable substitution.
    pub options: BTreeMap<String, String>,
    /// Problems that did not stop parsing (bad option values, unexpanded variables, no name).
    pub warnings: Vec<String>,
}

/// Where to read a repository from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RepoLocation {
    /// A directory holding `repodata/` (from a plain path or a `file://` URL).
    Local(PathBuf),
    /// An `http://` or `https://` base URL.
    Remote(String),
}

impl RepoSpec {
    /// A repository with dnf's defaults and no location yet.
    fn new(id: String, file: PathBuf, line: usize) -> Self {
        Self {
            id,
            name: None,
            baseurls: Vec::new(),
            metalink: None,
            mirrorlist: None,
            enabled: true,
            module_hotfixes: false,
            priority: 99,
            cost: 1000,
            file,
            line,
            options: BTreeMap::new(),
            warnings: Vec::new(),
        }
    }

    /// The name to show: `name`, or the id when there is none.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }

    /// The location to load from: the first `baseurl` bramble can read.
    pub fn location(&self) -> Result<RepoLocation> {
        let mut all = self.locations()?;
        Ok(all.swap_remove(0))
    }

    /// Every `baseurl` bramble can read, in order (mirrors to fall back on). Never empty:
    /// a repository with only `metalink`/`mirrorlist`, with only unsupported URL schemes, or
    /// with no location at all is an error.
    pub fn locations(&self) -> Result<Vec<RepoLocation>> {
        let mut found = Vec::new();
        let mut unsupported = None;
        for url in &self.baseurls {
            match classify_baseurl(url) {
                Ok(loc) => found.push(loc),
                Err(why) => {
                    unsupported.get_or_insert(why);
                }
            }
        }
        if !found.is_empty() {
            return Ok(found);
        }
        if let Some(why) = unsupported {
            return Err(LoadError::Unsupported {
                what: format!("the baseurl of repo `{}`", self.id),
                why,
            });
        }
        if self.metalink.is_some() || self.mirrorlist.is_some() {
            let what = if self.metalink.is_some() {
                "metalink"
            } else {
                "mirrorlist"
            };
            return Err(LoadError::Unsupported {
                what: format!("the {what} of repo `{}`", self.id),
                why: format!(
                    "metalink/mirrorlist not supported, give a baseurl (for example \
                     `--repofrompath {},URL`)",
                    self.id
                ),
            });
        }
        Err(LoadError::Invalid {
            path: self.file.clone(),
            msg: format!(
                "repo `{}` (line {}) has no baseurl, metalink or mirrorlist",
                self.id, self.line
            ),
        })
    }
}

/// A baseurl as a location, or why it cannot be one.
fn classify_baseurl(url: &str) -> std::result::Result<RepoLocation, String> {
    let Some((scheme, rest)) = url.split_once("://") else {
        // dnf (librepo) takes a plain path as a local directory.
        return Ok(RepoLocation::Local(PathBuf::from(url)));
    };
    match scheme.to_ascii_lowercase().as_str() {
        "http" | "https" => Ok(RepoLocation::Remote(url.to_owned())),
        "file" => {
            // file:///path or file://localhost/path
            let path = if rest.starts_with('/') {
                rest
            } else if let Some(p) = rest.strip_prefix("localhost") {
                p
            } else {
                return Err(format!("`{url}`: file URLs on another host cannot be read"));
            };
            Ok(RepoLocation::Local(PathBuf::from(percent_decode(path))))
        }
        other => Err(format!(
            "`{url}`: the `{other}` scheme (bramble reads local paths, file:// and http(s):// URLs)"
        )),
    }
}

/// `%XX` decoding for file URLs; invalid escapes and non-UTF-8 results are left as written.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = s.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_owned())
}

/// Whether `text` looks like an INI `.repo` file rather than, say, a libsolv testcase repo
/// (`=Ver: 2.0` ...), which shares the extension: the first line that is neither blank nor a
/// comment opens a section. An empty file counts as INI (it holds no repositories).
pub fn looks_like_ini(text: &str) -> bool {
    text.trim_start_matches('\u{feff}')
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with(';'))
        .is_none_or(|l| l.starts_with('['))
}

/// Parses a dnf `.repo` file. `path` is only used in errors and [`RepoSpec::file`].
pub fn parse_repo_file(text: &str, path: &Path, vars: &Vars) -> Result<Vec<RepoSpec>> {
    let sections = parse_ini(text, path)?;
    let mut repos = Vec::with_capacity(sections.len());
    for section in sections {
        if section.name == "main" {
            continue;
        }
        let id = vars.substitute(&section.name);
        if let Some((pos, bad)) = id.char_indices().find(|(_, c)| !is_repo_id_char(*c)) {
            let column = if id == section.name {
                section.column + 2 + id[..pos].chars().count()
            } else {
                section.column + 2
            };
            return Err(LoadError::Syntax {
                path: path.to_path_buf(),
                line: section.line as u64,
                column: column as u64,
                msg: format!(
                    "bad repo id `{id}`: `{bad}` is not allowed (letters, digits and `-_.:` are)"
                ),
            });
        }
        if id.is_empty() {
            return Err(LoadError::Syntax {
                path: path.to_path_buf(),
                line: section.line as u64,
                column: section.column as u64 + 2,
                msg: format!("section `[{}]` gives an empty repo id", section.name),
            });
        }
        repos.push(build_repo(id, section, path, vars));
    }
    Ok(repos)
}

/// Reads and parses one `.repo` file.
pub fn read_repo_file(path: &Path, vars: &Vars) -> Result<Vec<RepoSpec>> {
    let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let text = String::from_utf8(bytes).map_err(|e| LoadError::Invalid {
        path: path.to_path_buf(),
        msg: format!("not UTF-8 (at byte {})", e.utf8_error().valid_up_to()),
    })?;
    parse_repo_file(&text, path, vars)
}

/// Reads every `*.repo` file of a directory such as `/etc/yum.repos.d`, in file-name order.
/// A repo id defined by two files is an error, as in dnf.
pub fn read_repo_dir(dir: &Path, vars: &Vars) -> Result<Vec<RepoSpec>> {
    let io_err = |source| LoadError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io_err)? {
        let path = entry.map_err(io_err)?.path();
        if path.extension().is_some_and(|e| e == "repo") && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    let mut repos: Vec<RepoSpec> = Vec::new();
    for file in files {
        for repo in read_repo_file(&file, vars)? {
            if let Some(first) = repos.iter().find(|r| r.id == repo.id) {
                return Err(LoadError::Invalid {
                    path: file,
                    msg: format!(
                        "repo `{}` (line {}) is already defined in {}:{}",
                        repo.id,
                        repo.line,
                        first.file.display(),
                        first.line
                    ),
                });
            }
            repos.push(repo);
        }
    }
    Ok(repos)
}

/// dnf's `--repofrompath NAME,PATH`: PATH is a directory (made absolute), or a `file://` or
/// `http(s)://` URL. The repository is enabled with default priority and cost.
pub fn parse_repofrompath(arg: &str) -> Result<RepoSpec> {
    let invalid = |msg: String| LoadError::Invalid {
        path: PathBuf::from("--repofrompath"),
        msg,
    };
    let Some((id, location)) = arg.split_once(',') else {
        return Err(invalid(format!("expected `NAME,PATH`, got `{arg}`")));
    };
    let (id, location) = (id.trim(), location.trim());
    if id.is_empty() || location.is_empty() {
        return Err(invalid(format!(
            "expected `NAME,PATH` with both parts non-empty, got `{arg}`"
        )));
    }
    if let Some(bad) = id.chars().find(|c| !is_repo_id_char(*c)) {
        return Err(invalid(format!(
            "bad repo id `{id}`: `{bad}` is not allowed (letters, digits and `-_.:` are)"
        )));
    }
    let baseurl = if location.contains("://") {
        location.to_owned()
    } else {
        let abs = std::path::absolute(location)
            .map_err(|e| invalid(format!("cannot make `{location}` absolute: {e}")))?;
        abs.to_string_lossy().into_owned()
    };
    let mut repo = RepoSpec::new(id.to_owned(), PathBuf::from("--repofrompath"), 0);
    repo.baseurls.push(baseurl);
    // Fail now on a scheme we cannot read rather than when loading.
    repo.location()?;
    Ok(repo)
}

/// One `[section]` of an INI file, before interpretation.
struct Section {
    name: String,
    line: usize,
    /// 0-based character column of the `[`.
    column: usize,
    /// `(key, value, line)` in file order.
    entries: Vec<(String, String, usize)>,
    /// Later `[name]` headers merged into this one.
    repeated_at: Vec<usize>,
}

/// A key whose value may still continue on the next lines.
struct Pending {
    key: String,
    value: String,
    line: usize,
}

fn syntax(path: &Path, line: usize, column: usize, msg: impl Into<String>) -> LoadError {
    LoadError::Syntax {
        path: path.to_path_buf(),
        line: line as u64,
        column: column as u64,
        msg: msg.into(),
    }
}

/// 1-based character column of byte offset `byte` in `line`.
fn column_of(line: &str, byte: usize) -> usize {
    line.get(..byte).map_or(byte, |s| s.chars().count()) + 1
}

fn parse_ini(text: &str, path: &Path) -> Result<Vec<Section>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut sections: Vec<Section> = Vec::new();
    let mut current: Option<usize> = None;
    let mut pending: Option<Pending> = None;

    let flush =
        |pending: &mut Option<Pending>, sections: &mut Vec<Section>, current: Option<usize>| {
            if let (Some(p), Some(idx)) = (pending.take(), current) {
                let value = unquote(p.value.trim_end_matches('\n'));
                sections[idx]
                    .entries
                    .push((p.key, value.to_owned(), p.line));
            }
        };

    for (idx, raw) in text.split('\n').enumerate() {
        let lineno = idx + 1;
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            flush(&mut pending, &mut sections, current);
            continue;
        }
        let is_blank = |c: char| matches!(c, ' ' | '\t' | '\r');
        let Some(start) = line.find(|c: char| !is_blank(c)) else {
            // A whitespace-only line inside a value adds an (eventually trimmed) line break.
            if let Some(p) = pending.as_mut() {
                p.value.push('\n');
            }
            continue;
        };
        let content = line.trim_end_matches(is_blank);
        if pending.is_some() && (start == 0 || line[start..].starts_with('[')) {
            flush(&mut pending, &mut sections, current);
        }

        if line[start..].starts_with('[') {
            let name = section_header(line, start, lineno, path)?;
            if let Some(existing) = sections.iter().position(|s| s.name == name) {
                sections[existing].repeated_at.push(lineno);
                current = Some(existing);
            } else {
                sections.push(Section {
                    name: name.to_owned(),
                    line: lineno,
                    column: column_of(line, start) - 1,
                    entries: Vec::new(),
                    repeated_at: Vec::new(),
                });
                current = Some(sections.len() - 1);
            }
            continue;
        }

        if current.is_none() {
            return Err(syntax(
                path,
                lineno,
                column_of(line, start),
                "option outside a section (the file needs a `[repo-id]` header first)",
            ));
        }

        if start > 0 {
            let Some(p) = pending.as_mut() else {
                return Err(syntax(
                    path,
                    lineno,
                    column_of(line, start),
                    "indented line does not continue any option",
                ));
            };
            p.value.push('\n');
            p.value.push_str(&content[start..]);
            continue;
        }

        let Some(eq) = line.find('=') else {
            return Err(syntax(
                path,
                lineno,
                column_of(line, content.len()),
                format!("expected `key=value`, found no `=` in `{content}`"),
            ));
        };
        if eq == 0 {
            return Err(syntax(path, lineno, 1, "missing option name before `=`"));
        }
        let key = line[..eq].trim_end_matches([' ', '\t']);
        let value = content
            .get(eq + 1..)
            .unwrap_or("")
            .trim_start_matches([' ', '\t']);
        pending = Some(Pending {
            key: key.to_owned(),
            value: value.to_owned(),
            line: lineno,
        });
    }
    flush(&mut pending, &mut sections, current);
    Ok(sections)
}

/// The name in the section header `line`, whose `[` is at byte `start`.
fn section_header<'a>(line: &'a str, start: usize, lineno: usize, path: &Path) -> Result<&'a str> {
    let name_start = start + 1;
    let content_len = line.trim_end_matches([' ', '\t', '\r']).len();
    let Some(name_len) = section_name_len(&line[name_start..]) else {
        return Err(syntax(
            path,
            lineno,
            column_of(line, content_len),
            "unterminated section header: missing `]`",
        ));
    };
    if name_len == 0 {
        return Err(syntax(
            path,
            lineno,
            column_of(line, name_start),
            "empty section name",
        ));
    }
    let after = name_start + name_len + 1;
    for (off, c) in line[after..].char_indices() {
        if c == '#' || c == ';' {
            break;
        }
        if !matches!(c, ' ' | '\t' | '\r') {
            return Err(syntax(
                path,
                lineno,
                column_of(line, after + off),
                format!("unexpected `{c}` after the section header"),
            ));
        }
    }
    Ok(&line[name_start..name_start + name_len])
}

/// Length of a section name up to its closing `]`, where `[...]` inside the name (dnf allows
/// ranges such as `[repo-[ab]]`) does not close it. `None` if the line has no closing `]`.
fn section_name_len(s: &str) -> Option<usize> {
    let mut in_range = false;
    for (i, b) in s.bytes().enumerate() {
        match b {
            b']' if in_range => in_range = false,
            b']' => return Some(i),
            b'[' => in_range = true,
            _ => {}
        }
    }
    None
}

/// A value wrapped in matching single or double quotes loses them.
fn unquote(v: &str) -> &str {
    let b = v.as_bytes();
    if b.len() > 1 && b[0] == b[b.len() - 1] && matches!(b[0], b'"' | b'\'') {
        &v[1..v.len() - 1]
    } else {
        v
    }
}

/// dnf's boolean spellings (case-insensitive).
fn parse_bool(v: &str) -> Option<bool> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "yes" | "true" | "on" => Some(true),
        "0" | "no" | "false" | "off" => Some(false),
        _ => None,
    }
}

/// dnf's list syntax: items separated by spaces, commas or line breaks.
fn split_list(v: &str) -> Vec<String> {
    v.split([' ', ',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn build_repo(id: String, section: Section, path: &Path, vars: &Vars) -> RepoSpec {
    let mut repo = RepoSpec::new(id, path.to_path_buf(), section.line);
    for line in &section.repeated_at {
        repo.warnings.push(format!(
            "line {line}: section `[{}]` repeated; its options are merged into line {}",
            section.name, section.line
        ));
    }
    let mut unexpanded: Vec<(String, String)> = Vec::new();
    for (key, raw, line) in section.entries {
        let (value, unresolved) = vars.substitute_tracking(&raw);
        if matches!(key.as_str(), "baseurl" | "metalink" | "mirrorlist") {
            for var in unresolved {
                if !unexpanded.iter().any(|(v, k)| *v == var && *k == key) {
                    unexpanded.push((var, key.clone()));
                }
            }
        }
        let mut bad_value = |what: &str| {
            repo.warnings.push(format!(
                "line {line}: invalid {what} `{value}` for `{key}`, using the default"
            ));
        };
        match key.as_str() {
            "name" => repo.name = Some(value.clone()).filter(|n| !n.is_empty()),
            "baseurl" => repo.baseurls = split_list(&value),
            "metalink" => repo.metalink = Some(value.clone()).filter(|v| !v.is_empty()),
            "mirrorlist" => repo.mirrorlist = Some(value.clone()).filter(|v| !v.is_empty()),
            "enabled" => match parse_bool(&value) {
                Some(b) => repo.enabled = b,
                None => bad_value("boolean"),
            },
            "module_hotfixes" => match parse_bool(&value) {
                Some(b) => repo.module_hotfixes = b,
                None => bad_value("boolean"),
            },
            "priority" => match value.parse() {
                Ok(n) => repo.priority = n,
                Err(_) => bad_value("number"),
            },
            "cost" => match value.parse() {
                Ok(n) => repo.cost = n,
                Err(_) => bad_value("number"),
            },
            _ => {
                repo.options.insert(key, value);
            }
        }
    }
    for (var, key) in unexpanded {
        let why = if var.starts_with("releasever") {
            "no release version given (use --releasever)".to_owned()
        } else {
            "unknown variable".to_owned()
        };
        repo.warnings.push(format!(
            "`${var}` in `{key}` of repo `{}` left unexpanded: {why}",
            repo.id
        ));
    }
    if repo.name.is_none() {
        repo.warnings
            .push(format!("repo `{}` has no name, using its id", repo.id));
    }
    repo
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Vars {
        Vars::for_arch("x86_64", Some("39"))
    }

    fn parse(text: &str) -> Result<Vec<RepoSpec>> {
        parse_repo_file(text, Path::new("t.repo"), &vars())
    }

    fn syntax_at(text: &str) -> (u64, u64, String) {
        match parse(text) {
            Err(LoadError::Syntax {
                line, column, msg, ..
            }) => (line, column, msg),
            other => panic!("expected a syntax error, got {other:?}"),
        }
    }

    #[test]
    fn basearch_follows_dnf() {
        assert_eq!(basearch_of("i686"), "i386");
        assert_eq!(basearch_of("athlon"), "i386");
        assert_eq!(basearch_of("armv7hl"), "armhfp");
        assert_eq!(basearch_of("armv7l"), "arm");
        assert_eq!(basearch_of("amd64"), "x86_64");
        assert_eq!(basearch_of("ppc64p7"), "ppc64");
        assert_eq!(basearch_of("ppc64le"), "ppc64le");
        assert_eq!(basearch_of("sparcv9"), "sparc");
        assert_eq!(basearch_of("alphaev67"), "alpha");
        assert_eq!(basearch_of("aarch64"), "aarch64");
        assert_eq!(basearch_of("s390x"), "s390x");
        assert_eq!(Vars::for_arch("i686", None).basearch, "i386");
        let host = Vars::default();
        assert_eq!(host.arch, host_arch());
        assert_eq!(host.releasever, None);
    }

    #[test]
    fn substitution_forms() {
        let mut v = Vars::for_arch("i686", Some("9.4"));
        v.custom.insert("contentdir".into(), "centos".into());
        v.custom.insert("empty".into(), String::new());
        assert_eq!(
            v.substitute("$contentdir/$releasever/$basearch/$arch"),
            "centos/9.4/i386/i686"
        );
        assert_eq!(v.substitute("${releasever}x"), "9.4x");
        assert_eq!(v.substitute("$releasever_major-$releasever_minor"), "9-4");
        assert_eq!(v.substitute("${nope:-fallback}"), "fallback");
        assert_eq!(v.substitute("${empty:-fallback}"), "fallback");
        assert_eq!(v.substitute("${arch:-fallback}"), "i686");
        assert_eq!(v.substitute("${arch:+set}|${nope:+set}|"), "set||");
        assert_eq!(
            v.substitute("${nope:-${also:-$basearch}}"),
            "i386",
            "nested defaults expand"
        );
        assert_eq!(v.substitute(r"\$basearch"), "$basearch");
        assert_eq!(v.substitute("cost$"), "cost$");
        assert_eq!(v.substitute("a $ b"), "a $ b");
        assert_eq!(v.substitute("${unterminated"), "${unterminated");
        assert_eq!(v.substitute("${nope:-open"), "${nope:-open");
        assert_eq!(v.substitute("${arch?}"), "${arch?}");
        assert_eq!(v.substitute("${arch:=x}"), "${arch:=x}");
        assert_eq!(v.substitute("ünï$arch€"), "ünïi686€");
        let (s, unresolved) = v.substitute_tracking("$nope/${other}/${x:-y}");
        assert_eq!(s, "$nope/${other}/y");
        assert_eq!(unresolved, vec!["nope".to_owned(), "other".to_owned()]);
        // A releasever without a dot has a major but no minor.
        let v = Vars::for_arch("x86_64", Some("rawhide"));
        assert_eq!(
            v.substitute("$releasever_major/$releasever_minor"),
            "rawhide/$releasever_minor"
        );
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let v = vars();
        let deep = "${a:-".repeat(200) + &"}".repeat(200);
        // Whatever it yields, it must not panic or recurse without bound.
        let _ = v.substitute(&deep);
    }

    #[test]
    fn parses_a_typical_file() {
        let text = "\
# comment
[fedora]
name=Fedora $releasever - $basearch
baseurl=http://a.example/$releasever/$basearch/os/
\thttp://b.example/$releasever/os/ , http://c.example/
enabled = 0
module_hotfixes=True
priority=10
cost=500
gpgcheck=1
gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-fedora-$releasever-$basearch

[updates]
name=\"Updates\"
metalink=https://mirrors.example/metalink?repo=updates-f$releasever&arch=$basearch
";
        let repos = parse(text).unwrap();
        assert_eq!(repos.len(), 2);
        let f = &repos[0];
        assert_eq!(f.id, "fedora");
        assert_eq!(f.line, 2);
        assert_eq!(f.name.as_deref(), Some("Fedora 39 - x86_64"));
        assert_eq!(
            f.baseurls,
            [
                "http://a.example/39/x86_64/os/",
                "http://b.example/39/os/",
                "http://c.example/"
            ]
        );
        assert!(!f.enabled);
        assert!(f.module_hotfixes);
        assert_eq!((f.priority, f.cost), (10, 500));
        assert_eq!(f.options["gpgcheck"], "1");
        assert_eq!(
            f.options["gpgkey"],
            "file:///etc/pki/rpm-gpg/RPM-GPG-KEY-fedora-39-x86_64"
        );
        assert!(f.warnings.is_empty(), "{:?}", f.warnings);
        assert_eq!(
            f.location().unwrap(),
            RepoLocation::Remote("http://a.example/39/x86_64/os/".into())
        );
        let u = &repos[1];
        assert_eq!(u.name.as_deref(), Some("Updates"));
        assert!(u.enabled && !u.module_hotfixes);
        assert_eq!((u.priority, u.cost), (99, 1000));
        assert_eq!(
            u.metalink.as_deref(),
            Some("https://mirrors.example/metalink?repo=updates-f39&arch=x86_64")
        );
        match u.location() {
            Err(LoadError::Unsupported { what, why }) => {
                assert!(
                    what.contains("metalink") && what.contains("updates"),
                    "{what}"
                );
                assert!(
                    why.contains("metalink/mirrorlist not supported, give a baseurl"),
                    "{why}"
                );
            }
            other => panic!("expected unsupported, got {other:?}"),
        }
    }

    #[test]
    fn merges_repeated_sections_and_skips_main() {
        let text = "[main]\ngpgcheck=1\n[a]\nname=A\nbaseurl=/one\n[b]\nname=B\nbaseurl=/b\n\
                    [a]\nenabled=no\nbaseurl=/two\n";
        let repos = parse(text).unwrap();
        let ids: Vec<_> = repos.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        assert!(!repos[0].enabled);
        assert_eq!(repos[0].baseurls, ["/two"], "a later key overrides");
        assert!(repos[0].warnings.iter().any(|w| w.contains("repeated")));
        assert_eq!(
            repos[1].location().unwrap(),
            RepoLocation::Local(PathBuf::from("/b"))
        );
    }

    #[test]
    fn inline_hash_quotes_bom_crlf_and_blank_continuations() {
        let text = "\u{feff}[a]\r\nname='A'\r\nfailovermethod=priority#baseurl=http://x/\r\n\
                    ;comment\r\nbaseurl=\r\n  file:///srv/my%20repo/\r\n   \r\n  /srv/other\r\n\r\n";
        let repos = parse(text).unwrap();
        let a = &repos[0];
        assert_eq!(a.name.as_deref(), Some("A"));
        assert_eq!(a.options["failovermethod"], "priority#baseurl=http://x/");
        assert_eq!(a.baseurls, ["file:///srv/my%20repo/", "/srv/other"]);
        assert_eq!(
            a.locations().unwrap(),
            [
                RepoLocation::Local(PathBuf::from("/srv/my repo/")),
                RepoLocation::Local(PathBuf::from("/srv/other"))
            ]
        );
    }

    #[test]
    fn bad_values_warn_and_keep_defaults() {
        let repos = parse("[a]\nenabled=maybe\npriority=high\ncost=\nbaseurl=/x\n").unwrap();
        let a = &repos[0];
        assert!(a.enabled);
        assert_eq!((a.priority, a.cost), (99, 1000));
        assert_eq!(
            a.warnings.iter().filter(|w| w.contains("invalid")).count(),
            3
        );
        assert!(a.warnings.iter().any(|w| w.contains("no name")));
        let all_bools = "[a]\nname=a\nenabled=OFF\nmodule_hotfixes=yes\n";
        let a = &parse(all_bools).unwrap()[0];
        assert!(!a.enabled && a.module_hotfixes);
        let neg = &parse("[a]\nname=a\npriority=-5\ncost=+7\n").unwrap()[0];
        assert_eq!((neg.priority, neg.cost), (-5, 7));
    }

    #[test]
    fn releasever_missing_is_left_literal_with_a_warning() {
        let text = "[f]\nname=F\nbaseurl=http://x/$releasever/$basearch/ http://y/${releasever}/\n\
                    gpgkey=file:///k-$releasever\n";
        let repos =
            parse_repo_file(text, Path::new("f.repo"), &Vars::for_arch("aarch64", None)).unwrap();
        let f = &repos[0];
        assert_eq!(
            f.baseurls,
            ["http://x/$releasever/aarch64/", "http://y/${releasever}/"]
        );
        let w: Vec<_> = f
            .warnings
            .iter()
            .filter(|w| w.contains("$releasever"))
            .collect();
        assert_eq!(
            w.len(),
            1,
            "one warning per variable and key: {:?}",
            f.warnings
        );
        assert!(
            w[0].contains("--releasever") && w[0].contains("baseurl"),
            "{}",
            w[0]
        );
        let other = parse("[g]\nname=G\nbaseurl=file://$testdatadir/x/\n").unwrap();
        assert!(other[0].warnings.iter().any(|w| w.contains("$testdatadir")));
    }

    #[test]
    fn syntax_errors_name_line_and_column() {
        let (l, c, m) = syntax_at("name=x\n[a]\n");
        assert_eq!((l, c), (1, 1));
        assert!(m.contains("outside a section"), "{m}");
        let (l, c, m) = syntax_at("[a]\nname=x\njust words\n");
        assert_eq!((l, c), (3, 11));
        assert!(m.contains("no `=`"), "{m}");
        let (l, c, m) = syntax_at("[a]\nname=x\n[broken\n");
        assert_eq!((l, c), (3, 8));
        assert!(m.contains("missing `]`"), "{m}");
        let (l, _, m) = syntax_at("[]\n");
        assert_eq!(l, 1);
        assert!(m.contains("empty section"), "{m}");
        let (l, c, m) = syntax_at("[a] junk\n");
        assert_eq!((l, c), (1, 5));
        assert!(m.contains("after the section header"), "{m}");
        let (l, c, m) = syntax_at("[a]\n=x\n");
        assert_eq!((l, c), (2, 1));
        assert!(m.contains("option name"), "{m}");
        let (l, c, m) = syntax_at("[a]\n# c\n   indented=1\n");
        assert_eq!((l, c), (3, 4));
        assert!(m.contains("does not continue"), "{m}");
        let (l, c, m) = syntax_at("[a]\nname=a\n[bad id]\n");
        assert_eq!((l, c), (3, 5));
        assert!(m.contains("bad repo id"), "{m}");
        let (l, c, m) = syntax_at("[b-[xy]]\n");
        assert_eq!((l, c), (1, 4));
        assert!(m.contains("`[`"), "{m}");
        // The error display names the file.
        let err = parse("[a\n").unwrap_err().to_string();
        assert!(err.starts_with("t.repo:1:"), "{err}");
    }

    #[test]
    fn ids_can_use_variables() {
        let repos = parse("[fedora-$releasever]\nname=x\n").unwrap();
        assert_eq!(repos[0].id, "fedora-39");
    }

    #[test]
    fn locations_and_their_errors() {
        let mut r = RepoSpec::new("r".into(), PathBuf::from("r.repo"), 3);
        assert!(matches!(r.location(), Err(LoadError::Invalid { .. })));
        r.mirrorlist = Some("http://m/".into());
        let err = r.location().unwrap_err().to_string();
        assert!(
            err.contains("mirrorlist") && err.contains("give a baseurl"),
            "{err}"
        );
        r.baseurls = vec!["ftp://old/".into()];
        let err = r.location().unwrap_err().to_string();
        assert!(err.contains("`ftp` scheme"), "{err}");
        r.baseurls.push("HTTPS://new/".into());
        assert_eq!(
            r.location().unwrap(),
            RepoLocation::Remote("HTTPS://new/".into())
        );
        r.baseurls = vec!["file://localhost/srv/r".into(), "file://other/srv".into()];
        assert_eq!(
            r.locations().unwrap(),
            [RepoLocation::Local("/srv/r".into())]
        );
        assert_eq!(r.display_name(), "r");
    }

    #[test]
    fn repofrompath_forms() {
        let r = parse_repofrompath("local,/srv/repo").unwrap();
        assert_eq!(r.id, "local");
        assert_eq!(r.baseurls, ["/srv/repo"]);
        assert!(r.enabled);
        assert_eq!((r.priority, r.cost, r.line), (99, 1000, 0));
        assert_eq!(
            r.location().unwrap(),
            RepoLocation::Local("/srv/repo".into())
        );

        let rel = parse_repofrompath("rel,some/dir").unwrap();
        let RepoLocation::Local(p) = rel.location().unwrap() else {
            panic!("local expected")
        };
        assert!(
            p.is_absolute() && p.ends_with("some/dir"),
            "{}",
            p.display()
        );

        let web = parse_repofrompath("web,https://example.org/repo/x86_64/").unwrap();
        assert_eq!(
            web.location().unwrap(),
            RepoLocation::Remote("https://example.org/repo/x86_64/".into())
        );
        let file = parse_repofrompath("f,file:///srv/r").unwrap();
        assert_eq!(
            file.location().unwrap(),
            RepoLocation::Local("/srv/r".into())
        );

        for bad in ["noComma", ",/x", "x,", "bad id,/x", "x,ftp://old/"] {
            let err = parse_repofrompath(bad).unwrap_err().to_string();
            assert!(!err.is_empty(), "{bad}");
        }
        let err = parse_repofrompath("noComma").unwrap_err().to_string();
        assert!(err.contains("NAME,PATH"), "{err}");
    }

    #[test]
    fn ini_detection() {
        assert!(looks_like_ini("# c\n\n[a]\nname=x\n"));
        assert!(looks_like_ini(""));
        assert!(!looks_like_ini("=Ver: 2.0\n#\n=Pkg: a 1 1 noarch\n"));
    }

    #[test]
    fn read_dir_orders_files_and_rejects_duplicate_ids() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("b.repo"), "[b]\nname=B\nbaseurl=/b\n").unwrap();
        std::fs::write(dir.path().join("a.repo"), "[a]\nname=A\nbaseurl=/a\n").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not a repo").unwrap();
        let repos = read_repo_dir(dir.path(), &vars()).unwrap();
        let ids: Vec<_> = repos.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        std::fs::write(dir.path().join("c.repo"), "[a]\nname=again\n").unwrap();
        let err = read_repo_dir(dir.path(), &vars()).unwrap_err().to_string();
        assert!(err.contains("already defined"), "{err}");
        std::fs::write(dir.path().join("d.repo"), b"[d]\nname=\xff\n").unwrap();
        let err = read_repo_file(&dir.path().join("d.repo"), &vars()).unwrap_err();
        assert!(err.to_string().contains("not UTF-8"), "{err}");
    }

    #[test]
    fn vars_dir() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("contentdir"), "centos\nignored\n").unwrap();
        std::fs::write(dir.path().join("bad-name"), "x").unwrap();
        let mut v = vars();
        v.load_dir(dir.path()).unwrap();
        assert_eq!(v.get("contentdir"), Some("centos"));
        assert_eq!(v.get("bad-name"), None);
    }

    /// Every INI `.repo` file of the corpus parses; libsolv testcase repos sharing the
    /// extension are recognised and skipped.
    #[test]
    fn corpus_repo_files() {
        let Some(root) = std::env::var_os("BRAMBLE_CORPUS") else {
            eprintln!("BRAMBLE_CORPUS not set, skipping");
            return;
        };
        let mut files = Vec::new();
        let mut stack = vec![PathBuf::from(root)];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "repo") {
                    files.push(p);
                }
            }
        }
        files.sort();
        let (mut ini, mut skipped) = (0, 0);
        let mut found: Vec<(PathBuf, RepoSpec)> = Vec::new();
        for f in &files {
            let Ok(text) = std::fs::read_to_string(f) else {
                skipped += 1;
                continue;
            };
            if !looks_like_ini(&text) {
                skipped += 1;
                continue;
            }
            ini += 1;
            let repos = parse_repo_file(&text, f, &vars())
                .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            for r in repos {
                // Whatever the file says, asking for a location never panics.
                let _ = r.location();
                found.push((f.clone(), r));
            }
        }
        eprintln!("{ini} INI .repo files, {skipped} others skipped");
        assert!(ini > 0 && skipped > 0);
        let get = |file: &str, id: &str| {
            found
                .iter()
                .find(|(p, r)| p.ends_with(file) && r.id == id)
                .map(|(_, r)| r)
        };
        if let Some(b) = get("yum.repos.d/bumblebee.repo", "bumblebee") {
            assert_eq!(
                b.baseurls,
                ["http://install.linux.ncsu.edu/pub/yum/itecs/public/bumblebee/fedora39/"],
                "continuation line after an empty `baseurl=`"
            );
            assert!(b.enabled);
        }
        if let Some(r) = get("yum.repos.d/redhat.repo", "redhat") {
            assert!(!r.enabled);
        }
        if let Some(f) = get("modules/etc/dnf/repos.d/fedora.repo", "fedora") {
            assert!(
                f.metalink
                    .as_deref()
                    .is_some_and(|m| m.contains("fedora-39&arch=x86_64"))
            );
            assert!(matches!(f.location(), Err(LoadError::Unsupported { .. })));
        }
        if let Some(s) = get("repos.d/fedora-modular.repo", "fedora-modular-source") {
            assert!(s.options["failovermethod"].starts_with("priority#baseurl="));
        }
    }
}
