#!/usr/bin/python3
"""Build the Koji buildroot fixture (JOURNEYS.md journey 2, seeds 001 and 004).

    /usr/bin/python3 testdata/koji/build.py

Writes, under testdata/koji/:
  repos/<name>/           small rpm-md repos made with rpmbuild + createrepo_c: the external
                          repos dist-f19-base, dist-f19-updates, dist-f18-updates (x86_64
                          content, with i686 multilib and an s390x stray) and koji-premerge,
                          the Koji side of f19-build's buildroot as kojid's createrepo step
                          makes it from the hub's pkglist (only used for the oracle below)
  blocklist               the hub's blocklist for f19-build (blocked package names)
  snapshot.json           a bramble Koji snapshot of f19-build: every hub answer bramble
                          asks for, written in the shape a Koji 1.35 hub answers
  expected/mergerepo-<mode>-x86_64.txt
                          what mergerepo_c (the real tool) keeps for each kojid merge mode,
                          one `NEVRA<TAB>origin repo` line per package, sorted

The mergerepo_c command lines are kojid's (CreaterepoTask.merge_repos with
use_createrepo_c): `koji`: --koji -b BLOCKLIST; `simple`: --koji --simple -b BLOCKLIST;
`bare`: --pkgorigins --all --arch-expand (no blocklist); each with -a ARCH and the
premerge Koji repo first, then the external repos in getExternalRepoList order.

Story: the custom foo-1.0-1.fc19 in local tag f19 hides foo-1.1 of dist-f19-updates (and
the foo-libs subpackage, which the Koji build does not have) under `koji`; under `bare`
every version stays. f19 blocks sendmail, which f19-basedeps lists; the srpm-build group
holds fedpkg (which requires mock) and lacks tar; build lists shadow-utils, which no repo
has; f19-build inherits dist-f18-updates through f19 -> f18.

Needs rpmbuild, createrepo_c and mergerepo_c (Debian 12: apt-get install rpm createrepo-c).
Reproducible: SOURCE_DATE_EPOCH, testdata/rpmmacros, pinned mtimes and repomd timestamps.
"""

import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
TESTDATA = os.path.dirname(HERE)
EPOCH = "1720000000"
WORK = "/tmp/bramble-koji-fixture"
ARCH = "x86_64"

# (name, version, release, arch, subpackages, requires); arch "noarch" or a target arch
KOJI = {
    # build (nvr) -> rpms; the Koji side as listTaggedRPMS(f19-build, inherit, latest) sees it
    "foo-1.0-1.fc19": [("foo", "1.0", "1.fc19", "x86_64", [], [])],
    "bar-2.0-1.fc19": [("bar", "2.0", "1.fc19", "noarch", [], [])],
}
EXTERNAL = {
    "dist-f19-base": [
        ("foo", "1.0.5", "1.fc19", "x86_64", ["libs"], []),
        ("bar", "1.8", "1.fc19", "noarch", [], []),
        ("bash", "4.2.45", "1.fc19", "x86_64", [], []),
        ("coreutils", "8.21", "1.fc19", "x86_64", [], []),
        ("make", "3.82", "15.fc19", "x86_64", [], []),
        ("gcc", "4.8.1", "1.fc19", "x86_64", [], []),
        ("glibc", "2.17", "4.fc19", "x86_64", [], []),
        ("glibc", "2.17", "4.fc19", "i686", [], []),
        ("sendmail", "8.14.7", "1.fc19", "x86_64", [], []),
        ("fedpkg", "1.13", "1.fc19", "noarch", [], ["mock", "rpm-build"]),
        ("mock", "1.1.32", "1.fc19", "noarch", [], ["tar"]),
        ("rpm-build", "4.11.0", "1.fc19", "x86_64", [], ["tar"]),
        ("tar", "1.26", "20.fc19", "x86_64", [], []),
        ("fedora-release", "19", "1", "noarch", [], []),
        ("zipl", "1.0", "1.fc19", "s390x", [], []),
    ],
    "dist-f19-updates": [
        ("foo", "1.1", "1.fc19", "x86_64", ["libs"], []),
        ("bash", "4.2.46", "1.fc19", "x86_64", [], []),
        ("tar", "1.26", "21.fc19", "x86_64", [], []),
        ("glibc", "2.17", "5.fc19", "x86_64", [], []),
        ("glibc", "2.17", "5.fc19", "i686", [], []),
        ("make", "3.82", "15.fc19", "x86_64", [], []),
        ("vim", "7.4", "1.fc19", "x86_64", [], []),
        ("vim", "7.4", "2.fc19", "x86_64", [], []),
    ],
    "dist-f18-updates": [
        ("baz", "0.9", "1.fc18", "noarch", [], []),
        ("bash", "4.2.40", "1.fc18", "x86_64", [], []),
        ("foo", "0.9", "1.fc18", "x86_64", [], []),
    ],
}
REPO_ORDER = ["koji-premerge", "dist-f19-base", "dist-f19-updates", "dist-f18-updates"]
BLOCKED = ["sendmail"]


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.stderr.write(r.stdout + r.stderr)
        sys.exit("failed: " + " ".join(cmd))
    return r


