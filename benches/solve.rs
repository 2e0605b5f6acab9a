//! Install simulation speed, measured (not asserted): `cargo bench --bench solve`.
//!
//! On the Fedora-scale repo (`$BRAMBLE_ORACLE/scale/debian-bookworm`, 63,440 packages;
//! skipped when absent): an image of about 300 packages is made by solving a set of
//! common roots, then installing one more package on top of it is timed (the issue's
//! target: under 200 ms), as is solving the image itself and the conflict search.

#![allow(clippy::print_stdout)] // a bench reports on stdout

use std::path::PathBuf;
use std::time::{Duration, Instant};

use bramble::analysis::conflicts::{ConflictOptions, find_conflicts};
use bramble::analysis::install::{Root, simulate_install};
use bramble::load::source::{LoadOptions, Source, load_sources};
use bramble::model::package::PkgId;
use bramble::model::pool::Pool;
use bramble::progress::{Cancel, NoProgress};

fn report(what: &str, mut v: Vec<Duration>, target: Option<Duration>) {
    v.sort();
    let (median, worst) = (v[v.len() / 2], v[v.len() - 1]);
    let verdict = match target {
        Some(t) if worst < t => format!("target < {t:?}: ok"),
        Some(t) => format!("target < {t:?}: MISSED"),
        None => String::new(),
    };
    println!(
        "{what:<52} median {median:>10.2?}  worst {worst:>10.2?}  (n={})  {verdict}",
        v.len()
    );
}

fn newest(pool: &Pool, name: &str) -> Option<PkgId> {
    pool.by_name(name)
        .iter()
        .copied()
        .filter(|&p| pool.is_installable(p))
        .max_by(|&a, &b| pool.evr(a).cmp_full(&pool.evr(b)))
}

fn main() {
    let oracle = std::env::var_os("BRAMBLE_ORACLE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/oracle")));
    let repo = oracle.join("scale/debian-bookworm");
    if !repo.join("repodata/repomd.xml").is_file() {
        println!("skipped: {} is missing", repo.display());
        return;
    }
    let src = Source::parse(&format!("scale,{}", repo.display())).expect("source");
    let opts = LoadOptions {
        host_arch: Some("x86_64".into()),
        ..LoadOptions::default()
    };
    let t = Instant::now();
    let loaded = load_sources(&[src], &opts, &NoProgress);
    let pool = loaded.pool;
    println!("load {} packages: {:.2?}", pool.len(), t.elapsed());

    // an image: a server's worth of common packages
    let base = [
        "bash",
        "coreutils",
        "apt",
        "openssh-server",
        "python3",
        "perl",
        "systemd",
        "sudo",
        "curl",
        "wget",
        "vim",
        "less",
        "rsync",
        "git",
        "tar",
        "gzip",
        "xz-utils",
        "procps",
        "iproute2",
        "ca-certificates",
        "cron",
        "logrotate",
        "rsyslog",
        "python3-yaml",
        "python3-requests",
        "openssl",
        "gnupg",
        "man-db",
        "locales",
        "tzdata",
        "gcc",
        "make",
        "python3-pip",
        "python3-numpy",
        "htop",
        "tmux",
        "zsh",
        "gdb",
        "strace",
        "lsof",
        "tcpdump",
        "jq",
        "unzip",
        "zip",
        "bzip2",
        "file",
        "ruby",
        "nodejs",
        "golang-go",
        "emacs-nox",
        "nmap",
        "imagemagick",
        "ffmpeg",
    ];
    // (the converted Debian repo has uninstallable corners under RPM rules: keep each
    // root only if the image still installs with it)
    let mut roots: Vec<Root> = Vec::new();
    for p in base.iter().filter_map(|n| newest(&pool, n)) {
        roots.push(Root::Pkg(p));
        if simulate_install(&pool, &roots, &[], &[]).is_err() {
            roots.pop();
        }
    }
    let mut times = Vec::new();
    let mut image = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let tx = simulate_install(&pool, &roots, &[], &[]).expect("the image installs");
        times.push(t.elapsed());
        image = tx.packages.iter().map(|x| x.0).collect::<Vec<_>>();
    }
    report(
        &format!(
            "solve the image ({} roots → {} packages)",
            roots.len(),
            image.len()
        ),
        times,
        None,
    );
    for extra in ["s3cmd", "nginx", "postgresql", "python3-django"] {
        let Some(p) = newest(&pool, extra) else {
            continue;
        };
        let mut times = Vec::new();
        let mut n = 0i64;
        for _ in 0..10 {
            let t = Instant::now();
            let r = simulate_install(&pool, &[Root::Pkg(p)], &image, &[]);
            times.push(t.elapsed());
            n = r.map(|t| t.packages.len() as i64).unwrap_or(-1);
        }
        let what = if n < 0 {
            "fails, explained".to_string()
        } else {
            format!("+{n}")
        };
        report(
            &format!(
                "install {extra} on the {}-package image ({what})",
                image.len()
            ),
            times,
            Some(Duration::from_millis(200)),
        );
    }
    let mut times = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let r = find_conflicts(
            &pool,
            &[],
            &ConflictOptions::default(),
            &NoProgress,
            &Cancel::new(),
        );
        times.push(t.elapsed());
        assert!(!r.cancelled);
    }
    report(
        "conflict search over the whole repo (after load)",
        times,
        Some(Duration::from_secs(1)),
    );
}
