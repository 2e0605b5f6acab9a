//! Colours and emphasis, by role. Only the 16 ANSI colours are used (no true colour, no
//! 256-colour palette), so every terminal and every user theme renders them; with
//! `NO_COLOR` set (to anything non-empty, see no-color.org) no colour is used at all and
//! roles are told apart by bold, underline and reverse video alone, so the screen reads
//! the same.

use ratatui::style::{Color, Modifier, Style};

/// What a piece of text is, for styling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Normal,
    /// Secondary text: repo names, counts, hints.
    Dim,
    /// Headings and the application name.
    Title,
    /// The active tab, the selected row.
    Selected,
    /// A selected row in a pane that does not have the focus.
    SelectedUnfocused,
    /// Something the user can follow with Enter.
    Link,
    /// Unresolved dependencies, fatal load problems.
    Error,
    /// Conflicts, warnings.
    Warning,
    /// All good.
    Ok,
    /// Key names in hints and help.
    Key,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    /// Colour unless `NO_COLOR` is set to a non-empty value.
    pub fn from_env() -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Theme { color: !no_color }
    }

    pub fn style(&self, role: Role) -> Style {
        let s = Style::default();
        if !self.color {
            return match role {
                Role::Normal | Role::Dim | Role::Ok => s,
                Role::Title | Role::Key => s.add_modifier(Modifier::BOLD),
                Role::Selected => s.add_modifier(Modifier::REVERSED),
                Role::SelectedUnfocused => s.add_modifier(Modifier::UNDERLINED),
                Role::Link => s.add_modifier(Modifier::UNDERLINED),
                Role::Error => s.add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
                Role::Warning => s.add_modifier(Modifier::BOLD),
            };
        }
        match role {
            Role::Normal => s,
            Role::Dim => s.fg(Color::DarkGray),
            Role::Title => s.fg(Color::Cyan).add_modifier(Modifier::BOLD),
            Role::Selected => s.add_modifier(Modifier::REVERSED),
            Role::SelectedUnfocused => s.add_modifier(Modifier::UNDERLINED | Modifier::BOLD),
            Role::Link => s.fg(Color::Blue),
            Role::Error => s.fg(Color::Red).add_modifier(Modifier::BOLD),
            Role::Warning => s.fg(Color::Yellow),
            Role::Ok => s.fg(Color::Green),
            Role::Key => s.fg(Color::Cyan).add_modifier(Modifier::BOLD),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_uses_no_colour() {
        let t = Theme { color: false };
        for role in [
            Role::Normal,
            Role::Dim,
            Role::Title,
            Role::Selected,
            Role::SelectedUnfocused,
            Role::Link,
            Role::Error,
            Role::Warning,
            Role::Ok,
            Role::Key,
        ] {
            let s = t.style(role);
            assert_eq!((s.fg, s.bg), (None, None), "{role:?}");
        }
        // Errors stay distinguishable without colour.
        assert_ne!(t.style(Role::Error), t.style(Role::Normal));
    }

    #[test]
    fn only_the_16_ansi_colours() {
        let t = Theme { color: true };
        for role in [
            Role::Dim,
            Role::Title,
            Role::Link,
            Role::Error,
            Role::Warning,
        ] {
            let fg = t.style(role).fg;
            assert!(
                !matches!(fg, Some(Color::Rgb(..) | Color::Indexed(_))),
                "{role:?}"
            );
        }
    }
}
