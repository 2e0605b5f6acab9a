//! libsolv testcases (`testsolv` `.t` files) as plain data: repositories of packages
//! written as text, the `system` line, and per solve the jobs, flags and the expected
//! result. `load::testcase` reads them; `analysis::testcase` runs them.

use std::path::PathBuf;

/// One package of a testtags repo.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TcPackage {
    pub name: String,
    pub epoch: u32,
    pub version: String,
    pub release: String,
    pub arch: String,
    /// Dependencies per kind, in `DepKind::ALL` order (provides, requires, conflicts,
    /// obsoletes, recommends, suggests, supplements, enhances); `Prq` (pre-requires)
    /// count as requires.
    pub deps: [Vec<String>; 8],
    /// `Fls:` file list entries.
    pub files: Vec<String>,
    pub vendor: Option<String>,
    /// Tags this parser keeps but does not interpret (`Tim`, `Sum`, `Flv`, ...).
    pub other_tags: Vec<String>,
}

/// A `repo` command with its packages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TcRepo {
    pub name: String,
    pub priority: i32,
    pub subpriority: i32,
    /// `testtags`, `helix`, ...; only `testtags` has packages here.
    pub format: String,
    pub packages: Vec<TcPackage>,
    pub line: usize,
}

/// The `system ARCH DISTTYPE [REPO]` command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TcSystem {
    pub arch: String,
    pub disttype: String,
    /// The repo holding the installed packages.
    pub installed: Option<String>,
    pub line: usize,
}

/// A `job` command: `job ACTION SELECTOR WHAT... [FLAGS]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TcJob {
    pub action: String,
    /// `pkg`, `name`, `provides`, `oneof`, `repo`, `all`, `selection`, ...
    pub selector: String,
    /// The words after the selector (a dependency is its words joined with blanks).
    pub what: Vec<String>,
    /// The words of a trailing `[weak,forcebest]`.
    pub flags: Vec<String>,
    pub line: usize,
}

impl TcJob {
    /// The job as testsolv writes it (`install name A [weak]`).
    pub fn text(&self) -> String {
        let mut s = format!("{} {}", self.action, self.selector);
        for w in &self.what {
            s.push(' ');
            s.push_str(w);
        }
        if !self.flags.is_empty() {
            s.push_str(&format!(" [{}]", self.flags.join(",")));
        }
        s
    }
}

/// A `result FLAGS FILE|<inline>` block: what libsolv found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TcResult {
    /// `transaction`, `problems`, `alternatives`, ...
    pub flags: Vec<String>,
    pub lines: Vec<String>,
    pub line: usize,
}

/// A command the parser knows the shape of but keeps as words (`namespace`, `disable`,
/// `vendorclass`, `feature`, `genid`, `evrcmp`, ...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TcOther {
    pub words: Vec<String>,
    pub line: usize,
}

/// One solve: the commands from the start (or a `nextjob`) to the next `nextjob`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TcRun {
    pub solverflags: Vec<String>,
    pub poolflags: Vec<String>,
    pub jobs: Vec<TcJob>,
    pub result: Option<TcResult>,
    pub other: Vec<TcOther>,
}

/// A whole testcase.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Testcase {
    pub path: PathBuf,
    pub repos: Vec<TcRepo>,
    pub system: Option<TcSystem>,
    /// At least one.
    pub runs: Vec<TcRun>,
}
