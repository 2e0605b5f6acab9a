//! Transparent decompression and checksum verification of repository metadata.
//!
//! rpm-md files come as gzip, xz, zstd, bzip2 or plain; the format is decided from the
//! magic bytes at the start of the data, never from the file name (mirrors rename files,
//! and `createrepo_c` writes whatever `--compress-type` asked for).
//!
//! The pipeline for one file is a single pass:
//!
//! ```text
//! source ──► ChecksumReader (256 KiB buffer, hashes raw bytes, counts consumed bytes)
//!        ──► decoder (flate2 / liblzma / zstd / bzip2, all multi-member)
//!        ──► DecodedReader (256 KiB output buffer, implements BufRead)
//! ```
//!
//! Invariants:
//! - A truncated or corrupt stream is always an error, never a silent short read. The error
//!   comes out of `read`/`fill_buf` as an [`io::Error`] whose message names the file and the
//!   compressed byte offset the decoder had reached; its payload is a [`DecompressError`].
//! - When an expected checksum is given, the raw bytes are hashed as they are read; at the
//!   end of the decoded data the digest is compared and a mismatch is an error (payload
//!   [`ChecksumMismatch`]) that names the file, the expected and the actual sum. A consumer
//!   therefore cannot reach a clean EOF on data that failed verification.
//! - Both payloads survive being tunnelled through any parser that passes `io::Error`s on
//!   (quick-xml, serde): [`io_to_load_error`] turns them back into [`LoadError`]s.
//! - Decompression and checksum errors are sticky: once reported, every later read reports
//!   the same error again.

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, Read};
use std::path::{Path, PathBuf};

use sha2::Digest;

use crate::load::error::LoadError;

/// Size of the raw input buffer and of the decoded output buffer.
pub const BUF_SIZE: usize = 256 * 1024;

/// Magic of zchunk files (`.zck`), which are recognised only to be refused clearly.
const ZCK_MAGIC: &[u8] = b"\0ZCK1";

/// How many leading bytes [`detect`] needs to tell every format apart.
const MAGIC_LEN: usize = 6;

/// Compression format of a metadata file, as found from its magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Compression {
    None,
    Gzip,
    Xz,
    Zstd,
    Bzip2,
}

impl Compression {
    /// Lower-case name used in messages (`gzip`, `xz`, `zstd`, `bzip2`, `uncompressed`).
    pub fn name(self) -> &'static str {
        match self {
            Compression::None => "uncompressed",
            Compression::Gzip => "gzip",
            Compression::Xz => "xz",
            Compression::Zstd => "zstd",
            Compression::Bzip2 => "bzip2",
        }
    }
}

impl fmt::Display for Compression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Detects the compression format from the first bytes of the data (6 bytes suffice).
/// Anything unrecognised, including data too short to tell, is [`Compression::None`].
pub fn detect(head: &[u8]) -> Compression {
    match head {
        [0x1f, 0x8b, ..] => Compression::Gzip,
        [0xfd, b'7', b'z', b'X', b'Z', 0x00, ..] => Compression::Xz,
        [0x28, 0xb5, 0x2f, 0xfd, ..] => Compression::Zstd,
        // A zstd stream may start with a skippable frame (magic 0x184D2A5?, little endian).
        [m, 0x2a, 0x4d, 0x18, ..] if m & 0xf0 == 0x50 => Compression::Zstd,
        [b'B', b'Z', b'h', b'1'..=b'9', ..] => Compression::Bzip2,
        _ => Compression::None,
    }
}

/// A checksum algorithm as named by repomd's `type` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChecksumKind {
    Md5,
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl ChecksumKind {
    /// Parses a repomd `type` attribute, case-insensitively. `sha` is yum's old name for
    /// SHA-1. Unknown names give `None`.
    pub fn parse(name: &str) -> Option<Self> {
        let name = name.trim();
        let kinds = [
            ("md5", ChecksumKind::Md5),
            ("sha", ChecksumKind::Sha1),
            ("sha1", ChecksumKind::Sha1),
            ("sha224", ChecksumKind::Sha224),
            ("sha256", ChecksumKind::Sha256),
            ("sha384", ChecksumKind::Sha384),
            ("sha512", ChecksumKind::Sha512),
        ];
        kinds
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|&(_, k)| k)
    }

    /// Canonical lower-case name (`md5`, `sha1`, `sha224`, `sha256`, `sha384`, `sha512`).
    pub fn name(self) -> &'static str {
        match self {
            ChecksumKind::Md5 => "md5",
            ChecksumKind::Sha1 => "sha1",
            ChecksumKind::Sha224 => "sha224",
            ChecksumKind::Sha256 => "sha256",
            ChecksumKind::Sha384 => "sha384",
            ChecksumKind::Sha512 => "sha512",
        }
    }

    /// Length of the hex digest.
    pub fn hex_len(self) -> usize {
        match self {
            ChecksumKind::Md5 => 32,
            ChecksumKind::Sha1 => 40,
            ChecksumKind::Sha224 => 56,
            ChecksumKind::Sha256 => 64,
            ChecksumKind::Sha384 => 96,
            ChecksumKind::Sha512 => 128,
        }
    }

    /// Lower-case hex digest of `data`.
    pub fn digest_hex(self, data: &[u8]) -> String {
        let mut h = Hasher::new(self);
        h.update(data);
        h.finalize_hex()
    }
}

