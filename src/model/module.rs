//! Module streams (modulemd), their defaults and obsoletes: the third kind of data
//! bramble reads, next to packages and Koji tags. Plain data as libmodulemd presents it
//! to dnf (modulemd v1 documents are upgraded to v2 on reading), plus the rules that need
//! no I/O: how stream dependencies are matched, how the defaults of several repositories
//! merge (libmodulemd's `ModuleIndexMerger`), and how artifact NEVRAs are parsed.

use std::collections::BTreeMap;

use serde::Serialize;

/// One module stream build: `name:stream:version:context:arch`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ModuleStream {
    pub name: String,
    pub stream: String,
    pub version: u64,
    pub context: String,
    pub arch: String,
    /// The modulemd version the document was written in (1 or 2); v1 is read as v2.
    pub mdversion: u8,
    pub static_context: bool,
    pub summary: String,
    pub description: String,
    pub module_licenses: Vec<String>,
    pub content_licenses: Vec<String>,
    /// Profiles by name, with the package names each installs.
    pub profiles: BTreeMap<String, Profile>,
    /// Package names that are the stream's public API.
    pub api: Vec<String>,
    /// Package names built but filtered out of the stream.
    pub filter: Vec<String>,
    /// The built packages as `name-epoch:version-release.arch` (source packages included).
    pub artifacts: Vec<String>,
    pub components: Vec<Component>,
    /// Dependency blocks; dnf requires every block (see [`ModuleStream::runtime_requires`]).
    pub dependencies: Vec<Dependencies>,
    /// modulemd v1's `eol` date, if any.
    pub eol: Option<String>,
    /// Line of the document in its file (1-based), for messages.
    pub line: u64,
}

/// A profile: a named set of packages to install.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Profile {
    pub description: String,
    pub rpms: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ComponentKind {
    Rpm,
    Module,
}

/// A component the stream is built from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Component {
    pub name: String,
    pub kind: ComponentKind,
    pub rationale: String,
    /// The SCM ref (`ref:`).
    pub git_ref: Option<String>,
    pub buildorder: i64,
    pub buildafter: Vec<String>,
    pub arches: Vec<String>,
}

/// One `dependencies` block: module name → streams. A stream `-x` excludes `x`; an empty
/// list accepts any stream.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Dependencies {
    pub buildrequires: BTreeMap<String, Vec<String>>,
    pub requires: BTreeMap<String, Vec<String>>,
}

/// A requirement on another module: the module name and its stream list as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamReq<'a> {
    pub module: &'a str,
    pub streams: &'a [String],
}

impl StreamReq<'_> {
    /// The streams required (those not written `-x`).
    pub fn wanted(&self) -> impl Iterator<Item = &str> {
        self.streams
            .iter()
            .map(String::as_str)
            .filter(|s| !s.starts_with('-'))
    }

    /// The streams excluded (`-x` written, `x` returned).
    pub fn excluded(&self) -> impl Iterator<Item = &str> {
        self.streams.iter().filter_map(|s| s.strip_prefix('-'))
    }

    /// Whether stream `s` of the module satisfies this requirement, as libdnf builds it:
    /// excluded streams conflict; with no wanted stream any stream will do.
    pub fn allows(&self, s: &str) -> bool {
        if self.excluded().any(|x| x == s) {
            return false;
        }
        let mut wanted = self.wanted().peekable();
        wanted.peek().is_none() || wanted.any(|w| w == s)
    }

    /// `name:[a,b]` as dnf prints a requirement (`module info`), `name` when any stream.
    pub fn display(&self) -> String {
        if self.streams.is_empty() {
            self.module.to_string()
        } else {
            let mut s: Vec<&str> = self.streams.iter().map(String::as_str).collect();
            s.sort_unstable();
            format!("{}:[{}]", self.module, s.join(","))
        }
    }
}

impl ModuleStream {
    /// `name:stream:version:context:arch`, with trailing empty parts left out as
    /// libmodulemd does.
    pub fn nsvca(&self) -> String {
        let version = if self.version == 0 {
            String::new()
        } else {
            self.version.to_string()
        };
        let mut s = [
            self.name.as_str(),
            self.stream.as_str(),
            version.as_str(),
            self.context.as_str(),
            self.arch.as_str(),
        ]
        .join(":");
        while s.ends_with(':') {
            s.pop();
        }
        s
    }

    /// `name:stream`.
    pub fn name_stream(&self) -> String {
        format!("{}:{}", self.name, self.stream)
    }

