//! Parsing rpm-md `primary.xml` into the [`Pool`]: streaming (no per-package DOM) and
//! spread over the machine's cores.
//!
//! # Design
//!
//! - The calling thread, as *segmenter*, reads the decoded stream (decompression and
//!   checksum run inside its `read`) about [`Parallel::segment`] bytes at a time and cuts it after the last
//!   `</package>`, so that every *segment* is a run of whole packages.
//! - *Worker* threads parse the segments, handed out round-robin, each into a fresh
//!   [`Pool`]: tokenizing, interning, dependency and rich-dependency parsing all happen
//!   there. A segment is read straight from its buffer (no copy into an event buffer) by
//!   `FastReader`, quick-xml's slice reader cut down to what primary files contain, with
//!   one UTF-8 check per segment instead of one per event; on anything it does not handle
//!   (comments, CDATA, processing instructions, ...) the segment is read by quick-xml.
//! - A *merger* thread [`Pool::absorb`]s the parts in input order. That interns each
//!   distinct string of a part once, in the order the part first saw it, which makes the
//!   pool identical to a sequential parse's: same symbols, same order, same warnings.
//!
//! A segment after the first is parsed behind a synthetic `<metadata>` start tag: that
//! puts the reader (its stack of open elements) and the `Machine` in the state a
//! sequential parse is in right after a `</package>` at the top level. A segment is
//! trusted only if it ends in that state again. Anything else (malformed XML, a truncated
//! file, an I/O error, a `</package>` inside a comment or CDATA section, a root element
//! with a namespace prefix) sends the rest of the document through the sequential parser,
//! starting at that segment behind the real root tag. So errors, their offsets (in the
//! whole decompressed stream) and the packages kept before them are always the ones the
//! sequential parser gives: it is the reference, and what `workers: 0` runs. The tests
//! check both, and `FastReader` against quick-xml, on good, damaged and truncated input.
//!
//! Malformed XML stops the parse with the byte offset of the problem; packages read
//! before it stay in the pool. A bad dependency (unparsable rich dep, non-numeric
//! epoch) does not stop it: it becomes a warning, the dependency is kept by name.
//!
//! # Numbers
//!
//! Debian bookworm as rpm-md (63,440 packages, primary.xml.gz 10 MB → 99 MB), 2 cores,
//! `bramble query --filelists never nonexistent-package`, runs interleaved with `zcat`
//! on a machine other jobs kept busy (load average 4-6), so walls are noisy; CPU time
//! is the steadier measure:
//!
//! | | CPU (user+sys) | wall, median (min) | / `zcat` wall, median (min) |
//! |---|---|---|---|
//! | `zcat primary.xml.gz` | 0.40 s | 0.56 s (0.47 s) | 1 |
//! | sequential quick-xml, decompression on a second thread | 0.75 s | 0.96 s (0.87 s) | 1.71 (1.85) |
//! | this design | 0.55 s | 0.79 s (0.47 s) | 1.41 (1.00) |
//!
//! Per thread (`perf`): segmenter 0.11 s (zlib 0.07 s), each of two workers 0.22 s,
//! merger 0.08 s. FastReader took the workers from 0.32 s to 0.23 s (quick-xml spent a
//! third of its time in per-event UTF-8 checks); parallel parsing alone cost no CPU.
//! On an idle machine the three busy threads fit in the two cores: load ≈ `zcat`.

use std::io::{self, BufRead, Read};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use memchr::memmem;
use quick_xml::Reader;
use quick_xml::events::{BytesEnd, BytesRef, BytesStart, BytesText, Event};

use super::xml::{XmlError, for_each_attr, push_ref};
use crate::model::dep::Cmp;
use crate::model::package::{DepKind, PackageInfo, Reldep};
use crate::model::pool::{NewPackage, Pool, SourceKind};
use crate::progress::Progress;

/// What a primary parse produced besides the packages themselves.
#[derive(Debug, Default, Clone)]
pub struct PrimaryResult {
    pub packages: usize,
    /// Problems that did not stop the parse (bad dependencies), with their offsets.
    pub warnings: Vec<XmlError>,
}

/// How [`parse_primary_with`] spreads the work.
#[derive(Clone, Debug)]
pub struct Parallel {
    /// Parsing threads; 0 parses sequentially on the calling thread (decompression too).
    pub workers: usize,
    /// Bytes of decoded XML read per segment before cutting at the last `</package>`.
    pub segment: usize,
}

impl Default for Parallel {
    /// One worker per core (at most 4), 1 MiB segments.
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Parallel {
            workers: cores.clamp(1, 4),
            segment: 1 << 20,
        }
    }
}

/// Parse a decompressed `primary.xml` stream into `pool` (into its current repo), on
/// all cores (see the module docs).
pub fn parse_primary<R: Read>(
    pool: &mut Pool,
    input: R,
    progress: &dyn Progress,
) -> Result<PrimaryResult, XmlError> {
    parse_primary_with(pool, input, progress, &Parallel::default())
}

/// [`parse_primary`] with the threads and segment size given.
pub fn parse_primary_with<R: Read>(
    pool: &mut Pool,
    input: R,
    progress: &dyn Progress,
    how: &Parallel,
) -> Result<PrimaryResult, XmlError> {
    if how.workers == 0 {
        let input = io::BufReader::with_capacity(1 << 16, input);
        return parse_rest(
            pool,
            Machine::default(),
            input,
            Offsets::default(),
            progress,
        );
    }
    std::thread::scope(|s| {
        let mut to_workers = Vec::with_capacity(how.workers);
        let mut from_workers = Vec::with_capacity(how.workers);
        for _ in 0..how.workers {
            let (seg_tx, seg_rx) = sync_channel::<Segment>(1);
            let (part_tx, part_rx) = sync_channel::<Parsed>(1);
            s.spawn(move || {
                let mut strings = 0;
                for seg in seg_rx {
                    let part = parse_segment(&seg, strings + strings / 4);
                    strings = part.as_ref().map_or(strings, |p| p.pool.strings.len());
                    if part_tx.send(Parsed { seg, part }).is_err() {
                        return;
                    }
                }
            });
            to_workers.push(seg_tx);
            from_workers.push(part_rx);
        }
        let size = how.segment.max(1);
        // Segment buffers go back to the segmenter once absorbed.
        let (recycle, recycled) = sync_channel::<Vec<u8>>(how.workers + 2);
        // The calling thread reads (`input` need not be `Send`), one more merges.
        let merger = s.spawn(move || merge(pool, from_workers, &recycle, progress));
        cut_segments(input, size, to_workers, &recycled);
        merger
            .join()
            .unwrap_or_else(|_| Err(XmlError::new(0, "primary.xml merge thread failed")))
    })
}

