//! Koji build config, buildroot assembly and lints.
//!
//! - Against the recorded hub (`corpus/koji-hub`): bramble's build config equals
//!   `getBuildConfig` for every tag, the rpms of `listTaggedRPMS` belong to exactly the
//!   latest builds bramble computes, the Koji part of each buildroot equals the `pkglist`
//!   the hub's `repoInit` wrote, and the lints name the layout's known faults.
//! - Against the fixture (`testdata/koji`, made by `build.py`): the buildroot of each
//!   merge mode equals what the real `mergerepo_c` kept, and the CLI tells the seed story.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use bramble::analysis::buildroot::{self, BuildrootInput, BuildrootPlan, ExternalContent, Origin};
use bramble::analysis::{inherit, lint};
use bramble::load::koji::snapshot::Snapshot;
use bramble::load::koji::{Parts, TreeRequest, load_tree};
use bramble::load::source::{Filelists, LoadOptions, Source, load_sources};
use bramble::model::pool::Pool;
use bramble::model::tag::{MergeMode, TagExternalRepo, TagTree};
use bramble::progress::NoProgress;

use crate::common;
use crate::koji::{hub_dir, read_json, recorded_tags, recordings_as_snapshot};

fn tree(snap: &Snapshot, tag: &str, parts: Parts) -> TagTree {
    let req = TreeRequest {
        tag: tag.to_owned(),
        event: None,
        parts,
    };
    load_tree(snap, &req).unwrap_or_else(|e| panic!("{tag}: {e}"))
}

#[test]
fn build_config_equals_get_build_config_for_every_recorded_tag() {
    let Some(dir) = hub_dir() else { return };
    let snap = recordings_as_snapshot(&dir);
    let tags = recorded_tags(&dir);
    let mut inherited_values = 0;
    for tag in &tags {
        let parts = Parts {
            config: true,
            ..Parts::default()
        };
        let t = tree(&snap, tag, parts);
        let walk = inherit::tree_inheritance(&t).unwrap();
        let cfg = inherit::build_config(&t, &walk).unwrap();
        let hub = read_json(&dir.join("api").join(tag).join("getBuildConfig.json"));
        assert_eq!(
            cfg.arches.as_deref(),
            hub["arches"].as_str(),
            "{tag}: arches"
        );
        let arches_from = cfg
            .arches_from
            .as_ref()
            .map(|t| serde_json::json!({"id": t.id.0, "name": t.name}))
            .unwrap_or(Value::Null);
        assert_eq!(arches_from, hub["config_inheritance"]["arches"], "{tag}");
        let mine: BTreeMap<String, Value> = cfg
            .extra
            .iter()
            .map(|v| (v.key.clone(), v.value.clone()))
            .collect();
        let theirs: BTreeMap<String, Value> = serde_json::from_value(hub["extra"].clone()).unwrap();
        assert_eq!(mine, theirs, "{tag}: extra");
        let mine: BTreeMap<String, Value> = cfg
            .extra
            .iter()
            .filter(|v| v.inherited)
            .map(|v| {
                let from = serde_json::json!({"id": v.from.id.0, "name": v.from.name});
                (v.key.clone(), from)
            })
            .collect();
        let theirs: BTreeMap<String, Value> =
            serde_json::from_value(hub["config_inheritance"]["extra"].clone()).unwrap();
        assert_eq!(mine, theirs, "{tag}: config_inheritance");
        inherited_values += mine.len();
    }
    assert!(
        tags.len() >= 29 && inherited_values >= 10,
        "{inherited_values}"
    );

    // the documented cases: noconfig skips only f19, a block removes rpm.macro.rhel
    let t = tree(&snap, "f19-candidates", Parts::all());
    let cfg = inherit::build_config(&t, &inherit::tree_inheritance(&t).unwrap()).unwrap();
    assert_eq!(cfg.noconfig.len(), 1);
    assert_eq!(cfg.noconfig[0].name, "f19");
    let t = tree(&snap, "epel5-candidates", Parts::all());
    let cfg = inherit::build_config(&t, &inherit::tree_inheritance(&t).unwrap()).unwrap();
    assert_eq!(cfg.blocked.len(), 1);
    assert_eq!(cfg.blocked[0].key, "rpm.macro.rhel");
    assert_eq!(cfg.blocked[0].hides[0].0.name, "epel5");
}

fn plan_without_externals(t: &TagTree, arch: &str) -> BuildrootPlan {
    let walk = inherit::tree_inheritance(t).unwrap();
    let pkgs = inherit::package_list(t, &walk).unwrap();
    let latest = inherit::latest_builds(t, &walk, &pkgs).unwrap();
    let pool = Pool::new(arch);
    buildroot::assemble(&BuildrootInput {
        tag: "t",
        arch,
        rpms: t.rpms.as_ref().unwrap(),
        latest: Some(&latest),
        blocklist: &[],
        externals: &[],
        pool: &pool,
        mode: None,
    })
}

