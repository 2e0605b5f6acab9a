//! The key map: one table, [`KEYMAP`], from key names to [`Action`]s. Key handling looks
//! keys up in it, the help view is generated from it, and the README's key section must
//! equal [`markdown`] (a test compares them), so the three never disagree. The command
//! palette's commands are the second table, [`COMMANDS`].

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// The views, in tab order; the digit of each is its position + 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ViewId {
    Overview,
    Packages,
    Closure,
    Conflicts,
    Install,
    Tags,
    Modules,
    Diff,
    Errors,
    Help,
}

impl ViewId {
    pub const ALL: [ViewId; 10] = [
        ViewId::Overview,
        ViewId::Packages,
        ViewId::Closure,
        ViewId::Conflicts,
        ViewId::Install,
        ViewId::Tags,
        ViewId::Modules,
        ViewId::Diff,
        ViewId::Errors,
        ViewId::Help,
    ];

    pub fn title(self) -> &'static str {
        match self {
            ViewId::Overview => "Overview",
            ViewId::Packages => "Packages",
            ViewId::Closure => "Closure",
            ViewId::Conflicts => "Conflicts",
            ViewId::Install => "Install",
            ViewId::Tags => "Tags",
            ViewId::Modules => "Modules",
            ViewId::Diff => "Diff",
            ViewId::Errors => "Errors",
            ViewId::Help => "Help",
        }
    }

    /// The title where space is short (80 columns).
    pub fn short(self) -> &'static str {
        match self {
            ViewId::Overview => "Over",
            ViewId::Packages => "Pkgs",
            ViewId::Closure => "Clos",
            ViewId::Conflicts => "Confl",
            ViewId::Install => "Inst",
            ViewId::Tags => "Tags",
            ViewId::Modules => "Mods",
            ViewId::Diff => "Diff",
            ViewId::Errors => "Err",
            ViewId::Help => "Help",
        }
    }

    pub fn index(self) -> usize {
        ViewId::ALL.iter().position(|&v| v == self).unwrap_or(0)
    }

    pub fn next(self) -> ViewId {
        ViewId::ALL[(self.index() + 1) % ViewId::ALL.len()]
    }

    pub fn prev(self) -> ViewId {
        ViewId::ALL[(self.index() + ViewId::ALL.len() - 1) % ViewId::ALL.len()]
    }
}

/// What the user asks for. Keys map to actions through [`KEYMAP`]; `Char` is text typed
/// into the filter or the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Quit,
    NextView,
    PrevView,
    Show(ViewId),
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    /// Open the selection / follow a provider or requirer / jump to a package.
    Enter,
    /// Go back one step (close a popup, leave the details, cancel a running closure).
    Back,
    StartFilter,
    StartCommand,
    /// Copy the selected package's name to the clipboard (OSC 52).
    Copy,
    /// Show the equivalent `dnf` (and `bramble`) command for what is on screen.
    ShowCommand,
    RunClosure,
    ToggleNewest,
    ToggleBest,
    /// Toggle the installability check of the closure run.
    ToggleInstallable,
    /// Run the conflict finder (Conflicts view).
    RunConflicts,
    /// Forward / reverse inheritance (Tags view).
    ToggleReverse,
    /// Fold / unfold the tree below the row (Tags view).
    ToggleFold,
    /// Jump from a package to its module stream.
    ShowStream,
    // Editing the filter or command line.
    Char(char),
    Backspace,
    ClearInput,
    Submit,
    Complete,
}

/// Where a binding applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// In every view (not while typing).
    Global,
    /// In lists and the details pane.
    Lists,
    Closure,
    Tags,
    Packages,
    /// While typing a filter (`/`) or a command (`:`).
    Input,
}

impl Scope {
    pub fn title(self) -> &'static str {
        match self {
            Scope::Global => "anywhere",
            Scope::Lists => "lists",
            Scope::Closure => "closure",
            Scope::Tags => "tags",
            Scope::Packages => "packages",
            Scope::Input => "typing",
        }
    }
}

pub struct Binding {
    pub keys: &'static [&'static str],
    pub scope: Scope,
    pub action: Action,
    pub help: &'static str,
}

const fn b(
    keys: &'static [&'static str],
    scope: Scope,
    action: Action,
    help: &'static str,
) -> Binding {
    Binding {
        keys,
        scope,
        action,
        help,
    }
}