def defines():
    out = []
    with open(os.path.join(TESTDATA, "rpmmacros")) as f:
        for line in f:
            if line.startswith("%"):
                name, _, value = line.strip().partition(" ")
                out += ["--define", f"{name[1:]} {value}"]
    return out


def spec_text(name, version, release, arch, subs, requires):
    lines = [
        f"Name: {name}",
        f"Version: {version}",
        f"Release: {release}",
        f"Summary: bramble Koji fixture package {name}",
        "License: MIT",
    ]
    if arch == "noarch":
        lines.append("BuildArch: noarch")
    lines += [f"Requires: {r}" for r in requires]
    lines += ["%description", f"{name}: a placeholder for the Koji buildroot fixture.", ""]
    for s in subs:
        lines += [
            f"%package {s}",
            f"Summary: {name}-{s} placeholder",
            f"%description {s}",
            f"{name}-{s}: a placeholder subpackage.",
            "",
        ]
    lines += ["%prep", "%build", "%install", "mkdir -p %{buildroot}/usr/share/bramble-fixture"]
    lines.append(f"echo {name} > %{{buildroot}}/usr/share/bramble-fixture/{name}")
    for s in subs:
        lines.append(f"echo {s} > %{{buildroot}}/usr/share/bramble-fixture/{name}-{s}")
    lines += ["", "%files", f"/usr/share/bramble-fixture/{name}", ""]
    for s in subs:
        lines += [f"%files {s}", f"/usr/share/bramble-fixture/{name}-{s}", ""]
    return "\n".join(lines) + "\n"


def build_rpm(pkg, dest, defs):
    name, version, release, arch, subs, requires = pkg
    top = os.path.join(WORK, "top")
    shutil.rmtree(top, ignore_errors=True)
    spec = os.path.join(WORK, f"{name}.spec")
    with open(spec, "w") as f:
        f.write(spec_text(*pkg))
    target = "x86_64" if arch == "noarch" else arch
    run(["rpmbuild", *defs, "--define", f"_topdir {top}", "--target", target, "--nodeps",
         "-bb", spec])
    os.makedirs(dest, exist_ok=True)
    for root, _, files in os.walk(os.path.join(top, "RPMS")):
        for fn in files:
            shutil.move(os.path.join(root, fn), os.path.join(dest, fn))


def make_repo(d):
    for fn in os.listdir(os.path.join(d, "Packages")):
        os.utime(os.path.join(d, "Packages", fn), (int(EPOCH), int(EPOCH)))
    run(["createrepo_c", "--quiet", "--no-database", "--revision", EPOCH,
         "--set-timestamp-to-revision", d])


