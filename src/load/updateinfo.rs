//! Streaming parser for `updateinfo.xml` (advisories) into [`Advisory`] values.
//!
//! Producers differ a lot (Fedora/Bodhi, RHEL errata, SUSE with a namespace and Unix
//! timestamps, Pulp, hand-written test data with empty `<update>`s), so content is read
//! leniently: a missing attribute is an empty string, unknown elements are skipped.
//! Only what breaks the XML itself (malformed markup, truncation, a root other than
//! `<updates>`) is an error, with its byte offset.

use std::io::BufRead;

use quick_xml::events::{BytesRef, BytesStart};

use super::xml::{Elements, XmlError, drive, for_each_attr, push_ref};
use crate::model::advisory::{
    Advisory, AdvisoryKind, AdvisoryModule, AdvisoryPackage, Collection, Reference,
};

/// Parse a decompressed `updateinfo.xml`.
pub fn parse_updateinfo<R: BufRead>(input: R) -> Result<Vec<Advisory>, XmlError> {
    let mut p = Parser::default();
    drive(input, &mut p, "updateinfo.xml", "updates")?;
    Ok(p.advisories)
}

impl Elements for Parser {
    fn start(&mut self, e: &BytesStart<'_>, pos: u64) -> Result<(), XmlError> {
        Parser::start(self, e, pos)
    }
    fn end(&mut self, _pos: u64) {
        Parser::end(self);
    }
    fn text(&mut self, t: &str, pos: u64) -> Result<(), XmlError> {
        Parser::text(self, t, pos)
    }
    fn general_ref(&mut self, r: &BytesRef<'_>, pos: u64) -> Result<(), XmlError> {
        if self.in_field() {
            push_ref(&mut self.text, r);
        } else if self.stack.is_empty() {
            return Err(XmlError::new(pos, "text outside of the <updates> element"));
        }
        Ok(())
    }
    fn open(&self) -> bool {
        !self.stack.is_empty()
    }
    fn root_done(&self) -> bool {
        self.root_done
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Id,
    Title,
    Severity,
    Release,
    Summary,
    Description,
    Reboot,
    CollectionName,
    Filename,
    PackageReboot,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Updates,
    Update,
    References,
    PkgList,
    Collection,
    Package,
    Field(Field),
    Skip,
}

#[derive(Default)]
struct Parser {
    advisories: Vec<Advisory>,
    stack: Vec<Ctx>,
    text: String,
    root_done: bool,
}

fn attrs(e: &BytesStart<'_>, mut f: impl FnMut(&str, String)) {
    for_each_attr(e, |k, v| f(k, v.trim().to_string()));
}

/// `<reboot_suggested/>` and `<reboot_suggested>True</reboot_suggested>` both mean yes.
fn flag(v: &str) -> bool {
    !matches!(v, "false" | "False" | "FALSE" | "0")
}

impl Parser {
    fn in_field(&self) -> bool {
        matches!(self.stack.last(), Some(Ctx::Field(_)))
    }

