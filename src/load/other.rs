//! `other.xml`: package changelogs, read on demand for the few packages a view asks for.
//!
//! A distribution's `other.xml` is hundreds of megabytes of changelog text, and the
//! TUI or `query --changelog` wants one package's. Like [`super::filelists`], this reads
//! it with a scanner that jumps between `<` with `memchr`: each top-level `<package>`
//! start tag is read (its `pkgid` and `name` decide whether it is wanted) and an unwanted
//! package is skipped in one `memmem` search for its `</package>`. A wanted package's
//! element is handed whole to quick-xml, so everything in it is fully checked.
//!
//! What is checked everywhere: the root element, that every package is closed, that the
//! document ends with `</otherdata>`; a truncated file is an error with its byte
//! offset. Markup inside skipped packages is not validated. Unknown elements are skipped
//! with their content (like createrepo_c, a `<package>` inside one is not a package).
//! A `<package>` without `pkgid` is an error (createrepo_c rejects it too); a changelog
//! `date` that is not a number reads as 0.

use std::io::BufRead;

use memchr::{memchr, memchr3, memmem};
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::xml::{XmlError, for_each_attr, push_ref};

/// One `<changelog>` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changelog {
    /// Who and which version, e.g. `Jane Doe <jane@example.org> - 1.0-1`.
    pub author: String,
    /// Seconds since the epoch (the day of the entry, at 12:00 UTC by rpm's convention).
    pub date: u64,
    pub text: String,
}

/// The changelogs of every package for which `wanted(pkgid, name)` is true, as
/// `(pkgid, name, changelogs)` in document order (a wanted package with no changelog
/// is listed with an empty list).
pub fn parse_other_for<R: BufRead>(
    input: R,
    wanted: &dyn Fn(&str, &str) -> bool,
) -> Result<Vec<(String, String, Vec<Changelog>)>, XmlError> {
    scan(input, wanted, 1 << 20)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    BeforeRoot,
    InRoot,
    Done,
}

struct Scanner<'w> {
    wanted: &'w dyn Fn(&str, &str) -> bool,
    state: State,
    /// Depth inside an unknown element of the root (0: directly in `<otherdata>`).
    unknown_depth: usize,
    out: Vec<(String, String, Vec<Changelog>)>,
    package_end: memmem::Finder<'static>,
}

/// What one pass over the buffer did.
struct Step {
    /// Bytes fully processed (the next pass starts there).
    consumed: usize,
    /// The pass stopped at an incomplete construct that needs more input.
    need_more: bool,
}

/// `chunk`: how much to buffer before a pass (tests use tiny values).
fn scan<R: BufRead>(
    mut input: R,
    wanted: &dyn Fn(&str, &str) -> bool,
    chunk: usize,
) -> Result<Vec<(String, String, Vec<Changelog>)>, XmlError> {
    let mut s = Scanner {
        wanted,
        state: State::BeforeRoot,
        unknown_depth: 0,
        out: Vec::new(),
        package_end: memmem::Finder::new(b"</package"),
    };
    let mut buf: Vec<u8> = Vec::with_capacity(chunk + (64 << 10));
    let mut base: u64 = 0; // stream offset of buf[0]
    let mut eof = false;
    let mut fill_to = chunk;
    loop {
        if !eof {
            let data = input
                .fill_buf()
                .map_err(|e| XmlError::new(base + buf.len() as u64, e.to_string()))?;
            if data.is_empty() {
                eof = true;
            } else {
                let n = data.len();
                buf.extend_from_slice(data);
                input.consume(n);
                if buf.len() < fill_to {
                    continue;
                }
            }
        }
        let step = s.pass(&buf, base, eof)?;
        if s.state == State::Done {
            break;
        }
        if eof {
            let at = base + step.consumed as u64;
            return Err(XmlError::new(
                at,
                "unexpected end of file (truncated other.xml?)",
            ));
        }
        buf.drain(..step.consumed);
        base += step.consumed as u64;
        // A construct longer than the buffer: grow geometrically so it is rescanned
        // O(log n) times, not once per read.
        fill_to = if step.need_more {
            chunk.max(buf.len() * 2)
        } else {
            chunk
        };
    }
    Ok(s.out)
}