// ---- segments ---------------------------------------------------------------------

/// What a segment after the first is parsed behind.
const SYNTHETIC_ROOT: &[u8] = b"<metadata>";
const PACKAGE_END: &[u8] = b"</package>";

/// A run of whole packages of the decoded stream, behind a synthetic root start tag.
struct Segment {
    /// `prefix` bytes of start tag, then the segment's bytes.
    data: Vec<u8>,
    prefix: usize,
    /// Offset of the segment's first byte in the decoded stream.
    base: u64,
    /// The stream ends after this segment (with `error`, if reading failed).
    last: bool,
    error: Option<io::Error>,
}

impl Segment {
    fn offsets(&self) -> Offsets {
        Offsets {
            base: self.base,
            prefix: self.prefix as u64,
        }
    }

    fn len(&self) -> u64 {
        (self.data.len() - self.prefix) as u64
    }
}

/// A segment's packages, parsed on a worker; `None` when the segment must be re-parsed
/// sequentially.
struct Parsed {
    seg: Segment,
    part: Option<Part>,
}

struct Part {
    pool: Pool,
    result: PrimaryResult,
    /// The qualified name of the document's root element (first segment only).
    root: Option<String>,
}

/// Maps positions of a reader over `prefix + segment` to offsets in the decoded stream.
#[derive(Clone, Copy, Default)]
struct Offsets {
    base: u64,
    prefix: u64,
}

impl Offsets {
    fn global(self, local: u64) -> u64 {
        (self.base + local).saturating_sub(self.prefix)
    }
}

/// The segmenter (calling thread): read `input` `size` bytes at a time, cut after the last
/// `</package>`, hand the segments to the workers round-robin.
fn cut_segments<R: Read>(
    mut input: R,
    size: usize,
    workers: Vec<SyncSender<Segment>>,
    recycled: &Receiver<Vec<u8>>,
) {
    let finder = memmem::FinderRev::new(PACKAGE_END);
    let mut data = Vec::with_capacity(size + size / 2);
    let mut prefix = 0;
    // No `</package>` ends before `scan` in `data`.
    let mut scan = 0;
    let mut base = 0u64;
    let mut worker = workers.iter().cycle();
    loop {
        let (cut, last, error) = match fill(&mut input, &mut data, size) {
            Ok(false) => match finder.rfind(&data[scan..]) {
                Some(i) => (scan + i + PACKAGE_END.len(), false, None),
                None => {
                    scan = data.len().saturating_sub(PACKAGE_END.len() - 1).max(prefix);
                    continue;
                }
            },
            Ok(true) => (data.len(), true, None),
            Err(e) => (data.len(), true, Some(e)),
        };
        let mut rest = recycled
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(size + size / 2));
        rest.clear();
        if !last {
            rest.extend_from_slice(SYNTHETIC_ROOT);
            rest.extend_from_slice(&data[cut..]);
            data.truncate(cut);
        }
        let seg = Segment {
            data,
            prefix,
            base,
            last,
            error,
        };
        base += seg.len();
        let sent = worker.next().is_some_and(|w| w.send(seg).is_ok());
        if !sent || last {
            return;
        }
        data = rest;
        prefix = SYNTHETIC_ROOT.len();
        scan = data.len().saturating_sub(PACKAGE_END.len() - 1).max(prefix);
    }
}

/// Append up to `want` bytes of `input` to `data`; `Ok(true)` at the end of the input.
fn fill<R: Read>(input: &mut R, data: &mut Vec<u8>, want: usize) -> io::Result<bool> {
    let mut filled = data.len();
    data.resize(filled + want, 0);
    let res = loop {
        if filled == data.len() {
            break Ok(false);
        }
        match input.read(&mut data[filled..]) {
            Ok(0) => break Ok(true),
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => break Err(e),
        }
    };
    data.truncate(filled);
    res
}

/// A worker's job: parse one segment into a fresh pool, if it parses cleanly. Segments
/// after the first are read with [`FastReader`], and with quick-xml where it declines;
/// `strings` is the number of distinct strings the pool is sized for.
fn parse_segment(seg: &Segment, strings: usize) -> Option<Part> {
    if seg.error.is_some() {
        return None;
    }
    if seg.prefix > 0
        && let Some(part) = FastReader::new(&seg.data).and_then(|r| parse_part(seg, r, strings))
    {
        return Some(part);
    }
    let mut reader = Reader::from_reader(&seg.data[..]);
    reader.config_mut().check_end_names = true;
    parse_part(seg, reader, strings)
}

/// Parse `seg` from `reader` into a fresh pool; `None` unless it ends as a segment must.
fn parse_part<'a>(seg: &Segment, mut reader: impl Events<'a>, strings: usize) -> Option<Part> {
    let mut pool = Pool::with_capacity("", strings);
    pool.add_repo("", "", SourceKind::RpmMd);
    let mut m = Machine::default();
    let off = seg.offsets();
    let end = loop {
        let (pos, ev) = reader.next_event()?;
        if m.event(&mut pool, ev, off.global(pos)).ok()? == Step::Eof {
            break off.global(pos);
        }
    };
    let root = m.root.take();
    let result = if seg.last {
        m.finish(end).ok()?
    } else if m.at_boundary() {
        m.result
    } else {
        return None;
    };
    Some(Part { pool, result, root })
}