/// Every key binding. Order is the order of the help view and the README.
pub const KEYMAP: &[Binding] = &[
    b(&["q", "Ctrl-c"], Scope::Global, Action::Quit, "quit"),
    b(
        &["?"],
        Scope::Global,
        Action::Show(ViewId::Help),
        "help (this list)",
    ),
    b(&["Tab"], Scope::Global, Action::NextView, "next view"),
    b(
        &["Shift-Tab"],
        Scope::Global,
        Action::PrevView,
        "previous view",
    ),
    b(
        &["1"],
        Scope::Global,
        Action::Show(ViewId::Overview),
        "overview: sources, counts, problems",
    ),
    b(
        &["2"],
        Scope::Global,
        Action::Show(ViewId::Packages),
        "packages and their dependencies",
    ),
    b(
        &["3"],
        Scope::Global,
        Action::Show(ViewId::Closure),
        "closure results",
    ),
    b(
        &["4"],
        Scope::Global,
        Action::Show(ViewId::Conflicts),
        "conflicts: pairs that cannot be installed together",
    ),
    b(
        &["5"],
        Scope::Global,
        Action::Show(ViewId::Install),
        "install simulation and why-chains (`:install`, `:why`)",
    ),
    b(
        &["6"],
        Scope::Global,
        Action::Show(ViewId::Tags),
        "Koji tags: inheritance, repos, groups, buildroot, lints",
    ),
    b(
        &["7"],
        Scope::Global,
        Action::Show(ViewId::Modules),
        "module streams, artifacts, problems",
    ),
    b(
        &["8"],
        Scope::Global,
        Action::Show(ViewId::Diff),
        "diff: what changed between --old and --new, problems first",
    ),
    b(
        &["9"],
        Scope::Global,
        Action::Show(ViewId::Errors),
        "load problems",
    ),
    b(&["0"], Scope::Global, Action::Show(ViewId::Help), "help"),
    b(
        &["/"],
        Scope::Global,
        Action::StartFilter,
        "filter packages: text, glob (`*?[`), `re:` regex, `~` fuzzy",
    ),
    b(
        &[":"],
        Scope::Global,
        Action::StartCommand,
        "command palette (Tab completes)",
    ),
    b(
        &["c"],
        Scope::Global,
        Action::RunClosure,
        "run the closure check (in the background)",
    ),
    b(
        &["@"],
        Scope::Global,
        Action::ShowCommand,
        "show the equivalent dnf / bramble command",
    ),
    b(
        &["y"],
        Scope::Global,
        Action::Copy,
        "copy the package name (OSC 52)",
    ),
    b(
        &["Esc"],
        Scope::Global,
        Action::Back,
        "back: close popup, leave details, cancel closure",
    ),
    b(&["j", "Down"], Scope::Lists, Action::Down, "move down"),
    b(&["k", "Up"], Scope::Lists, Action::Up, "move up"),
    b(&["g", "Home"], Scope::Lists, Action::Top, "first row"),
    b(&["G", "End"], Scope::Lists, Action::Bottom, "last row"),
    b(
        &["PgDn", "Ctrl-d"],
        Scope::Lists,
        Action::PageDown,
        "page down",
    ),
    b(&["PgUp", "Ctrl-u"], Scope::Lists, Action::PageUp, "page up"),
    b(
        &["Enter"],
        Scope::Lists,
        Action::Enter,
        "open details / follow a provider or requirer / jump to package",
    ),
    b(
        &["n"],
        Scope::Closure,
        Action::ToggleNewest,
        "toggle --newest and re-run",
    ),
    b(
        &["b"],
        Scope::Closure,
        Action::ToggleBest,
        "toggle --best and re-run",
    ),
    b(
        &["i"],
        Scope::Closure,
        Action::ToggleInstallable,
        "toggle --installable (can each package really be installed?) and re-run",
    ),
    b(
        &["r"],
        Scope::Tags,
        Action::ToggleReverse,
        "inherited-from / inherited-by tree",
    ),
    b(
        &["z"],
        Scope::Tags,
        Action::ToggleFold,
        "fold / unfold the inheritance below a tag",
    ),
    b(
        &["m"],
        Scope::Packages,
        Action::ShowStream,
        "go to the module stream of the package",
    ),
    b(
        &["x"],
        Scope::Global,
        Action::RunConflicts,
        "find conflicts (in the background)",
    ),
    b(
        &["Enter"],
        Scope::Input,
        Action::Submit,
        "apply the filter / run the command",
    ),
    b(&["Ctrl-c"], Scope::Input, Action::Quit, "quit"),
    b(
        &["Esc"],
        Scope::Input,
        Action::Back,
        "cancel (an empty filter shows every package)",
    ),
    b(
        &["Backspace"],
        Scope::Input,
        Action::Backspace,
        "delete a character",
    ),
    b(
        &["Ctrl-u"],
        Scope::Input,
        Action::ClearInput,
        "clear the line",
    ),
    b(
        &["Tab"],
        Scope::Input,
        Action::Complete,
        "complete the command",
    ),
    b(
        &["Down", "Up"],
        Scope::Input,
        Action::Down,
        "move in the list while filtering",
    ),
];