    /// Every runtime requirement of every dependency block (libdnf adds them all to the
    /// module's solvable, so all must hold).
    pub fn runtime_requires(&self) -> impl Iterator<Item = StreamReq<'_>> {
        self.dependencies.iter().flat_map(|d| {
            d.requires.iter().map(|(m, s)| StreamReq {
                module: m,
                streams: s,
            })
        })
    }

    /// Artifacts parsed; those that do not parse are left out.
    pub fn parsed_artifacts(&self) -> impl Iterator<Item = Artifact<'_>> {
        self.artifacts.iter().filter_map(|a| Artifact::parse(a))
    }
}

/// `modulemd-defaults` v1: the default stream and profiles of one module.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ModuleDefaults {
    pub module: String,
    pub stream: Option<String>,
    /// Default profiles by stream.
    pub profiles: BTreeMap<String, Vec<String>>,
    pub modified: u64,
    pub line: u64,
}

/// `modulemd-obsoletes` v1: a stream that reached its end of life or was replaced.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ModuleObsoletes {
    pub module: String,
    pub stream: String,
    pub context: Option<String>,
    /// `YYYY-MM-DDTHH:MMZ`; `None`: end of life now.
    pub eol_date: Option<String>,
    pub reset: bool,
    /// `(module, stream)` replacing this one.
    pub obsoleted_by: Option<(String, String)>,
    /// `YYYY-MM-DDTHH:MMZ`.
    pub modified: String,
    pub message: String,
    pub line: u64,
}

/// Everything one repository's module metadata says.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ModuleIndex {
    pub streams: Vec<ModuleStream>,
    pub defaults: Vec<ModuleDefaults>,
    pub obsoletes: Vec<ModuleObsoletes>,
    /// `modulemd-translations` documents read (and otherwise ignored).
    pub translations: usize,
    /// `modulemd-packager` v3 documents read (libmodulemd parses and drops them).
    pub packager_documents: usize,
}

impl ModuleIndex {
    /// Add a stream; one with the same NSVCA replaces the earlier one (libmodulemd).
    pub fn add_stream(&mut self, s: ModuleStream) {
        match self.streams.iter_mut().find(|o| {
            o.name == s.name
                && o.stream == s.stream
                && o.version == s.version
                && o.context == s.context
                && o.arch == s.arch
        }) {
            Some(o) => *o = s,
            None => self.streams.push(s),
        }
    }

    /// Add defaults; later defaults for the same module replace earlier ones.
    pub fn add_defaults(&mut self, d: ModuleDefaults) {
        match self.defaults.iter_mut().find(|o| o.module == d.module) {
            Some(o) => *o = d,
            None => self.defaults.push(d),
        }
    }

    /// Add obsoletes; one for the same module, stream, context and `modified` replaces
    /// the earlier one.
    pub fn add_obsoletes(&mut self, o: ModuleObsoletes) {
        match self.obsoletes.iter_mut().find(|x| {
            x.module == o.module
                && x.stream == o.stream
                && x.context == o.context
                && x.modified == o.modified
        }) {
            Some(x) => *x = o,
            None => self.obsoletes.push(o),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.streams.is_empty() && self.defaults.is_empty() && self.obsoletes.is_empty()
    }

    pub fn defaults_of(&self, module: &str) -> Option<&ModuleDefaults> {
        self.defaults.iter().find(|d| d.module == module)
    }
}

/// The defaults of one module after merging every repository's.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MergedDefaults {
    /// `None`: no default stream, or repositories disagree with equal `modified`.
    pub stream: Option<String>,
    pub profiles: BTreeMap<String, Vec<String>>,
    pub modified: u64,
    /// Why the merge dropped something (default stream or profile conflicts).
    pub conflicts: Vec<String>,
}