#[test]
fn koji_part_of_the_buildroot_equals_the_hubs_pkglists() {
    let Some(dir) = hub_dir() else { return };
    let snap = recordings_as_snapshot(&dir);
    for tag in recorded_tags(&dir) {
        let t = tree(&snap, &tag, Parts::all());
        let walk = inherit::tree_inheritance(&t).unwrap();
        let pkgs = inherit::package_list(&t, &walk).unwrap();
        let latest = inherit::tagged_builds(&t, &walk, &pkgs, true, true).unwrap();
        let rpms = t.rpms.as_ref().unwrap();
        let mut mine: Vec<i64> = latest.iter().map(|b| b.build_id).collect();
        let mut theirs: Vec<i64> = rpms.builds.iter().map(|b| b.build_id).collect();
        mine.sort_unstable();
        theirs.sort_unstable();
        assert_eq!(mine, theirs, "{tag}: listTaggedRPMS builds");
    }
    // the newest repo of each build tag, per arch
    let repos = dir.join("kojidir/repos");
    let mut checked = 0;
    for entry in std::fs::read_dir(&repos).unwrap().flatten() {
        let tag = entry.file_name().to_string_lossy().into_owned();
        let newest = std::fs::read_dir(entry.path())
            .unwrap()
            .flatten()
            .filter_map(|e| e.file_name().to_string_lossy().parse::<u32>().ok())
            .max()
            .unwrap();
        let t = tree(&snap, &tag, Parts::all());
        for arch_dir in std::fs::read_dir(entry.path().join(newest.to_string()))
            .unwrap()
            .flatten()
        {
            let list = arch_dir.path().join("pkglist");
            if !list.is_file() {
                continue;
            }
            let arch = arch_dir.file_name().to_string_lossy().into_owned();
            let mut theirs: Vec<String> = std::fs::read_to_string(&list)
                .unwrap()
                .lines()
                .map(|l| l.rsplit('/').next().unwrap().to_owned())
                .collect();
            let plan = plan_without_externals(&t, &arch);
            let mut mine: Vec<String> = plan
                .packages
                .iter()
                .map(|p| format!("{}.rpm", p.rpm.nevra()))
                .collect();
            theirs.sort();
            mine.sort();
            assert_eq!(mine, theirs, "{tag}/{newest}/{arch}/pkglist");
            checked += 1;
        }
    }
    assert_eq!(checked, 6);
}

#[test]
fn lints_name_the_recorded_layouts_faults() {
    let Some(dir) = hub_dir() else { return };
    let snap = recordings_as_snapshot(&dir);
    let lints_of = |tag: &str| {
        let t = tree(&snap, tag, Parts::all());
        let walk = inherit::tree_inheritance(&t).unwrap();
        let pkgs = inherit::package_list(&t, &walk).unwrap();
        let repos = inherit::external_repos(&t, &walk).unwrap();
        let cfg = inherit::build_config(&t, &walk).unwrap();
        let groups = inherit::effective_groups(t.groups.as_deref().unwrap_or_default());
        let mut l = lint::tag_lints(&t, &walk, &pkgs, &repos, Some(&cfg));
        l.extend(lint::group_lints(&groups));
        l.into_iter()
            .map(|l| (l.code, l.subject))
            .collect::<Vec<_>>()
    };
    let f18 = lints_of("f18-build");
    assert!(
        f18.contains(&("inherited-external-repo", "f17-ga-external-repo".into())),
        "{f18:?}"
    );
    assert!(f18.contains(&("old-release-external-repo", "f17-ga-external-repo".into())));
    // f17's group lists have no tar
    assert!(f18.contains(&("group-lacks-essential", "srpm-build".into())));
    let f19 = lints_of("f19-build");
    assert!(
        f19.contains(&("mixed-merge-modes", "f19-build".into())),
        "{f19:?}"
    );
    assert!(
        f19.contains(&("blocked-group-entry", "info".into())),
        "{f19:?}"
    );
    let f16 = lints_of("f16-build");
    assert!(
        !f16.iter().any(|l| l.0 == "inherited-external-repo"),
        "{f16:?}"
    );
}

// ---- the fixture ------------------------------------------------------------------------

fn fixture() -> std::path::PathBuf {
    common::testdata().join("koji")
}