    fn start(&mut self, e: &BytesStart<'_>, pos: u64) -> Result<(), XmlError> {
        let local = e.local_name();
        let name: &str = local.as_ref();
        let Some(&parent) = self.stack.last() else {
            if self.root_done {
                return Err(XmlError::new(
                    pos,
                    format!("unexpected <{name}> after the end of the <updates> element"),
                ));
            }
            if name != "updates" {
                return Err(XmlError::new(
                    pos,
                    format!(
                        "expected <updates> as the root element of updateinfo.xml, found <{name}>"
                    ),
                ));
            }
            self.stack.push(Ctx::Updates);
            return Ok(());
        };
        let ctx = match (parent, name) {
            (Ctx::Updates, "update") => {
                let mut a = Advisory::default();
                attrs(e, |k, v| match k {
                    "type" => a.kind = AdvisoryKind::parse(&v),
                    "status" => a.status = v,
                    "from" => a.from = v,
                    "version" => a.version = v,
                    _ => {}
                });
                self.advisories.push(a);
                Ctx::Update
            }
            (Ctx::Update, "id") => Ctx::Field(Field::Id),
            (Ctx::Update, "title") => Ctx::Field(Field::Title),
            (Ctx::Update, "severity") => Ctx::Field(Field::Severity),
            (Ctx::Update, "release") => Ctx::Field(Field::Release),
            (Ctx::Update, "summary") => Ctx::Field(Field::Summary),
            (Ctx::Update, "description") => Ctx::Field(Field::Description),
            (Ctx::Update, "reboot_suggested") => Ctx::Field(Field::Reboot),
            (Ctx::Update, "issued" | "updated") => {
                let mut date = None;
                attrs(e, |k, v| {
                    if k == "date" {
                        date = Some(v);
                    }
                });
                if let Some(a) = self.advisories.last_mut() {
                    if name == "issued" {
                        a.issued = date;
                    } else {
                        a.updated = date;
                    }
                }
                Ctx::Skip
            }
            (Ctx::Update, "references") => Ctx::References,
            (Ctx::Update, "pkglist") => Ctx::PkgList,
            (Ctx::References, "reference") => {
                let mut r = Reference::default();
                attrs(e, |k, v| match k {
                    "type" => r.kind = v,
                    "id" => r.id = v,
                    "href" => r.href = v,
                    "title" => r.title = v,
                    _ => {}
                });
                if let Some(a) = self.advisories.last_mut() {
                    a.references.push(r);
                }
                Ctx::Skip
            }
            (Ctx::PkgList, "collection") => {
                let mut c = Collection::default();
                attrs(e, |k, v| {
                    if k == "short" {
                        c.short = v;
                    }
                });
                if let Some(a) = self.advisories.last_mut() {
                    let n = a.packages.len();
                    c.packages = n..n;
                    a.collections.push(c);
                }
                Ctx::Collection
            }
            (Ctx::Collection, "name") => Ctx::Field(Field::CollectionName),
            (Ctx::Collection, "module") => {
                let mut m = AdvisoryModule::default();
                attrs(e, |k, v| match k {
                    "name" => m.name = v,
                    "stream" => m.stream = v,
                    "version" => m.version = v,
                    "context" => m.context = v,
                    "arch" => m.arch = v,
                    _ => {}
                });
                if let Some(c) = self
                    .advisories
                    .last_mut()
                    .and_then(|a| a.collections.last_mut())
                {
                    c.modules.push(m);
                }
                Ctx::Skip
            }
            (Ctx::Collection, "package") => {
                let mut p = AdvisoryPackage::default();
                attrs(e, |k, v| match k {
                    "name" => p.name = v,
                    "epoch" => p.epoch = v,
                    "version" => p.version = v,
                    "release" => p.release = v,
                    "arch" => p.arch = v,
                    "src" => p.src = v,
                    _ => {}
                });
                if let Some(a) = self.advisories.last_mut() {
                    a.packages.push(p);
                    let n = a.packages.len();
                    if let Some(c) = a.collections.last_mut() {
                        c.packages.end = n;
                    }
                }
                Ctx::Package
            }
            (Ctx::Package, "filename") => Ctx::Field(Field::Filename),
            (Ctx::Package, "reboot_suggested") => Ctx::Field(Field::PackageReboot),
            _ => Ctx::Skip,
        };
        if let Ctx::Field(_) = ctx {
            self.text.clear();
        }
        self.stack.push(ctx);
        Ok(())
    }

    fn end(&mut self) {
        match self.stack.pop() {
            Some(Ctx::Field(f)) => self.finish_field(f),
            Some(Ctx::Updates) => self.root_done = true,
            _ => {}
        }
    }

    fn text(&mut self, t: &str, pos: u64) -> Result<(), XmlError> {
        match self.stack.last() {
            Some(Ctx::Field(_)) => self.text.push_str(t),
            None if !t.trim().is_empty() => {
                return Err(XmlError::new(pos, "text outside of the <updates> element"));
            }
            _ => {}
        }
        Ok(())
    }