/// Merge defaults from several repositories, as libmodulemd's merger does at one
/// priority (dnf reads every repository at priority 0): a default stream only one side
/// has is taken; different streams are decided by the newer `modified`, and with equal
/// `modified` the module has no default stream. Profile sets merge per stream the same
/// way; an equal-`modified` mismatch keeps the earlier set and is reported.
pub fn merge_defaults<'a>(
    all: impl IntoIterator<Item = &'a ModuleDefaults>,
) -> BTreeMap<String, MergedDefaults> {
    let mut out: BTreeMap<String, (MergedDefaults, bool)> = BTreeMap::new();
    for d in all {
        let Some((into, conflict)) = out.get_mut(&d.module) else {
            out.insert(
                d.module.clone(),
                (
                    MergedDefaults {
                        stream: d.stream.clone(),
                        profiles: d.profiles.clone(),
                        modified: d.modified,
                        conflicts: Vec::new(),
                    },
                    false,
                ),
            );
            continue;
        };
        let (from_mod, into_mod) = (d.modified, into.modified);
        match (&d.stream, &into.stream) {
            (Some(f), None) if !*conflict => into.stream = Some(f.clone()),
            (Some(f), Some(i)) if f != i => {
                if from_mod > into_mod {
                    into.stream = Some(f.clone());
                } else if from_mod == into_mod {
                    into.conflicts.push(format!(
                        "default stream mismatch in module {}: {i} != {f}",
                        d.module
                    ));
                    into.stream = None;
                    *conflict = true;
                }
            }
            _ => {}
        }
        for (stream, profiles) in &d.profiles {
            match into.profiles.get(stream) {
                None => {
                    into.profiles.insert(stream.clone(), profiles.clone());
                }
                Some(have) if !same_set(have, profiles) => {
                    if from_mod > into_mod {
                        into.profiles.insert(stream.clone(), profiles.clone());
                    } else if from_mod == into_mod {
                        into.conflicts.push(format!(
                            "profile default mismatch in module {} stream {stream}",
                            d.module
                        ));
                    }
                }
                Some(_) => {}
            }
        }
        into.modified = into.modified.max(from_mod);
    }
    out.into_iter().map(|(k, (v, _))| (k, v)).collect()
}

fn same_set(a: &[String], b: &[String]) -> bool {
    let mut a: Vec<&String> = a.iter().collect();
    let mut b: Vec<&String> = b.iter().collect();
    a.sort_unstable();
    a.dedup();
    b.sort_unstable();
    b.dedup();
    a == b
}

/// An artifact NEVRA, `name-[epoch:]version-release.arch`, borrowed from its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Artifact<'a> {
    pub name: &'a str,
    pub epoch: u32,
    pub version: &'a str,
    pub release: &'a str,
    pub arch: &'a str,
}

impl<'a> Artifact<'a> {
    /// Parse as hawkey's `HY_FORM_NEVRA` does (any arch; the epoch may be missing).
    pub fn parse(s: &'a str) -> Option<Self> {
        let (rest, arch) = s.rsplit_once('.')?;
        let (rest, release) = rest.rsplit_once('-')?;
        let (name, ev) = rest.rsplit_once('-')?;
        let (epoch, version) = match ev.split_once(':') {
            Some((e, v)) => (e.parse().ok()?, v),
            None => (0, ev),
        };
        if name.is_empty() || version.is_empty() || release.is_empty() || arch.is_empty() {
            return None;
        }
        Some(Artifact {
            name,
            epoch,
            version,
            release,
            arch,
        })
    }
}

/// libmodulemd's `modulemd_validate_nevra`: `N-E:V-R.A` with an explicit numeric epoch.
pub fn is_valid_artifact_nevra(s: &str) -> bool {
    let Some((rest, _arch)) = s.rsplit_once('.') else {
        return false;
    };
    let Some((rest, _release)) = rest.rsplit_once('-') else {
        return false;
    };
    let Some((rest, _version)) = rest.rsplit_once(':') else {
        return false;
    };
    let Some((_name, epoch)) = rest.rsplit_once('-') else {
        return false;
    };
    let digits = epoch.strip_prefix(['-', '+']).unwrap_or(epoch);
    digits.bytes().next().is_some_and(|b| b.is_ascii_digit())
}