/// A command of the `:` palette.
pub struct Command {
    pub name: &'static str,
    pub action: Action,
    pub help: &'static str,
}

pub const COMMANDS: &[Command] = &[
    Command {
        name: "overview",
        action: Action::Show(ViewId::Overview),
        help: "sources, counts, problems",
    },
    Command {
        name: "packages",
        action: Action::Show(ViewId::Packages),
        help: "every package; `/` filters",
    },
    Command {
        name: "closure",
        action: Action::RunClosure,
        help: "run the closure check and show it",
    },
    Command {
        name: "conflicts",
        action: Action::RunConflicts,
        help: "find conflicting pairs and show them",
    },
    Command {
        name: "install",
        action: Action::Show(ViewId::Install),
        help: "install ROOTS [--on ROOTS]: simulate, explain",
    },
    Command {
        name: "why",
        action: Action::Show(ViewId::Install),
        help: "why PKG --from ROOTS: dependency chains",
    },
    Command {
        name: "tags",
        action: Action::Show(ViewId::Tags),
        help: "Koji tags (`:tags NAME` opens a tag's page)",
    },
    Command {
        name: "event",
        action: Action::Show(ViewId::Tags),
        help: "event N: the Koji data at hub event N (none: now)",
    },
    Command {
        name: "modules",
        action: Action::Show(ViewId::Modules),
        help: "module streams and their problems",
    },
    Command {
        name: "diff",
        action: Action::Show(ViewId::Diff),
        help: "what changed between --old and --new",
    },
    Command {
        name: "errors",
        action: Action::Show(ViewId::Errors),
        help: "load problems",
    },
    Command {
        name: "help",
        action: Action::Show(ViewId::Help),
        help: "keys and commands",
    },
    Command {
        name: "newest",
        action: Action::ToggleNewest,
        help: "toggle closure --newest",
    },
    Command {
        name: "best",
        action: Action::ToggleBest,
        help: "toggle closure --best",
    },
    Command {
        name: "check",
        action: Action::RunClosure,
        help: "check REPO... (all): closure --check, re-run",
    },
    Command {
        name: "arch",
        action: Action::RunClosure,
        help: "arch ARCH... (all): closure --arch, re-run",
    },
    Command {
        name: "installable",
        action: Action::ToggleInstallable,
        help: "toggle closure --installable",
    },
    Command {
        name: "dnf",
        action: Action::ShowCommand,
        help: "the equivalent dnf command",
    },
    Command {
        name: "quit",
        action: Action::Quit,
        help: "leave bramble",
    },
];

/// Commands whose name starts with `prefix` (all for an empty prefix).
pub fn complete(prefix: &str) -> Vec<&'static Command> {
    let p = prefix.split_whitespace().next().unwrap_or("");
    COMMANDS.iter().filter(|c| c.name.starts_with(p)).collect()
}

