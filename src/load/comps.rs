//! Streaming parser for `comps.xml` (package groups) into [`Comps`].
//!
//! Malformed XML and truncation stop the parse with the byte offset of the problem.
//! Everything libcomps (dnf's comps library) accepts with a logged complaint is accepted
//! here too, with a warning carrying the offset: an element in the wrong place
//! (`<packagereq>` outside a `<packagelist>`, a `<grouplist>` directly in `<comps>`) is
//! skipped with its content, stray text between elements is dropped, a group without an
//! `<id>` is kept with an empty id, a `<default>` other than `true`/`false` (in any case)
//! keeps the default value.
//! Unknown elements (`<blacklist>`, `<whiteout>`, anything newer) are skipped silently,
//! and so are translations (`xml:lang`).
//!
//! Deliberate differences from libcomps: text is trimmed (Fedora's comps has
//! `<packagereq>lv2-c++-tools </packagereq>`), booleans ignore case (createrepo_c's test
//! data says `True`), and a `packagereq` of an unknown `type` is dropped with a warning
//! instead of being kept as a type dnf never installs.

use std::io::BufRead;

use quick_xml::events::{BytesRef, BytesStart};

use super::xml::{Elements, XmlError, drive, for_each_attr, push_ref};
use crate::model::comps::{
    Category, Comps, Environment, Group, GroupPackage, Langpack, PackageReqType,
};

/// Parse a decompressed `comps.xml`, dropping the warnings.
pub fn parse_comps<R: BufRead>(input: R) -> Result<Comps, XmlError> {
    parse_comps_with_warnings(input).map(|(comps, _)| comps)
}

/// Parse a decompressed `comps.xml`; also return the problems that did not stop the
/// parse (misplaced elements, stray text, bad booleans...), each at its byte offset.
pub fn parse_comps_with_warnings<R: BufRead>(input: R) -> Result<(Comps, Vec<XmlError>), XmlError> {
    let mut p = Parser::default();
    drive(input, &mut p, "comps.xml", "comps")?;
    Ok((p.comps, p.warnings))
}

impl Elements for Parser {
    fn start(&mut self, e: &BytesStart<'_>, pos: u64) -> Result<(), XmlError> {
        Parser::start(self, e, pos)
    }
    fn end(&mut self, pos: u64) {
        Parser::end(self, pos);
    }
    fn text(&mut self, t: &str, pos: u64) -> Result<(), XmlError> {
        Parser::text(self, t, pos)
    }
    fn general_ref(&mut self, r: &BytesRef<'_>, pos: u64) -> Result<(), XmlError> {
        if self.in_field() {
            push_ref(&mut self.text, r);
            Ok(())
        } else {
            Parser::text(self, &format!("&{};", r.xml10_content()), pos)
        }
    }
    fn open(&self) -> bool {
        !self.stack.is_empty()
    }
    fn root_done(&self) -> bool {
        self.root_done
    }
}

/// Elements that hold text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Id,
    Name,
    Description,
    Default,
    UserVisible,
    BiarchOnly,
    LangOnly,
    DisplayOrder,
    PackageReq,
    GroupId,
}

impl Field {
    fn tag(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Name => "name",
            Field::Description => "description",
            Field::Default => "default",
            Field::UserVisible => "uservisible",
            Field::BiarchOnly => "biarchonly",
            Field::LangOnly => "langonly",
            Field::DisplayOrder => "display_order",
            Field::PackageReq => "packagereq",
            Field::GroupId => "groupid",
        }
    }
}

/// Where the parser is; one entry per open element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Comps,
    Group,
    Category,
    Environment,
    PackageList,
    /// A `<grouplist>`; `true` inside an environment, `false` inside a category.
    GroupList(bool),
    OptionList,
    Langpacks,
    Field(Field),
    /// Unknown, translated or misplaced: ignored with everything inside it.
    Skip,
}

impl Ctx {
    fn tag(self) -> &'static str {
        match self {
            Ctx::Comps => "comps",
            Ctx::Group => "group",
            Ctx::Category => "category",
            Ctx::Environment => "environment",
            Ctx::PackageList => "packagelist",
            Ctx::GroupList(_) => "grouplist",
            Ctx::OptionList => "optionlist",
            Ctx::Langpacks => "langpacks",
            Ctx::Field(f) => f.tag(),
            Ctx::Skip => "?",
        }
    }
}