/// A source of XML events over one segment: each with the offset it starts at, `None`
/// for an error (or input the source does not handle).
trait Events<'a> {
    fn next_event(&mut self) -> Option<(u64, Event<'a>)>;
}

impl<'a> Events<'a> for Reader<&'a [u8]> {
    fn next_event(&mut self) -> Option<(u64, Event<'a>)> {
        let pos = self.buffer_position();
        self.read_event().ok().map(|ev| (pos, ev))
    }
}

/// quick-xml's slice reader (with `check_end_names`) cut down to the XML that primary
/// files are made of, without its per-event UTF-8 checks (the segment is checked once):
/// the same events at the same offsets. What it does not handle (comments, CDATA,
/// processing instructions, end tags with spaces or quotes, mismatched or unclosed tags,
/// a dangling `&`) it declines with `None`, and the segment goes to quick-xml.
struct FastReader<'a> {
    s: &'a str,
    pos: usize,
    /// Names of the open elements.
    open: Vec<&'a str>,
}

impl<'a> FastReader<'a> {
    fn new(data: &'a [u8]) -> Option<Self> {
        Some(FastReader {
            s: std::str::from_utf8(data).ok()?,
            pos: 0,
            open: Vec::with_capacity(8),
        })
    }
}

impl<'a> Events<'a> for FastReader<'a> {
    fn next_event(&mut self) -> Option<(u64, Event<'a>)> {
        let (s, start) = (self.s, self.pos);
        let rest = &s.as_bytes()[start..];
        let at = start as u64;
        // Every index below is of an ASCII byte, hence a char boundary of `s`.
        match rest.first() {
            None => Some((at, Event::Eof)),
            Some(b'<') => match rest.get(1)? {
                b'!' | b'?' => None,
                b'/' => {
                    let end = memchr::memchr(b'>', rest)?;
                    let name = &s[start + 2..start + end];
                    let plain = !name
                        .bytes()
                        .any(|c| matches!(c, b'"' | b'\'' | b' ' | b'\t' | b'\r' | b'\n'));
                    if !plain || self.open.pop()? != name {
                        return None;
                    }
                    self.pos = start + end + 1;
                    Some((at, Event::End(BytesEnd::new(name))))
                }
                _ => {
                    let end = tag_end(rest)?;
                    self.pos = start + end + 1;
                    let content = &s[start + 1..start + end];
                    match content.strip_suffix('/') {
                        Some(content) => {
                            let n = name_len(content)?;
                            Some((at, Event::Empty(BytesStart::from_content(content, n))))
                        }
                        None => {
                            let n = name_len(content)?;
                            self.open.push(&content[..n]);
                            Some((at, Event::Start(BytesStart::from_content(content, n))))
                        }
                    }
                }
            },
            Some(b'&') => {
                let i = memchr::memchr3(b';', b'&', b'<', &rest[1..])?;
                if rest[1 + i] != b';' {
                    return None;
                }
                self.pos = start + i + 2;
                let name = &s[start + 1..start + 1 + i];
                Some((at, Event::GeneralRef(BytesRef::new(name))))
            }
            Some(_) => {
                let i = memchr::memchr2(b'<', b'&', rest).unwrap_or(rest.len());
                self.pos = start + i;
                Some((
                    at,
                    Event::Text(BytesText::from_escaped(&s[start..start + i])),
                ))
            }
        }
    }
}

/// The index of the `>` that ends the tag `tag` starts with, skipping quoted attribute
/// values (quick-xml's `ElementParser`).
fn tag_end(tag: &[u8]) -> Option<usize> {
    let mut quote = None;
    for i in memchr::memchr3_iter(b'>', b'\'', b'"', tag) {
        match (quote, tag[i]) {
            (None, b'>') => return Some(i),
            (None, q) => quote = Some(q),
            (Some(q), c) if q == c => quote = None,
            _ => {}
        }
    }
    None
}

/// Length of the element name `content` starts with (up to XML whitespace); `None` for
/// an empty name.
fn name_len(content: &str) -> Option<usize> {
    let n = content
        .bytes()
        .position(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\n'))
        .unwrap_or(content.len());
    (n > 0).then_some(n)
}

/// The merger thread: absorb the workers' parts in order; at the first segment that
/// did not parse cleanly, parse the rest sequentially.
fn merge(
    pool: &mut Pool,
    workers: Vec<Receiver<Parsed>>,
    recycle: &SyncSender<Vec<u8>>,
    progress: &dyn Progress,
) -> Result<PrimaryResult, XmlError> {
    // Segments went to the workers round-robin: take the parts back in the same order.
    let mut worker = (0..workers.len()).cycle();
    let mut next = move || worker.next().and_then(|i| workers[i].recv().ok());
    let mut total = PrimaryResult::default();
    let mut root = None;
    loop {
        let Some(Parsed { seg, part }) = next() else {
            return Err(XmlError::new(0, "primary.xml parser thread stopped"));
        };
        let Some(part) = part else {
            return fallback(pool, seg, next, root, progress, total);
        };
        pool.absorb(part.pool);
        total.packages += part.result.packages;
        total.warnings.extend(part.result.warnings);
        root = root.or(part.root);
        progress.advance(seg.len());
        let _ = recycle.try_send(seg.data);
        if seg.last {
            return Ok(total);
        }
    }
}

/// Parse `seg` and every segment after it sequentially, into `pool`.
fn fallback(
    pool: &mut Pool,
    mut seg: Segment,
    mut next: impl FnMut() -> Option<Parsed>,
    root: Option<String>,
    progress: &dyn Progress,
    mut total: PrimaryResult,
) -> Result<PrimaryResult, XmlError> {
    if seg.prefix > 0 {
        // Behind the document's real root tag, so that its end tag matches.
        let mut data = format!("<{}>", root.as_deref().unwrap_or("metadata")).into_bytes();
        let prefix = data.len();
        data.extend_from_slice(&seg.data[seg.prefix..]);
        seg.data = data;
        seg.prefix = prefix;
    }
    let off = seg.offsets();
    let rest = Rest {
        seg,
        pos: 0,
        next: move || next().map(|p| p.seg),
    };
    let r = parse_rest(pool, Machine::default(), rest, off, progress)?;
    total.packages += r.packages;
    total.warnings.extend(r.warnings);
    Ok(total)
}

/// The segments from one on, as one stream (without their synthetic prefixes but the
/// first's), ending with the read error that ended the input, if any.
struct Rest<F> {
    seg: Segment,
    pos: usize,
    next: F,
}

impl<F: FnMut() -> Option<Segment>> BufRead for Rest<F> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.pos >= self.seg.data.len() {
            if self.seg.last {
                return match self.seg.error.take() {
                    Some(e) => Err(e),
                    None => Ok(&[]),
                };
            }
            let Some(seg) = (self.next)() else {
                return Err(io::Error::other("primary.xml reader thread stopped"));
            };
            self.pos = seg.prefix;
            self.seg = seg;
        }
        Ok(&self.seg.data[self.pos..])
    }

    fn consume(&mut self, amt: usize) {
        self.pos += amt;
    }
}

