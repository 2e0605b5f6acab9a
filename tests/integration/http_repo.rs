//! A repository served over HTTP from a server on 127.0.0.1 that the test starts: the
//! same answers as from the directory; a server that stalls and one that truncates give
//! clear errors naming the URL, and nothing hangs (every server loop is bounded).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::Duration;

use bramble::load::http::HttpOptions;
use bramble::load::source::{LoadOptions, Source, load_sources};
use bramble::progress::NoProgress;

#[derive(Clone, Copy)]
enum Mode {
    Serve,
    Stall,
    Truncate,
}

/// Serve files below `root` for at most `max_conns` connections, then stop.
fn serve(root: PathBuf, mode: Mode, max_conns: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        for stream in listener.incoming().take(max_conns) {
            let Ok(stream) = stream else { continue };
            let root = root.clone();
            thread::spawn(move || handle(stream, &root, mode));
        }
    });
    format!("http://{addr}/")
}

fn handle(mut stream: TcpStream, root: &Path, mode: Mode) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let path = line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .trim_start_matches('/')
        .to_string();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
            break;
        }
    }
    let file = root.join(&path);
    let Ok(body) = std::fs::read(&file) else {
        let _ = stream
            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
    };
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let stalls = matches!(mode, Mode::Stall) && path.contains("primary");
    let truncates = matches!(mode, Mode::Truncate) && path.contains("primary");
    if stalls {
        let _ = stream.write_all(&body[..body.len() / 2]);
        thread::sleep(Duration::from_secs(3));
    } else if truncates {
        let _ = stream.write_all(&body[..body.len() / 2]);
    } else {
        let _ = stream.write_all(&body);
    }
    let _ = stream.flush();
    let mut sink = [0u8; 16];
    let _ = stream.set_read_timeout(Some(Duration::from_millis(50)));
    let _ = stream.read(&mut sink);
}

fn repo() -> Option<PathBuf> {
    let oracle = super::common::oracle()?;
    Some(oracle.join("repos/broken-closure"))
}

fn opts() -> LoadOptions {
    let mut o = LoadOptions {
        host_arch: Some("x86_64".into()),
        ..Default::default()
    };
    o.http = HttpOptions {
        read_timeout: Duration::from_millis(500),
        connect_timeout: Duration::from_secs(2),
        ..o.http
    };
    o
}

fn nevras(pool: &bramble::model::pool::Pool) -> Vec<String> {
    let mut v: Vec<String> = pool.ids().map(|i| pool.nevra(i)).collect();
    v.sort();
    v
}

#[test]
fn repo_over_http_equals_repo_from_directory() {
    let Some(dir) = repo() else { return };
    let url = serve(dir.clone(), Mode::Serve, 16);
    let remote = load_sources(
        &[Source::parse(&format!("broken,{url}")).unwrap()],
        &opts(),
        &NoProgress,
    );
    assert!(
        remote.problems.iter().all(|p| !p.fatal),
        "{:?}",
        remote.problems
    );
    let local = load_sources(
        &[Source::parse(&format!("broken,{}", dir.display())).unwrap()],
        &opts(),
        &NoProgress,
    );
    assert_eq!(nevras(&remote.pool), nevras(&local.pool));
    assert!(remote.pool.len() > 20);
}

#[test]
fn stalled_and_truncated_servers_give_clear_errors() {
    let Some(dir) = repo() else { return };
    for (mode, what) in [(Mode::Stall, "stall"), (Mode::Truncate, "truncate")] {
        let url = serve(dir.clone(), mode, 16);
        let started = std::time::Instant::now();
        let r = load_sources(
            &[Source::parse(&format!("broken,{url}")).unwrap()],
            &opts(),
            &NoProgress,
        );
        let fatal: Vec<String> = r
            .problems
            .iter()
            .filter(|p| p.fatal)
            .map(|p| p.error.to_string())
            .collect();
        eprintln!("{what}: {fatal:?}");
        assert_eq!(fatal.len(), 1, "{what}: {fatal:?}");
        assert!(
            fatal[0].contains("127.0.0.1") && fatal[0].contains("primary"),
            "{what}: {}",
            fatal[0]
        );
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{what} took too long"
        );
    }
}