/// Comps elements this parser knows: one of these in the wrong place is worth a warning,
/// anything else is silently ignored.
const KNOWN: &[&str] = &[
    "comps",
    "group",
    "category",
    "environment",
    "langpacks",
    "match",
    "id",
    "name",
    "description",
    "default",
    "uservisible",
    "biarchonly",
    "langonly",
    "display_order",
    "packagelist",
    "packagereq",
    "grouplist",
    "optionlist",
    "groupid",
];

/// Attributes of the `<packagereq>` being read.
#[derive(Default)]
struct PendingReq {
    /// `Err(type)` for a type dnf does not know.
    kind: Option<Result<PackageReqType, String>>,
    requires: Option<String>,
    basearchonly: bool,
}

#[derive(Default)]
struct Parser {
    comps: Comps,
    warnings: Vec<XmlError>,
    stack: Vec<Ctx>,
    text: String,
    req: PendingReq,
    groupid_default: bool,
    /// Whether the current environment already had an `<optionlist>`.
    had_optionlist: bool,
    root_done: bool,
}

fn is_true(v: &str) -> bool {
    v.trim().eq_ignore_ascii_case("true")
}

fn short(s: &str) -> String {
    let s = s.trim();
    match s.char_indices().nth(40) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_string(),
    }
}