impl<F: FnMut() -> Option<Segment>> Read for Rest<F> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(out.len());
        out[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

/// The sequential parser: parse `input` to its end with `m`, reporting progress every
/// 1024 packages.
fn parse_rest<R: BufRead>(
    pool: &mut Pool,
    mut m: Machine,
    input: R,
    off: Offsets,
    progress: &dyn Progress,
) -> Result<PrimaryResult, XmlError> {
    let mut reader = Reader::from_reader(input);
    reader.config_mut().check_end_names = true;
    let mut buf = Vec::with_capacity(4096);
    let mut reported = off.base;
    loop {
        buf.clear();
        let pos = off.global(reader.buffer_position());
        let ev = match reader.read_event_into(&mut buf) {
            Ok(ev) => ev,
            Err(e) => {
                // quick-xml records no position for read and UTF-8 errors: take where
                // reading stopped, and the start of the event.
                let at = match e {
                    quick_xml::Error::Io(_) => off.global(reader.buffer_position()),
                    quick_xml::Error::Encoding(_) => pos,
                    _ => off.global(reader.error_position()),
                };
                return Err(XmlError::from_quick(at, e));
            }
        };
        match m.event(pool, ev, pos)? {
            Step::Eof => break,
            Step::Package if m.result.packages.is_multiple_of(1024) => {
                let now = off.global(reader.buffer_position());
                progress.advance(now.saturating_sub(reported));
                reported = now;
            }
            _ => {}
        }
    }
    let end = off.global(reader.buffer_position());
    let result = m.finish(end)?;
    progress.advance(end.saturating_sub(reported));
    Ok(result)
}

// ---- the state machine ------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum Text {
    None,
    Name,
    Arch,
    Summary,
    Description,
    Packager,
    Url,
    License,
    Vendor,
    Group,
    Buildhost,
    Sourcerpm,
    Checksum,
    File,
}

#[derive(Default)]
struct Current {
    name: String,
    arch: String,
    epoch: String,
    version: String,
    release: String,
    info: PackageInfo,
    files: Vec<String>,
    deps: [Vec<Reldep>; 8],
}

