//! Module metadata of the whole corpus (`$BRAMBLE_CORPUS`): every valid modulemd,
//! modulemd-defaults and modulemd-obsoletes document loads, and the deliberately broken
//! ones are rejected with the error libmodulemd gives (its own tests say which), naming
//! the file and the line. Files that are not module metadata (other YAML) are skipped.

use std::path::{Path, PathBuf};

use bramble::load::compress::read_decoded;
use bramble::load::error::LoadError;
use bramble::load::modulemd::{load_modules_file, parse_modules};

/// Documents that must fail: (file under the corpus, line of the error, text the message
/// contains). Where libmodulemd's tests state the expected error, the text is theirs.
const EXPECTED_FAILURES: &[(&str, u64, &str)] = &[
    // libmodulemd's validator tests: `--stderr 'Stream context'`
    (
        "libmodulemd/modulemd/tests/test_data/bad_stream_v2.yaml",
        1,
        "Non-alphanumeric character in stream context '-'",
    ),
    (
        "libmodulemd/modulemd/tests/test_data/bad_stream_v1.yaml",
        1,
        "Artifact 'MissingEpoch-0-0.src' was not in valid N-E:V-R.A format.",
    ),
    // packager v2 without a license (and, as in any index, without a name)
    (
        "libmodulemd/modulemd/tests/test_data/bad_packager_v2.yaml",
        1,
        "Module license is missing",
    ),
    // validator test `invalid_packagerv3`: `--stderr 'context exceeds'`
    (
        "libmodulemd/modulemd/tests/test_data/bad_packager_v3.yaml",
        1,
        "Stream context 'a2345678901' exceeds maximum length (10)",
    ),
    (
        "libmodulemd/modulemd/tests/test_data/bad_translations_v1.yaml",
        6,
        "invalid unsigned integer `42invalid`",
    ),
    // moduleindex test: `data: foobar` is one failure
    (
        "libmodulemd/modulemd/tests/test_data/broken_stream.yaml",
        4,
        "invalid type: string \"foobar\"",
    ),
    // validator test `invalid_defaultsv1.yaml`
    (
        "libmodulemd/modulemd/tests/test_data/invalid_defaults.yaml",
        5,
        "invalid unsigned integer `42invalid`",
    ),
    (
        "libmodulemd/modulemd/tests/test_data/invalid_obsoletes_v1.yaml",
        1,
        "message is missing",
    ),
    // validator test `invalid`: `--stdout 'No data section provided'`
    (
        "libmodulemd/modulemd/tests/test_data/good_and_bad.yaml",
        176,
        "No data section provided",
    ),
    // validator tests `valid_defaultsv1_with_garbage/unexpected_document_as_defaultsv1`:
    // the defaults document is fine, what follows `...` is not a document
    (
        "libmodulemd/modulemd/tests/test_data/valid_defaults_with_garbage.yaml",
        7,
        "expected a modulemd document",
    ),
    (
        "libmodulemd/modulemd/tests/test_data/valid_defaults_with_unexpected_document.yaml",
        7,
        "expected a modulemd document",
    ),
    // validator test `stream_packagerv3_invalid_mix_as_index`: the packager v2 document
    // has no module name, which an index (what dnf builds) refuses
    (
        "libmodulemd/modulemd/tests/test_data/stream_packager_mix.yaml",
        13,
        "module and stream names are required",
    ),
    // libmodulemd's stream tests (test-modulemd-modulestream.c, buildafter/buildarches)
    (
        "libmodulemd/modulemd/tests/test_data/buildafter/invalid_key_v2.yaml",
        1,
        "Buildafter 'nosuchkey' not found in components list",
    ),
    (
        "libmodulemd/modulemd/tests/test_data/buildafter/both_same_component_v2.yaml",
        1,
        "Cannot combine buildorder and buildafter",
    ),
    (
        "libmodulemd/modulemd/tests/test_data/buildafter/mixed_buildorder_v2.yaml",
        1,
        "Cannot mix buildorder and buildafter in the same stream",
    ),
    (
        "libmodulemd/modulemd/tests/test_data/buildarches/bad_combo_arches_v2.yaml",
        1,
        "arch 'i686' not in module buildopts.arches",
    ),
    // Valid stream fragments of libmodulemd's stream tests, but without module and stream
    // names: libmodulemd's index (and so dnf) refuses them.
    (
        "libmodulemd/modulemd/tests/test_data/buildafter/good_buildafter_v2.yaml",
        1,
        "module and stream names are required",
    ),
    (
        "libmodulemd/modulemd/tests/test_data/buildarches/good_combo_arches_v2.yaml",
        1,
        "module and stream names are required",
    ),
    (
        "libmodulemd/modulemd/tests/test_data/buildarches/good_no_arches_v2.yaml",
        1,
        "module and stream names are required",
    ),
    (
        "libmodulemd/modulemd/tests/test_data/buildarches/only_module_arches_v2.yaml",
        1,
        "module and stream names are required",
    ),
    (
        "libmodulemd/modulemd/tests/test_data/buildarches/only_rpm_arches_v2.yaml",
        1,
        "module and stream names are required",
    ),
    (
        "libmodulemd/yaml_specs/modulemd_packager_v2.yaml",
        39,
        "module and stream names are required",
    ),
    (
        "libmodulemd/modulemd/tests/test_data/dependson_v1.yaml",
        1,
        "module and stream names are required",
    ),
    (
        "libmodulemd/modulemd/tests/test_data/dependson_v2.yaml",
        1,
        "module and stream names are required",
    ),
    // Real damage in EuroLinux 8 beta AppStream: `documenl: modulemd`, and a document
    // whose `document:` line is gone (libmodulemd cannot tell their type either).
    (
        "eurolinux8-modules/aarch64-beta-appstream/modules.yaml",
        36550,
        "no `document` key",
    ),
    (
        "eurolinux8-modules/x86_64-beta-appstream/modules.yaml",
        58516,
        "no `document` key",
    ),
];

