//! The real binary in a real terminal: tmux runs `bramble --demo` in an 80x24 pane; the
//! test types as a user would and reads the screen back with `capture-pane`. It walks
//! journey 1 (s3cmd needs python3-magic, which python3-file-magic conflicts with), runs
//! the closure, quits, and checks the terminal came back in cooked mode with the shell.
//! Skipped (with a message) when tmux is not installed.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .arg("-f")
            .arg("/dev/null")
            .args(args)
            .output()
            .expect("run tmux")
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        assert!(self.run(&args).status.success(), "send-keys {keys:?}");
    }

    /// Type text literally (no key-name lookup).
    fn type_text(&self, text: &str) {
        assert!(
            self.run(&["send-keys", "-t", "e2e", "-l", text])
                .status
                .success()
        );
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-t", "e2e", "-p"]).stdout).into_owned()
    }

    /// Poll the screen until `ok` holds; panic with the last screen after `secs`.
    fn wait_for(&self, what: &str, secs: u64, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if ok(&s) {
                return s;
            }
            if start.elapsed() > Duration::from_secs(secs) {
                panic!("timed out waiting for {what}; screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

#[test]
fn demo_journey_in_a_real_terminal() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("skipped: tmux is not installed");
        return;
    }
    let bin = env!("CARGO_BIN_EXE_bramble");
    let tmux = Tmux {
        socket: format!("bramble-e2e-{}", std::process::id()),
    };
    let started = tmux.run(&[
        "new-session",
        "-d",
        "-s",
        "e2e",
        "-x",
        "80",
        "-y",
        "24",
        "sh",
    ]);
    assert!(started.status.success(), "tmux new-session: {started:?}");
    // A plain prompt, so the shell's return is easy to see.
    tmux.type_text("PS1='e2e$ '");
    tmux.keys(&["Enter"]);
    tmux.type_text("clear");
    tmux.keys(&["Enter"]);
    tmux.type_text(&format!("{bin} --demo"));
    tmux.keys(&["Enter"]);
    tmux.wait_for("the overview", 20, |s| {
        s.contains("1:Over") && s.contains("demo-copr") && s.contains("packages")
    });

    // Filter for s3cmd, open it: it requires python3-magic, whose provider conflicts
    // with python3-file-magic.
    tmux.type_text("/s3cmd");
    tmux.wait_for("the filter", 10, |s| s.contains("Packages 1/"));
    tmux.keys(&["Enter"]);
    tmux.keys(&["Enter"]);
    let s = tmux.wait_for("s3cmd's requirements", 10, |s| {
        s.contains("python3-magic → python3-magic-0.4.27")
    });
    assert!(s.contains("conflicts with python3-file-magic"), "{s}");

    // Follow python3-magic (third link), see who conflicts with it.
    tmux.type_text("jj");
    tmux.keys(&["Enter"]);
    tmux.wait_for("python3-magic's details", 10, |s| {
        s.contains("s3cmd › python3-magic") && s.contains("Required by (1)")
    });

    // The install simulation of the story: s3cmd into an image with insights-client.
    tmux.type_text(":install s3cmd --on insights-client");
    tmux.keys(&["Enter"]);
    tmux.wait_for("the derivation", 10, |s| {
        s.contains("would fail")
            && s.contains("`python3-file-magic` conflicts with `python3-magic`")
    });
    // The Koji build tag of the demo: its inheritance and lints.
    tmux.type_text("6");
    tmux.wait_for("the Tags view", 10, |s| {
        s.contains("f19-build (4)") && s.contains("lints:")
    });
    // The conflicts: the magic pair, with who pulls in each side.
    tmux.type_text("x");
    let s = tmux.wait_for("the conflict list", 20, |s| {
        s.contains("conflicting pairs")
            && s.contains("python3-file-magic-5.39-16.el9.noarch (demo-base) conflicts with")
    });
    assert!(
        s.contains("← insights-client") && s.contains("← s3cmd"),
        "{s}"
    );
    // Run the closure of the demo (broken on purpose).
    tmux.type_text("c");
    tmux.wait_for("the closure report", 20, |s| {
        s.contains("unresolved deps in")
    });

    // Quit: the shell is back, in cooked mode with echo.
    tmux.type_text("q");
    tmux.wait_for("the shell prompt", 10, |s| {
        !s.contains("1:Over") && s.lines().any(|l| l.starts_with("e2e$"))
    });
    tmux.type_text(
        "stty -a | tr -s ' ;' '\\n\\n' | grep -x -e icanon -e echo | tr '\\n' ' '; echo END",
    );
    tmux.keys(&["Enter"]);
    tmux.wait_for("cooked mode", 10, |s| s.contains("icanon echo END"));
}

#[test]
fn without_a_terminal_the_tui_points_to_the_cli() {
    // assert_cmd pipes stdout: not a terminal.
    super::common::bramble()
        .arg("--demo")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("not a terminal"))
        .stderr(predicates::str::contains("bramble closure"));
    super::common::bramble()
        .arg("--demo")
        .env("TERM", "dumb")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("TERM=dumb"));
}