/// The canonical name of a key press (`q`, `G`, `Ctrl-c`, `Shift-Tab`, `PgDn`), as the
/// table spells it; `None` for releases and keys bramble does not use.
pub fn key_name(ev: &KeyEvent) -> Option<String> {
    if ev.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
    let name = match ev.code {
        KeyCode::Char(c) if ctrl => format!("Ctrl-{}", c.to_ascii_lowercase()),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Tab if ev.modifiers.contains(KeyModifiers::SHIFT) => "Shift-Tab".into(),
        KeyCode::Tab => "Tab".into(),
        KeyCode::BackTab => "Shift-Tab".into(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Esc => "Esc".into(),
        KeyCode::Backspace => "Backspace".into(),
        KeyCode::Up => "Up".into(),
        KeyCode::Down => "Down".into(),
        KeyCode::Left => "Left".into(),
        KeyCode::Right => "Right".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        _ => return None,
    };
    Some(name)
}

/// The action of a key press. `typing`: the filter or command line has the keyboard, so
/// only [`Scope::Input`] bindings apply and printable characters are text.
pub fn action_for(ev: &KeyEvent, typing: bool) -> Option<Action> {
    let name = key_name(ev)?;
    let in_scope = |s: Scope| {
        if typing {
            s == Scope::Input
        } else {
            s != Scope::Input
        }
    };
    let found = KEYMAP
        .iter()
        .filter(|bnd| in_scope(bnd.scope))
        .find(|bnd| bnd.keys.contains(&name.as_str()))
        .map(|bnd| {
            // One row documents both arrows while typing.
            if typing && name == "Up" {
                Action::Up
            } else {
                bnd.action
            }
        });
    if found.is_some() {
        return found;
    }
    match ev.code {
        KeyCode::Char(c) if typing && !ev.modifiers.contains(KeyModifiers::CONTROL) => {
            Some(Action::Char(c))
        }
        _ => None,
    }
}

/// The key section of the README, generated from [`KEYMAP`] and [`COMMANDS`].
pub fn markdown() -> String {
    let mut s = String::from("| keys | where | does |\n|---|---|---|\n");
    for bnd in KEYMAP {
        let keys: Vec<String> = bnd.keys.iter().map(|k| format!("`{k}`")).collect();
        s.push_str(&format!(
            "| {} | {} | {} |\n",
            keys.join(" "),
            bnd.scope.title(),
            bnd.help
        ));
    }
    s.push_str("\n| command | does |\n|---|---|\n");
    for c in COMMANDS {
        s.push_str(&format!("| `:{}` | {} |\n", c.name, c.help));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, m)
    }

    #[test]
    fn names_and_lookup() {
        let none = KeyModifiers::NONE;
        assert_eq!(
            key_name(&key(KeyCode::Char('c'), KeyModifiers::CONTROL)).as_deref(),
            Some("Ctrl-c")
        );
        assert_eq!(
            key_name(&key(KeyCode::BackTab, KeyModifiers::SHIFT)).as_deref(),
            Some("Shift-Tab")
        );
        assert_eq!(
            action_for(&key(KeyCode::Char('q'), none), false),
            Some(Action::Quit)
        );
        assert_eq!(
            action_for(&key(KeyCode::Char('q'), none), true),
            Some(Action::Char('q'))
        );
        assert_eq!(
            action_for(&key(KeyCode::Char('G'), KeyModifiers::SHIFT), false),
            Some(Action::Bottom)
        );
        assert_eq!(
            action_for(&key(KeyCode::Char('3'), none), false),
            Some(Action::Show(ViewId::Closure))
        );
        assert_eq!(
            action_for(&key(KeyCode::Esc, none), true),
            Some(Action::Back)
        );
        assert_eq!(action_for(&key(KeyCode::Up, none), true), Some(Action::Up));
        assert_eq!(
            action_for(&key(KeyCode::Tab, none), true),
            Some(Action::Complete)
        );
        assert_eq!(
            action_for(&key(KeyCode::Tab, none), false),
            Some(Action::NextView)
        );
        assert_eq!(action_for(&key(KeyCode::F(5), none), false), None);
    }

    #[test]
    fn no_key_is_bound_twice_in_one_scope() {
        let mut seen = std::collections::HashSet::new();
        for bnd in KEYMAP {
            let group = if bnd.scope == Scope::Input { 1 } else { 0 };
            for k in bnd.keys {
                // Scopes other than Input share the keyboard, so a key may appear once.
                assert!(seen.insert((group, *k)), "key {k} bound twice");
            }
        }
    }

    #[test]
    fn readme_key_section_matches_the_keymap() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
        let readme = std::fs::read_to_string(path).expect("README.md");
        let start = "<!-- keys:start (generated from src/tui/keymap.rs; a test checks it) -->\n";
        let end = "<!-- keys:end -->";
        let a = readme
            .find(start)
            .expect("README has the keys:start marker")
            + start.len();
        let b = readme[a..]
            .find(end)
            .expect("README has the keys:end marker")
            + a;
        // BRAMBLE_BLESS_README=1 rewrites the section (after changing the key map).
        if std::env::var_os("BRAMBLE_BLESS_README").is_some() {
            let new = format!("{}{}{}", &readme[..a], markdown(), &readme[b..]);
            std::fs::write(path, new).expect("write README.md");
            return;
        }
        assert_eq!(
            &readme[a..b],
            markdown(),
            "README key section is stale; paste keymap::markdown()"
        );
    }

    #[test]
    fn completion() {
        let names: Vec<_> = complete("cl").iter().map(|c| c.name).collect();
        assert_eq!(names, ["closure"]);
        // arguments after the command name do not stop completion
        let names: Vec<_> = complete("why s3cmd --from x")
            .iter()
            .map(|c| c.name)
            .collect();
        assert_eq!(names, ["why"]);
        assert_eq!(complete("").len(), COMMANDS.len());
        assert!(complete("zz").is_empty());
    }
}