impl Current {
    fn clear(&mut self) {
        self.name.clear();
        self.arch.clear();
        self.epoch.clear();
        self.version.clear();
        self.release.clear();
        self.info = PackageInfo::default();
        self.files.clear();
        for d in &mut self.deps {
            d.clear();
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    More,
    /// A `</package>` was handled.
    Package,
    Eof,
}

/// What the parser knows between two XML events.
struct Machine {
    text: String,
    target: Text,
    cur: Current,
    in_package: bool,
    dep_kind: Option<DepKind>,
    depth: usize,
    saw_root: bool,
    /// The root element's qualified name.
    root: Option<String>,
    result: PrimaryResult,
}

impl Default for Machine {
    fn default() -> Self {
        Machine {
            text: String::new(),
            target: Text::None,
            cur: Current::default(),
            in_package: false,
            dep_kind: None,
            depth: 0,
            saw_root: false,
            root: None,
            result: PrimaryResult::default(),
        }
    }
}

impl Machine {
    /// In the state right after a top-level `</package>` (that a segment after the first
    /// starts in).
    fn at_boundary(&self) -> bool {
        self.depth == 1
            && self.saw_root
            && !self.in_package
            && self.target == Text::None
            && self.dep_kind.is_none()
    }

    /// The end of the document at `end`: complete?
    fn finish(self, end: u64) -> Result<PrimaryResult, XmlError> {
        if self.in_package || self.depth > 0 {
            return Err(XmlError::new(
                end,
                "unexpected end of file (truncated primary.xml?)",
            ));
        }
        if !self.saw_root {
            return Err(XmlError::new(0, "empty document: no <metadata> element"));
        }
        Ok(self.result)
    }

    /// Handle one event that started at offset `pos`.
    fn event(&mut self, pool: &mut Pool, ev: Event<'_>, pos: u64) -> Result<Step, XmlError> {
        match ev {
            Event::Start(e) => {
                self.depth += 1;
                if self.depth == 1 {
                    self.root_element(&e, pos)?;
                    return Ok(Step::More);
                }
                let local = e.local_name();
                match local.as_ref() {
                    "package" => {
                        self.cur.clear();
                        self.in_package = true;
                    }
                    n if self.in_package => {
                        self.target = match n {
                            "name" => Text::Name,
                            "arch" => Text::Arch,
                            "summary" => Text::Summary,
                            "description" => Text::Description,
                            "packager" => Text::Packager,
                            "url" => Text::Url,
                            "license" => Text::License,
                            "vendor" => Text::Vendor,
                            "group" => Text::Group,
                            "buildhost" => Text::Buildhost,
                            "sourcerpm" => Text::Sourcerpm,
                            "checksum" => {
                                for_each_attr(&e, |k, v| {
                                    if k == "type" {
                                        self.cur.info.checksum_type = pool.intern(&v);
                                    }
                                });
                                Text::Checksum
                            }
                            "file" => Text::File,
                            other => {
                                if let Some(k) = DepKind::from_element(other) {
                                    self.dep_kind = Some(k);
                                } else {
                                    attrs_element(
                                        pool,
                                        &e,
                                        &mut self.cur,
                                        self.dep_kind,
                                        pos,
                                        &mut self.result,
                                    );
                                }
                                Text::None
                            }
                        };
                        self.text.clear();
                    }
                    _ => {}
                }
            }
            Event::Empty(e) => {
                if self.depth == 0 {
                    self.root_element(&e, pos)?;
                }
                if self.in_package {
                    attrs_element(
                        pool,
                        &e,
                        &mut self.cur,
                        self.dep_kind,
                        pos,
                        &mut self.result,
                    );
                }
            }
            Event::Text(t) if self.target != Text::None => {
                self.text.push_str(&t.xml10_content());
            }
            Event::CData(t) if self.target != Text::None => self.text.push_str(&t),
            Event::GeneralRef(r) if self.target != Text::None => push_ref(&mut self.text, &r),
            Event::End(e) => {
                self.depth = self.depth.saturating_sub(1);
                let local = e.local_name();
                let n = local.as_ref();
                if n == "package" && self.in_package {
                    self.in_package = false;
                    finish_package(pool, &mut self.cur, pos)?;
                    self.result.packages += 1;
                    return Ok(Step::Package);
                }
                if DepKind::from_element(n).is_some() {
                    self.dep_kind = None;
                }
                if self.target != Text::None {
                    self.end_text(pool);
                }
            }
            Event::Eof => return Ok(Step::Eof),
            _ => {}
        }
        Ok(Step::More)
    }

    /// The root element must be `<metadata>`.
    fn root_element(&mut self, e: &BytesStart<'_>, pos: u64) -> Result<(), XmlError> {
        if e.local_name().as_ref() != "metadata" {
            return Err(XmlError::new(
                pos,
                format!(
                    "expected <metadata> as the root element of primary.xml, found <{}>",
                    e.name().as_ref()
                ),
            ));
        }
        self.saw_root = true;
        self.root = Some(e.name().as_ref().to_string());
        Ok(())
    }

    /// Store the text of the element that just ended.
    fn end_text(&mut self, pool: &mut Pool) {
        let s = self.text.as_str();
        let cur = &mut self.cur;
        match self.target {
            Text::Name => s.clone_into(&mut cur.name),
            Text::Arch => s.clone_into(&mut cur.arch),
            Text::Summary => cur.info.summary = s.into(),
            Text::Description => cur.info.description = s.into(),
            Text::Url => cur.info.url = s.into(),
            Text::Checksum => cur.info.checksum = s.into(),
            Text::File => cur.files.push(s.to_string()),
            Text::Packager => cur.info.packager = pool.intern(s),
            Text::License => cur.info.license = pool.intern(s),
            Text::Vendor => cur.info.vendor = pool.intern(s),
            Text::Group => cur.info.group = pool.intern(s),
            Text::Buildhost => cur.info.buildhost = pool.intern(s),
            Text::Sourcerpm => cur.info.sourcerpm = pool.intern(s),
            Text::None => {}
        }
        self.target = Text::None;
    }
}

/// Elements whose content is in attributes: `version`, `time`, `size`, `location`,
/// `header-range` and dependency `entry`s.
fn attrs_element(
    pool: &mut Pool,
    e: &BytesStart<'_>,
    cur: &mut Current,
    dep_kind: Option<DepKind>,
    pos: u64,
    result: &mut PrimaryResult,
) {
    let local = e.local_name();
    match local.as_ref() {
        "entry" => {
            let Some(kind) = dep_kind else { return };
            // Borrowed straight from the event buffer: no allocation per attribute.
            let (mut name, mut flags, mut ep, mut ver, mut rel, mut pre) =
                (None, None, None, None, None, false);
            for_each_attr(e, |k, v| match k {
                "name" => name = Some(v),
                "flags" => flags = Some(v),
                "epoch" => ep = Some(v),
                "ver" => ver = Some(v),
                "rel" => rel = Some(v),
                "pre" => pre = v == "1" || v == "true",
                _ => {}
            });
            let Some(name) = name else {
                result
                    .warnings
                    .push(XmlError::new(pos, "dependency entry without a name"));
                return;
            };
            let cmp = match flags.as_deref() {
                None => Cmp::Any,
                Some(f) => match Cmp::from_rpmmd(f) {
                    Some(c) => c,
                    None => {
                        result.warnings.push(XmlError::new(
                            pos,
                            format!("unknown dependency flags `{f}` on `{name}`"),
                        ));
                        Cmp::Any
                    }
                },
            };
            let dep = match pool.make_reldep(
                &name,
                cmp,
                ep.as_deref(),
                ver.as_deref(),
                rel.as_deref(),
                pre,
            ) {
                Ok(d) => d,
                Err(msg) => {
                    result.warnings.push(XmlError::new(pos, msg));
                    Reldep::unversioned(pool.intern(&name))
                }
            };
            cur.deps[kind.index()].push(dep);
        }
        "version" => for_each_attr(e, |k, v| match k {
            "epoch" => cur.epoch = v.into_owned(),
            "ver" => cur.version = v.into_owned(),
            "rel" => cur.release = v.into_owned(),
            _ => {}
        }),
        "time" => for_each_attr(e, |k, v| match k {
            "file" => cur.info.time_file = v.parse().unwrap_or(0),
            "build" => cur.info.time_build = v.parse().unwrap_or(0),
            _ => {}
        }),
        "size" => for_each_attr(e, |k, v| match k {
            "package" => cur.info.size_package = v.parse().unwrap_or(0),
            "installed" => cur.info.size_installed = v.parse().unwrap_or(0),
            "archive" => cur.info.size_archive = v.parse().unwrap_or(0),
            _ => {}
        }),
        "location" => for_each_attr(e, |k, v| {
            if k == "href" {
                cur.info.location = v.into();
            }
        }),
        "header-range" => for_each_attr(e, |k, v| match k {
            "start" => cur.info.header_start = v.parse().unwrap_or(0),
            "end" => cur.info.header_end = v.parse().unwrap_or(0),
            _ => {}
        }),
        _ => {}
    }
}

fn finish_package(pool: &mut Pool, cur: &mut Current, pos: u64) -> Result<(), XmlError> {
    if cur.name.is_empty() {
        return Err(XmlError::new(pos, "<package> without a <name>"));
    }
    let epoch = if cur.epoch.is_empty() {
        0
    } else {
        cur.epoch.parse::<u32>().map_err(|_| {
            XmlError::new(
                pos,
                format!("invalid epoch `{}` for package `{}`", cur.epoch, cur.name),
            )
        })?
    };
    let id = pool.add_package(
        NewPackage {
            name: &cur.name,
            epoch,
            version: &cur.version,
            release: &cur.release,
            arch: &cur.arch,
            info: std::mem::take(&mut cur.info),
        },
        &cur.deps,
    );
    for f in &cur.files {
        pool.add_file(id, f);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::pool::SourceKind;
    use crate::progress::NoProgress;

    const SAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="2">
<package type="rpm">
  <name>s3cmd</name>
  <arch>noarch</arch>
  <version epoch="0" ver="2.3.0" rel="1.el9"/>
  <checksum type="sha256" pkgid="YES">abc123</checksum>
  <summary>Amazon S3 &amp; co &lt;tool&gt;</summary>
  <description>Line one
line two &#x263A;</description>
  <packager></packager>
  <url>https://s3tools.org</url>
  <time file="1700000000" build="1690000000"/>
  <size package="100" installed="200" archive="300"/>
  <location href="Packages/s3cmd-2.3.0-1.el9.noarch.rpm"/>
  <format>
    <rpm:license>GPLv2+</rpm:license>
    <rpm:sourcerpm>s3cmd-2.3.0-1.el9.src.rpm</rpm:sourcerpm>
    <rpm:header-range start="4504" end="9000"/>
    <rpm:provides>
      <rpm:entry name="s3cmd" flags="EQ" epoch="0" ver="2.3.0" rel="1.el9"/>
    </rpm:provides>
    <rpm:requires>
      <rpm:entry name="python3-magic"/>
      <rpm:entry name="/bin/sh" pre="1"/>
      <rpm:entry name="(python3-dateutil or python3-six)"/>
    </rpm:requires>
    <file>/usr/bin/s3cmd</file>
  </format>
</package>
<package type="rpm">
  <name>python3-magic</name>
  <arch>noarch</arch>
  <version epoch="0" ver="0.4.27" rel="1"/>
  <format>
    <rpm:provides><rpm:entry name="python3dist(magic)" flags="EQ" epoch="0" ver="0.4.27"/></rpm:provides>
  </format>
</package>
</metadata>
"#;

    fn load(xml: &str) -> (Pool, Result<PrimaryResult, XmlError>) {
        let mut pool = Pool::new("x86_64");
        pool.add_repo("t", "/t", SourceKind::RpmMd);
        let r = parse_primary(&mut pool, xml.as_bytes(), &NoProgress);
        pool.build_indexes();
        (pool, r)
    }

    #[test]
    fn reads_packages_deps_and_text() {
        let (pool, r) = load(SAMPLE);
        let r = r.unwrap();
        assert_eq!(r.packages, 2);
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        let s3 = pool.by_name("s3cmd")[0];
        assert_eq!(pool.nevra(s3), "s3cmd-2.3.0-1.el9.noarch");
        let p = pool.pkg(s3);
        assert_eq!(&*p.info.summary, "Amazon S3 & co <tool>");
        assert_eq!(&*p.info.description, "Line one\nline two \u{263A}");
        assert_eq!(pool.str(p.info.license), "GPLv2+");
        assert_eq!(p.info.header_start, 4504);
        let req: Vec<String> = pool
            .deps_of(s3, DepKind::Requires)
            .iter()
            .map(|d| pool.dep_str(d))
            .collect();
        assert_eq!(req[0], "python3-magic");
        assert!(pool.deps_of(s3, DepKind::Requires)[1].is_pre());
        assert_eq!(pool.files.len(), 1);
    }

    #[test]
    fn malformed_and_truncated_input_is_an_error_with_offset() {
        let cut = &SAMPLE[..SAMPLE.find("<rpm:requires>").unwrap()];
        let (pool, r) = load(cut);
        let e = r.unwrap_err();
        assert!(e.msg.contains("unexpected end"), "{e:?}");
        assert_eq!(pool.len(), 0);

        let bad = SAMPLE.replace("</summary>", "</summmary>");
        let (_, r) = load(&bad);
        let e = r.unwrap_err();
        let at = bad.find("</summmary>").unwrap() as u64;
        assert!(e.offset >= at && e.offset <= at + 12, "{e:?} vs {at}");

        // the second package is lost, the first stays usable
        let bad = SAMPLE.replace("<name>python3-magic</name>", "<name>python3-magic</nam>");
        let (pool, r) = load(&bad);
        assert!(r.is_err());
        assert_eq!(pool.len(), 1);

        let (_, r) = load("");
        assert!(r.is_err());
        let (_, r) = load("<foo/>");
        assert!(r.is_err());
    }

    #[test]
    fn bad_dependency_is_a_warning() {
        let bad = SAMPLE.replace("(python3-dateutil or python3-six)", "(python3-dateutil or)");
        let (pool, r) = load(&bad);
        let r = r.unwrap();
        assert_eq!(r.packages, 2);
        assert_eq!(r.warnings.len(), 1);
        assert!(r.warnings[0].msg.contains("python3-dateutil or"));
        assert_eq!(pool.len(), 2);
    }

    // ---- the parallel parse equals the sequential one ------------------------------

    /// Everything a parse leaves in a pool, symbol numbers included.
    fn snapshot(pool: &Pool) -> Vec<String> {
        let mut out: Vec<String> = (0..pool.strings.len())
            .map(|i| pool.str(crate::model::intern::Sym(i as u32)).to_string())
            .collect();
        out.extend(pool.packages.iter().map(|p| format!("{p:?}")));
        out.extend(
            pool.deps
                .iter()
                .map(|d| format!("{d:?} {:?}", pool.rich_tree(d))),
        );
        out.extend(pool.files.iter().map(|f| format!("{f:?}")));
        out.push(format!("{:?}", pool.repos));
        out
    }

    /// The outcome of a parse, comparable: pool, count, warnings, error.
    fn outcome(xml: &[u8], fail_after: Option<usize>, how: &Parallel) -> (Vec<String>, String) {
        /// Delivers `data`, then fails (when `fail_after` is given) instead of ending.
        struct Input<'a> {
            data: &'a [u8],
            fail: bool,
        }
        impl Read for Input<'_> {
            fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                if self.data.is_empty() && self.fail {
                    return Err(io::Error::other("boom: checksum mismatch"));
                }
                // Small reads, to cut segments in odd places too.
                let n = out.len().min(self.data.len()).min(97);
                out[..n].copy_from_slice(&self.data[..n]);
                self.data = &self.data[n..];
                Ok(n)
            }
        }
        let input = Input {
            data: &xml[..fail_after.unwrap_or(xml.len()).min(xml.len())],
            fail: fail_after.is_some(),
        };
        let mut pool = Pool::new("x86_64");
        pool.add_repo("t", "/t", SourceKind::RpmMd);
        let r = parse_primary_with(&mut pool, input, &NoProgress, how);
        let r = match r {
            Ok(r) => format!(
                "ok {} {:?}",
                r.packages,
                r.warnings
                    .iter()
                    .map(|w| (w.offset, &w.msg))
                    .collect::<Vec<_>>()
            ),
            Err(e) => format!("err {} {} io={}", e.offset, e.msg, e.io.is_some()),
        };
        (snapshot(&pool), r)
    }