def merged_packages(outdir, url_to_name):
    """(nevra, origin) of every package of a mergerepo_c output directory."""
    ns = {"c": "http://linux.duke.edu/metadata/common"}
    repomd = ET.parse(os.path.join(outdir, "repodata", "repomd.xml"))
    rns = {"r": "http://linux.duke.edu/metadata/repo"}
    files = {}
    for d in repomd.getroot().findall("r:data", rns):
        files[d.get("type")] = d.find("r:location", rns).get("href")
    origins = {}
    if "origin" in files:
        with gzip.open(os.path.join(outdir, files["origin"]), "rt") as f:
            for line in f:
                nevra, url = line.rstrip("\n").split("\t")
                origins[nevra] = url_to_name.get(url.rstrip("/") + "/", url)
    out = []
    with gzip.open(os.path.join(outdir, files["primary"])) as f:
        for p in ET.parse(f).getroot().findall("c:package", ns):
            v = p.find("c:version", ns)
            nevra = "{}-{}:{}-{}.{}".format(p.find("c:name", ns).text, v.get("epoch"),
                                            v.get("ver"), v.get("rel"), p.find("c:arch", ns).text)
            # pkgorigins names packages N-V-R.A (no epoch)
            nvra = "{}-{}-{}.{}".format(p.find("c:name", ns).text, v.get("ver"), v.get("rel"),
                                        p.find("c:arch", ns).text)
            out.append(f"{nevra}\t{origins.get(nvra, '?')}")
    return sorted(out)


def run_mergerepo(repos_dir):
    url_to_name = {f"file://{repos_dir}/{n}/": n for n in REPO_ORDER}
    blocklist = os.path.join(HERE, "blocklist")
    modes = {
        "koji": ["mergerepo_c", "--koji", "-b", blocklist],
        "simple": ["mergerepo_c", "--koji", "--simple", "-b", blocklist],
        "bare": ["mergerepo_c", "--pkgorigins", "--all", "--arch-expand"],
    }
    os.makedirs(os.path.join(HERE, "expected"), exist_ok=True)
    for mode, cmd in modes.items():
        out = os.path.join(WORK, f"merged-{mode}")
        shutil.rmtree(out, ignore_errors=True)
        cmd = cmd + ["-a", ARCH, "--no-database", "-o", out]
        for n in REPO_ORDER:
            cmd += ["-r", f"file://{repos_dir}/{n}/"]
        run(cmd)
        lines = merged_packages(out, url_to_name)
        with open(os.path.join(HERE, "expected", f"mergerepo-{mode}-{ARCH}.txt"), "w") as f:
            f.write("# " + " ".join(c.replace(repos_dir, "$REPOS").replace(HERE, "$FIXTURE")
                                    for c in cmd) + "\n")
            f.write("\n".join(lines) + "\n")


# ---- the hub answers ------------------------------------------------------------------------

