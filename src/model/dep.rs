//! Dependencies: comparison flags, dependency kinds and `Reldep`, the interned
//! `name [op evr]` form every package relation is stored in.

use serde::Serialize;

/// The comparison of a versioned dependency, as rpm's `RPMSENSE_LESS/GREATER/EQUAL` bits.
///
/// `Any` is an unversioned dependency (`Requires: foo`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Cmp {
    Any,
    Lt,
    Le,
    Eq,
    Ge,
    Gt,
}

impl Cmp {
    pub const LESS: u8 = 2;
    pub const GREATER: u8 = 4;
    pub const EQUAL: u8 = 8;

    /// rpm's sense bits for this comparison.
    pub fn bits(self) -> u8 {
        match self {
            Cmp::Any => 0,
            Cmp::Lt => Self::LESS,
            Cmp::Le => Self::LESS | Self::EQUAL,
            Cmp::Eq => Self::EQUAL,
            Cmp::Ge => Self::GREATER | Self::EQUAL,
            Cmp::Gt => Self::GREATER,
        }
    }

    /// The operator as written in a spec file (`<`, `<=`, `=`, `>=`, `>`); empty for `Any`.
    pub fn as_str(self) -> &'static str {
        match self {
            Cmp::Any => "",
            Cmp::Lt => "<",
            Cmp::Le => "<=",
            Cmp::Eq => "=",
            Cmp::Ge => ">=",
            Cmp::Gt => ">",
        }
    }

    /// The operator from its spec-file spelling (`<`, `<=`, `=`, `==`, `>=`, `>`).
    pub fn from_op(op: &str) -> Option<Cmp> {
        Some(match op {
            "<" => Cmp::Lt,
            "<=" | "=<" => Cmp::Le,
            "=" | "==" => Cmp::Eq,
            ">=" | "=>" => Cmp::Ge,
            ">" => Cmp::Gt,
            _ => return None,
        })
    }

    /// The operator from rpm-md's `flags` attribute (`LT`, `LE`, `EQ`, `GE`, `GT`).
    pub fn from_rpmmd(flags: &str) -> Option<Cmp> {
        Some(match flags {
            "LT" => Cmp::Lt,
            "LE" => Cmp::Le,
            "EQ" => Cmp::Eq,
            "GE" => Cmp::Ge,
            "GT" => Cmp::Gt,
            _ => return None,
        })
    }
}
