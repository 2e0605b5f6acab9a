//! Koji conformance against the recorded answers of a real hub (`corpus/koji-hub`, see its
//! PROVENANCE.md): bramble's inheritance walk, package lists, tagged and latest builds,
//! external repo lists and groups must equal the hub's own answers for every recorded tag,
//! and its text must equal what the real `koji` CLI printed. The recordings are read as a
//! snapshot (offline); the CLI tests drive `bramble` against `koji-replay-hub.py` over real
//! XML-RPC and compare its stdout with the recorded CLI outputs.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use bramble::analysis::inherit;
use bramble::analysis::tagview::render_inheritance;
use bramble::cli::koji::render_tagged;
use bramble::load::koji::hub::{Call, decode_response};
use bramble::load::koji::snapshot::{self, Fault, Recorded, Snapshot, SnapshotFile};
use bramble::load::koji::{Parts, TreeRequest, decode_full_inheritance, load_tree};
use bramble::model::tag::{
    InheritanceEntry, InheritanceLink, PackageEntry, TagExternalRepo, TagGroup, TagId, TaggedBuild,
};

use crate::common;

pub(crate) fn hub_dir() -> Option<PathBuf> {
    let d = common::corpus()?.join("koji-hub");
    if d.is_dir() {
        Some(d)
    } else {
        eprintln!("skipped: {} is missing", d.display());
        None
    }
}

pub(crate) fn read_json(path: &Path) -> Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every recorded call of `api/index.json` as a snapshot.
pub(crate) fn recordings_as_snapshot(dir: &Path) -> Snapshot {
    let index = read_json(&dir.join("api/index.json"));
    let mut calls = Vec::new();
    for e in index.as_array().expect("index is a list") {
        let json = read_json(&dir.join(e["json"].as_str().expect("json path")));
        let call = Call {
            method: e["method"].as_str().unwrap_or_default().to_owned(),
            args: e["args"].as_array().cloned().unwrap_or_default(),
            kwargs: serde_json::from_value(e["kwargs"].clone()).unwrap_or_default(),
        };
        let fault = (e["fault"] == Value::Bool(true)).then(|| Fault {
            message: format!(
                "fault {}: {}",
                json["faultCode"],
                json["faultString"].as_str().unwrap_or("")
            ),
        });
        calls.push(Recorded {
            call,
            result: if fault.is_some() { Value::Null } else { json },
            fault,
        });
    }
    Snapshot::from_file_content(
        "recordings",
        SnapshotFile {
            format: snapshot::FORMAT.into(),
            version: snapshot::VERSION,
            hub: "corpus/koji-hub".into(),
            tags: vec![],
            event: None,
            calls,
        },
    )
}