/// Corpus files that are YAML fragments of libmodulemd's unit tests (a profile, a
/// component, buildopts ...), not documents: they have no `document:` key and are not
/// module metadata; checked to be rejected, not counted.
fn is_fragment(text: &str) -> bool {
    !text.contains("document:")
}

fn candidates(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            candidates(&p, out);
            continue;
        }
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        let yamlish = [".yaml", ".yml"]
            .iter()
            .any(|e| name.contains(e) && !name.ends_with(".zck"));
        let compressed_plain = ["gzipped", "xzipped", "bzipped", "zstded"].contains(&name.as_str());
        if yamlish || compressed_plain {
            out.push(p);
        }
    }
}

#[test]
fn every_modulemd_document_of_the_corpus_loads_or_fails_as_libmodulemd_says() {
    let Some(corpus) = super::common::corpus() else {
        return;
    };
    let mut files = Vec::new();
    candidates(&corpus, &mut files);
    let (mut nfiles, mut docs, mut streams, mut defaults, mut obsoletes) = (0, 0, 0, 0, 0);
    let mut fragments = 0;
    let mut unexpected = Vec::new();
    let mut matched = vec![false; EXPECTED_FAILURES.len()];
    for f in &files {
        let rel = f.strip_prefix(&corpus).unwrap().display().to_string();
        let Ok(data) = read_decoded(f, None) else {
            continue;
        };
        let text = String::from_utf8_lossy(&data);
        if !text.contains("modulemd") {
            continue; // other YAML (koschei, libzypp, CI configs)
        }
        let load = load_modules_file(f).unwrap();
        if is_fragment(&text) {
            // libmodulemd's index test: te.yaml (a translation entry) is one failure
            assert!(
                load.index.is_empty() && !load.errors.is_empty(),
                "{rel}: a fragment without `document:` was not rejected"
            );
            fragments += 1;
            continue;
        }
        nfiles += 1;
        docs += load.documents;
        streams += load.index.streams.len();
        defaults += load.index.defaults.len();
        obsoletes += load.index.obsoletes.len();
        eprintln!(
            "{rel}: {} documents, {} streams, {} defaults, {} obsoletes, {} errors",
            load.documents,
            load.index.streams.len(),
            load.index.defaults.len(),
            load.index.obsoletes.len(),
            load.errors.len()
        );
        for e in &load.errors {
            let text = e.to_string();
            assert!(
                text.contains(&f.display().to_string()),
                "error does not name the file: {text}"
            );
            let LoadError::Syntax { line, .. } = e else {
                unexpected.push(format!("{rel}: not a positioned error: {text}"));
                continue;
            };
            match EXPECTED_FAILURES
                .iter()
                .position(|(p, l, m)| *p == rel && l == line && text.contains(m))
            {
                Some(i) => matched[i] = true,
                None => unexpected.push(text),
            }
        }
    }
    let missing: Vec<String> = EXPECTED_FAILURES
        .iter()
        .zip(&matched)
        .filter(|(_, m)| !**m)
        .map(|((p, l, m), _)| format!("{p}:{l}: {m}"))
        .collect();
    eprintln!(
        "{nfiles} module metadata files, {docs} documents: {streams} streams, {defaults} defaults, {obsoletes} obsoletes; {} expected failures; {fragments} YAML fragments rejected",
        EXPECTED_FAILURES.len()
    );
    assert!(
        unexpected.is_empty() && missing.is_empty(),
        "unexpected errors:\n{}\n\nexpected but not seen:\n{}",
        unexpected.join("\n"),
        missing.join("\n")
    );
    assert!(streams > 1500, "only {streams} streams");
}