impl fmt::Display for ChecksumKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An expected checksum: algorithm plus lower-case hex digest.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Checksum {
    pub kind: ChecksumKind,
    pub hex: String,
}

impl Checksum {
    /// Builds a checksum, trimming and lower-casing the hex digest.
    pub fn new(kind: ChecksumKind, hex: &str) -> Self {
        Checksum {
            kind,
            hex: hex.trim().to_ascii_lowercase(),
        }
    }

    /// True if `actual_hex` is this digest (case-insensitive).
    pub fn matches(&self, actual_hex: &str) -> bool {
        self.hex.eq_ignore_ascii_case(actual_hex.trim())
    }
}

impl fmt::Display for Checksum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.kind, self.hex)
    }
}

/// Incremental hasher over any [`ChecksumKind`].
pub(crate) enum Hasher {
    Md5(md5::Md5),
    Sha1(sha1::Sha1),
    Sha224(sha2::Sha224),
    Sha256(sha2::Sha256),
    Sha384(sha2::Sha384),
    Sha512(sha2::Sha512),
}

impl Hasher {
    pub(crate) fn new(kind: ChecksumKind) -> Self {
        match kind {
            ChecksumKind::Md5 => Hasher::Md5(md5::Md5::new()),
            ChecksumKind::Sha1 => Hasher::Sha1(sha1::Sha1::new()),
            ChecksumKind::Sha224 => Hasher::Sha224(sha2::Sha224::new()),
            ChecksumKind::Sha256 => Hasher::Sha256(sha2::Sha256::new()),
            ChecksumKind::Sha384 => Hasher::Sha384(sha2::Sha384::new()),
            ChecksumKind::Sha512 => Hasher::Sha512(sha2::Sha512::new()),
        }
    }

    pub(crate) fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Md5(h) => h.update(data),
            Hasher::Sha1(h) => h.update(data),
            Hasher::Sha224(h) => h.update(data),
            Hasher::Sha256(h) => h.update(data),
            Hasher::Sha384(h) => h.update(data),
            Hasher::Sha512(h) => h.update(data),
        }
    }

    pub(crate) fn finalize_hex(self) -> String {
        match self {
            Hasher::Md5(h) => to_hex(&h.finalize()),
            Hasher::Sha1(h) => to_hex(&h.finalize()),
            Hasher::Sha224(h) => to_hex(&h.finalize()),
            Hasher::Sha256(h) => to_hex(&h.finalize()),
            Hasher::Sha384(h) => to_hex(&h.finalize()),
            Hasher::Sha512(h) => to_hex(&h.finalize()),
        }
    }
}

/// Lower-case hex of `bytes`.
pub(crate) fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

/// Buffered reader over raw (compressed) bytes that hashes every byte it reads from its
/// source and counts the bytes its consumer has consumed.
///
/// Hashing happens when bytes enter the buffer, so the digest covers exactly what was read
/// from the source; [`ChecksumReader::finish`] drains the rest of the source so the digest
/// covers the whole file even when the consumer stopped early.
pub struct ChecksumReader<R> {
    inner: R,
    buf: Box<[u8]>,
    pos: usize,
    filled: usize,
    consumed: u64,
    read_total: u64,
    eof: bool,
    hasher: Option<Hasher>,
    kind: Option<ChecksumKind>,
    digest: Option<String>,
    /// Set when the last error came from `inner` (an I/O error, not bad data).
    source_failed: bool,
}

impl<R: Read> ChecksumReader<R> {
    /// A reader with a [`BUF_SIZE`] buffer; `kind: None` disables hashing.
    pub fn new(inner: R, kind: Option<ChecksumKind>) -> Self {
        Self::with_capacity(BUF_SIZE, inner, kind)
    }

    /// As [`ChecksumReader::new`] with a chosen buffer size (at least 16 bytes).
    pub fn with_capacity(capacity: usize, inner: R, kind: Option<ChecksumKind>) -> Self {
        ChecksumReader {
            inner,
            buf: vec![0; capacity.max(16)].into_boxed_slice(),
            pos: 0,
            filled: 0,
            consumed: 0,
            read_total: 0,
            eof: false,
            hasher: kind.map(Hasher::new),
            kind,
            digest: None,
            source_failed: false,
        }
    }

    /// Bytes consumed by the reader's user so far: the offset of the next unconsumed byte.
    pub fn position(&self) -> u64 {
        self.consumed
    }

    /// Bytes read from the source so far (all of them hashed).
    pub fn bytes_read(&self) -> u64 {
        self.read_total
    }

    /// The algorithm being computed, if any.
    pub fn kind(&self) -> Option<ChecksumKind> {
        self.kind
    }

    /// Reads the rest of the source (hashing it, discarding it) and returns the hex digest
    /// of everything the source delivered, or `None` when hashing is disabled. Calling it
    /// again returns the same digest.
    pub fn finish(&mut self) -> io::Result<Option<String>> {
        if self.digest.is_none() && self.hasher.is_some() {
            while !self.eof {
                self.pos = 0;
                self.filled = 0;
                self.read_more()?;
            }
            self.pos = 0;
            self.filled = 0;
            self.digest = self.hasher.take().map(Hasher::finalize_hex);
        }
        Ok(self.digest.clone())
    }

