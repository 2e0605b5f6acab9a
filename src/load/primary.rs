//! Streaming parser for rpm-md `primary.xml`: events go straight into the [`Pool`], no
//! per-package DOM. Strings are interned as they are read; dependencies are collected
//! per kind in reused buffers and stored once the `</package>` is seen.
//!
//! Malformed XML stops the parse with the byte offset of the problem; packages read
//! before it stay in the pool. A bad dependency (unparsable rich dep, non-numeric
//! epoch) does not stop it: it becomes a warning, the dependency is kept by name.

use std::io::BufRead;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::xml::{XmlError, for_each_attr, push_ref};
use crate::model::dep::Cmp;
use crate::model::package::{DepKind, PackageInfo, Reldep};
use crate::model::pool::{NewPackage, Pool};
use crate::progress::Progress;

/// What a primary parse produced besides the packages themselves.
#[derive(Debug, Default, Clone)]
pub struct PrimaryResult {
    pub packages: usize,
    /// Problems that did not stop the parse (bad dependencies), with their offsets.
    pub warnings: Vec<XmlError>,
}

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

/// Parse a decompressed `primary.xml` stream into `pool` (into its current repo).
pub fn parse_primary<R: BufRead>(
    pool: &mut Pool,
    input: R,
    progress: &dyn Progress,
) -> Result<PrimaryResult, XmlError> {
    let mut reader = Reader::from_reader(input);
    reader.config_mut().check_end_names = true;
    let mut buf = Vec::with_capacity(4096);
    let mut text = String::new();
    let mut target = Text::None;
    let mut cur = Current::default();
    let mut in_package = false;
    let mut dep_kind: Option<DepKind> = None;
    let mut result = PrimaryResult::default();
    let mut depth = 0usize;
    let mut saw_root = false;
    let mut reported = 0u64;

    loop {
        let pos = reader.buffer_position();
        let ev = match reader.read_event_into(&mut buf) {
            Ok(ev) => ev,
            Err(e) => return Err(XmlError::from_quick(reader.error_position(), e)),
        };
        match ev {
            Event::Start(e) => {
                depth += 1;
                if depth == 1 {
                    saw_root = true;
                    if e.local_name().as_ref() != "metadata" {
                        return Err(XmlError::new(
                            pos,
                            format!(
                                "expected <metadata> as the root element of primary.xml, found <{}>",
                                e.name().as_ref()
                            ),
                        ));
                    }
                    continue;
                }
                let local = e.local_name();
                match local.as_ref() {
                    "package" => {
                        cur.clear();
                        in_package = true;
                    }
                    n if in_package => {
                        target = match n {
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
                                        cur.info.checksum_type = pool.intern(&v);
                                    }
                                });
                                Text::Checksum
                            }
                            "file" => Text::File,
                            other => {
                                if let Some(k) = DepKind::from_element(other) {
                                    dep_kind = Some(k);
                                } else {
                                    attrs_element(pool, &e, &mut cur, dep_kind, pos, &mut result);
                                }
                                Text::None
                            }
                        };
                        text.clear();
                    }
                    _ => {}
                }
            }
            Event::Empty(e) => {
                if depth == 0 {
                    if e.local_name().as_ref() != "metadata" {
                        return Err(XmlError::new(
                            pos,
                            format!(
                                "expected <metadata> as the root element of primary.xml, found <{}>",
                                e.name().as_ref()
                            ),
                        ));
                    }
                    saw_root = true;
                }
                if in_package {
                    attrs_element(pool, &e, &mut cur, dep_kind, pos, &mut result);
                }
            }
            Event::Text(t) if target != Text::None => {
                text.push_str(&t.xml10_content());
            }
            Event::CData(t) if target != Text::None => {
                text.push_str(&t);
            }
            Event::GeneralRef(r) if target != Text::None => {
                push_ref(&mut text, &r);
            }
            Event::End(e) => {
                depth = depth.saturating_sub(1);
                let local = e.local_name();
                let n = local.as_ref();
                if n == "package" && in_package {
                    in_package = false;
                    finish_package(pool, &mut cur, pos)?;
                    result.packages += 1;
                    if result.packages % 1024 == 0 {
                        let now = reader.buffer_position();
                        progress.advance(now - reported);
                        reported = now;
                    }
                    continue;
                }
                if DepKind::from_element(n).is_some() {
                    dep_kind = None;
                }
                if target != Text::None {
                    let s = std::mem::take(&mut text);
                    match target {
                        Text::Name => cur.name = s,
                        Text::Arch => cur.arch = s,
                        Text::Summary => cur.info.summary = s.into(),
                        Text::Description => cur.info.description = s.into(),
                        Text::Url => cur.info.url = s.into(),
                        Text::Checksum => cur.info.checksum = s.into(),
                        Text::File => cur.files.push(s),
                        Text::Packager => cur.info.packager = pool.intern(&s),
                        Text::License => cur.info.license = pool.intern(&s),
                        Text::Vendor => cur.info.vendor = pool.intern(&s),
                        Text::Group => cur.info.group = pool.intern(&s),
                        Text::Buildhost => cur.info.buildhost = pool.intern(&s),
                        Text::Sourcerpm => cur.info.sourcerpm = pool.intern(&s),
                        Text::None => {}
                    }
                    target = Text::None;
                }
            }
            Event::Eof => {
                if in_package || depth > 0 {
                    return Err(XmlError::new(
                        reader.buffer_position(),
                        "unexpected end of file (truncated primary.xml?)",
                    ));
                }
                if !saw_root {
                    return Err(XmlError::new(0, "empty document: no <metadata> element"));
                }
                break;
            }
            _ => {}
        }
        buf.clear();
    }
    progress.advance(reader.buffer_position() - reported);
    Ok(result)
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
            for a in e.attributes().with_checks(false).flatten() {
                let v = match a.value {
                    std::borrow::Cow::Borrowed(v) => super::xml::unescape(v),
                    std::borrow::Cow::Owned(v) => {
                        std::borrow::Cow::Owned(super::xml::unescape(&v).into_owned())
                    }
                };
                match a.key.local_name().as_ref() {
                    "name" => name = Some(v),
                    "flags" => flags = Some(v),
                    "epoch" => ep = Some(v),
                    "ver" => ver = Some(v),
                    "rel" => rel = Some(v),
                    "pre" => pre = v == "1" || v == "true",
                    _ => {}
                }
            }
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
}