/// The fixture's external repos loaded from testdata, in getExternalRepoList order.
fn load_fixture_externals(repos: &[TagExternalRepo]) -> (Pool, Vec<ExternalContent>) {
    let sources: Vec<Source> = repos
        .iter()
        .map(|r| {
            let path = fixture().join("repos").join(&r.external_repo_name);
            Source::parse(&format!("{},{}", r.external_repo_name, path.display())).unwrap()
        })
        .collect();
    let opts = LoadOptions {
        filelists: Filelists::Never,
        host_arch: Some("x86_64".into()),
        ..LoadOptions::default()
    };
    let loaded = load_sources(&sources, &opts, &NoProgress);
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    let pool = loaded.pool;
    let ext = repos
        .iter()
        .map(|r| {
            let repo = pool
                .repos
                .iter()
                .find(|x| x.name == r.external_repo_name)
                .unwrap();
            (r.clone(), Some(repo.packages().collect()))
        })
        .collect();
    (pool, ext)
}

/// `NEVRA<TAB>origin` lines as build.py writes them from mergerepo_c's output; a
/// duplicate N-V-R.A gets the origin of its first copy, as pkgorigins does.
fn merged_lines(plan: &BuildrootPlan) -> Vec<String> {
    let mut first: BTreeMap<String, String> = BTreeMap::new();
    let mut out = Vec::new();
    for p in &plan.packages {
        let r = &p.rpm;
        let nevra = format!(
            "{}-{}:{}-{}.{}",
            r.name, r.epoch, r.version, r.release, r.arch
        );
        let origin = match &p.origin {
            Origin::Koji { .. } => "koji-premerge".to_owned(),
            Origin::External { repo_name, .. } => repo_name.clone(),
        };
        let origin = first.entry(nevra.clone()).or_insert(origin).clone();
        out.push(format!("{nevra}\t{origin}"));
    }
    out.sort();
    out
}

#[test]
fn fixture_buildroot_equals_mergerepo_c_for_each_merge_mode() {
    let snap = Snapshot::open(&fixture().join("snapshot.json")).unwrap();
    let t = tree(&snap, "f19-build", Parts::all());
    let walk = inherit::tree_inheritance(&t).unwrap();
    let pkgs = inherit::package_list(&t, &walk).unwrap();
    let latest = inherit::latest_builds(&t, &walk, &pkgs).unwrap();
    let repos = inherit::external_repos(&t, &walk).unwrap();
    let names: Vec<&str> = repos
        .iter()
        .map(|r| r.external_repo_name.as_str())
        .collect();
    assert_eq!(
        names,
        ["dist-f19-base", "dist-f19-updates", "dist-f18-updates"]
    );
    let (pool, externals) = load_fixture_externals(&repos);
    let blocklist: Vec<String> = std::fs::read_to_string(fixture().join("blocklist"))
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    for mode in [MergeMode::Koji, MergeMode::Simple, MergeMode::Bare] {
        let plan = buildroot::assemble(&BuildrootInput {
            tag: "f19-build",
            arch: "x86_64",
            rpms: t.rpms.as_ref().unwrap(),
            latest: Some(&latest),
            blocklist: &blocklist,
            externals: &externals,
            pool: &pool,
            mode: Some(mode),
        });
        let name = buildroot::mode_name(mode);
        let expected = std::fs::read_to_string(
            fixture().join(format!("expected/mergerepo-{name}-x86_64.txt")),
        )
        .unwrap();
        let expected: Vec<&str> = expected.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(merged_lines(&plan), expected, "merge mode {name}");
        assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
    }
}

fn bramble_fixture(args: &[&str]) -> assert_cmd::assert::Assert {
    let f = fixture();
    let snap = f.join("snapshot.json");
    let mut cmd = common::bramble();
    cmd.arg("koji").arg("--snapshot").arg(&snap).args(args);
    if args[0] != "taginfo" {
        for r in ["dist-f19-base", "dist-f19-updates", "dist-f18-updates"] {
            cmd.arg("--external")
                .arg(format!("{r}={}", f.join("repos").join(r).display()));
        }
    }
    cmd.assert()
}

fn stdout_of(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stdout).into_owned()
}