    /// Ensures at least `n` bytes are buffered unless the source ends first, and returns
    /// the buffered bytes without consuming them.
    fn peek(&mut self, n: usize) -> io::Result<&[u8]> {
        if self.pos > 0 && self.buf.len() - self.pos < n {
            self.buf.copy_within(self.pos..self.filled, 0);
            self.filled -= self.pos;
            self.pos = 0;
        }
        while self.filled - self.pos < n && !self.eof && self.filled < self.buf.len() {
            self.read_more()?;
        }
        Ok(&self.buf[self.pos..self.filled])
    }

    /// One read from the source into the free tail of the buffer.
    fn read_more(&mut self) -> io::Result<()> {
        self.source_failed = false;
        loop {
            match self.inner.read(&mut self.buf[self.filled..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    let new = &self.buf[self.filled..self.filled + n];
                    if let Some(h) = &mut self.hasher {
                        h.update(new);
                    }
                    self.filled += n;
                    self.read_total += n as u64;
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.source_failed = true;
                    return Err(e);
                }
            }
        }
    }

    /// True (once) if the last error came from the source rather than from the data.
    fn take_source_failed(&mut self) -> bool {
        std::mem::take(&mut self.source_failed)
    }
}

impl<R: Read> BufRead for ChecksumReader<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos == self.filled && !self.eof {
            self.pos = 0;
            self.filled = 0;
            self.read_more()?;
        }
        Ok(&self.buf[self.pos..self.filled])
    }

    fn consume(&mut self, amt: usize) {
        let amt = amt.min(self.filled - self.pos);
        self.pos += amt;
        self.consumed += amt as u64;
    }
}

