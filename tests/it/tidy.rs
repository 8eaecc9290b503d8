//! Tidy: the invariants of ARCHITECTURE.md that the compiler can't check,
//! checked by reading the source tree.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn actions_never_reach_up_into_the_bot_or_rendering() {
    let files = rust_files(&src().join("actions"));
    assert!(files.len() >= 5, "the actions are where they were: {files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for forbidden in
            ["crate::bot", "crate::render", "crate::send", "super::super::bot", "teloxide::types::ReplyMarkup"]
        {
            assert!(
                !text.contains(forbidden),
                "{} mentions {forbidden}: actions return typed outcomes and write typed notices",
                file.display()
            );
        }
    }
}

#[test]
fn only_the_store_runs_sql() {
    for file in rust_files(&src()) {
        if file.starts_with(src().join("store")) {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for call in ["sqlx::query", "query_as(", "query_scalar("] {
            assert!(!text.contains(call), "{} runs SQL ({call}); only src/store does", file.display());
        }
    }
}

#[test]
fn every_module_says_what_it_owns() {
    for file in rust_files(&src()) {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.starts_with("//!"), "{} starts without a //! line saying what it owns", file.display());
    }
}
