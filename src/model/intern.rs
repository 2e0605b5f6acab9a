//! String interning: every name, version, release, arch and path is stored once and
//! referred to by a 4-byte [`Sym`]. `Sym::EMPTY` is always the empty string.

use rustc_hash::FxBuildHasher;
use serde::Serialize;
use string_interner::StringInterner;
use string_interner::backend::StringBackend;
use string_interner::symbol::{Symbol, SymbolU32};

/// An interned string. Comparing two `Sym`s of one interner compares the strings for equality.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize)]
pub struct Sym(pub u32);

impl Sym {
    /// The empty string, interned first by every [`Interner`].
    pub const EMPTY: Sym = Sym(0);

    pub fn is_empty(self) -> bool {
        self == Sym::EMPTY
    }

    pub fn index(self) -> usize {
        self.0 as usize
    }
}

pub struct Interner {
    inner: StringInterner<StringBackend<SymbolU32>, FxBuildHasher>,
}

impl Default for Interner {
    fn default() -> Self {
        Self::new()
    }
}

impl Interner {
    pub fn new() -> Self {
        Self::with_capacity(0)
    }

    /// An interner with room for `cap` strings before it grows.
    pub fn with_capacity(cap: usize) -> Self {
        let mut inner = StringInterner::with_capacity_and_hasher(cap, FxBuildHasher);
        let empty: SymbolU32 = inner.get_or_intern("");
        debug_assert_eq!(empty.to_usize(), 0);
        Interner { inner }
    }

    pub fn intern(&mut self, s: &str) -> Sym {
        Sym(self.inner.get_or_intern(s).to_usize() as u32)
    }

    /// The symbol of `s` if it was ever interned.
    pub fn get(&self, s: &str) -> Option<Sym> {
        self.inner.get(s).map(|x| Sym(x.to_usize() as u32))
    }

    pub fn resolve(&self, sym: Sym) -> &str {
        SymbolU32::try_from_usize(sym.index())
            .and_then(|s| self.inner.resolve(s))
            .unwrap_or("")
    }

    /// Number of distinct strings (symbols are `0..len`).
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    pub fn is_empty(&self) -> bool {
        self.inner.len() <= 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_is_zero_and_round_trips() {
        let mut i = Interner::new();
        assert_eq!(i.intern(""), Sym::EMPTY);
        let a = i.intern("glibc");
        let b = i.intern("bash");
        assert_ne!(a, b);
        assert_eq!(i.intern("glibc"), a);
        assert_eq!(i.resolve(a), "glibc");
        assert_eq!(i.get("bash"), Some(b));
        assert_eq!(i.get("zsh"), None);
        assert_eq!(i.len(), 3);
    }
}