impl Parser {
    fn warn(&mut self, pos: u64, msg: impl Into<String>) {
        self.warnings.push(XmlError::new(pos, msg));
    }

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
                    format!("unexpected <{name}> after the end of the <comps> element"),
                ));
            }
            if name != "comps" {
                return Err(XmlError::new(
                    pos,
                    format!("expected <comps> as the root element of comps.xml, found <{name}>"),
                ));
            }
            self.stack.push(Ctx::Comps);
            return Ok(());
        };
        let translated = || {
            let mut lang = false;
            for_each_attr(e, |k, _| lang |= k == "lang");
            lang
        };
        let ctx = match (parent, name) {
            (Ctx::Skip, _) => Ctx::Skip,
            (Ctx::Field(f), _) => {
                self.warn(
                    pos,
                    format!("unexpected <{name}> inside <{}>, ignored", f.tag()),
                );
                Ctx::Skip
            }
            (Ctx::Comps, "group") => {
                self.comps.groups.push(Group::default());
                Ctx::Group
            }
            (Ctx::Comps, "category") => {
                self.comps.categories.push(Category::default());
                Ctx::Category
            }
            (Ctx::Comps, "environment") => {
                self.comps.environments.push(Environment::default());
                self.had_optionlist = false;
                Ctx::Environment
            }
            (Ctx::Comps, "langpacks") => Ctx::Langpacks,
            (Ctx::Group | Ctx::Category | Ctx::Environment, "id") => Ctx::Field(Field::Id),
            (Ctx::Group | Ctx::Category | Ctx::Environment, "name" | "description") => {
                if translated() {
                    Ctx::Skip
                } else if name == "name" {
                    Ctx::Field(Field::Name)
                } else {
                    Ctx::Field(Field::Description)
                }
            }
            (Ctx::Group | Ctx::Category | Ctx::Environment, "display_order") => {
                Ctx::Field(Field::DisplayOrder)
            }
            (Ctx::Group, "default") => Ctx::Field(Field::Default),
            (Ctx::Group, "uservisible") => Ctx::Field(Field::UserVisible),
            (Ctx::Group, "biarchonly") => Ctx::Field(Field::BiarchOnly),
            (Ctx::Group, "langonly") => Ctx::Field(Field::LangOnly),
            (Ctx::Group, "packagelist") => Ctx::PackageList,
            (Ctx::Category, "grouplist") => Ctx::GroupList(false),
            (Ctx::Environment, "grouplist") => Ctx::GroupList(true),
            (Ctx::Environment, "optionlist") => {
                if self.had_optionlist {
                    self.warn(
                        pos,
                        "second <optionlist> in an environment, its groups are added to the first",
                    );
                }
                self.had_optionlist = true;
                Ctx::OptionList
            }
            (Ctx::PackageList, "packagereq") => {
                let mut req = PendingReq::default();
                for_each_attr(e, |k, v| match k {
                    "type" => {
                        req.kind = Some(PackageReqType::parse(&v).ok_or_else(|| v.into_owned()))
                    }
                    "requires" => req.requires = Some(v.trim().to_string()),
                    "basearchonly" => req.basearchonly = is_true(&v),
                    _ => {}
                });
                self.req = req;
                Ctx::Field(Field::PackageReq)
            }
            (Ctx::GroupList(_) | Ctx::OptionList, "groupid") => {
                let mut default = false;
                for_each_attr(e, |k, v| {
                    if k == "default" {
                        default = is_true(&v);
                    }
                });
                self.groupid_default = default;
                Ctx::Field(Field::GroupId)
            }
            (Ctx::Langpacks, "match") => {
                let mut lp = Langpack::default();
                for_each_attr(e, |k, v| match k {
                    "name" => lp.name = v.trim().to_string(),
                    "install" => lp.install = v.trim().to_string(),
                    _ => {}
                });
                self.comps.langpacks.push(lp);
                Ctx::Skip
            }
            (parent, name) => {
                if KNOWN.contains(&name) {
                    self.warn(
                        pos,
                        format!("<{name}> is not allowed in <{}>, ignored", parent.tag()),
                    );
                }
                Ctx::Skip
            }
        };
        if let Ctx::Field(_) = ctx {
            self.text.clear();
        }
        self.stack.push(ctx);
        Ok(())
    }

    fn end(&mut self, pos: u64) {
        let Some(ctx) = self.stack.pop() else { return };
        match ctx {
            Ctx::Field(f) => self.finish_field(f, pos),
            Ctx::Group | Ctx::Category | Ctx::Environment => {
                let missing = match ctx {
                    Ctx::Group => self.comps.groups.last().map(|g| g.id.is_empty()),
                    Ctx::Category => self.comps.categories.last().map(|c| c.id.is_empty()),
                    _ => self.comps.environments.last().map(|e| e.id.is_empty()),
                };
                if missing == Some(true) {
                    self.warn(pos, format!("<{}> without an <id>", ctx.tag()));
                }
            }
            Ctx::Comps => self.root_done = true,
            _ => {}
        }
    }

    fn text(&mut self, t: &str, pos: u64) -> Result<(), XmlError> {
        match self.stack.last() {
            Some(Ctx::Field(_)) => self.text.push_str(t),
            Some(Ctx::Skip) => {}
            Some(&ctx) => {
                if !t.trim().is_empty() {
                    // point at the text itself, not at the whitespace before it
                    let lead = (t.len() - t.trim_start().len()) as u64;
                    self.warn(
                        pos + lead,
                        format!("stray text `{}` in <{}>, ignored", short(t), ctx.tag()),
                    );
                }
            }
            None => {
                if !t.trim().is_empty() {
                    return Err(XmlError::new(
                        pos,
                        format!("text `{}` outside of the <comps> element", short(t)),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The id, name or description string of the group, category or environment being read.
    fn object_text(&mut self, f: Field) -> Option<&mut String> {
        macro_rules! pick {
            ($o:expr) => {
                match f {
                    Field::Id => &mut $o.id,
                    Field::Name => &mut $o.name,
                    _ => &mut $o.description,
                }
            };
        }
        Some(match self.stack.last()? {
            Ctx::Group => pick!(self.comps.groups.last_mut()?),
            Ctx::Category => pick!(self.comps.categories.last_mut()?),
            Ctx::Environment => pick!(self.comps.environments.last_mut()?),
            _ => return None,
        })
    }

    fn finish_field(&mut self, f: Field, pos: u64) {
        let raw = std::mem::take(&mut self.text);
        let v = raw.trim();
        match f {
            Field::Id | Field::Name | Field::Description => {
                let mut again = false;
                if let Some(slot) = self.object_text(f) {
                    again = !slot.is_empty();
                    *slot = v.to_string();
                }
                if again {
                    self.warn(
                        pos,
                        format!("<{}> given twice, the last one is kept", f.tag()),
                    );
                }
            }
            Field::DisplayOrder => {
                let n = v.parse::<i32>().ok();
                if n.is_none() {
                    self.warn(pos, format!("invalid <display_order> `{}`", short(v)));
                }
                match self.stack.last() {
                    Some(Ctx::Group) => {
                        if let Some(g) = self.comps.groups.last_mut() {
                            g.display_order = n;
                        }
                    }
                    Some(Ctx::Category) => {
                        if let Some(c) = self.comps.categories.last_mut() {
                            c.display_order = n;
                        }
                    }
                    Some(Ctx::Environment) => {
                        if let Some(e) = self.comps.environments.last_mut() {
                            e.display_order = n;
                        }
                    }
                    _ => {}
                }
            }
            Field::Default | Field::UserVisible | Field::BiarchOnly => {
                let b = match v.to_ascii_lowercase().as_str() {
                    "true" => true,
                    "false" => false,
                    _ => {
                        self.warn(
                            pos,
                            format!(
                                "<{}> must be `true` or `false`, not `{}`; the default is kept",
                                f.tag(),
                                short(v)
                            ),
                        );
                        return;
                    }
                };
                if let Some(g) = self.comps.groups.last_mut() {
                    match f {
                        Field::Default => g.default = b,
                        Field::UserVisible => g.uservisible = b,
                        _ => g.biarchonly = b,
                    }
                }
            }
            Field::LangOnly => {
                let mut again = false;
                if let Some(g) = self.comps.groups.last_mut() {
                    again = g.langonly.replace(v.to_string()).is_some();
                }
                if again {
                    self.warn(pos, "<langonly> given twice, the last one is kept");
                }
            }
            Field::PackageReq => {
                let req = std::mem::take(&mut self.req);
                if v.is_empty() {
                    self.warn(pos, "<packagereq> without a package name, ignored");
                    return;
                }
                let kind = match req.kind {
                    None => PackageReqType::Mandatory,
                    Some(Ok(k)) => k,
                    Some(Err(t)) => {
                        self.warn(
                            pos,
                            format!("unknown packagereq type `{}` for `{v}`, ignored", short(&t)),
                        );
                        return;
                    }
                };
                if let Some(g) = self.comps.groups.last_mut() {
                    g.packages.push(GroupPackage {
                        name: v.to_string(),
                        kind,
                        requires: req.requires.filter(|r| !r.is_empty()),
                        basearchonly: req.basearchonly,
                    });
                }
            }
            Field::GroupId => {
                if v.is_empty() {
                    self.warn(pos, "empty <groupid>, ignored");
                    return;
                }
                let id = v.to_string();
                match self.stack.last() {
                    Some(Ctx::GroupList(false)) => {
                        if let Some(c) = self.comps.categories.last_mut() {
                            c.group_ids.push(id);
                        }
                    }
                    Some(Ctx::GroupList(true)) => {
                        if let Some(e) = self.comps.environments.last_mut() {
                            e.group_ids.push(id);
                        }
                    }
                    Some(Ctx::OptionList) => {
                        if let Some(e) = self.comps.environments.last_mut() {
                            if self.groupid_default {
                                e.default_option_ids.push(id.clone());
                            }
                            e.option_ids.push(id);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE comps PUBLIC "-//Red Hat, Inc.//DTD Comps info//EN" "comps.dtd">
<comps>
  <!-- a comment with <group> inside -->
  <group>
    <id>build</id>
    <name>Buildsystem building group</name>
    <name xml:lang="de">Gruppe</name>
    <description>Build &amp; &lt;test&gt;</description>
    <description xml:lang="de">Beschreibung</description>
    <default>false</default>
    <uservisible>false</uservisible>
    <biarchonly>true</biarchonly>
    <display_order>10</display_order>
    <packagelist>
      <packagereq type="mandatory">bash</packagereq>
      <packagereq>coreutils</packagereq>
      <packagereq type="default" basearchonly="true">gcc</packagereq>
      <packagereq type="optional">emacs</packagereq>
      <packagereq type="conditional" requires="ruby">rubygem-foo</packagereq>
      <packagereq type="default">lv2-c++-tools </packagereq>
      <futureelement>whatever</futureelement>
    </packagelist>
  </group>
  <group>
    <id>srpm-build</id>
    <name>SRPM build</name>
    <packagelist>
      <packagereq><![CDATA[rpm-build]]></packagereq>
    </packagelist>
  </group>
  <category>
    <id>development</id>
    <name>Development</name>
    <description>Tools</description>
    <display_order>90</display_order>
    <grouplist>
      <groupid>build</groupid>
      <groupid> srpm-build </groupid>
    </grouplist>
  </category>
  <environment>
    <id>minimal-environment</id>
    <name>Minimal Install</name>
    <description>Basic functionality.</description>
    <display_order>5</display_order>
    <grouplist>
      <groupid>core</groupid>
    </grouplist>
    <optionlist>
      <groupid>standard</groupid>
      <groupid default="true">guest-agents</groupid>
    </optionlist>
  </environment>
  <langpacks>
    <match install="aspell-%s" name="aspell"/>
    <match install="autocorr-%s" name="autocorr-en"/>
  </langpacks>
  <blacklist><package name="x"/></blacklist>
</comps>
"#;

    fn parse(xml: &str) -> Result<(Comps, Vec<XmlError>), XmlError> {
        parse_comps_with_warnings(xml.as_bytes())
    }

    #[test]
    fn reads_groups_categories_environments_langpacks() {
        let (c, warnings) = parse(SAMPLE).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(c.groups.len(), 2);
        let g = &c.groups[0];
        assert_eq!(g.id, "build");
        assert_eq!(g.name, "Buildsystem building group", "xml:lang ignored");
        assert_eq!(g.description, "Build & <test>");
        assert!(!g.default && !g.uservisible && g.biarchonly);
        assert_eq!(g.display_order, Some(10));
        let pk: Vec<(&str, PackageReqType, Option<&str>, bool)> = g
            .packages
            .iter()
            .map(|p| (&*p.name, p.kind, p.requires.as_deref(), p.basearchonly))
            .collect();
        use PackageReqType::*;
        assert_eq!(
            pk,
            [
                ("bash", Mandatory, None, false),
                ("coreutils", Mandatory, None, false),
                ("gcc", Default, None, true),
                ("emacs", Optional, None, false),
                ("rubygem-foo", Conditional, Some("ruby"), false),
                ("lv2-c++-tools", Default, None, false),
            ]
        );
        let s = &c.groups[1];
        assert!(s.uservisible && !s.default, "defaults when absent");
        assert_eq!(s.display_order, None);
        assert_eq!(s.packages[0].name, "rpm-build");

        let cat = &c.categories[0];
        assert_eq!(
            (&*cat.id, &*cat.name, &*cat.description, cat.display_order),
            ("development", "Development", "Tools", Some(90))
        );
        assert_eq!(cat.group_ids, ["build", "srpm-build"]);

        let env = &c.environments[0];
        assert_eq!(env.id, "minimal-environment");
        assert_eq!(env.display_order, Some(5));
        assert_eq!(env.group_ids, ["core"]);
        assert_eq!(env.option_ids, ["standard", "guest-agents"]);
        assert_eq!(env.default_option_ids, ["guest-agents"]);

        let (c2, w) =
            parse("<comps><group><id>x</id><uservisible>False</uservisible></group></comps>")
                .unwrap();
        assert!(
            w.is_empty() && !c2.groups[0].uservisible,
            "booleans ignore case"
        );

        assert_eq!(
            c.langpacks,
            [
                Langpack {
                    name: "aspell".into(),
                    install: "aspell-%s".into()
                },
                Langpack {
                    name: "autocorr-en".into(),
                    install: "autocorr-%s".into()
                }
            ]
        );
    }

    #[test]
    fn misplaced_elements_stray_text_and_bad_values_are_warnings() {
        let xml = r#"<comps>
  <id>orphan</id>
  <group>
    <id>a</id>some stray
    <packagereq>direct</packagereq>
    <default>falXse</default>
    <uservisible>Xfalse</uservisible>
    <display_order>ten</display_order>
    <packagelist>
      <packagereq type="weird">p1</packagereq>
      <packagereq type="default"></packagereq>
      <packagereq>p2<sub>x</sub></packagereq>
    </packagelist>
  </group>
  <group><name>no id</name></group>
  <environment>
    <id>e</id>
    <groupid>direct</groupid>
    <optionlist><groupid>o1</groupid></optionlist>
    <optionlist><groupid>o2</groupid></optionlist>
  </environment>
</comps>"#;
        let (c, w) = parse(xml).unwrap();
        let msgs: Vec<&str> = w.iter().map(|w| w.msg.as_str()).collect();
        let expect = [
            "<id> is not allowed in <comps>",
            "stray text `some stray` in <group>",
            "<packagereq> is not allowed in <group>",
            "<default> must be `true` or `false`, not `falXse`",
            "<uservisible> must be `true` or `false`, not `Xfalse`",
            "invalid <display_order> `ten`",
            "unknown packagereq type `weird` for `p1`",
            "<packagereq> without a package name",
            "unexpected <sub> inside <packagereq>",
            "<group> without an <id>",
            "<groupid> is not allowed in <environment>",
            "second <optionlist>",
        ];
        assert_eq!(msgs.len(), expect.len(), "{msgs:#?}");
        for (m, e) in msgs.iter().zip(expect) {
            assert!(m.starts_with(e), "{m:?} should start with {e:?}");
        }
        // offsets point at the culprit
        assert_eq!(w[0].offset, xml.find("<id>orphan").unwrap() as u64);
        assert_eq!(w[2].offset, xml.find("<packagereq>direct").unwrap() as u64);

        assert_eq!(c.groups.len(), 2);
        let g = &c.groups[0];
        assert!(
            !g.default && g.uservisible,
            "bad booleans keep the defaults"
        );
        assert_eq!(g.display_order, None);
        let names: Vec<&str> = g.packages.iter().map(|p| &*p.name).collect();
        assert_eq!(names, ["p2"]);
        assert_eq!(c.groups[1].id, "");
        assert_eq!(c.groups[1].name, "no id");
        assert_eq!(c.environments[0].group_ids, Vec::<String>::new());
        assert_eq!(c.environments[0].option_ids, ["o1", "o2"]);
    }

    #[test]
    fn malformed_xml_is_an_error_with_offset() {
        let bad = SAMPLE.replace("</default>", "</defaultx>");
        let e = parse(&bad).unwrap_err();
        let at = bad.find("</defaultx>").unwrap() as u64;
        assert!(e.offset >= at && e.offset <= at + 11, "{e:?} vs {at}");

        let e = parse("").unwrap_err();
        assert!(e.msg.contains("empty document"), "{e:?}");
        let e = parse("<metadata/>").unwrap_err();
        assert!(e.msg.contains("expected <comps>"), "{e:?}");
        let e = parse("<comps/><comps/>").unwrap_err();
        assert!(e.msg.contains("after the end"), "{e:?}");
        let e = parse("junk<comps/>").unwrap_err();
        assert!(e.msg.contains("outside"), "{e:?}");
        assert!(parse("<comps/>").unwrap().0.is_empty());
        assert!(parse("<?xml version=\"1.0\"?>\n<comps>\n</comps>\n").is_ok());
    }

    #[test]
    fn truncation_anywhere_is_an_error() {
        let end = SAMPLE.rfind("</comps>").unwrap();
        for cut in 0..=end {
            if !SAMPLE.is_char_boundary(cut) {
                continue;
            }
            let r = parse(&SAMPLE[..cut]);
            let e = r.expect_err(&format!("cut at {cut} must fail"));
            assert!(e.offset <= cut as u64, "cut {cut}: {e:?}");
        }
        // bytes that are not even UTF-8 do not panic either
        let mut bytes = SAMPLE.as_bytes().to_vec();
        bytes[300] = 0xff;
        let _ = parse_comps(&bytes[..]);
    }
}

/// Reading the shared corpus in tests: `$BRAMBLE_CORPUS` / `$BRAMBLE_ORACLE`, files
/// decompressed by [`crate::load::compress`].
#[cfg(test)]
pub(crate) mod corpus {
    use std::io::BufRead;
    use std::path::{Path, PathBuf};

    /// The directory named by `var`, or `None` (and a note) when the variable is unset.
    pub fn root(var: &str) -> Option<PathBuf> {
        match std::env::var_os(var) {
            Some(v) => Some(PathBuf::from(v)),
            None => {
                eprintln!("{var} is not set, skipping the corpus test");
                None
            }
        }
    }

    /// Every file below `dir`, sorted.
    pub fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let mut todo = vec![dir.to_path_buf()];
        while let Some(d) = todo.pop() {
            let Ok(entries) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    todo.push(p);
                } else {
                    out.push(p);
                }
            }
        }
        out.sort();
        out
    }

    /// `path` relative to `root`, with `/` separators.
    pub fn rel(root: &Path, path: &Path) -> String {
        path.strip_prefix(root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/")
    }

    /// The decompressed content of `path`.
    pub fn open(path: &Path) -> Box<dyn BufRead> {
        crate::load::compress::open_decoded(path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// The whole decompressed content (to turn offsets into lines).
    pub fn read(path: &Path) -> Vec<u8> {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut open(path), &mut v)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        v
    }
}

#[cfg(test)]
mod corpus_tests {
    use std::collections::BTreeMap;

    use super::corpus;
    use super::*;
    use crate::load::xml::line_col;

    /// Files libcomps fails on too (expat reports a fatal error): the mismatched end tag.
    const REJECTED: &[(&str, &str)] = &[
        ("libcomps/tests/sample-elem-error.xml", "</defaultx>"),
        (
            "ci-dnf-stack/data/groups-manager/comps_syntax_error.xml",
            "</packagelist>",
        ),
    ];

    #[test]
    fn every_comps_file_of_the_corpus() {
        let Some(root) = corpus::root("BRAMBLE_CORPUS") else {
            return;
        };
        let files: Vec<_> = corpus::walk(&root)
            .into_iter()
            .filter(|p| {
                let rel = corpus::rel(&root, p);
                let name = rel.rsplit('/').next().unwrap_or("").to_lowercase();
                let comps_named = name.contains("comps")
                    && !rel.starts_with("koji-hub/api/")
                    && !rel.starts_with("koji-hub/cli")
                    && !name.ends_with(".zck")
                    && !name.ends_with(".dtd")
                    && !name.ends_with(".md");
                comps_named || (rel.starts_with("libcomps/") && name.contains(".xml"))
            })
            .collect();
        // per corpus directory: files, groups, categories, environments
        let mut totals: BTreeMap<String, [usize; 4]> = BTreeMap::new();
        let mut rejected = 0;
        let mut warned = Vec::new();
        for path in &files {
            let rel = corpus::rel(&root, path);
            let r = parse_comps_with_warnings(corpus::open(path));
            if let Some((_, culprit)) = REJECTED.iter().find(|(f, _)| *f == rel) {
                let e = r.expect_err(&rel);
                let data = corpus::read(path);
                let at = memchr::memmem::find(&data, culprit.as_bytes()).unwrap() as u64;
                assert!(
                    e.offset >= at && e.offset <= at + 16,
                    "{rel}: {e:?} vs {at}"
                );
                rejected += 1;
                continue;
            }
            let (c, warnings) = r.unwrap_or_else(|e| panic!("{rel}: {e:?}"));
            if !warnings.is_empty() {
                warned.push(rel.clone());
            }
            let dir = rel.split('/').next().unwrap_or("").to_string();
            let t = totals.entry(dir).or_default();
            t[0] += 1;
            t[1] += c.groups.len();
            t[2] += c.categories.len();
            t[3] += c.environments.len();
        }
        assert_eq!(rejected, REJECTED.len());
        // Counted with grep over the same files. INDEX.md agrees for koji (191 + 8),
        // ci-dnf-stack (67, one of them in the rejected file), createrepo_c (8, .zck not
        // read), dnf (5), dnf5 (6), librepo (2) and pulp (8). For libcomps INDEX.md says
        // 916 groups, but its 28 XML files hold 940 `<group>` elements (3 of them in the
        // rejected sample-elem-error.xml).
        let expect: BTreeMap<String, [usize; 4]> = [
            ("ci-dnf-stack", [25, 66, 0, 29]),
            ("createrepo_c", [8, 8, 8, 7]),
            ("dnf-testdata", [1, 5, 1, 1]),
            ("dnf5-testdata", [12, 6, 0, 6]),
            ("koji", [2, 199, 14, 17]),
            ("koji-hub", [24, 42, 0, 0]),
            ("koschei", [1, 5, 0, 0]),
            ("libcomps", [27, 937, 87, 75]),
            ("librepo", [2, 2, 2, 0]),
            ("pulp-fixtures", [6, 8, 6, 4]),
        ]
        .into_iter()
        .map(|(d, t)| (d.to_string(), t))
        .collect();
        assert_eq!(totals, expect);
        // Everything else loads without a complaint.
        let expect_warned = [
            // dnf's test data puts group-only elements in <environment>s; libcomps logs
            // them as misplaced (COMPS_ERR_NOPARENT) too
            "ci-dnf-stack/specs/comps-upgrade-1/comps.xml",
            "ci-dnf-stack/specs/comps-upgrade-2/comps.xml",
            "ci-dnf-stack/specs/dnf-ci-group-rollback-1/comps.xml",
            "ci-dnf-stack/specs/system-upgrade-comps-f29/comps.xml",
            "ci-dnf-stack/specs/system-upgrade-comps-f30/comps.xml",
            // Koji's test data: packagereq types `unknown` and `what`
            "koji/tests/test_cli/data/comps-sample.xml",
            // an empty <packagereq> and an empty <default>
            "libcomps/tests/main_comps2.xml",
            // the deliberately broken ones, see below
            "libcomps/tests/sample-wrong-dtd.xml",
            "libcomps/tests/sample-wrong-param.xml",
            "libcomps/tests/sample_comps_bad1.xml",
            "libcomps/tests/sample_comps_bad2.xml",
            "libcomps/tests/sample_comps_bad3.xml",
        ];
        assert_eq!(warned, expect_warned);
    }

    fn load(rel: &str) -> Option<(Vec<u8>, Comps, Vec<XmlError>)> {
        let root = corpus::root("BRAMBLE_CORPUS")?;
        let data = corpus::read(&root.join(rel));
        let (c, w) =
            parse_comps_with_warnings(&data[..]).unwrap_or_else(|e| panic!("{rel}: {e:?}"));
        Some((data, c, w))
    }

    fn lines(data: &[u8], w: &[XmlError]) -> Vec<(u64, String)> {
        w.iter()
            .map(|w| (line_col(data, w.offset).0, w.msg.clone()))
            .collect()
    }

    #[test]
    fn real_comps_content() {
        let Some((_, c, w)) = load("koji/tests/test_cli/data/comps-example.xml") else {
            return;
        };
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(
            (c.groups.len(), c.categories.len(), c.environments.len()),
            (191, 14, 17)
        );
        let Some((_, c, w)) = load("koji-hub/kojidir/repos/f17-build/2/groups/comps.xml") else {
            return;
        };
        assert!(w.is_empty(), "{w:?}");
        let build = c.group("build").unwrap();
        assert_eq!(build.packages.len(), 24);
        assert!(
            build
                .packages
                .iter()
                .all(|p| p.kind == PackageReqType::Mandatory)
        );
        assert_eq!(build.packages[0].name, "bash");
        assert!(c.group("srpm-build").is_some());
        let Some((_, c, _)) = load("libcomps/src/python/tests/comps/biarchonly.xml") else {
            return;
        };
        let flags: Vec<bool> = c.groups.iter().map(|g| g.biarchonly).collect();
        assert_eq!(flags, [false, true, false]);
        assert_eq!(
            c.groups[0].packages[1].requires.as_deref(),
            Some("xorg-x11")
        );
    }

    /// libcomps' own tests (libcomps/tests/check_parse.c, test_comps_parse3..5) parse
    /// these deliberately broken files successfully and only log errors; so does this
    /// parser, with warnings at the same lines.
    #[test]
    fn libcomps_bad_files_are_accepted_with_warnings() {
        // bad1: the first group's <id>, <name>, <description> are commented out. libcomps
        // logs "id/name/description required" at the group's end (line 188) and keeps the
        // group with no id.
        let Some((data, c, w)) = load("libcomps/tests/sample_comps_bad1.xml") else {
            return;
        };
        assert_eq!(
            lines(&data, &w),
            [(188, "<group> without an <id>".to_string())]
        );
        assert_eq!(c.groups.len(), 5);
        assert_eq!((&*c.groups[0].id, &*c.groups[0].name), ("", ""));

        // bad2: misplaced elements (libcomps: COMPS_ERR_NOPARENT) and repeated ones
        // (COMPS_ERR_ELEM_ALREADYSET). libcomps also logs each <groupid> inside the
        // misplaced <grouplist> of line 880 (881..887); here the subtree is one warning.
        let Some((data, c, w)) = load("libcomps/tests/sample_comps_bad2.xml") else {
            return;
        };
        let got: Vec<(u64, String)> = lines(&data, &w)
            .into_iter()
            .map(|(l, m)| (l, m.split(' ').next().unwrap_or("").to_string()))
            .collect();
        let want: Vec<(u64, String)> = [
            (4, "<id>"),
            (158, "<packagereq>"),
            (274, "<langonly>"),
            (588, "<groupid>"),
            (880, "<grouplist>"),
            (1210, "<id>"),
            (1228, "<groupid>"),
            (1244, "second"),
        ]
        .into_iter()
        .map(|(l, m)| (l, m.to_string()))
        .collect();
        assert_eq!(got, want, "{w:#?}");
        assert_eq!(c.groups.len(), 5);

        // bad3: stray text. libcomps reports it when the next element starts (lines 6
        // and 189); the offset here is the text itself, one line earlier.
        let Some((data, c, w)) = load("libcomps/tests/sample_comps_bad3.xml") else {
            return;
        };
        let got = lines(&data, &w);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0].0, 5);
        assert!(got[0].1.starts_with("stray text `some stray` in <group>"));
        assert_eq!(got[1].0, 188);
        assert_eq!(c.groups[0].id, "admin-tools");

        // wrong-param: libcomps logs COMPS_ERR_DEFAULT_PARAM for both and keeps the
        // defaults (default false, uservisible true).
        let Some((data, c, w)) = load("libcomps/tests/sample-wrong-param.xml") else {
            return;
        };
        let got = lines(&data, &w);
        assert_eq!(got.iter().map(|g| g.0).collect::<Vec<_>>(), [8, 9]);
        assert!(!c.groups[0].default && c.groups[0].uservisible);

        // wrong-dtd: an element inside <packagereq>. libcomps drops the text before it
        // and keeps a package without a name; here the text is kept, the element ignored.
        let Some((data, c, w)) = load("libcomps/tests/sample-wrong-dtd.xml") else {
            return;
        };
        assert_eq!(
            lines(&data, &w).iter().map(|g| g.0).collect::<Vec<_>>(),
            [12]
        );
        assert_eq!(c.groups[0].packages[0].name, "alsa-lib-devel");
        assert_eq!(
            c.groups[0].id, "additional-devel",
            "order of id and name is free"
        );

        // bad-elem: an unknown element in a packagelist is skipped without a word.
        let Some((_, c, w)) = load("libcomps/tests/sample-bad-elem.xml") else {
            return;
        };
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(c.groups[0].packages.len(), 8);
    }
}