/// Index of the `>` closing the tag that starts `rest`, skipping quoted attribute values.
fn tag_end(rest: &[u8]) -> Option<usize> {
    let mut i = 1;
    loop {
        let j = i + memchr3(b'>', b'"', b'\'', &rest[i..])?;
        match rest[j] {
            b'>' => return Some(j),
            q => i = j + 1 + memchr(q, &rest[j + 1..])? + 1,
        }
    }
}

/// The element name of a tag (`<name ...>`, `</name>`, `<name/>`).
fn tag_name(tag: &[u8]) -> &[u8] {
    let start = if tag.get(1) == Some(&b'/') { 2 } else { 1 };
    let body = &tag[start..];
    let len = body
        .iter()
        .position(|&b| b.is_ascii_whitespace() || b == b'/' || b == b'>')
        .unwrap_or(body.len());
    let name = &body[..len];
    // local name: drop a namespace prefix
    match memchr(b':', name) {
        Some(c) => &name[c + 1..],
        None => name,
    }
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(&b[..b.len().min(60)]).into_owned()
}

impl Scanner<'_> {
    fn pass(&mut self, data: &[u8], base: u64, eof: bool) -> Result<Step, XmlError> {
        let mut i = 0usize;
        let more = |at: usize| {
            Ok(Step {
                consumed: at,
                need_more: true,
            })
        };
        loop {
            let Some(lt) = memchr(b'<', &data[i..]) else {
                return Ok(Step {
                    consumed: data.len(),
                    need_more: false,
                });
            };
            let t = i + lt;
            let rest = &data[t..];
            if rest.len() < 9 && !eof {
                return more(t);
            }
            // constructs that are not elements
            let skip_to = |open: usize, close: &[u8]| {
                memmem::find(&rest[open..], close).map(|e| t + open + e + close.len())
            };
            let special = if rest.starts_with(b"<!--") {
                Some(skip_to(4, b"-->"))
            } else if rest.starts_with(b"<?") {
                Some(skip_to(2, b"?>"))
            } else if rest.starts_with(b"<![CDATA[") {
                Some(skip_to(9, b"]]>"))
            } else if rest.starts_with(b"<!") {
                // a DOCTYPE; an internal subset ends with `]>`
                match (memchr(b'[', rest), memchr(b'>', rest)) {
                    (Some(b), Some(g)) if b < g => Some(skip_to(b, b"]>")),
                    _ => Some(tag_end(rest).map(|g| t + g + 1)),
                }
            } else {
                None
            };
            if let Some(next) = special {
                match next {
                    Some(n) => {
                        i = n;
                        continue;
                    }
                    None => return more(t),
                }
            }
            let Some(gt) = tag_end(rest) else {
                return more(t);
            };
            let tag = &rest[..=gt];
            let after = t + gt + 1;
            let is_end = tag.get(1) == Some(&b'/');
            let self_closing = !is_end && gt > 0 && tag[gt - 1] == b'/';
            let name = tag_name(tag);
            let at = base + t as u64;
            match self.state {
                State::Done => {
                    return Ok(Step {
                        consumed: t,
                        need_more: false,
                    });
                }
                State::BeforeRoot => {
                    if is_end || name != b"otherdata" {
                        return Err(XmlError::new(
                            at,
                            format!(
                                "expected <otherdata> as the root element of other.xml, found `{}`",
                                lossy(tag)
                            ),
                        ));
                    }
                    self.state = if self_closing {
                        State::Done
                    } else {
                        State::InRoot
                    };
                    i = after;
                }
                State::InRoot if self.unknown_depth > 0 => {
                    if is_end {
                        self.unknown_depth -= 1;
                    } else if !self_closing {
                        self.unknown_depth += 1;
                    }
                    i = after;
                }
                State::InRoot if is_end => {
                    if name != b"otherdata" {
                        return Err(XmlError::new(
                            at,
                            format!("unexpected `{}` in <otherdata>", lossy(tag)),
                        ));
                    }
                    self.state = State::Done;
                    return Ok(Step {
                        consumed: after,
                        need_more: false,
                    });
                }
                State::InRoot if name == b"package" => {
                    let (pkgid, pkgname) = package_attrs(tag, at)?;
                    let wanted = (self.wanted)(&pkgid, &pkgname);
                    if self_closing {
                        if wanted {
                            self.out.push((pkgid, pkgname, Vec::new()));
                        }
                        i = after;
                        continue;
                    }
                    let Some(close) = self.package_end.find(&data[after..]) else {
                        return more(t);
                    };
                    let close = after + close;
                    let Some(close_gt) = memchr(b'>', &data[close..]) else {
                        return more(t);
                    };
                    let close_end = close + close_gt + 1;
                    if wanted {
                        let logs = changelogs(&data[t..close_end], at)?;
                        self.out.push((pkgid, pkgname, logs));
                    }
                    i = close_end;
                }
                State::InRoot => {
                    if !self_closing {
                        self.unknown_depth = 1;
                    }
                    i = after;
                }
            }
        }
    }
}