/// libmodulemd's compression test: every compressed copy gives what the plain file gives.
#[test]
fn compressed_module_metadata_equals_the_plain_file() {
    let Some(corpus) = super::common::corpus() else {
        return;
    };
    let dir = corpus.join("libmodulemd/modulemd/tests/test_data/compression");
    let plain = load_modules_file(&dir.join("uncompressed.yaml")).unwrap();
    assert!(plain.errors.is_empty());
    assert!(!plain.index.streams.is_empty());
    for name in [
        "gzipped.yaml.gz",
        "xzipped.yaml.xz",
        "zstded.yaml.zst",
        "bzipped.yaml.bz2",
    ] {
        let l = load_modules_file(&dir.join(name)).unwrap();
        assert!(l.errors.is_empty(), "{name}: {:?}", l.errors);
        assert_eq!(l.index, plain.index, "{name}");
    }
}

/// libmodulemd's `get_default_streams` test on Fedora 29 updates: bat, dwm and stratis
/// have default streams, nodejs does not.
#[test]
fn fedora_29_updates_default_streams() {
    let Some(corpus) = super::common::corpus() else {
        return;
    };
    let l =
        load_modules_file(&corpus.join("libmodulemd/modulemd/tests/test_data/f29-updates.yaml"))
            .unwrap();
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    let merged = bramble::model::module::merge_defaults(l.index.defaults.iter());
    let with_stream: Vec<(&str, &str)> = merged
        .iter()
        .filter_map(|(m, d)| d.stream.as_deref().map(|s| (m.as_str(), s)))
        .collect();
    assert_eq!(
        with_stream,
        [("bat", "latest"), ("dwm", "6.1"), ("stratis", "1")]
    );
}

/// libmodulemd's defaults directory test: meson.yaml and meson-2.yaml (bad_defaults/)
/// disagree with equal `modified`, so meson has no default stream when merged.
#[test]
fn conflicting_defaults_unset_the_default_stream() {
    let Some(corpus) = super::common::corpus() else {
        return;
    };
    let dir = corpus.join("libmodulemd/modulemd/tests/test_data/bad_defaults");
    let mut all = Vec::new();
    for f in ["meson.yaml", "meson-2.yaml", "ninja.yaml", "nodejs.yaml"] {
        let l = load_modules_file(&dir.join(f)).unwrap();
        assert!(l.errors.is_empty(), "{f}: {:?}", l.errors);
        all.extend(l.index.defaults);
    }
    let merged = bramble::model::module::merge_defaults(all.iter());
    assert_eq!(merged["meson"].stream, None);
    assert!(!merged["meson"].conflicts.is_empty());
    assert_eq!(merged["ninja"].stream.as_deref(), Some("latest"));
    assert_eq!(merged["nodejs"].stream, None);
    assert_eq!(merged["nodejs"].profiles["10"], ["default"]);
}

