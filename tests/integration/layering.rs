//! The layer rule of `src/lib.rs`: model uses nothing else of the crate; load uses only
//! model (and the shared progress module); analysis uses model and load's types only
//! through model; cli and tui sit on top. A `use crate::tui` in `load` fails this test.

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn lower_layers_never_use_higher_ones() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let forbidden: &[(&str, &[&str])] = &[
        ("model", &["load", "analysis", "cli", "tui"]),
        ("load", &["analysis", "cli", "tui"]),
        ("analysis", &["cli", "tui"]),
        ("cli", &["tui"]),
    ];
    let mut violations = Vec::new();
    for (layer, higher) in forbidden {
        let mut files = Vec::new();
        rust_files(&src.join(layer), &mut files);
        assert!(!files.is_empty(), "layer {layer} has no files");
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                for h in *higher {
                    let pats = [
                        format!("crate::{h}::"),
                        format!("crate::{h}}}"),
                        format!("crate::{h};"),
                        format!("bramble::{h}::"),
                    ];
                    if pats.iter().any(|p| code.contains(p.as_str())) {
                        violations.push(format!(
                            "{}:{}: {layer} uses {h}: {}",
                            f.display(),
                            n + 1,
                            line.trim()
                        ));
                    }
                }
            }
        }
    }
    assert!(
        violations.is_empty(),
        "layer violations:\n{}",
        violations.join("\n")
    );
}