TAGS = {
    # name: (id, arches, extra, locked)
    "f18": (1, "", {"rpm.macro.vendor": [False, "Fedora Project"]}, False),
    "f19": (2, "", {"mock.new_chroot": [False, 0], "rpm.macro.vendor": [True, None]}, False),
    "f19-basedeps": (3, "", {"rpm.macro.vendor": [False, "basedeps"]}, False),
    "f19-build": (4, "x86_64", {"rpm.macro.fedora": [False, 19]}, False),
}
LINKS = {
    # child: [(parent, priority, noconfig)]
    "f18": [],
    "f19": [("f18", 0, False)],
    "f19-basedeps": [],
    "f19-build": [("f19", 1, False), ("f19-basedeps", 2, True)],
}
PACKAGES = {
    # tag: [(package id, name, owner, blocked)]
    "f18": [(1, "foo", "releng", False), (2, "bar", "releng", False), (3, "bash", "releng", False)],
    "f19": [(4, "sendmail", "releng", True)],
    "f19-basedeps": [(4, "sendmail", "releng", False), (5, "fedora-release", "releng", False)],
    "f19-build": [],
}
BUILDS = {
    # tag: [(build id, package id, nvr, create_event)], latest tagging first
    "f18": [(3, 2, "bar-1.9-1.fc18", 20), (4, 1, "foo-0.9-1.fc18", 19)],
    "f19": [(2, 2, "bar-2.0-1.fc19", 31), (1, 1, "foo-1.0-1.fc19", 30)],
    "f19-basedeps": [],
    "f19-build": [],
}
EXTERNAL_REPOS = {
    # tag: [(repo id, name, priority, merge mode)]
    "f18": [(3, "dist-f18-updates", 10, "koji")],
    "f19": [],
    "f19-basedeps": [],
    "f19-build": [(1, "dist-f19-base", 5, "koji"), (2, "dist-f19-updates", 10, "koji")],
}
URLS = {
    "dist-f19-base": "http://mirror.example.invalid/fedora/linux/releases/19/Everything/$arch/os/",
    "dist-f19-updates": "http://mirror.example.invalid/fedora/linux/updates/19/$arch/",
    "dist-f18-updates": "http://mirror.example.invalid/fedora/linux/updates/18/$arch/",
}
GROUPS = {
    # group: [(package, tag where set, blocked)]
    "build": [("bash", "f19-basedeps", False), ("coreutils", "f19-basedeps", False),
              ("gcc", "f19-basedeps", False), ("make", "f19-basedeps", False),
              ("tar", "f19-basedeps", False), ("shadow-utils", "f19-basedeps", False),
              ("fedora-release", "f19-basedeps", False), ("info", "f19-build", True)],
    "srpm-build": [("bash", "f19-basedeps", False), ("fedpkg", "f19-basedeps", False),
                   ("rpm-build", "f19-basedeps", False), ("make", "f19-basedeps", False),
                   ("fedora-release", "f19-basedeps", False)],
}
TIME = "2013-07-02 10:00:00+00:00"


def tag_id(name):
    return TAGS[name][0]


def get_tag(name, blocked):
    tid, arches, extra, locked = TAGS[name]
    if blocked:
        ex = extra
    else:
        ex = {k: v[1] for k, v in extra.items() if not v[0]}
    return {"arches": arches, "extra": ex, "id": tid, "locked": locked,
            "maven_include_all": False, "maven_support": False, "name": name, "perm": None,
            "perm_id": None}


def build_row(tag, bid, pid, nvr, event):
    name, version, release = nvr.rsplit("-", 2)
    return {"build_id": bid, "completion_time": TIME, "create_event": event,
            "creation_event_id": event - 5, "creation_time": TIME, "draft": False,
            "epoch": None, "id": bid, "name": name, "nvr": nvr, "owner_id": 1,
            "owner_name": "kojiadmin", "package_id": pid, "package_name": name,
            "promoter_id": None, "promoter_name": None, "promotion_time": None,
            "release": release, "start_time": TIME, "state": 1, "tag_id": tag_id(tag),
            "tag_name": tag, "task_id": None, "version": version, "volume_id": 0,
            "volume_name": "DEFAULT"}


def call(method, args, kwargs, result):
    return {"method": method, "args": args, "kwargs": kwargs, "result": result}


