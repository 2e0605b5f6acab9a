//! Version ordering must agree with rpm 4.18 on every vector the oracle recorded. The
//! vectors were made by comparing `rpm.ver(a)` with `rpm.ver(b)` (checked with
//! python3-rpm 4.18: `9-cc3^9.` < `9^X598-6` because `-` starts the release and `2:` is an
//! epoch), so each side is parsed as an EVR first.

use std::cmp::Ordering;

use bramble::model::evr::Evr;

#[test]
fn rpmvercmp_agrees_with_rpm_4_18_on_every_oracle_vector() {
    let Some(oracle) = super::common::oracle() else {
        return;
    };
    let text = std::fs::read_to_string(oracle.join("rpmvercmp-vectors.tsv")).unwrap();
    let mut checked = 0;
    let mut wrong = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 3, "bad vector line {line:?}");
        let want = match f[2] {
            "-1" => Ordering::Less,
            "0" => Ordering::Equal,
            "1" => Ordering::Greater,
            x => panic!("bad expectation {x}"),
        };
        let got = Evr::parse(f[0])
            .unwrap()
            .cmp_full(&Evr::parse(f[1]).unwrap());
        if got != want {
            wrong.push(format!(
                "{} vs {}: rpm says {want:?}, we say {got:?}",
                f[0], f[1]
            ));
        }
        checked += 1;
    }
    eprintln!("rpmvercmp: {checked} oracle vectors checked");
    assert!(checked > 3000, "only {checked} vectors read");
    assert!(
        wrong.is_empty(),
        "{} disagreements:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn vercmp_cli_answers_like_rpmdev_vercmp() {
    let cases = [
        ("1.0-1", "1.0-2", "1.0-1 < 1.0-2", 12),
        ("2:1.0", "1:9.9", "2:1.0 > 1:9.9", 11),
        ("1.0~rc1", "1.0~rc1", "1.0~rc1 == 1.0~rc1", 0),
        ("1.0^git1", "1.0", "1.0^git1 > 1.0", 11),
    ];
    for (a, b, out, code) in cases {
        super::common::bramble()
            .args(["vercmp", a, b])
            .assert()
            .code(code)
            .stdout(format!("{out}\n"));
    }
    super::common::bramble()
        .args(["vercmp", "99999999999:1", "1"])
        .assert()
        .code(2);
}