/// Tag directories that hold a full set of per-tag recordings.
pub(crate) fn recorded_tags(dir: &Path) -> Vec<String> {
    let mut tags: Vec<String> = std::fs::read_dir(dir.join("api"))
        .expect("api dir")
        .flatten()
        .filter(|e| e.path().join("getFullInheritance.json").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    tags.sort();
    tags
}

/// The fields of a `getFullInheritance` entry that the hub and bramble both have.
fn entry_key(e: &InheritanceEntry, reverse: bool) -> Value {
    serde_json::json!({
        "child": if reverse { Value::Null } else { Value::from(e.link.child.0) },
        "tag": e.tag.0,
        "parent": e.link.parent.0,
        "name": e.name,
        "priority": e.link.priority,
        "maxdepth": e.link.maxdepth,
        "intransitive": e.link.intransitive,
        "noconfig": e.link.noconfig,
        "pkg_filter": e.link.pkg_filter,
        "currdepth": e.currdepth,
        "nextdepth": e.nextdepth,
        "filter": e.filter,
    })
}

fn builds_key(b: &[TaggedBuild]) -> Vec<(i64, i64)> {
    b.iter().map(|b| (b.build_id, b.tag_id.0)).collect()
}

#[test]
fn recorded_xmlrpc_answers_decode_to_the_recorded_json() {
    let Some(dir) = hub_dir() else { return };
    let index = read_json(&dir.join("api/index.json"));
    let mut n = 0;
    for e in index.as_array().expect("list") {
        let body = std::fs::read(dir.join(e["response"].as_str().unwrap())).unwrap();
        let json = read_json(&dir.join(e["json"].as_str().unwrap()));
        match decode_response(&body) {
            Ok(v) => assert_eq!(v, json, "{}", e["name"]),
            Err(msg) => {
                assert_eq!(e["fault"], Value::Bool(true), "{}: {msg}", e["name"]);
                assert!(msg.contains(json["faultString"].as_str().unwrap()), "{msg}");
            }
        }
        n += 1;
    }
    assert!(n >= 600, "only {n} recorded calls");
}

#[test]
fn walks_lists_and_latest_builds_equal_the_hub_for_every_recorded_tag() {
    let Some(dir) = hub_dir() else { return };
    let snap = recordings_as_snapshot(&dir);
    let tags = recorded_tags(&dir);
    assert!(tags.len() >= 29, "{tags:?}");

    // children lists for reverse walks: the active tag_inheritance rows in creation order,
    // which is the hub's table order for ties in priority
    let history = read_json(&dir.join("api/_global/queryHistory__tag_inheritance.json"));
    let mut rows: Vec<&Value> = history["tag_inheritance"]
        .as_array()
        .expect("rows")
        .iter()
        .filter(|r| r["active"] == Value::Bool(true))
        .collect();
    rows.sort_by_key(|r| r["create_event"].as_i64());
    let links: Vec<InheritanceLink> = rows
        .iter()
        .map(|r| InheritanceLink {
            child: TagId(r["tag_id"].as_i64().unwrap()),
            child_name: r["tag.name"].as_str().unwrap().to_owned(),
            parent: TagId(r["parent_id"].as_i64().unwrap()),
            parent_name: r["parent.name"].as_str().unwrap().to_owned(),
            priority: r["priority"].as_i64().unwrap(),
            maxdepth: r["maxdepth"].as_i64(),
            intransitive: r["intransitive"] == Value::Bool(true),
            noconfig: r["noconfig"] == Value::Bool(true),
            pkg_filter: r["pkg_filter"].as_str().unwrap_or("").to_owned(),
        })
        .collect();
    let children = inherit::children_index(&links);

    let mut counts = std::collections::BTreeMap::<&str, usize>::new();
    for tag in &tags {
        let api = dir.join("api").join(tag);
        let cli = dir.join("cli").join(tag);
        let req = TreeRequest {
            tag: tag.clone(),
            event: None,
            parts: Parts::all(),
        };
        let tree = load_tree(&snap, &req).unwrap_or_else(|e| panic!("{tag}: {e}"));

        // the walk
        let walk = inherit::tree_inheritance(&tree).unwrap();
        let c = Call::new("getFullInheritance", vec![]);
        let hub = decode_full_inheritance(
            "x",
            &c,
            false,
            read_json(&api.join("getFullInheritance.json")),
            |_| None,
        )
        .unwrap();
        let mine: Vec<Value> = walk.iter().map(|e| entry_key(e, false)).collect();
        let theirs: Vec<Value> = hub.iter().map(|e| entry_key(e, false)).collect();
        assert_eq!(mine, theirs, "{tag}: getFullInheritance");
        *counts.entry("getFullInheritance").or_default() += 1;

        // the reverse walk, from the children lists
        let rev = inherit::full_inheritance(tree.root, true, |t| {
            Some(children.get(&t).cloned().unwrap_or_default())
        })
        .unwrap();
        let hub_rev = decode_full_inheritance(
            "x",
            &c,
            true,
            read_json(&api.join("getFullInheritance__reverse.json")),
            |_| None,
        )
        .unwrap();
        let mine: Vec<Value> = rev.iter().map(|e| entry_key(e, true)).collect();
        let theirs: Vec<Value> = hub_rev.iter().map(|e| entry_key(e, true)).collect();
        assert_eq!(mine, theirs, "{tag}: getFullInheritance(reverse=True)");
        *counts.entry("getFullInheritance reverse").or_default() += 1;

        // package list with blocks
        let pkgs = inherit::package_list(&tree, &walk).unwrap();
        let hub_pkgs: Vec<PackageEntry> =
            serde_json::from_value(read_json(&api.join("listPackages__inherited.json"))).unwrap();
        assert_eq!(pkgs, hub_pkgs, "{tag}: listPackages(inherited=True)");
        *counts.entry("listPackages inherited").or_default() += 1;

        // tagged builds, three ways
        for (file, inh, latest) in [
            ("listTagged__inherit_latest.json", true, true),
            ("listTagged__inherit.json", true, false),
            ("listTagged.json", false, false),
        ] {
            let mine = inherit::tagged_builds(&tree, &walk, &pkgs, inh, latest).unwrap();
            let hub: Vec<TaggedBuild> = serde_json::from_value(read_json(&api.join(file))).unwrap();
            assert_eq!(builds_key(&mine), builds_key(&hub), "{tag}: {file}");
            assert_eq!(mine, hub, "{tag}: {file}");
            *counts.entry(file).or_default() += 1;
        }

        // external repos in buildroot order
        let repos = inherit::external_repos(&tree, &walk).unwrap();
        let hub_repos: Vec<TagExternalRepo> =
            serde_json::from_value(read_json(&api.join("getExternalRepoList.json"))).unwrap();
        assert_eq!(repos, hub_repos, "{tag}: getExternalRepoList");
        *counts.entry("getExternalRepoList").or_default() += 1;

        // groups without blocked entries
        let groups = inherit::effective_groups(tree.groups.as_deref().unwrap_or_default());
        let hub_groups: Vec<TagGroup> =
            serde_json::from_value(read_json(&api.join("getTagGroups.json"))).unwrap();
        assert_eq!(groups, hub_groups, "{tag}: getTagGroups");
        *counts.entry("getTagGroups").or_default() += 1;

        // the CLI texts
        let root = tree.root_tag().unwrap();
        let text = render_inheritance(&root.name, root.id.0, &walk, false);
        assert_eq!(
            text,
            std::fs::read_to_string(cli.join("list-tag-inheritance.txt")).unwrap(),
            "{tag}"
        );
        let text = render_inheritance(
            &root.name,
            root.id.0,
            tree.reverse.as_deref().unwrap(),
            true,
        );
        assert_eq!(
            text,
            std::fs::read_to_string(cli.join("list-tag-inheritance__reverse.txt")).unwrap(),
            "{tag} reverse (hub's walk)"
        );
        let text = render_inheritance(&root.name, root.id.0, &rev, true);
        assert_eq!(
            text,
            std::fs::read_to_string(cli.join("list-tag-inheritance__reverse.txt")).unwrap(),
            "{tag} reverse (bramble's walk)"
        );
        *counts.entry("list-tag-inheritance (fwd+rev)").or_default() += 2;
        for (file, inh, latest) in [
            ("list-tagged__inherit_latest.txt", true, true),
            ("list-tagged.txt", false, false),
        ] {
            let builds = inherit::tagged_builds(&tree, &walk, &pkgs, inh, latest).unwrap();
            assert_eq!(
                render_tagged(&builds),
                std::fs::read_to_string(cli.join(file)).unwrap(),
                "{tag}: {file}"
            );
            *counts
                .entry("list-tagged (plain, --inherit --latest)")
                .or_default() += 1;
        }
    }
    eprintln!("koji conformance over {} tags: {counts:?}", tags.len());
}

/// The replay hub, started for one test and killed when dropped.
pub(crate) struct ReplayHub {
    child: Child,
    pub(crate) url: String,
    _dir: tempfile::TempDir,
}

impl Drop for ReplayHub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn start_replay_hub(corpus: &Path) -> Option<ReplayHub> {
    let script = corpus.join("../tools/koji-replay-hub.py");
    if !script.is_file() {
        eprintln!("skipped: {} is missing", script.display());
        return None;
    }
    let dir = tempfile::tempdir().ok()?;
    let port_file = dir.path().join("port");
    let child = match Command::new("python3")
        .arg(&script)
        .args(["-q", "--port", "0", "--port-file"])
        .arg(&port_file)
        .arg(corpus.join("koji-hub"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("skipped: cannot run python3 ({e})");
            return None;
        }
    };
    let mut hub = ReplayHub {
        child,
        url: String::new(),
        _dir: dir,
    };
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        if let Ok(p) = std::fs::read_to_string(&port_file)
            && !p.trim().is_empty()
        {
            hub.url = format!("http://127.0.0.1:{}/kojihub", p.trim());
            return Some(hub);
        }
        if let Ok(Some(status)) = hub.child.try_wait() {
            panic!("koji-replay-hub.py exited early: {status}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("koji-replay-hub.py did not start within 30 s");
}

fn bramble_stdout(args: &[&str]) -> String {
    let out = common::bramble().args(args).output().expect("bramble runs");
    assert!(
        out.status.success(),
        "bramble {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn cli_against_the_replay_hub_prints_what_koji_printed() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let Some(dir) = hub_dir() else { return };
    let Some(hub) = start_replay_hub(&corpus) else {
        return;
    };
    let cases: [(&[&str], &str); 4] = [
        (&["inheritance"], "list-tag-inheritance.txt"),
        (
            &["inheritance", "--reverse"],
            "list-tag-inheritance__reverse.txt",
        ),
        (&["tagged"], "list-tagged.txt"),
        (&["latest"], "list-tagged__inherit_latest.txt"),
    ];
    let tags = recorded_tags(&dir);
    let snap_dir = tempfile::tempdir().unwrap();
    let snap = snap_dir.path().join("snap.json");
    let mut all = vec![
        "koji",
        "--hub",
        hub.url.as_str(),
        "snapshot",
        "-o",
        snap.to_str().unwrap(),
    ];
    all.extend(tags.iter().map(String::as_str));
    bramble_stdout(&all);
    let mut matched = 0;
    for tag in &tags {
        for (args, file) in &cases {
            let expected = std::fs::read_to_string(dir.join("cli").join(tag).join(file)).unwrap();
            let mut live = vec!["koji", "--hub", hub.url.as_str()];
            live.extend_from_slice(args);
            live.push(tag);
            assert_eq!(bramble_stdout(&live), expected, "live: {live:?}");
            let mut offline = vec!["koji", "--snapshot", snap.to_str().unwrap()];
            offline.extend_from_slice(args);
            offline.push(tag);
            assert_eq!(bramble_stdout(&offline), expected, "offline: {offline:?}");
            matched += 1;
        }
    }
    eprintln!("{matched} recorded koji CLI outputs reproduced, live and from a snapshot");

    // a profile file works like --hub; errors name the hub and exit 2
    let conf = snap_dir.path().join("koji.conf");
    std::fs::write(
        &conf,
        format!("[replay]\nserver = {}\nauthtype = noauth\n", hub.url),
    )
    .unwrap();
    let out = bramble_stdout(&[
        "koji",
        "-c",
        conf.to_str().unwrap(),
        "-p",
        "replay",
        "inheritance",
        "f19-build",
    ]);
    assert_eq!(
        out,
        std::fs::read_to_string(dir.join("cli/f19-build/list-tag-inheritance.txt")).unwrap()
    );
    let out = common::bramble()
        .args(["koji", "--hub", hub.url.as_str(), "latest", "no-such-tag"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&hub.url) && err.contains("no such tag `no-such-tag`"),
        "{err}"
    );
}

#[test]
fn a_dead_hub_is_a_clear_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/kojihub", listener.local_addr().unwrap());
    drop(listener);
    let out = common::bramble()
        .args(["koji", "--hub", url.as_str(), "inheritance", "f19"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&url) && err.contains("getTag"), "{err}");
}

#[test]
fn real_fedora_and_brew_answers_decode() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    // Fedora (staging) hub traffic recorded by Koschei: every XML-RPC answer decodes, and
    // getTagGroups answers decode into groups with the tag of each entry.
    let mut answers = 0;
    let mut groups = 0;
    let vcr = corpus.join("koschei/data");
    let Ok(rd) = std::fs::read_dir(&vcr) else {
        eprintln!("skipped: {} is missing", vcr.display());
        return;
    };
    let mut files: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
    files.sort();
    for f in files
        .iter()
        .filter(|f| f.to_string_lossy().ends_with(".vcr.json"))
    {
        let d = read_json(f);
        for i in d["interactions"].as_array().into_iter().flatten() {
            let req = i["request"]["body"].as_str().unwrap_or("");
            let Some(method) = req
                .split("<methodName>")
                .nth(1)
                .and_then(|s| s.split('<').next())
            else {
                continue;
            };
            let body = i["response"]["body"]["string"].as_str().unwrap_or("");
            let v = decode_response(body.as_bytes())
                .unwrap_or_else(|e| panic!("{}: {method}: {e}", f.display()));
            answers += 1;
            if method == "getTagGroups" {
                let g: Vec<TagGroup> = serde_json::from_value(v).unwrap();
                assert!(
                    g.iter()
                        .any(|g| g.name == "build" && !g.packages.is_empty())
                );
                groups += g.len();
            }
        }
    }
    assert!(
        answers >= 10 && groups > 0,
        "{answers} answers, {groups} groups"
    );
    // Brew answers recorded by modulemd-tools: listTags and listTaggedRPMS builds.
    let data = corpus.join("modulemd-tools/test_bld2repo/test_data");
    let tags: Vec<bramble::model::tag::Tag> =
        serde_json::from_value(read_json(&data.join("librevenge_tags.json"))).unwrap();
    assert!(
        tags.iter()
            .any(|t| t.name.ends_with("-build") && t.arch_list().contains(&"x86_64"))
    );
    let rpms_builds = read_json(&data.join("librevenge_build_tag.json"));
    let builds: Vec<TaggedBuild> = serde_json::from_value(rpms_builds[1].clone()).unwrap();
    assert!(builds.len() > 100 && builds.iter().all(|b| b.nvr.starts_with(&b.package_name)));
    // real getFullInheritance answers: Fedora's f17-build chain (Bodhi) and koji-web's data
    let bodhi =
        read_json(&corpus.join(
            "koji-inheritance-transcribed/bodhi-devbuildsys-getFullInheritance-f17-build.json",
        ));
    let c = Call::new("getFullInheritance", vec![]);
    let entries = decode_full_inheritance("bodhi", &c, false, bodhi, |_| None).unwrap();
    assert_eq!(
        render_inheritance("f17-build", 7715, &entries, false),
        "     f17-build (7715)\n....  └─f17-build (6448)\n....     └─f17-override (6447)\n....        └─f17-updates (6441)\n....           └─f17 (6438)\n"
    );
    let pages = read_json(&corpus.join("koji/tests/test_www/data/pages_calls.json"));
    let mut walks = 0;
    for call in pages.as_array().into_iter().flatten() {
        if call["method"] == "getFullInheritance" {
            decode_full_inheritance("koji-web", &c, false, call["result"].clone(), |_| None)
                .unwrap();
            walks += 1;
        }
    }
    assert_eq!(walks, 2);
}

/// Every `koji list-tag-inheritance [--reverse]` text the real CLI printed, read back as a
/// pasted listing, renders to the same bytes, and the forward one has the links the hub
/// recorded (parents named in the text are the tags' recorded parents).
#[test]
fn pasted_inheritance_text_round_trips_over_the_corpus() {
    use bramble::analysis::tagview::render_inheritance;
    use bramble::load::koji::text::parse_inheritance_text;
    let Some(dir) = hub_dir() else {
        return;
    };
    let mut checked = 0;
    let mut tags: Vec<_> = std::fs::read_dir(dir.join("cli"))
        .expect("cli dir")
        .flatten()
        .map(|e| e.path())
        .collect();
    tags.sort();
    for t in tags {
        for (file, reverse) in [
            ("list-tag-inheritance.txt", false),
            ("list-tag-inheritance__reverse.txt", true),
        ] {
            let f = t.join(file);
            let Ok(text) = std::fs::read_to_string(&f) else {
                continue;
            };
            let p = parse_inheritance_text(&text, &f, reverse)
                .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            assert_eq!(
                render_inheritance(&p.root_name, p.root.0, &p.entries, reverse),
                text,
                "{}",
                f.display()
            );
            checked += 1;
        }
    }
    assert!(checked >= 40, "only {checked} listings");
    eprintln!("{checked} listings round-trip");
}

/// A Koji repo directory as kojid writes it (`repos/TAG/ID/`: repo.json, ARCH/pkglist,
/// ARCH/repodata with comps) opens as the buildroot it describes: the packages are those
/// of the arch's pkglist, the repo is named after repo.json, and `@build` is the tag's
/// build group.
#[test]
fn koji_repo_directory_is_the_buildroot_it_describes() {
    let Some(dir) = hub_dir() else {
        return;
    };
    let repos = dir.join("kojidir/repos");
    let mut checked = 0;
    for tag in std::fs::read_dir(&repos).expect("repos").flatten() {
        for id in std::fs::read_dir(tag.path()).expect("tag dir").flatten() {
            let d = id.path();
            if !d.join("repo.json").is_file() || !d.join("x86_64/pkglist").is_file() {
                continue;
            }
            let out = common::bramble()
                .args([
                    "query",
                    "--forcearch",
                    "x86_64",
                    "--qf",
                    "%{name}-%{version}-%{release}.%{arch}.rpm",
                    "-s",
                ])
                .arg(&d)
                .output()
                .expect("run");
            if !d.join("x86_64/repodata/repomd.xml").is_file() {
                continue;
            }
            let mut got: Vec<String> = String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(str::to_owned)
                .collect();
            got.sort();
            let mut want: Vec<String> = std::fs::read_to_string(d.join("x86_64/pkglist"))
                .expect("pkglist")
                .lines()
                .filter_map(|l| l.rsplit('/').next().map(str::to_owned))
                .collect();
            want.sort();
            // the host may not be x86_64: the repo's own arch dir decides only when the
            // machine's arch is among them; the test runs the x86_64 dir explicitly too
            let out2 = common::bramble()
                .args([
                    "query",
                    "--qf",
                    "%{name}-%{version}-%{release}.%{arch}.rpm",
                    "-s",
                ])
                .arg(d.join("x86_64"))
                .output()
                .expect("run");
            let mut got2: Vec<String> = String::from_utf8_lossy(&out2.stdout)
                .lines()
                .map(str::to_owned)
                .collect();
            got2.sort();
            assert_eq!(got2, want, "{}", d.display());
            if std::env::consts::ARCH == "x86_64" {
                assert_eq!(got, want, "{}", d.display());
                let out = common::bramble()
                    .args(["install", "--dry-run", "@build", "--json", "-s"])
                    .arg(&d)
                    .output()
                    .expect("run");
                let comps = std::fs::read_to_string(d.join("groups/comps.xml")).unwrap_or_default();
                if !comps.contains("<group>") {
                    // a tag without groups (yet): the repo's comps is empty
                    assert_eq!(out.status.code(), Some(2), "{}", d.display());
                    assert!(
                        String::from_utf8_lossy(&out.stderr).contains("@build: no such group"),
                        "{}",
                        d.display()
                    );
                    checked += 1;
                    continue;
                }
                let v: serde_json::Value =
                    serde_json::from_slice(&out.stdout).expect("install json");
                assert_eq!(v["ok"], true, "{}", d.display());
                let repo = v["packages"][0]["repo"].as_str().unwrap_or_default();
                let tag_name = tag.file_name().to_string_lossy().into_owned();
                assert!(repo.starts_with(&format!("{tag_name}-repo-")), "{repo}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 3, "only {checked} repo dirs");
}

/// `koji inheritance --from-text FILE`: a pasted listing printed back (the same bytes),
/// as JSON, as dot, and `--verbose` with what the text does not say marked.
#[test]
fn cli_reads_pasted_inheritance_text() {
    let Some(dir) = hub_dir() else {
        return;
    };
    let f = dir.join("cli/f19-build/list-tag-inheritance.txt");
    let text = std::fs::read_to_string(&f).unwrap();
    let out = common::bramble()
        .args(["koji", "inheritance", "--from-text"])
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), text);
    let out = common::bramble()
        .args(["koji", "inheritance", "-v", "--from-text"])
        .arg(&f)
        .output()
        .unwrap();
    let v = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(v.contains("├─f19 (4)  [priority (not in the text)]"), "{v}");
    let out = common::bramble()
        .args(["koji", "inheritance", "--format", "dot", "--from-text"])
        .arg(&f)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("digraph"));
    // a damaged paste names the file and line
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.txt");
    std::fs::write(&bad, text.replacen("├─", "??", 1)).unwrap();
    let out = common::bramble()
        .args(["koji", "inheritance", "--from-text"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.txt:2:"), "{err}");
}

/// `--verbose` on hub data shows real priorities and flags.
#[test]
fn cli_verbose_tree_from_the_fixture_snapshot() {
    let snap = common::testdata().join("koji/snapshot.json");
    let out = common::bramble()
        .args(["koji", "--snapshot"])
        .arg(&snap)
        .args(["inheritance", "f19-build", "--verbose"])
        .output()
        .unwrap();
    let v = String::from_utf8_lossy(&out.stdout);
    assert!(v.contains("├─f19 (2)  [priority 1]"), "{v}");
    assert!(
        v.contains("└─f19-basedeps (3)  [priority 2, noconfig]"),
        "{v}"
    );
}