/// A module context as libmodulemd accepts a static one: 1 to 10 ASCII letters/digits.
pub fn context_error(context: &str) -> Option<String> {
    if context.is_empty() {
        Some("Empty stream context".to_string())
    } else if context.len() > 10 {
        Some(format!(
            "Stream context '{context}' exceeds maximum length (10)"
        ))
    } else if !context.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Some(format!(
            "Non-alphanumeric character in stream context '{context}'"
        ))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(xs: &[&str]) -> Vec<String> {
        xs.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn stream_requirements_follow_libdnf() {
        let streams = v(&["el8", "el9"]);
        let r = StreamReq {
            module: "platform",
            streams: &streams,
        };
        assert!(r.allows("el9") && !r.allows("f29"));
        let neg = v(&["-f27", "-f28"]);
        let r = StreamReq {
            module: "platform",
            streams: &neg,
        };
        assert!(r.allows("f29") && !r.allows("f28"));
        let any: Vec<String> = Vec::new();
        let r = StreamReq {
            module: "perl",
            streams: &any,
        };
        assert!(r.allows("5.30"));
        assert_eq!(r.display(), "perl");
        assert_eq!(
            StreamReq {
                module: "platform",
                streams: &v(&["el9"])
            }
            .display(),
            "platform:[el9]"
        );
    }

    #[test]
    fn nsvca_drops_trailing_empty_parts() {
        let mut s = ModuleStream {
            name: "nodejs".into(),
            stream: "18".into(),
            ..Default::default()
        };
        assert_eq!(s.nsvca(), "nodejs:18");
        s.version = 9030020231120101010;
        s.context = "rhel9".into();
        s.arch = "x86_64".into();
        assert_eq!(s.nsvca(), "nodejs:18:9030020231120101010:rhel9:x86_64");
    }

    #[test]
    fn artifacts_parse_with_and_without_epoch() {
        let a = Artifact::parse("nodejs-1:18.19.0-1.module+el9.3.0+20001+a1b2c3d4.src").unwrap();
        assert_eq!(
            (a.name, a.epoch, a.version, a.arch),
            ("nodejs", 1, "18.19.0", "src")
        );
        let a = Artifact::parse("perl-List-Compare-0.53-9.module_1588+5eed94c6.noarch").unwrap();
        assert_eq!(
            (a.name, a.epoch, a.release),
            ("perl-List-Compare", 0, "9.module_1588+5eed94c6")
        );
        assert!(Artifact::parse("nonsense").is_none());
        assert!(is_valid_artifact_nevra(
            "bar-0:1.23-1.module_deadbeef.x86_64"
        ));
        assert!(!is_valid_artifact_nevra("MissingEpoch-0-0.src"));
        assert!(!is_valid_artifact_nevra("bar-x:1.23-1.x86_64"));
    }

    #[test]
    fn contexts_are_validated_as_libmodulemd() {
        assert!(context_error("c0ffee43").is_none());
        assert!(context_error("-").unwrap().contains("Non-alphanumeric"));
        assert!(context_error("a2345678901").unwrap().contains("exceeds"));
    }

    fn defaults(module: &str, stream: Option<&str>, modified: u64) -> ModuleDefaults {
        ModuleDefaults {
            module: module.into(),
            stream: stream.map(String::from),
            modified,
            ..Default::default()
        }
    }

    #[test]
    fn defaults_merge_like_libmodulemd() {
        // equal modified, different streams: no default
        let a = defaults("meson", Some("latest"), 0);
        let b = defaults("meson", Some("old"), 0);
        let m = merge_defaults([&a, &b]);
        assert_eq!(m["meson"].stream, None);
        assert_eq!(m["meson"].conflicts.len(), 1);
        // a third agreeing one does not bring it back
        let c = defaults("meson", Some("latest"), 0);
        assert_eq!(merge_defaults([&a, &b, &c])["meson"].stream, None);
        // newer modified wins
        let n = defaults("nodejs", Some("10"), 5);
        let o = defaults("nodejs", Some("12"), 9);
        assert_eq!(
            merge_defaults([&n, &o])["nodejs"].stream.as_deref(),
            Some("12")
        );
        assert_eq!(
            merge_defaults([&o, &n])["nodejs"].stream.as_deref(),
            Some("12")
        );
        // a stream only one side has is taken
        let none = defaults("ninja", None, 9);
        let some = defaults("ninja", Some("latest"), 1);
        assert_eq!(
            merge_defaults([&none, &some])["ninja"].stream.as_deref(),
            Some("latest")
        );
    }

    #[test]
    fn index_replaces_same_nsvca_and_module_defaults() {
        let mut idx = ModuleIndex::default();
        let s = ModuleStream {
            name: "a".into(),
            stream: "1".into(),
            summary: "first".into(),
            ..Default::default()
        };
        idx.add_stream(s.clone());
        idx.add_stream(ModuleStream {
            summary: "second".into(),
            ..s
        });
        assert_eq!(idx.streams.len(), 1);
        assert_eq!(idx.streams[0].summary, "second");
        idx.add_defaults(defaults("a", Some("1"), 0));
        idx.add_defaults(defaults("a", Some("2"), 0));
        assert_eq!(idx.defaults_of("a").unwrap().stream.as_deref(), Some("2"));
    }
}