    fn finish_field(&mut self, f: Field) {
        let raw = std::mem::take(&mut self.text);
        let Some(a) = self.advisories.last_mut() else {
            return;
        };
        let v = raw.trim().to_string();
        match f {
            Field::Id => a.id = v,
            Field::Title => a.title = v,
            Field::Severity => a.severity = v,
            Field::Release => a.release = v,
            Field::Summary => a.summary = v,
            Field::Description => a.description = raw,
            Field::Reboot | Field::PackageReboot => {
                if flag(&v) {
                    a.reboot_suggested = true;
                    if f == Field::PackageReboot
                        && let Some(p) = a.packages.last_mut()
                    {
                        p.reboot_suggested = true;
                    }
                }
            }
            Field::CollectionName => {
                if let Some(c) = a.collections.last_mut() {
                    c.name = v;
                }
            }
            Field::Filename => {
                if let Some(p) = a.packages.last_mut() {
                    p.filename = v;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<updates>
  <update from="secresponseteam@foo.bar" status="final" type="enhancement" version="3">
    <id>FEDORA-2019-0329090518</id>
    <title>glibc bug fix</title>
    <issued date="2019-03-29 00:00:00"/>
    <updated date="2019-03-30 00:00:00"/>
    <severity>none</severity>
    <summary>summary_1</summary>
    <rights>Copyright</rights>
    <description>Enhance &amp; fix
  some stuff</description>
    <references>
        <reference href="https://foobar/2" id="2222" type="bugzilla" title="222"/>
        <reference href="https://foobar/3" id="CVE-2999-1" type="cve" title="CVE-2999"/>
    </references>
    <pkglist>
      <collection short="postgresql collection">
        <name>postgresql component</name>
        <module name="postgresql" stream="9.6" version="20180816142114" context="6c81f848" arch="x86_64"/>
        <package name="postgresql" version="9.6.8" release="1.module_1710+b535a823" epoch="0" arch="x86_64" src="https://www.postgresql.org/">
          <filename>postgresql-9.6.8-1.module_1710+b535a823.x86_64.rpm</filename>
          <sum type="sha256">abc</sum>
          <reboot_suggested/>
        </package>
      </collection>
      <collection short="nodejs collection">
        <name>nodejs component</name>
        <module name="nodejs" stream="8" version="20180801080000" context="6c81f848" arch="x86_64"/>
        <module name="npm" stream="8" version="1" context="c" arch="x86_64"/>
        <package name="nodejs" version="8.11.4" release="1.module_2030+42747d40" epoch="1" arch="x86_64" src="http://nodejs.org/">
          <filename>nodejs-8.11.4-1.module_2030+42747d40.x86_64.rpm</filename>
        </package>
        <package name="npm" version="5" release="1" arch="noarch"/>
      </collection>
    </pkglist>
  </update>
  <update type="security">
    <id>SUSE-1</id>
    <issued date="1213630432"/>
    <reboot_suggested>False</reboot_suggested>
    <future><id>not-this</id></future>
  </update>
  <update/>
</updates>
"#;

    #[test]
    fn reads_advisories_with_collections_and_modules() {
        let a = parse_updateinfo(SAMPLE.as_bytes()).unwrap();
        assert_eq!(a.len(), 3);
        let u = &a[0];
        assert_eq!(u.id, "FEDORA-2019-0329090518");
        assert_eq!(u.kind, AdvisoryKind::Enhancement);
        assert_eq!(
            (&*u.title, &*u.severity, &*u.status, &*u.from, &*u.version),
            (
                "glibc bug fix",
                "none",
                "final",
                "secresponseteam@foo.bar",
                "3"
            )
        );
        assert_eq!(u.issued.as_deref(), Some("2019-03-29 00:00:00"));
        assert_eq!(u.updated.as_deref(), Some("2019-03-30 00:00:00"));
        assert_eq!(u.summary, "summary_1");
        assert_eq!(u.description, "Enhance & fix\n  some stuff");
        assert!(
            u.reboot_suggested,
            "from the package's empty <reboot_suggested/>"
        );
        assert_eq!(u.references.len(), 2);
        assert_eq!(
            u.references[1],
            Reference {
                kind: "cve".into(),
                id: "CVE-2999-1".into(),
                href: "https://foobar/3".into(),
                title: "CVE-2999".into()
            }
        );
        assert_eq!(u.cves().collect::<Vec<_>>(), ["CVE-2999-1"]);
        assert_eq!(u.packages.len(), 3);
        assert_eq!(u.collections.len(), 2);
        let c0 = &u.collections[0];
        assert_eq!(
            (&*c0.short, &*c0.name),
            ("postgresql collection", "postgresql component")
        );
        assert_eq!(c0.modules.len(), 1);
        assert_eq!(
            (
                &*c0.modules[0].name,
                &*c0.modules[0].stream,
                &*c0.modules[0].context
            ),
            ("postgresql", "9.6", "6c81f848")
        );
        let p = &u.collection_packages(c0)[0];
        assert_eq!(p.nevra(), "postgresql-9.6.8-1.module_1710+b535a823.x86_64");
        assert_eq!(
            p.filename,
            "postgresql-9.6.8-1.module_1710+b535a823.x86_64.rpm"
        );
        assert_eq!(p.src, "https://www.postgresql.org/");
        assert!(p.reboot_suggested);
        let c1 = &u.collections[1];
        assert_eq!(c1.modules.len(), 2);
        let names: Vec<String> = u
            .collection_packages(c1)
            .iter()
            .map(|p| p.nevra())
            .collect();
        assert_eq!(
            names,
            [
                "nodejs-1:8.11.4-1.module_2030+42747d40.x86_64",
                "npm-5-1.noarch"
            ]
        );
        assert!(!u.packages[1].reboot_suggested);

        let s = &a[1];
        assert_eq!(
            s.id, "SUSE-1",
            "unknown elements are skipped with their content"
        );
        assert!(s.is_security());
        assert_eq!(s.issued.as_deref(), Some("1213630432"));
        assert_eq!(s.updated, None);
        assert!(!s.reboot_suggested);
        assert_eq!(a[2], Advisory::default());
    }

    #[test]
    fn empty_and_malformed_documents() {
        assert!(
            parse_updateinfo("<updates/>".as_bytes())
                .unwrap()
                .is_empty()
        );
        assert!(
            parse_updateinfo("<?xml version=\"1.0\"?>\n<updates></updates>".as_bytes())
                .unwrap()
                .is_empty()
        );
        let e = parse_updateinfo("".as_bytes()).unwrap_err();
        assert!(e.msg.contains("empty document"));
        let e = parse_updateinfo("<metadata/>".as_bytes()).unwrap_err();
        assert!(e.msg.contains("expected <updates>"), "{e:?}");
        let bad = SAMPLE.replace("</title>", "</titel>");
        let e = parse_updateinfo(bad.as_bytes()).unwrap_err();
        let at = bad.find("</titel>").unwrap() as u64;
        assert!(e.offset >= at && e.offset <= at + 8, "{e:?} vs {at}");
    }

    #[test]
    fn truncation_anywhere_is_an_error() {
        let end = SAMPLE.rfind("</updates>").unwrap();
        for cut in 0..=end {
            let e = parse_updateinfo(&SAMPLE.as_bytes()[..cut])
                .expect_err(&format!("cut at {cut} must fail"));
            assert!(e.offset <= cut as u64, "cut {cut}: {e:?}");
        }
    }
}

#[cfg(test)]
mod corpus_tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::load::comps::corpus;

    #[test]
    fn every_updateinfo_file_of_the_corpus() {
        let Some(root) = corpus::root("BRAMBLE_CORPUS") else {
            return;
        };
        // per corpus directory: files, <update> elements
        let mut totals: BTreeMap<String, [usize; 2]> = BTreeMap::new();
        for path in corpus::walk(&root) {
            let rel = corpus::rel(&root, &path);
            let name = rel.rsplit('/').next().unwrap_or("");
            if !name.contains("updateinfo") || name.ends_with(".zck") || name.ends_with(".patch") {
                continue;
            }
            let advisories =
                parse_updateinfo(corpus::open(&path)).unwrap_or_else(|e| panic!("{rel}: {e:?}"));
            let t = totals
                .entry(rel.split('/').next().unwrap_or("").to_string())
                .or_default();
            t[0] += 1;
            t[1] += advisories.len();
        }
        // The counts of INDEX.md; createrepo_c has one more than its 9:
        // modified_repo_files/updateinfo_ampersand.xml.
        let expect: BTreeMap<String, [usize; 2]> = [
            ("bottlerocket-updateinfo", [1, 1193]),
            ("cefs-centos-updateinfo", [1, 427]),
            ("ci-dnf-stack", [20, 66]),
            ("createrepo_c", [6, 10]),
            ("dnf-testdata", [2, 6]),
            ("dnf5-testdata", [1, 4]),
            ("libdnf-testdata", [4, 5]),
            ("librepo", [1, 0]),
            ("libzypp-opensuse", [2, 178]),
            ("pulp-fixtures", [7, 9]),
        ]
        .into_iter()
        .map(|(d, t)| (d.to_string(), t))
        .collect();
        assert_eq!(totals, expect);
    }

    fn load(rel: &str) -> Option<Vec<Advisory>> {
        let root = corpus::root("BRAMBLE_CORPUS")?;
        Some(
            parse_updateinfo(corpus::open(&root.join(rel)))
                .unwrap_or_else(|e| panic!("{rel}: {e:?}")),
        )
    }

    #[test]
    fn real_advisories() {
        let Some(a) = load("bottlerocket-updateinfo/updateinfo.xml") else {
            return;
        };
        let u = &a[0];
        assert_eq!(u.id, "GHSA-mgxf-pj6m-9494");
        assert_eq!(
            (&*u.title, &*u.severity),
            ("kernel CVE-2020-10711", "medium")
        );
        assert_eq!(u.issued.as_deref(), Some("2020-05-14T20:15:38Z"));
        assert_eq!(u.cves().collect::<Vec<_>>(), ["CVE-2020-10711"]);
        assert_eq!(u.collections[0].short, "bottlerocket");
        assert_eq!(u.collections[0].name, "Bottlerocket");
        let nevras: Vec<String> = u.packages.iter().map(|p| p.nevra()).collect();
        assert_eq!(
            nevras,
            [
                "kernel-0.3.3-b7d91846.x86_64",
                "kernel-0.3.3-b7d91846.aarch64"
            ]
        );

        let Some(a) = load("cefs-centos-updateinfo/updateinfo.xml") else {
            return;
        };
        assert!(
            a.iter().all(|u| u.is_security()),
            "INDEX: all type=security"
        );
        assert_eq!(
            a[0].packages[0].filename,
            "openssl-1.0.1e-42.el6_7.4.i686.rpm"
        );
        assert_eq!(a[0].release, "CentOS 6");

        let Some(a) = load("libzypp-opensuse/data/11.0-update/repodata/updateinfo.xml.gz") else {
            return;
        };
        assert_eq!(a[0].issued.as_deref(), Some("1213630432"));
        assert_eq!(a[0].packages[0].epoch, "", "SUSE leaves the epoch out");

        // an <update> with nothing in it, and a <package> without attributes
        let Some(a) = load("createrepo_c/updateinfo_files/updateinfo_02.xml.xz") else {
            return;
        };
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].id, "");
        assert_eq!(a[0].packages.len(), 1);
        assert_eq!(a[0].references.len(), 1);

        let Some(a) = load("createrepo_c/modified_repo_files/updateinfo_ampersand.xml") else {
            return;
        };
        let u = &a[0];
        assert_eq!(
            (&*u.id, &*u.from),
            ("foobarupd&ate_1", "se&cresponseteam@foo.bar")
        );
        assert_eq!(u.packages[0].name, "ba&r");
        assert_eq!(u.collections[0].short, "f&oo.component");
        assert!(u.packages[0].reboot_suggested && u.reboot_suggested);

        let Some(a) = load("dnf5-testdata/repos-repomd/repomd-repo1/repodata/updateinfo.xml")
        else {
            return;
        };
        let c = &a[1].collections;
        assert_eq!(c.len(), 2);
        assert_eq!(a[1].collection_packages(&c[0]).len(), 2);
        assert_eq!(a[1].collection_packages(&c[1])[0].name, "bitcoin");
        assert_eq!(a[0].collections[0].modules.len(), 2);
    }
}
