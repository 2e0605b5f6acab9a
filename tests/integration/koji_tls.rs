//! The hub over TLS with a client certificate (`--cert`, `--serverca`, and koji's `cert` /
//! `serverca` profile keys), and `--event`, against the replay hub. The TLS side is a small
//! Python front (`tls-front.py`) that requires a client certificate signed by a CA made
//! here with `openssl`; skipped when `openssl` or the corpus is missing.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common;
use crate::koji::{hub_dir, start_replay_hub};

struct Front(Child);

impl Drop for Front {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn sh(dir: &Path, script: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A CA, a server certificate for 127.0.0.1 and a client certificate, in `dir`; the client
/// certificate and key together in `client-bundle.pem` (koji's `cert`).
fn make_certs(dir: &Path) -> bool {
    sh(
        dir,
        "set -e
        gk() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out $1; }
        gk ca.key
        openssl req -x509 -new -key ca.key -subj /CN=test-ca -days 2 -out ca.pem \
            -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign
        for who in server client; do
            gk $who.key; openssl req -new -key $who.key -subj /CN=$who -out $who.csr
        done
        printf 'subjectAltName=IP:127.0.0.1\\nbasicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\n' > s.ext
        printf 'basicConstraints=CA:FALSE\\nextendedKeyUsage=clientAuth\\n' > c.ext
        openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
            -extfile s.ext -out server.pem
        openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
            -extfile c.ext -out client.pem
        cat client.pem client.key > client-bundle.pem",
    )
}

fn start_front(dir: &Path, upstream: &str) -> (Front, String) {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/integration/tls-front.py");
    let port_file = dir.join("port");
    let child = Command::new("python3")
        .arg(script)
        .arg(upstream)
        .args(["server.pem", "server.key", "ca.pem"])
        .arg(&port_file)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 runs");
    let mut front = Front(child);
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        if let Ok(p) = std::fs::read_to_string(&port_file) {
            return (front, format!("https://127.0.0.1:{}/kojihub", p.trim()));
        }
        if let Ok(Some(status)) = front.0.try_wait() {
            panic!("tls-front.py exited early: {status}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("tls-front.py did not start within 30 s");
}

fn bramble(args: &[&str]) -> (i32, String, String) {
    let out = common::bramble().args(args).output().expect("bramble runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_hub_that_wants_a_client_certificate() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let Some(dir) = hub_dir() else { return };
    let certs = tempfile::tempdir().unwrap();
    if !make_certs(certs.path()) {
        eprintln!("skipped: openssl could not make the test certificates");
        return;
    }
    let Some(hub) = start_replay_hub(&corpus) else {
        return;
    };
    let (_front, url) = start_front(certs.path(), &hub.url);
    let c = |f: &str| certs.path().join(f).to_str().unwrap().to_owned();
    let expected =
        std::fs::read_to_string(dir.join("cli/f19-build/list-tag-inheritance.txt")).unwrap();

    // the built-in roots do not know the test CA
    let (rc, _, err) = bramble(&["koji", "--hub", &url, "inheritance", "f19-build"]);
    assert_eq!(rc, 2);
    assert!(err.contains(&url) && err.contains("UnknownIssuer"), "{err}");
    // the server is trusted, but it wants a client certificate
    let (rc, _, err) = bramble(&[
        "koji",
        "--hub",
        &url,
        "--serverca",
        &c("ca.pem"),
        "inheritance",
        "f19-build",
    ]);
    assert_eq!(rc, 2);
    // TLS 1.3 asks for the client certificate after the handshake: the refusal arrives
    // as the server's alert, or (on a loaded machine, when the request was already on
    // its way) as the connection closing under it. Either way the hub is named.
    assert!(err.contains(&url), "{err}");
    assert!(
        err.contains("CertificateRequired")
            || err.contains("Broken pipe")
            || err.contains("reset by peer")
            || err.contains("closed"),
        "{err}"
    );
    // both: the answer
    let (rc, out, err) = bramble(&[
        "koji",
        "--hub",
        &url,
        "--serverca",
        &c("ca.pem"),
        "--cert",
        &c("client-bundle.pem"),
        "inheritance",
        "f19-build",
    ]);
    assert_eq!(rc, 0, "{err}");
    assert_eq!(out, expected);
    // the same from a profile, `~` expanded
    let conf = certs.path().join("koji.conf");
    std::fs::write(
        &conf,
        format!(
            "[tls]\nserver = {url}\nauthtype = ssl\ncert = ~/client-bundle.pem\nserverca = {}\n",
            c("ca.pem")
        ),
    )
    .unwrap();
    let out = common::bramble()
        .env("HOME", certs.path())
        .args([
            "koji",
            "-c",
            conf.to_str().unwrap(),
            "-p",
            "tls",
            "inheritance",
            "f19-build",
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected);

    // files that cannot be used are named, before anything is sent
    std::fs::write(certs.path().join("text.pem"), "not a certificate\n").unwrap();
    for (cert, says) in [
        (
            c("client.pem"),
            "client.pem: no PEM private key in the client cert file",
        ),
        (
            c("missing.pem"),
            "missing.pem: cannot read the client cert file",
        ),
        (
            c("text.pem"),
            "text.pem: no PEM certificate in the client cert file",
        ),
    ] {
        let (rc, _, err) = bramble(&[
            "koji",
            "--hub",
            &url,
            "--serverca",
            &c("ca.pem"),
            "--cert",
            &cert,
            "inheritance",
            "f19-build",
        ]);
        assert_eq!(rc, 2);
        assert!(err.contains(says), "{err}");
        assert!(!err.contains("getTag"), "failed before any call: {err}");
    }
}

#[test]
fn event_is_sent_with_every_call() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    if hub_dir().is_none() {
        return;
    }
    let Some(hub) = start_replay_hub(&corpus) else {
        return;
    };
    // The recordings hold no historical answers (PROVENANCE.md names `_event213`
    // recordings that this corpus does not carry): the replay hub answers a query at an
    // event with a fault naming the call it got, which shows the event was sent.
    let (rc, _, err) = bramble(&[
        "koji",
        "--hub",
        &hub.url,
        "--event",
        "213",
        "inheritance",
        "f19-build",
    ]);
    assert_eq!(rc, 2);
    assert!(
        err.contains(&hub.url) && err.contains("getTag('f19-build', event=213)"),
        "{err}"
    );
    let (rc, _, err) = bramble(&["koji", "--hub", &hub.url, "--event", "213", "tagged", "f19"]);
    assert_eq!(rc, 2);
    assert!(err.contains("event=213"), "{err}");
}