impl<R: Read> Read for ChecksumReader<R> {
    fn read(&mut self, dst: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(dst.len());
        dst[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

/// Payload of the `io::Error` reported for a truncated or corrupt compressed stream.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: truncated or corrupt {format} data at compressed byte {offset}: {msg}", path.display())]
pub struct DecompressError {
    pub path: PathBuf,
    pub format: Compression,
    /// Compressed bytes the decoder had consumed when it failed.
    pub offset: u64,
    /// The decoder's own message.
    pub msg: String,
}

/// Payload of the `io::Error` reported at the end of data whose raw checksum did not match.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {kind} checksum mismatch: expected {expected}, got {actual}", path.display())]
pub struct ChecksumMismatch {
    pub path: PathBuf,
    pub kind: ChecksumKind,
    pub expected: String,
    pub actual: String,
}

impl From<DecompressError> for LoadError {
    fn from(e: DecompressError) -> Self {
        LoadError::Decompress {
            path: e.path,
            offset: e.offset,
            msg: format!("truncated or corrupt {} data: {}", e.format, e.msg),
        }
    }
}

impl From<ChecksumMismatch> for LoadError {
    fn from(e: ChecksumMismatch) -> Self {
        LoadError::Checksum {
            path: e.path,
            kind: e.kind.name().to_string(),
            expected: e.expected,
            actual: e.actual,
        }
    }
}

/// Maps an `io::Error` from a [`DecodedReader`] (possibly passed on by a parser or a
/// `ThreadedReader`) to a [`LoadError`]: decompression and checksum payloads become
/// `Decompress` / `Checksum`, an HTTP body error becomes `Http`, anything else is `Io` on
/// `path`.
pub fn io_to_load_error(path: &Path, err: io::Error) -> LoadError {
    match known_payload(&err) {
        Some(e) => e,
        None => LoadError::Io {
            path: path.to_path_buf(),
            source: err,
        },
    }
}

/// As [`io_to_load_error`] for a borrowed error (quick-xml hands out `Arc<io::Error>`). A
/// plain I/O error is re-created from its kind and message.
pub fn io_ref_to_load_error(path: &Path, err: &io::Error) -> LoadError {
    match known_payload(err) {
        Some(e) => e,
        None => LoadError::Io {
            path: path.to_path_buf(),
            source: io::Error::new(err.kind(), err.to_string()),
        },
    }
}

fn known_payload(err: &io::Error) -> Option<LoadError> {
    let inner = err.get_ref()?;
    if let Some(d) = inner.downcast_ref::<DecompressError>() {
        return Some(d.clone().into());
    }
    if let Some(c) = inner.downcast_ref::<ChecksumMismatch>() {
        return Some(c.clone().into());
    }
    crate::load::http::http_error_of(err)
}

type Raw = ChecksumReader<Box<dyn Read + Send>>;

/// The decoder for one format, reading from the shared raw reader.
enum Engine {
    Plain(Raw),
    Gzip(flate2::bufread::MultiGzDecoder<Raw>),
    Xz(liblzma::bufread::XzDecoder<Raw>),
    Zstd(zstd::stream::read::Decoder<'static, Raw>),
    Bzip2(bzip2::bufread::MultiBzDecoder<Raw>),
}

impl Engine {
    fn raw(&self) -> &Raw {
        match self {
            Engine::Plain(r) => r,
            Engine::Gzip(d) => d.get_ref(),
            Engine::Xz(d) => d.get_ref(),
            Engine::Zstd(d) => d.get_ref(),
            Engine::Bzip2(d) => d.get_ref(),
        }
    }

    fn raw_mut(&mut self) -> &mut Raw {
        match self {
            Engine::Plain(r) => r,
            Engine::Gzip(d) => d.get_mut(),
            Engine::Xz(d) => d.get_mut(),
            Engine::Zstd(d) => d.get_mut(),
            Engine::Bzip2(d) => d.get_mut(),
        }
    }

    fn read(&mut self, dst: &mut [u8]) -> io::Result<usize> {
        match self {
            Engine::Plain(r) => r.read(dst),
            Engine::Gzip(d) => d.read(dst),
            Engine::Xz(d) => d.read(dst),
            Engine::Zstd(d) => d.read(dst),
            Engine::Bzip2(d) => d.read(dst),
        }
    }
}

/// A reported error that every later read repeats.
#[derive(Clone)]
enum Poison {
    Decompress(DecompressError),
    Checksum(ChecksumMismatch),
}

impl Poison {
    fn to_io(&self) -> io::Error {
        match self {
            Poison::Decompress(d) => io::Error::new(io::ErrorKind::InvalidData, d.clone()),
            Poison::Checksum(c) => io::Error::new(io::ErrorKind::InvalidData, c.clone()),
        }
    }
}

enum State {
    Reading,
    Done,
    Failed(Poison),
}

/// Everything but the output buffer, so the buffer can be lent to `decode_into`.
struct Decoding {
    engine: Engine,
    path: PathBuf,
    compression: Compression,
    expected: Option<Checksum>,
    state: State,
}

impl Decoding {
    /// Decodes into `dst` (non-empty); at the end of the data verifies the checksum.
    fn decode_into(&mut self, dst: &mut [u8]) -> io::Result<usize> {
        match &self.state {
            State::Reading => {}
            State::Done => return Ok(0),
            State::Failed(p) => return Err(p.to_io()),
        }
        match self.engine.read(dst) {
            Ok(0) => {
                self.at_end()?;
                Ok(0)
            }
            Ok(n) => Ok(n),
            Err(e) => Err(self.classify(e)),
        }
    }

    /// Turns a decoder error into a sticky [`DecompressError`], unless it came from the
    /// source (then it is passed on untouched and may be retried).
    fn classify(&mut self, e: io::Error) -> io::Error {
        if e.kind() == io::ErrorKind::Interrupted || self.engine.raw_mut().take_source_failed() {
            return e;
        }
        let d = DecompressError {
            path: self.path.clone(),
            format: self.compression,
            offset: self.engine.raw().position(),
            msg: e.to_string(),
        };
        let poison = Poison::Decompress(d);
        let err = poison.to_io();
        self.state = State::Failed(poison);
        err
    }

    /// End of the decoded data: compare the raw digest with the expected one.
    fn at_end(&mut self) -> io::Result<()> {
        if let Some(expected) = &self.expected {
            let actual = self.engine.raw_mut().finish()?.unwrap_or_default();
            if !expected.matches(&actual) {
                let poison = Poison::Checksum(ChecksumMismatch {
                    path: self.path.clone(),
                    kind: expected.kind,
                    expected: expected.hex.clone(),
                    actual,
                });
                let err = poison.to_io();
                self.state = State::Failed(poison);
                return Err(err);
            }
        }
        self.state = State::Done;
        Ok(())
    }
}

/// Decoded (decompressed) data of one file or HTTP body, optionally verified against the
/// checksum of its raw bytes. Implements [`BufRead`]; see the module docs for the errors.
pub struct DecodedReader {
    inner: Decoding,
    /// Output buffer; empty for uncompressed data, which is served from the raw buffer.
    out: Box<[u8]>,
    pos: usize,
    filled: usize,
}

impl DecodedReader {
    /// Wraps `raw`, detecting its compression from its first bytes. `name` is used in
    /// messages. With `expected`, the raw bytes are hashed and checked at EOF.
    pub fn new(
        raw: Box<dyn Read + Send>,
        name: &Path,
        expected: Option<&Checksum>,
    ) -> Result<Self, LoadError> {
        let io_err = |source| LoadError::Io {
            path: name.to_path_buf(),
            source,
        };
        let mut raw = ChecksumReader::new(raw, expected.map(|c| c.kind));
        let head = raw.peek(MAGIC_LEN).map_err(io_err)?;
        if head.starts_with(ZCK_MAGIC) {
            return Err(LoadError::Unsupported {
                what: format!("zchunk file `{}`", name.display()),
                why: "zchunk (.zck) metadata cannot be decoded; use the record without `_zck`"
                    .to_string(),
            });
        }
        let compression = detect(head);
        let engine = match compression {
            Compression::None => Engine::Plain(raw),
            Compression::Gzip => Engine::Gzip(flate2::bufread::MultiGzDecoder::new(raw)),
            Compression::Xz => Engine::Xz(liblzma::bufread::XzDecoder::new_multi_decoder(raw)),
            Compression::Zstd => {
                Engine::Zstd(zstd::stream::read::Decoder::with_buffer(raw).map_err(io_err)?)
            }
            Compression::Bzip2 => Engine::Bzip2(bzip2::bufread::MultiBzDecoder::new(raw)),
        };
        let out = match compression {
            Compression::None => Box::default(),
            _ => vec![0; BUF_SIZE].into_boxed_slice(),
        };
        Ok(DecodedReader {
            inner: Decoding {
                engine,
                path: name.to_path_buf(),
                compression,
                expected: expected.cloned(),
                state: State::Reading,
            },
            out,
            pos: 0,
            filled: 0,
        })
    }

    /// The detected compression format.
    pub fn compression(&self) -> Compression {
        self.inner.compression
    }

    /// The file name (or URL-derived name) used in messages.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Compressed bytes consumed so far; compare with the file size for progress.
    pub fn compressed_position(&self) -> u64 {
        self.inner.engine.raw().position()
    }

    fn plain_fill(&mut self) -> io::Result<&[u8]> {
        let Engine::Plain(raw) = &mut self.inner.engine else {
            return Ok(&[]);
        };
        if !matches!(self.inner.state, State::Reading) {
            return match &self.inner.state {
                State::Failed(p) => Err(p.to_io()),
                _ => Ok(&[]),
            };
        }
        if raw.fill_buf()?.is_empty() {
            self.inner.at_end()?;
            return Ok(&[]);
        }
        match &mut self.inner.engine {
            Engine::Plain(raw) => raw.fill_buf(),
            _ => Ok(&[]),
        }
    }
}

impl BufRead for DecodedReader {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.inner.compression == Compression::None {
            return self.plain_fill();
        }
        if self.pos == self.filled {
            self.pos = 0;
            self.filled = 0;
            self.filled = self.inner.decode_into(&mut self.out)?;
        }
        Ok(&self.out[self.pos..self.filled])
    }

    fn consume(&mut self, amt: usize) {
        if let Engine::Plain(raw) = &mut self.inner.engine {
            raw.consume(amt);
        } else {
            self.pos = (self.pos + amt).min(self.filled);
        }
    }
}

impl Read for DecodedReader {
    fn read(&mut self, dst: &mut [u8]) -> io::Result<usize> {
        if dst.is_empty() {
            return Ok(0);
        }
        // Large reads bypass the output buffer, as `std::io::BufReader` does.
        if self.inner.compression != Compression::None
            && self.pos == self.filled
            && dst.len() >= self.out.len()
        {
            return self.inner.decode_into(dst);
        }
        let avail = self.fill_buf()?;
        let n = avail.len().min(dst.len());
        dst[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

/// Opens a file and decodes it, verifying the raw bytes against `expected` at EOF.
pub fn open_verified(path: &Path, expected: Option<&Checksum>) -> Result<DecodedReader, LoadError> {
    let file = File::open(path).map_err(|source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    DecodedReader::new(Box::new(file), path, expected)
}

/// Opens a file and decodes it, without checksum verification.
pub fn open_decoded(path: &Path) -> Result<Box<dyn BufRead + Send>, LoadError> {
    Ok(Box::new(open_verified(path, None)?))
}

/// Decodes a stream (an HTTP body, say); `name` is used in messages.
pub fn decode_reader(
    raw: Box<dyn Read + Send>,
    name: &Path,
) -> Result<Box<dyn BufRead + Send>, LoadError> {
    Ok(Box::new(DecodedReader::new(raw, name, None)?))
}

/// Reads and decodes a whole file into memory, verifying it against `expected`.
pub fn read_decoded(path: &Path, expected: Option<&Checksum>) -> Result<Vec<u8>, LoadError> {
    let mut reader = open_verified(path, expected)?;
    let mut out = Vec::new();
    reader
        .read_to_end(&mut out)
        .map_err(|e| io_to_load_error(path, e))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};

    /// Deterministic XML-ish text that compresses well but not trivially.
    fn sample(len: usize) -> Vec<u8> {
        let words = [
            "<package>",
            "glibc",
            "kernel-core",
            "</package>\n",
            "x86_64",
            "noarch",
        ];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        let mut out = Vec::with_capacity(len + 32);
        while out.len() < len {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let w = words[(state >> 33) as usize % words.len()];
            out.extend_from_slice(w.as_bytes());
            out.extend_from_slice(format!("{} ", state >> 50).as_bytes());
        }
        out.truncate(len);
        out
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn xz(data: &[u8]) -> Vec<u8> {
        let mut e = liblzma::write::XzEncoder::new(Vec::new(), 1);
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn zstd_checked(data: &[u8]) -> Vec<u8> {
        let mut e = zstd::stream::write::Encoder::new(Vec::new(), 3).unwrap();
        e.include_checksum(true).unwrap();
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn bzip2(data: &[u8]) -> Vec<u8> {
        let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    type Encode = fn(&[u8]) -> Vec<u8>;

    fn encoders() -> [(Compression, Encode); 4] {
        [
            (Compression::Gzip, gzip),
            (Compression::Xz, xz),
            (Compression::Zstd, zstd_checked),
            (Compression::Bzip2, bzip2),
        ]
    }

    fn reader(bytes: Vec<u8>, expected: Option<&Checksum>) -> DecodedReader {
        DecodedReader::new(
            Box::new(Cursor::new(bytes)),
            Path::new("t/primary.xml.x"),
            expected,
        )
        .unwrap()
    }

    fn decode(bytes: Vec<u8>, expected: Option<&Checksum>) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        reader(bytes, expected).read_to_end(&mut out)?;
        Ok(out)
    }

    /// Reads through `fill_buf`/`consume` in small steps, as an XML parser does.
    fn decode_bufread(bytes: Vec<u8>, expected: Option<&Checksum>) -> io::Result<Vec<u8>> {
        let mut r = reader(bytes, expected);
        let mut out = Vec::new();
        loop {
            let buf = r.fill_buf()?;
            if buf.is_empty() {
                return Ok(out);
            }
            let n = buf.len().min(1000);
            out.extend_from_slice(&buf[..n]);
            r.consume(n);
        }
    }

    /// A source that hands out at most `step` bytes per read, like a slow HTTP body.
    struct Trickle {
        data: Vec<u8>,
        pos: usize,
        step: usize,
    }

    impl Read for Trickle {
        fn read(&mut self, dst: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(dst.len()).min(self.data.len() - self.pos);
            dst[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
            self.pos += n;
            Ok(n)
        }
    }

    /// A source that fails with an I/O error after `ok` bytes.
    struct Failing {
        data: Vec<u8>,
        pos: usize,
        ok: usize,
        /// Fail the way an `HttpClient` body does.
        http: bool,
    }

    impl Read for Failing {
        fn read(&mut self, dst: &mut [u8]) -> io::Result<usize> {
            if self.pos >= self.ok {
                if self.http {
                    let body = crate::load::http::BodyError {
                        url: "http://x/p.gz".into(),
                        msg: "connection reset".into(),
                    };
                    return Err(io::Error::new(io::ErrorKind::ConnectionReset, body));
                }
                return Err(io::Error::new(
                    io::ErrorKind::ConnectionReset,
                    "connection reset",
                ));
            }
            let n = dst.len().min(self.ok - self.pos);
            dst[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
            self.pos += n;
            Ok(n)
        }
    }

    #[test]
    fn detect_recognises_each_magic() {
        let data = sample(1000);
        for (kind, encode) in encoders() {
            assert_eq!(detect(&encode(&data)), kind);
        }
        assert_eq!(detect(b"<?xml version=\"1.0\"?>"), Compression::None);
        assert_eq!(detect(b""), Compression::None);
        assert_eq!(detect(&[0x1f]), Compression::None);
        assert_eq!(detect(b"BZh0"), Compression::None);
        assert_eq!(detect(b"BZh9"), Compression::Bzip2);
        assert_eq!(detect(&[0xfd, b'7', b'z', b'X', b'Z']), Compression::None);
        // zstd skippable frame
        assert_eq!(detect(&[0x5e, 0x2a, 0x4d, 0x18, 0, 0]), Compression::Zstd);
    }

    #[test]
    fn each_format_round_trips_by_magic_not_name() {
        let data = sample(700_000);
        for (kind, encode) in encoders() {
            let r = reader(encode(&data), None);
            assert_eq!(r.compression(), kind);
            assert_eq!(decode(encode(&data), None).unwrap(), data, "{kind}");
            assert_eq!(decode_bufread(encode(&data), None).unwrap(), data, "{kind}");
        }
        let r = reader(data.clone(), None);
        assert_eq!(r.compression(), Compression::None);
        assert_eq!(decode(data.clone(), None).unwrap(), data);
        assert_eq!(decode_bufread(data.clone(), None).unwrap(), data);
        assert_eq!(decode(Vec::new(), None).unwrap(), b"");
    }

    #[test]
    fn multi_member_streams_decode_fully() {
        let a = sample(50_000);
        let b = sample(30_000);
        let mut both = a.clone();
        both.extend_from_slice(&b);
        for (kind, encode) in encoders() {
            let mut cat = encode(&a);
            cat.extend_from_slice(&encode(&b));
            assert_eq!(decode(cat, None).unwrap(), both, "{kind}");
        }
    }

    #[test]
    fn truncation_is_an_error_naming_path_and_offset() {
        let data = sample(400_000);
        for (kind, encode) in encoders() {
            let full = encode(&data);
            let len = full.len();
            for cut in [7, 40, len / 4, len / 2, len - 9, len - 4, len - 1] {
                let bytes = full[..cut].to_vec();
                let err = decode(bytes.clone(), None)
                    .expect_err(&format!("{kind} cut at {cut} of {len} must fail"));
                let msg = err.to_string();
                assert!(msg.contains("t/primary.xml.x"), "{msg}");
                assert!(
                    msg.contains(&format!("truncated or corrupt {kind} data")),
                    "{msg}"
                );
                assert!(msg.contains("at compressed byte"), "{msg}");
                match io_to_load_error(Path::new("other"), err) {
                    LoadError::Decompress { path, offset, msg } => {
                        assert_eq!(path, Path::new("t/primary.xml.x"));
                        assert!(offset <= cut as u64, "{kind}: offset {offset} > cut {cut}");
                        assert!(msg.contains(kind.name()), "{msg}");
                    }
                    other => panic!("{kind} cut at {cut}: unexpected {other:?}"),
                }
                // The same through fill_buf/consume.
                assert!(decode_bufread(bytes, None).is_err(), "{kind} cut at {cut}");
            }
        }
    }

    #[test]
    fn gzip_truncated_in_the_trailer_is_caught() {
        // MultiGzDecoder must not treat a missing CRC/size trailer as a clean end.
        let data = sample(10_000);
        let full = gzip(&data);
        for missing in 1..=8 {
            let cut = full[..full.len() - missing].to_vec();
            assert!(
                decode(cut, None).is_err(),
                "gzip missing {missing} trailer bytes"
            );
        }
    }

    #[test]
    fn corrupt_data_is_an_error() {
        let data = sample(200_000);
        for (kind, encode) in encoders() {
            let mut bytes = encode(&data);
            let mid = bytes.len() / 2;
            bytes[mid] ^= 0x55;
            bytes[mid + 1] ^= 0xaa;
            let err = decode(bytes, None).expect_err(&format!("{kind} corrupt must fail"));
            assert!(matches!(
                io_to_load_error(Path::new("x"), err),
                LoadError::Decompress { .. }
            ));
        }
    }

    #[test]
    fn errors_are_sticky() {
        let full = gzip(&sample(100_000));
        let mut r = reader(full[..full.len() / 2].to_vec(), None);
        let mut out = Vec::new();
        let first = r.read_to_end(&mut out).unwrap_err().to_string();
        let again = r.fill_buf().unwrap_err().to_string();
        assert_eq!(first, again);
    }

    #[test]
    fn checksum_is_verified_in_the_same_pass() {
        let data = sample(300_000);
        let kinds = [
            ChecksumKind::Md5,
            ChecksumKind::Sha1,
            ChecksumKind::Sha224,
            ChecksumKind::Sha256,
            ChecksumKind::Sha384,
            ChecksumKind::Sha512,
        ];
        for (fmt, encode) in encoders() {
            let raw = encode(&data);
            for kind in kinds {
                let good = Checksum::new(kind, &kind.digest_hex(&raw).to_uppercase());
                assert_eq!(
                    decode(raw.clone(), Some(&good)).unwrap(),
                    data,
                    "{fmt} {kind}"
                );
                assert_eq!(decode_bufread(raw.clone(), Some(&good)).unwrap(), data);
            }
        }
        let good = Checksum::new(
            ChecksumKind::Sha256,
            &ChecksumKind::Sha256.digest_hex(&data),
        );
        assert_eq!(decode(data.clone(), Some(&good)).unwrap(), data);
    }

    #[test]
    fn checksum_mismatch_names_file_expected_and_actual() {
        let data = sample(100_000);
        let expected = Checksum::new(ChecksumKind::Sha256, &"ab".repeat(32));
        for raw in [zstd_checked(&data), data.clone()] {
            let actual = ChecksumKind::Sha256.digest_hex(&raw);
            let mut r = reader(raw, Some(&expected));
            let mut out = Vec::new();
            let err = r.read_to_end(&mut out).unwrap_err();
            // All data was delivered; only the end is refused.
            assert_eq!(out, data);
            let msg = err.to_string();
            assert!(msg.contains("t/primary.xml.x"), "{msg}");
            assert!(
                msg.contains(&expected.hex) && msg.contains(&actual),
                "{msg}"
            );
            assert!(r.fill_buf().is_err(), "mismatch must be sticky");
            match io_to_load_error(Path::new("x"), err) {
                LoadError::Checksum {
                    path,
                    kind,
                    expected: e,
                    actual: a,
                } => {
                    assert_eq!(path, Path::new("t/primary.xml.x"));
                    assert_eq!(kind, "sha256");
                    assert_eq!(e, expected.hex);
                    assert_eq!(a, actual);
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    #[test]
    fn checksum_covers_bytes_after_the_consumer_stops() {
        // The consumer read 10 bytes only; `finish` must still hash the whole source.
        let mut raw = ChecksumReader::with_capacity(64, Cursor::new(sample(10_000)), None);
        assert_eq!(raw.finish().unwrap(), None);
        let data = sample(10_000);
        let mut raw =
            ChecksumReader::with_capacity(64, Cursor::new(data.clone()), Some(ChecksumKind::Md5));
        let mut first = [0u8; 10];
        raw.read_exact(&mut first).unwrap();
        assert_eq!(raw.position(), 10);
        let digest = raw.finish().unwrap();
        assert_eq!(digest, Some(ChecksumKind::Md5.digest_hex(&data)));
        assert_eq!(raw.bytes_read(), data.len() as u64);
        assert_eq!(raw.finish().unwrap(), digest);
    }

    #[test]
    fn tiny_source_reads_work() {
        let data = sample(60_000);
        for (fmt, encode) in encoders() {
            let raw = encode(&data);
            let sum = Checksum::new(ChecksumKind::Sha1, &ChecksumKind::Sha1.digest_hex(&raw));
            for step in [1, 2, 5] {
                let src = Trickle {
                    data: raw.clone(),
                    pos: 0,
                    step,
                };
                let mut r =
                    DecodedReader::new(Box::new(src), Path::new("slow"), Some(&sum)).unwrap();
                assert_eq!(r.compression(), fmt);
                let mut out = Vec::new();
                r.read_to_end(&mut out).unwrap();
                assert_eq!(out, data);
                assert_eq!(r.compressed_position(), raw.len() as u64);
            }
        }
    }

    #[test]
    fn source_io_errors_stay_io_errors() {
        let raw = gzip(&sample(300_000));
        for http in [false, true] {
            let src = Failing {
                ok: raw.len() / 2,
                data: raw.clone(),
                pos: 0,
                http,
            };
            let name = Path::new("http://x/p.gz");
            let mut r = DecodedReader::new(Box::new(src), name, None).unwrap();
            let mut out = Vec::new();
            let err = r.read_to_end(&mut out).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::ConnectionReset);
            match io_to_load_error(name, err) {
                LoadError::Http { url, .. } => assert!(http && url == "http://x/p.gz"),
                LoadError::Io { path, .. } => assert!(!http && path == name),
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    #[test]
    fn errors_survive_quick_xml() {
        let xml = format!("<root>{}</root>", "<a>text</a>".repeat(20_000));
        let full = gzip(xml.as_bytes());
        let r = reader(full[..full.len() / 2].to_vec(), None);
        let mut xr = quick_xml::Reader::from_reader(r);
        let mut buf = Vec::new();
        let err = loop {
            match xr.read_event_into(&mut buf) {
                Ok(quick_xml::events::Event::Eof) => panic!("truncated input parsed cleanly"),
                Ok(_) => buf.clear(),
                Err(e) => break e,
            }
        };
        let quick_xml::Error::Io(io) = err else {
            panic!("expected an I/O error, got {err:?}");
        };
        assert!(matches!(
            io_ref_to_load_error(Path::new("x"), &io),
            LoadError::Decompress { .. }
        ));
    }

    #[test]
    fn zchunk_is_refused() {
        let r = DecodedReader::new(
            Box::new(Cursor::new(b"\0ZCK1xxxxxxxx".to_vec())),
            Path::new("p.xml.zck"),
            None,
        );
        assert!(matches!(r, Err(LoadError::Unsupported { .. })));
    }

    #[test]
    fn checksum_kinds_parse_and_digest() {
        assert_eq!(ChecksumKind::parse("sha"), Some(ChecksumKind::Sha1));
        assert_eq!(ChecksumKind::parse("SHA256"), Some(ChecksumKind::Sha256));
        assert_eq!(ChecksumKind::parse(" md5 "), Some(ChecksumKind::Md5));
        assert_eq!(ChecksumKind::parse("sha3-256"), None);
        assert_eq!(
            ChecksumKind::Md5.digest_hex(b""),
            "d41d8cd98f00b204e9800998ecf8427e"
        );
        assert_eq!(
            ChecksumKind::Sha1.digest_hex(b"abc"),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            ChecksumKind::Sha256.digest_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        for kind in [
            ChecksumKind::Md5,
            ChecksumKind::Sha1,
            ChecksumKind::Sha224,
            ChecksumKind::Sha256,
            ChecksumKind::Sha384,
            ChecksumKind::Sha512,
        ] {
            assert_eq!(kind.digest_hex(b"x").len(), kind.hex_len());
            assert_eq!(ChecksumKind::parse(kind.name()), Some(kind));
        }
        assert!(Checksum::new(ChecksumKind::Md5, " ABC ").matches("abc"));
    }

    #[test]
    fn files_open_and_missing_files_name_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("comps.xml");
        let data = sample(5_000);
        std::fs::write(&path, xz(&data)).unwrap();
        let mut out = Vec::new();
        open_decoded(&path).unwrap().read_to_end(&mut out).unwrap();
        assert_eq!(out, data);
        let sum = Checksum::new(ChecksumKind::Sha256, &"00".repeat(32));
        match read_decoded(&path, Some(&sum)) {
            Err(LoadError::Checksum { path: p, .. }) => assert_eq!(p, path),
            other => panic!("unexpected {other:?}"),
        }
        let missing = dir.path().join("nope.xml.gz");
        let err = open_decoded(&missing).err().unwrap();
        assert!(err.to_string().contains("nope.xml.gz"), "{err}");
    }

    #[test]
    fn corpus_zstd_repodata_decodes() {
        let Some(corpus) = std::env::var_os("BRAMBLE_CORPUS") else {
            eprintln!("BRAMBLE_CORPUS unset; skipping");
            return;
        };
        let dir = Path::new(&corpus).join("microshift-zst-repodata/repodata");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            eprintln!("{} missing; skipping", dir.display());
            return;
        };
        let mut seen = 0;
        for entry in entries {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let Some(hash) = name
                .strip_suffix(".xml.zst")
                .and_then(|n| n.split('-').next())
            else {
                continue;
            };
            // createrepo_c names files after the sha256 of their compressed bytes.
            let sum = Checksum::new(ChecksumKind::Sha256, hash);
            let mut r = open_verified(&path, Some(&sum)).unwrap();
            assert_eq!(r.compression(), Compression::Zstd);
            let mut out = String::new();
            r.read_to_string(&mut out).unwrap();
            assert!(out.starts_with("<?xml"), "{name}");
            seen += 1;
        }
        assert_eq!(seen, 3);
    }
}