#[test]
fn empty_input_is_an_empty_index() {
    let l = parse_modules(b"", Path::new("empty"));
    assert!(l.index.is_empty() && l.errors.is_empty() && l.documents == 0);
}

/// The pruned-ISO journey (JOURNEYS.md 3) on the oracle's seed scenario: the module
/// metadata still lists what the pruning removed (`nodejs-libs` of 18, `npm` of 20,
/// scenarios/modular/prune.list); the unpruned repo has no problem.
#[test]
fn modules_problems_find_what_pruning_removed() {
    let Some(oracle) = super::common::oracle() else {
        return;
    };
    let repo = |n: &str| format!("{n},{}", oracle.join("repos").join(n).display());
    let out = super::common::bramble()
        .args([
            "modules",
            "--problems",
            "--json",
            "--module-platform-id",
            "platform:el9",
        ])
        .args(["--repofrompath", &repo("modular-pruned")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut missing: Vec<(String, String, bool)> = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["kind"] == "missing-artifacts")
        .flat_map(|p| {
            p["missing"].as_array().unwrap().iter().map(move |m| {
                (
                    p["stream"].as_str().unwrap().to_string(),
                    m.as_str().unwrap().to_string(),
                    p["active"].as_bool().unwrap(),
                )
            })
        })
        .collect();
    missing.sort();
    assert_eq!(
        missing,
        [
            (
                "nodejs:18:9030020231120101010:rhel9:x86_64".to_string(),
                "nodejs-libs-1:18.19.0-1.module+el9.3.0+20001+a1b2c3d4.x86_64".to_string(),
                true
            ),
            (
                "nodejs:20:9030020231121111111:rhel9:x86_64".to_string(),
                "npm-1:10.2.3-1.20.10.0.1.module+el9.3.0+20002+e5f6a7b8.x86_64".to_string(),
                false
            ),
        ]
    );
    assert_eq!(v["problems"].as_array().unwrap().len(), 2, "{v}");
    let streams = v["streams"].as_array().unwrap();
    assert_eq!(streams.len(), 2);
    assert_eq!(streams[0]["default"], true);
    assert_eq!(streams[0]["active"], true);
    assert_eq!(streams[0]["stream"], "18");
    assert_eq!(streams[1]["active"], false);

    let out = super::common::bramble()
        .args([
            "modules",
            "--problems",
            "--module-platform-id",
            "platform:el9",
        ])
        .args(["--repofrompath", &repo("modular")])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(out.stdout.is_empty());
}

/// Our `modular` fixture: postgresql-contrib carries the stream-15 ModularityLabel but
/// no stream lists it (the rpm lost its module metadata; dnf treats it as non-modular).
#[test]
fn modules_problems_find_modular_rpms_without_metadata() {
    let td = super::common::testdata();
    let out = super::common::bramble()
        .args(["modules", "--problems", "-s"])
        .arg(td.join("repos/modular/Packages"))
        .arg(td.join("specs/modular/modules.yaml"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert_eq!(
        text,
        "postgresql-contrib-15.6-1.module+el9.4.0+21001+1a2b3c4d.x86_64 (Packages): modular \
         (ModularityLabel `postgresql:15:9040020240111120000:rhel9`) but no module stream lists it\n"
    );
}

/// `--setopt=module_platform_id=X` is `--module-platform-id X`; other `--setopt`s and a
/// malformed `--enable-module` are usage errors.
#[test]
fn module_options_are_checked() {
    let td = super::common::testdata();
    let repo = format!("modular,{}", td.join("repos/modular").display());
    let run = |extra: &[&str]| {
        super::common::bramble()
            .args(["closure", "--repofrompath", &repo])
            .args(extra)
            .output()
            .unwrap()
    };
    let a = run(&["--modules", "--setopt=module_platform_id=platform:el9"]);
    let b = run(&["--modules", "--module-platform-id", "platform:el9"]);
    assert_eq!(a.stdout, b.stdout);
    assert_eq!(a.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&a.stdout).contains("postgresql-server >= 16"));
    assert_eq!(
        run(&["--setopt=best=1", "--modules"]).status.code(),
        Some(2)
    );
    assert_eq!(
        run(&["--enable-module", "postgresql"]).status.code(),
        Some(2)
    );
    // enabling 16 fixes pgapp, breaks the orphaned contrib (testdata/README.md)
    let c = run(&[
        "--module-platform-id",
        "platform:el9",
        "--enable-module",
        "postgresql:16",
    ]);
    let text = String::from_utf8_lossy(&c.stdout);
    assert!(
        text.contains("postgresql-contrib") && !text.contains("pgapp"),
        "{text}"
    );
}

/// Active streams on real RHEL 8 AppStream module metadata equal dnf 4.14's, in the
/// default state and after enabling each non-default stream or disabling each module
/// with a default, as recorded by `testdata/modules-el8/run.sh` (platform:el8).
#[test]
fn active_streams_of_rhel8_appstream_equal_dnf() {
    use bramble::analysis::modules::{ModuleConfig, resolve};
    use bramble::model::module::ModuleIndex;
    use bramble::model::package::RepoId;
    use bramble::model::pool::{Pool, SourceKind};
    use std::collections::BTreeSet;

    let Some(corpus) = super::common::corpus() else {
        return;
    };
    let dir = corpus.join("eurolinux8-modules/x86_64-appstream");
    let mut index = ModuleIndex::default();
    for f in ["modules.yaml", "defaults.yaml"] {
        let l = load_modules_file(&dir.join(f)).unwrap();
        assert!(l.errors.is_empty(), "{f}: {:?}", l.errors);
        index.streams.extend(l.index.streams);
        index.defaults.extend(l.index.defaults);
    }
    let mut pool = Pool::new("x86_64");
    pool.add_repo("el8", "el8", SourceKind::RpmMd);
    pool.build_indexes();
    let recorded =
        std::fs::read_to_string(super::common::testdata().join("modules-el8/active.txt")).unwrap();
    let mut lines = recorded.lines();
    let parse = |l: &str| -> (String, Vec<String>) {
        let (label, rest) = l.rsplit_once(": ").unwrap_or((l.trim_end_matches(':'), ""));
        (
            label.to_string(),
            rest.split_whitespace().map(String::from).collect(),
        )
    };
    let (_, default) = parse(lines.next().unwrap());
    let base: BTreeSet<String> = default.into_iter().collect();
    let active = |cfg: &ModuleConfig| -> BTreeSet<String> {
        let state = resolve(&pool, &[(RepoId(0), &index)], cfg);
        state
            .entries
            .iter()
            .zip(&state.active)
            .filter(|(_, a)| **a)
            .map(|(e, _)| {
                let s = e.stream;
                format!("{}:{}:{}:{}", s.name, s.stream, s.version, s.context)
            })
            // Debian's libmodulemd lacks RHEL's HAVE_OVERFLOWED_BUILDORDER and drops this
            // build (`buildorder: 18446744073709551615`); bramble reads it as RHEL does
            .filter(|n| n != "container-tools:rhel8:8030120210208205200:c127ee91")
            .collect()
    };
    let platform = Some("platform:el8".to_string());
    let got = active(&ModuleConfig {
        platform: platform.clone(),
        ..Default::default()
    });
    assert_eq!(got, base, "default state");
    let mut runs = 1;
    for l in lines {
        let (label, changes) = parse(l);
        let mut want = base.clone();
        for c in &changes {
            match c.split_at(1) {
                ("+", x) => want.insert(x.to_string()),
                (_, x) => want.remove(x),
            };
        }
        let mut cfg = ModuleConfig {
            platform: platform.clone(),
            ..Default::default()
        };
        match label.split_once(' ') {
            Some(("enable", ns)) => {
                let (n, s) = ns.split_once(':').unwrap();
                cfg.enabled.push((n.to_string(), s.to_string()));
            }
            Some(("disable", n)) => cfg.disabled.push(n.to_string()),
            _ => panic!("bad line {l}"),
        }
        assert_eq!(active(&cfg), want, "{label}");
        runs += 1;
    }
    eprintln!("{runs} module states equal dnf's");
    assert!(runs > 80);
}