/// `pkgid` and `name` of a `<package ...>` start tag.
fn package_attrs(tag: &[u8], at: u64) -> Result<(String, String), XmlError> {
    let inner = &tag[1..tag.len() - 1];
    let inner = inner.strip_suffix(b"/").unwrap_or(inner);
    let inner = std::str::from_utf8(inner)
        .map_err(|e| XmlError::new(at, format!("invalid UTF-8 in a <package> tag: {e}")))?;
    let start = BytesStart::from_content(inner, "package".len());
    let (mut pkgid, mut name) = (None, String::new());
    for_each_attr(&start, |k, v| match k {
        "pkgid" => pkgid = Some(v.into_owned()),
        "name" => name = v.into_owned(),
        _ => {}
    });
    let pkgid = pkgid.ok_or_else(|| {
        XmlError::new(
            at,
            format!("<package> without a pkgid attribute: `{}`", lossy(tag)),
        )
    })?;
    Ok((pkgid, name))
}

/// Parse one complete `<package>...</package>` element starting at stream offset `at`.
fn changelogs(block: &[u8], at: u64) -> Result<Vec<Changelog>, XmlError> {
    let mut r = Reader::from_reader(block);
    r.config_mut().check_end_names = true;
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut cur: Option<Changelog> = None;
    let err = |r: &Reader<&[u8]>, msg: String| XmlError::new(at + r.error_position(), msg);
    let start_changelog = |e: &BytesStart<'_>| {
        let mut c = Changelog::default();
        for_each_attr(e, |k, v| match k {
            "author" => c.author = v.into_owned(),
            "date" => c.date = v.trim().parse().unwrap_or(0),
            _ => {}
        });
        c
    };
    loop {
        let ev = r.read_event().map_err(|e| err(&r, e.to_string()))?;
        match ev {
            Event::Start(e) => {
                depth += 1;
                if depth == 2 && e.local_name().as_ref() == "changelog" {
                    cur = Some(start_changelog(&e));
                }
            }
            Event::Empty(e) if depth == 1 && e.local_name().as_ref() == "changelog" => {
                out.push(start_changelog(&e));
            }
            Event::Text(t) if depth == 2 => {
                if let Some(c) = &mut cur {
                    c.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) if depth == 2 => {
                if let Some(c) = &mut cur {
                    c.text.push_str(&t);
                }
            }
            Event::GeneralRef(g) if depth == 2 => {
                if let Some(c) = &mut cur {
                    push_ref(&mut c.text, &g);
                }
            }
            Event::End(_) => {
                if depth == 2
                    && let Some(c) = cur.take()
                {
                    out.push(c);
                }
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Ok(out);
                }
            }
            Event::Eof => {
                return Err(XmlError::new(
                    at + block.len() as u64,
                    "unexpected end of a <package> element",
                ));
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<otherdata xmlns="http://linux.duke.edu/metadata/other" packages="4">
<package pkgid="aaa" name="fake_bash" arch="x86_64">
  <version epoch="0" ver="1.1.1" rel="1"/>
  <changelog author="Tomas Mlcoch &lt;tmlcoch@redhat.com&gt; - 1.1.1-1" date="1334664000">- First release</changelog>
  <foo>foo element</foo>
</package>
<!-- a comment with <package pkgid="no"> and </package> in it -->
<package pkgid="bbb" name="super&amp;_kernel" arch="x86_64">
  <version epoch="0" ver="6.0.1" rel="2"/>
  <changelog author="A &lt;a@b&gt; - 6.0.1-1" date="1334664000">- Firs&amp;t release
- with a second line &#x263A;</changelog>
  <changelog author="B - 6.0.1-2" date="xxx"><![CDATA[- <raw> text]]></changelog>
  <changelog author="C" date="7"/>
  <bar><package pkgid="inner"/></bar>
</package>
<package pkgid="ccc" name="empty" arch="noarch"/>
<bar>
  <package pkgid="ddd" name="hidden" arch="x86_64">
    <changelog author="x" date="1">- not a package of the repo</changelog>
  </package>
</bar>
<package pkgid='eee' name="quoted&gt;name" arch="noarch">
  <changelog author="q" date="2">- q</changelog>
</package>
</otherdata>
"#;

    fn all(_: &str, _: &str) -> bool {
        true
    }

    #[test]
    fn reads_only_wanted_packages() {
        let r = parse_other_for(DOC.as_bytes(), &|id, _| id == "bbb").unwrap();
        assert_eq!(r.len(), 1);
        let (id, name, logs) = &r[0];
        assert_eq!((id.as_str(), name.as_str()), ("bbb", "super&_kernel"));
        assert_eq!(
            logs,
            &[
                Changelog {
                    author: "A <a@b> - 6.0.1-1".into(),
                    date: 1334664000,
                    text: "- Firs&t release\n- with a second line \u{263A}".into()
                },
                Changelog {
                    author: "B - 6.0.1-2".into(),
                    date: 0,
                    text: "- <raw> text".into()
                },
                Changelog {
                    author: "C".into(),
                    date: 7,
                    text: String::new()
                },
            ]
        );
        let r = parse_other_for(DOC.as_bytes(), &|_, n| n == "fake_bash").unwrap();
        assert_eq!(
            r[0].2[0].author,
            "Tomas Mlcoch <tmlcoch@redhat.com> - 1.1.1-1"
        );
        assert_eq!(r[0].2[0].text, "- First release");
        assert!(
            parse_other_for(DOC.as_bytes(), &|_, _| false)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn unknown_elements_hide_their_content_and_empty_packages_are_listed() {
        let r = parse_other_for(DOC.as_bytes(), &all).unwrap();
        let ids: Vec<&str> = r.iter().map(|(id, _, _)| id.as_str()).collect();
        assert_eq!(ids, ["aaa", "bbb", "ccc", "eee"]);
        assert!(r[2].2.is_empty());
        assert_eq!(r[3].1, "quoted>name");
    }

    #[test]
    fn small_buffers_give_the_same_result() {
        let whole = parse_other_for(DOC.as_bytes(), &all).unwrap();
        for chunk in [1, 2, 7, 16, 100] {
            let input = std::io::BufReader::with_capacity(chunk.max(3) / 3 + 1, DOC.as_bytes());
            assert_eq!(scan(input, &all, chunk).unwrap(), whole, "chunk {chunk}");
        }
    }

    #[test]
    fn errors_carry_offsets() {
        let bad = DOC.replace(
            "</changelog>\n  <changelog author=\"B",
            "</changelg>\n  <changelog author=\"B",
        );
        let at = bad.find("</changelg>").unwrap() as u64;
        let e = parse_other_for(bad.as_bytes(), &all).unwrap_err();
        assert!(e.offset >= at && e.offset <= at + 11, "{e:?} vs {at}");
        // the same damage in a skipped package is not looked at
        assert_eq!(
            parse_other_for(bad.as_bytes(), &|id, _| id != "bbb")
                .unwrap()
                .len(),
            3
        );

        let bad = DOC.replace("pkgid=\"ccc\" ", "");
        let e = parse_other_for(bad.as_bytes(), &|_, _| false).unwrap_err();
        assert!(e.msg.contains("without a pkgid"), "{e:?}");
        assert_eq!(
            e.offset,
            bad.find("<package name=\"empty\"").unwrap() as u64
        );

        for doc in [
            "",
            "<?xml version=\"1.0\"?>\n",
            "<filelists></filelists>",
            "</otherdata>",
        ] {
            assert!(parse_other_for(doc.as_bytes(), &all).is_err(), "{doc:?}");
        }
        assert!(
            parse_other_for("<otherdata/>".as_bytes(), &all)
                .unwrap()
                .is_empty()
        );
        let e = parse_other_for("<otherdata></package></otherdata>".as_bytes(), &all).unwrap_err();
        assert_eq!(e.offset, 11);
    }

    #[test]
    fn truncation_anywhere_is_an_error() {
        let end = DOC.rfind("</otherdata>").unwrap();
        for wanted in [&all as &dyn Fn(&str, &str) -> bool, &|_: &str, _: &str| {
            false
        }] {
            for cut in 0..=end {
                for chunk in [4, 1 << 20] {
                    let e = scan(&DOC.as_bytes()[..cut], wanted, chunk)
                        .expect_err(&format!("cut at {cut} must fail"));
                    assert!(e.offset <= cut as u64, "cut {cut}: {e:?}");
                }
            }
        }
    }
}

#[cfg(test)]
mod corpus_tests {
    use std::path::Path;

    use super::*;
    use crate::load::comps::corpus;

    /// How many `<package` start tags the file has (an independent count: the root's
    /// `packages="N"` is not always right, libzypp's 10.2-updates-subset says 1264 and
    /// holds 22).
    fn package_tags(path: &Path) -> usize {
        let data = corpus::read(path);
        memchr::memmem::find_iter(&data, b"<package ").count()
    }

    fn other_files(root: &Path) -> Vec<std::path::PathBuf> {
        corpus::walk(root)
            .into_iter()
            .filter(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                name.contains("other")
                    && name.contains(".xml")
                    && !name.ends_with(".zck")
                    // snippets are bare <package> elements, not documents
                    && !p.to_string_lossy().contains("repodata_snippets")
            })
            .collect()
    }

    #[test]
    fn every_other_xml_of_the_corpus_and_oracle() {
        let (Some(corp), Some(oracle)) = (
            corpus::root("BRAMBLE_CORPUS"),
            corpus::root("BRAMBLE_ORACLE"),
        ) else {
            return;
        };
        // createrepo_c's broken files: a package without pkgid is an error there too.
        let rejected = ["error_00-other.xml", "no_pkgid-other.xml"];
        let mut files = other_files(&corp);
        files.extend(other_files(&oracle.join("repos")));
        files.extend(other_files(&oracle.join("scale/debian-bookworm")));
        let mut checked = 0;
        for path in &files {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let all = parse_other_for(corpus::open(path), &|_, _| true);
            let none = parse_other_for(corpus::open(path), &|_, _| false);
            if rejected.contains(&name.as_str()) {
                let e = all.expect_err(&name);
                assert!(e.msg.contains("pkgid"), "{name}: {e:?}");
                assert!(none.is_err());
                continue;
            }
            let all = all.unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
            assert_eq!(
                none.unwrap_or_else(|e| panic!("{}: {e:?}", path.display())),
                []
            );
            let mut expect = package_tags(path);
            if [
                "unknown_element_01-other.xml",   // a package inside an unknown <bar>
                "unknown_element_02-other.xml",   // <bar><package/></bar> inside a package
                "multiple_warnings_00-other.xml", // the same
            ]
            .contains(&name.as_str())
            {
                expect -= 1;
            }
            assert_eq!(all.len(), expect, "{}", path.display());
            checked += 1;
        }
        assert!(checked >= 60, "only {checked} other.xml files found");
    }

    /// The same expectations as createrepo_c's tests/python/tests/test_xml_parser.py.
    #[test]
    fn createrepo_c_expectations() {
        let Some(root) = corpus::root("BRAMBLE_CORPUS") else {
            return;
        };
        let repo01 = root.join("createrepo_c/repo_01/repodata/b752a73d9efd4006d740f943db5fb7c2dd77a8324bd99da92e86bd55a2c126ef-other.xml.gz");
        let r = parse_other_for(corpus::open(&repo01), &|_, n| n == "super_kernel").unwrap();
        assert_eq!(r.len(), 1);
        let (id, name, logs) = &r[0];
        assert_eq!(
            id,
            "152824bff2aa6d54f429d43e87a3ff3a0286505c6d93ec87692b5e3a9e3b97bf"
        );
        assert_eq!(name, "super_kernel");
        let got: Vec<(&str, u64, &str)> = logs
            .iter()
            .map(|c| (c.author.as_str(), c.date, c.text.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "Tomas Mlcoch <tmlcoch@redhat.com> - 6.0.1-1",
                    1334664000,
                    "- First release"
                ),
                (
                    "Tomas Mlcoch <tmlcoch@redhat.com> - 6.0.1-2",
                    1334664001,
                    "- Second release"
                ),
            ]
        );
        // test_xml_parser_other_warnings: a package without name, an unknown element,
        // a date "xxx" (createrepo_c warns and reads 0)
        let warn = root.join("createrepo_c/modified_repo_files/multiple_warnings_00-other.xml");
        let r = parse_other_for(corpus::open(&warn), &|_, _| true).unwrap();
        let names: Vec<&str> = r.iter().map(|(_, n, _)| n.as_str()).collect();
        assert_eq!(names, ["", "super_kernel"]);
        assert_eq!(r[1].2[1].date, 0);
        let amp = root.join("createrepo_c/modified_repo_files/repo_01_ampersand-other.xml");
        let r = parse_other_for(corpus::open(&amp), &|_, n| n == "super&_kernel").unwrap();
        assert_eq!(
            r[0].2[0].author,
            "Tomas Mlcoch <tml&coch@redhat.com> - 6.0.1-1"
        );
        assert_eq!(r[0].2[1].text, "- Second releas&e");
    }

    /// other.xml and primary.xml of the oracle repos describe the same packages.
    #[test]
    fn oracle_other_matches_primary() {
        use crate::model::pool::{Pool, SourceKind};
        let Some(oracle) = corpus::root("BRAMBLE_ORACLE") else {
            return;
        };
        let mut repos = 0;
        for path in other_files(&oracle.join("repos")) {
            let dir = path.parent().unwrap();
            let primary = corpus::walk(dir)
                .into_iter()
                .find(|p| {
                    let n = p.file_name().unwrap().to_string_lossy().into_owned();
                    n.contains("primary.xml")
                })
                .unwrap();
            let mut pool = Pool::new("x86_64");
            pool.add_repo("t", "/t", SourceKind::RpmMd);
            crate::load::primary::parse_primary(
                &mut pool,
                corpus::open(&primary),
                &crate::progress::NoProgress,
            )
            .unwrap();
            let mut from_primary: Vec<(String, String)> = pool
                .ids()
                .map(|id| {
                    let p = pool.pkg(id);
                    (p.info.checksum.to_string(), pool.str(p.name).to_string())
                })
                .collect();
            let mut from_other: Vec<(String, String)> =
                parse_other_for(corpus::open(&path), &|_, _| true)
                    .unwrap()
                    .into_iter()
                    .map(|(id, name, logs)| {
                        assert!(!logs.is_empty(), "{name} has a changelog");
                        (id, name)
                    })
                    .collect();
            from_primary.sort();
            from_other.sort();
            assert_eq!(from_other, from_primary, "{}", path.display());
            // and one package alone
            let (id0, name0) = from_other[0].clone();
            let one = parse_other_for(corpus::open(&path), &|id, _| id == id0).unwrap();
            assert_eq!((one.len(), &one[0].1), (1, &name0));
            repos += 1;
        }
        assert_eq!(repos, 6, "magic-conflict has two repos");
    }

    /// 63,440 packages, 11 MB: skipping them all must cost about as much as reading the
    /// bytes. Not a benchmark (debug build, shared machine); it prints the time.
    #[test]
    fn scale_other_xml_is_skipped_fast() {
        let Some(oracle) = corpus::root("BRAMBLE_ORACLE") else {
            return;
        };
        let Some(path) = other_files(&oracle.join("scale/debian-bookworm")).pop() else {
            return;
        };
        let data = corpus::read(&path);
        let t = std::time::Instant::now();
        let r = parse_other_for(&data[..], &|_, n| n == "bash").unwrap();
        let took = t.elapsed();
        eprintln!("other.xml: {} bytes scanned in {took:?}", data.len());
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].1, "bash");
    }
}