#[test]
fn cli_foo_from_the_local_tag_shadows_the_newer_external_foo() {
    let a = bramble_fixture(&["buildroot", "f19-build", "--arch", "x86_64"]).success();
    let out = stdout_of(&a);
    assert!(
        out.starts_with("f19-build buildroot for x86_64: merge mode koji;"),
        "{out}"
    );
    let foo = out
        .lines()
        .skip_while(|l| !l.starts_with("foo-1.0-1.fc19.x86_64"))
        .take(5)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        foo.starts_with("foo-1.0-1.fc19.x86_64  f19 (build foo-1.0-1.fc19)"),
        "{out}"
    );
    assert!(
        foo.contains(
            "shadows foo-1.1-1.fc19.x86_64 (dist-f19-updates): srpm `foo` is taken by the Koji \
             build foo-1.0-1.fc19: merge mode koji"
        ),
        "{foo}"
    );
    assert!(out.contains("  foo-libs-1.1-1.fc19.x86_64 (dist-f19-updates): srpm `foo`"));

    // what changes under bare
    let a = bramble_fixture(&["buildroot", "f19-build", "--explain", "foo"]).success();
    let out = stdout_of(&a);
    let bare = out.split("merge mode bare (what if):").nth(1).expect(&out);
    assert!(
        bare.contains("in:  foo-1.1-1.fc19.x86_64  from dist-f19-updates"),
        "{out}"
    );
    let koji = out.split("merge mode simple").next().unwrap();
    assert!(koji.contains("merge mode koji (configured):"));
    assert!(
        koji.contains("out: foo-1.1-1.fc19.x86_64  from dist-f19-updates"),
        "{koji}"
    );

    let a = bramble_fixture(&["buildroot", "f19-build", "--mode", "bare", "--json"]).success();
    let plan: Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    assert_eq!(plan["mode"], "bare");
    assert_eq!(plan["mode_overridden"], true);
    let kept: Vec<&str> = plan["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["rpm"]["name"].as_str().unwrap())
        .collect();
    assert!(kept.contains(&"sendmail") && kept.contains(&"foo-libs"));
}

#[test]
fn cli_lint_tells_the_seed_story() {
    let a = bramble_fixture(&["lint", "f19-build", "--json"]).code(1);
    let v: Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    let found: Vec<(String, String)> = v["lints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["code"].as_str().unwrap().to_owned(),
                l["subject"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for want in [
        ("group-pulls-heavy-tool", "srpm-build"),
        ("group-lacks-essential", "srpm-build"),
        ("group-member-missing", "shadow-utils"),
        ("blocked-but-listed", "sendmail"),
        ("inherited-external-repo", "dist-f18-updates"),
        ("old-release-external-repo", "dist-f18-updates"),
        ("blocked-group-entry", "info"),
    ] {
        assert!(
            found.contains(&(want.0.to_owned(), want.1.to_owned())),
            "{want:?} not in {found:?}"
        );
    }
}

#[test]
fn cli_taginfo_shows_where_config_comes_from() {
    let a = bramble_fixture(&["taginfo", "f19-build"]).success();
    let out = stdout_of(&a);
    for line in [
        "Arches: x86_64",
        "  mock.new_chroot : 0  [f19]",
        "  rpm.macro.fedora : 19",
        "  rpm.macro.vendor : blocked  [f19], hides 'Fedora Project' of f18",
        "  (nothing from f19-basedeps: noconfig link)",
    ] {
        assert!(out.lines().any(|l| l == line), "{line:?} not in\n{out}");
    }
    assert!(out.contains("dist-f18-updates (http://mirror.example.invalid/fedora/linux/updates/18/$arch/), merge mode koji, from f18"));
    let a = bramble_fixture(&["taginfo", "f19-build", "--json"]).success();
    let v: Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    assert_eq!(v["build_config"]["arches"], "x86_64");
    // an arch the tag does not have is an error, not an empty buildroot
    let a = bramble_fixture(&["buildroot", "f19-build", "--arch", "ppc64"]).code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(err.contains("has no repo for arch `ppc64`"), "{err}");
}

#[test]
fn fixture_script_and_expectations_are_present() {
    let f = fixture();
    for p in ["build.py", "blocklist", "snapshot.json"] {
        assert!(Path::new(&f.join(p)).is_file(), "{p}");
    }
}

#[test]
fn cli_installing_srpm_build_shows_fedpkg_bringing_mock() {
    let a = bramble_fixture(&[
        "buildroot",
        "f19-build",
        "--arch",
        "x86_64",
        "--install",
        "srpm-build",
    ])
    .success();
    let out = stdout_of(&a);
    assert!(
        out.starts_with("group srpm-build into the f19-build buildroot for x86_64\n"),
        "{out}"
    );
    assert!(
        out.contains(
            "mock-1.1.32-1.fc19.noarch       dist-f19-base   5 B  required by fedpkg via mock"
        ),
        "{out}"
    );
    let pullers = out
        .split("Heaviest pullers")
        .nth(1)
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        pullers.contains("fedpkg: 12 B with 1 package(s): mock (5 B)"),
        "{out}"
    );
    // the build group lists shadow-utils, which no repo has: exit 1, named
    let a = bramble_fixture(&["buildroot", "f19-build", "--install", "build", "--json"]);
    let out = stdout_of(&a.code(1));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["group"], "build");
    assert!(
        v["missing"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m == "shadow-utils"),
        "{out}"
    );
    // a group the tag does not have is an error
    bramble_fixture(&["buildroot", "f19-build", "--install", "nope"]).code(2);
}
