//! The demo build tree compiled into the binary (`bramble --demo`): the fixture
//! repositories of `testdata/repos`, embedded by `build.rs`:
//!
//! * `demo-base`: a RHEL-9-like base with `insights-client`, which requires
//!   `python3-file-magic`, which conflicts with `python3-magic`;
//! * `demo-copr`: a private COPR-like repo with `s3cmd`, which requires `python3-magic`
//!   (journey 1 of JOURNEYS.md: why s3cmd no longer installs next to insights-client);
//! * `closure`: a repo whose closure is broken in every way dnf knows (missing
//!   libraries, versions, files, rich dependencies, arches).

/// One embedded repository: its name, where it lives in a source checkout (shown in
/// equivalent commands, which then work from the checkout), and its `repodata/` files.
#[derive(Debug)]
pub struct DemoRepo {
    pub name: &'static str,
    pub location: &'static str,
    pub files: &'static [(&'static str, &'static [u8])],
}

include!(concat!(env!("OUT_DIR"), "/demo_repos.rs"));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_is_embedded() {
        let names: Vec<_> = DEMO_REPOS.iter().map(|r| r.name).collect();
        assert_eq!(names, ["demo-base", "demo-copr", "closure", "modular"]);
        let koji: Vec<_> = DEMO_KOJI_REPOS.iter().map(|r| r.name).collect();
        assert_eq!(
            koji,
            ["dist-f19-base", "dist-f19-updates", "dist-f18-updates"]
        );
        for r in DEMO_REPOS.iter().chain(DEMO_KOJI_REPOS) {
            assert!(
                r.files.iter().any(|(h, _)| *h == "repodata/repomd.xml"),
                "{}",
                r.name
            );
        }
    }
}