    /// Many packages, with rich deps (good and bad, repeated), entities, a comment and a
    /// CDATA section.
    fn big_sample(n: usize) -> String {
        let mut s = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<metadata xmlns=\"http://linux.duke.edu/metadata/common\" xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\" packages=\"9\">\n",
        );
        for i in 0..n {
            s.push_str(&format!(
                r#"<package type="rpm">
  <name>p{i}</name><arch>{arch}</arch>
  <version epoch="{e}" ver="1.{m}" rel="{i}.el9"/>
  <checksum type="sha256" pkgid="YES">c{i}</checksum>
  <summary>sum &amp; {m} <![CDATA[<x>]]></summary>
  <description>d{i}&#10;x</description>
  <format>
    <rpm:license>L{m}</rpm:license>
    <rpm:provides><rpm:entry name="p{i}" flags="EQ" epoch="0" ver="1.{m}" rel="{i}"/><rpm:entry name="cap{m}"/></rpm:provides>
    <rpm:requires>
      <rpm:entry name="p{prev}" flags="GE" ver="1"/>
      <rpm:entry name="(cap{m} or p{prev})"/>
      <rpm:entry name="{bad}"/>
      <rpm:entry name="x" epoch="{badepoch}" flags="EQ" ver="1"/>
    </rpm:requires>
    <file>/usr/bin/p{m}</file>
  </format>
</package>
"#,
                arch = if i % 3 == 0 { "noarch" } else { "x86_64" },
                e = i % 2,
                m = i % 5,
                prev = i.saturating_sub(1),
                bad = if i % 4 == 1 { "(a or)" } else { "(b if c)" },
                badepoch = if i == 7 { "z" } else { "0" },
            ));
            if i == 5 {
                s.push_str("<!-- a comment with </package> in it -->\n");
            }
        }
        s.push_str("</metadata>\n");
        s
    }

    fn ways() -> Vec<Parallel> {
        let mut v = Vec::new();
        for workers in 1..=3 {
            for segment in [1, 300, 1000, 5000, 1 << 20] {
                v.push(Parallel { workers, segment });
            }
        }
        v
    }

    fn assert_same(xml: &[u8], fail_after: Option<usize>, what: &str) {
        let want = outcome(
            xml,
            fail_after,
            &Parallel {
                workers: 0,
                segment: 0,
            },
        );
        for how in ways() {
            let got = outcome(xml, fail_after, &how);
            assert_eq!(got.1, want.1, "{what}, {how:?}");
            assert!(got.0 == want.0, "{what}, {how:?}: pools differ");
        }
    }

    #[test]
    fn parallel_equals_sequential_on_good_input() {
        let xml = big_sample(30);
        let (pool, r) = outcome(
            xml.as_bytes(),
            None,
            &Parallel {
                workers: 0,
                segment: 0,
            },
        );
        assert!(r.starts_with("ok 30 "), "{r}");
        assert!(pool.len() > 100);
        assert_same(xml.as_bytes(), None, "good");
        assert_same(SAMPLE.as_bytes(), None, "sample");
        let prefixed = xml
            .replace("<metadata ", "<md:metadata ")
            .replace("</metadata>", "</md:metadata>");
        assert_same(prefixed.as_bytes(), None, "prefixed root");
        let no_newlines = xml.replace('\n', "");
        assert_same(no_newlines.as_bytes(), None, "one line");
        let cdata = xml.replacen("<![CDATA[<x>]]>", "<![CDATA[</package>]]>", 9);
        assert_same(cdata.as_bytes(), None, "</package> in CDATA");
    }

    #[test]
    fn parallel_equals_sequential_on_bad_input() {
        let xml = big_sample(12);
        let b = xml.as_bytes();
        for cut in (0..b.len()).step_by(41).chain([b.len() - 1, b.len() - 13]) {
            assert_same(&b[..cut], None, &format!("truncated at {cut}"));
            assert_same(b, Some(cut), &format!("I/O error at {cut}"));
        }
        assert_same(b, Some(b.len()), "I/O error at the end");
        let at = |pat: &str, n: usize| xml.match_indices(pat).nth(n).unwrap().0;
        let mut variants = vec![
            xml.replacen("</summary>", "</summmary>", 7),
            xml.replacen("<name>p8</name>", "<name>p8</nam>", 1),
            xml.replacen("<name>p9</name>", "", 1),
            xml.replacen("epoch=\"1\" ver=\"1.3\"", "epoch=\"one\" ver=\"1.3\"", 1),
            xml.replacen("</package>", "</package></metadata>", 4),
            xml.replacen("</package>", "</package><package>", 6),
            xml.replace("</metadata>", "</metadata><metadata>"),
            format!("{}<!-- unterminated </package> ", &xml[..at("<package", 9)]),
            xml.replace("<metadata ", "<other "),
            xml.replace("<rpm:requires>", "<rpm:requires><rpm:requires/>"),
            String::new(),
            "<metadata/>".to_string(),
            "<?xml version=\"1.0\"?>\n".to_string(),
        ];
        let mut bad_utf8 = xml.clone().into_bytes();
        bad_utf8[at("<name>p6", 0) + 6] = 0xff;
        for (i, v) in variants.drain(..).enumerate() {
            assert_same(v.as_bytes(), None, &format!("variant {i}"));
        }
        assert_same(&bad_utf8, None, "bad utf-8");
    }

    #[test]
    fn parallel_equals_sequential_on_the_scale_repo() {
        let Some(oracle) = std::env::var_os("BRAMBLE_ORACLE") else {
            eprintln!("BRAMBLE_ORACLE unset; skipping");
            return;
        };
        let dir = std::path::Path::new(&oracle).join("scale/debian-bookworm/repodata");
        let Some(path) = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .find(|p| p.to_string_lossy().ends_with("primary.xml.gz"))
        else {
            eprintln!("no scale repo in {}; skipping", dir.display());
            return;
        };
        let load = |how: &Parallel| {
            let input = crate::load::compress::open_verified(&path, None).unwrap();
            let mut pool = Pool::new("x86_64");
            pool.add_repo("t", "/t", SourceKind::RpmMd);
            let r = parse_primary_with(&mut pool, input, &NoProgress, how).unwrap();
            (snapshot(&pool), r.packages, r.warnings.len())
        };
        let want = load(&Parallel {
            workers: 0,
            segment: 0,
        });
        assert_eq!(want.1, 63_440);
        let got = load(&Parallel::default());
        assert_eq!((got.1, got.2), (want.1, want.2));
        assert!(got.0 == want.0, "pools differ");
    }

    // ---- FastReader gives quick-xml's events ----------------------------------------

    /// All events of `data` from quick-xml, or `None` at its first error.
    fn quick_events(data: &[u8]) -> Option<Vec<(u64, Event<'_>)>> {
        let mut r = Reader::from_reader(data);
        r.config_mut().check_end_names = true;
        let mut out = Vec::new();
        loop {
            let ev = r.next_event()?;
            let eof = ev.1 == Event::Eof;
            out.push(ev);
            if eof {
                return Some(out);
            }
        }
    }

    /// Whenever FastReader reads `data` to the end, quick-xml reads the same events.
    fn check_fast(data: &[u8]) -> bool {
        let Some(mut fast) = FastReader::new(data) else {
            return false;
        };
        let mut got = Vec::new();
        loop {
            let Some(ev) = fast.next_event() else {
                return false;
            };
            let eof = ev.1 == Event::Eof;
            got.push(ev);
            if eof {
                break;
            }
        }
        let want = quick_events(data);
        assert_eq!(
            Some(&got),
            want.as_ref(),
            "{}",
            String::from_utf8_lossy(data)
        );
        true
    }

    #[test]
    fn fast_reader_reads_like_quick_xml() {
        let xml = big_sample(20);
        let body = &xml[xml.find("<package").unwrap()..xml.rfind("</metadata>").unwrap()];
        let seg = format!("<metadata>{body}");
        // The comment and CDATA of the sample are declined...
        assert!(!check_fast(seg.as_bytes()));
        // ...and without them it is read.
        let plain = seg
            .replace("<!-- a comment with </package> in it -->", "")
            .replace("<![CDATA[<x>]]>", "&lt;x&gt;");
        assert!(check_fast(plain.as_bytes()));
        assert!(check_fast(
            b"<metadata><a x='>' y=\"'\">t&amp;u&#10;</a><b/>\n"
        ));

        // Random damage: special bytes inserted anywhere.
        let specials: [&[u8]; 16] = [
            b"<",
            b">",
            b"&",
            b";",
            b"\"",
            b"'",
            b"/",
            b" ",
            b"!",
            b"?",
            b"=",
            b"\r",
            b"</a>",
            b"<a>",
            "\u{e9}".as_bytes(),
            b"\xc3",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut rand = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let small = &plain[..plain.match_indices("</package>").nth(2).unwrap().0];
        let mut accepted = 0;
        for _ in 0..3000 {
            let mut v = small.as_bytes().to_vec();
            for _ in 0..1 + rand(3) {
                let at = rand(v.len() + 1);
                let ins = specials[rand(specials.len())];
                v.splice(at..at, ins.iter().copied());
            }
            accepted += usize::from(check_fast(&v));
        }
        // (835 of them when this was written)
        assert!(accepted > 500, "{accepted}");
    }
}