def snapshot():
    calls = []
    root = "f19-build"
    calls.append(call("getTag", [root], {}, get_tag(root, False)))
    calls.append(call("getLastEvent", [], {}, {"id": 40, "ts": 1372759200.0}))
    for name in TAGS:
        calls.append(call("getInheritanceData", [name], {}, [
            {"child_id": tag_id(name), "intransitive": False, "maxdepth": None, "name": p,
             "noconfig": nc, "parent_id": tag_id(p), "pkg_filter": "", "priority": prio}
            for p, prio, nc in LINKS[name]]))
        if name != root:
            calls.append(call("getTag", [name], {}, get_tag(name, False)))
        calls.append(call("getTag", [name], {"blocked": True}, get_tag(name, True)))
        calls.append(call("listPackages", [], {"tagID": tag_id(name)}, [
            {"blocked": b, "extra_arches": None, "owner_id": 1, "owner_name": o,
             "package_id": pid, "package_name": pn, "tag_id": tag_id(name), "tag_name": name}
            for pid, pn, o, b in PACKAGES[name]]))
        calls.append(call("listTagged", [name], {}, [
            build_row(name, *b) for b in BUILDS[name]]))
        calls.append(call("getTagExternalRepos", [], {"tag_info": name}, [
            {"arches": None, "external_repo_id": rid, "external_repo_name": rn,
             "merge_mode": mode, "priority": prio, "tag_id": tag_id(name), "tag_name": name,
             "url": URLS[rn]} for rid, rn, prio, mode in EXTERNAL_REPOS[name]]))
    groups = []
    for gid, (g, pkgs) in enumerate(GROUPS.items(), start=1):
        groups.append({
            "biarchonly": False, "blocked": False, "description": None, "display_name": g,
            "exported": True, "group_id": gid, "is_default": None, "langonly": None,
            "name": g, "tag_id": tag_id("f19-basedeps"), "uservisible": True,
            "grouplist": [],
            "packagelist": [
                {"basearchonly": None, "blocked": b, "group_id": gid, "package": p,
                 "requires": None, "tag_id": tag_id(t), "type": "mandatory"}
                for p, t, b in pkgs]})
    calls.append(call("getTagGroups", [root], {"incl_blocked": True}, groups))
    target = {"build_tag": 4, "build_tag_name": root, "dest_tag": 5,
              "dest_tag_name": "f19-candidates", "id": 1, "name": "f19"}
    calls.append(call("getBuildTargets", [], {"buildTagID": 4}, [target]))
    calls.append(call("getBuildTargets", [], {"destTagID": 4}, []))
    calls.append(call("getFullInheritance", [root], {"reverse": True}, []))
    # listTaggedRPMS(f19-build, inherit, latest): the latest builds of f19 and their rpms
    rpms, builds, rid = [], [], 100
    for bid, pid, nvr, event in BUILDS["f19"]:
        builds.append(build_row("f19", bid, pid, nvr, event))
        for name, version, release, arch, subs, _ in KOJI[nvr]:
            for n, a in [(name, "src")] + [(name, arch)] + [(f"{name}-{s}", arch) for s in subs]:
                rid += 1
                rpms.append({"arch": a, "build_id": bid, "buildroot_id": None,
                             "buildtime": int(EPOCH), "draft": False, "epoch": None,
                             "extra": None, "id": rid, "metadata_only": False, "name": n,
                             "payloadhash": "0" * 32, "release": release, "size": 6000,
                             "version": version})
    calls.append(call("listTaggedRPMS", [root], {"inherit": True, "latest": True},
                      [rpms, builds]))
    return {"format": "bramble-koji-snapshot", "version": 1,
            "hub": "http://koji.example.invalid/kojihub", "tags": [root], "event": None,
            "calls": calls}


def main():
    os.environ.update(SOURCE_DATE_EPOCH=EPOCH, TZ="UTC", LC_ALL="C")
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    defs = defines()
    repos_dir = os.path.join(HERE, "repos")
    shutil.rmtree(repos_dir, ignore_errors=True)
    for name, pkgs in EXTERNAL.items():
        for p in pkgs:
            build_rpm(p, os.path.join(repos_dir, name, "Packages"), defs)
        make_repo(os.path.join(repos_dir, name))
    for nvr, pkgs in KOJI.items():
        for p in pkgs:
            build_rpm(p, os.path.join(repos_dir, "koji-premerge", "Packages"), defs)
    make_repo(os.path.join(repos_dir, "koji-premerge"))
    with open(os.path.join(HERE, "blocklist"), "w") as f:
        f.write("".join(b + "\n" for b in BLOCKED))
    run_mergerepo(repos_dir)
    with open(os.path.join(HERE, "snapshot.json"), "w") as f:
        json.dump(snapshot(), f, indent=1, sort_keys=True)
        f.write("\n")
    shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
