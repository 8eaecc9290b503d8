//! Stamps the build with its git commit for `glean_build_info`: from
//! `GLEAN_COMMIT` when the builder sets it (a container build has no
//! `.git`), else from `git`, else `unknown`. Never fails the build.
//! Also rebuilds when a migration is added or changed: `sqlx::migrate!`
//! reads them at compile time, and cargo doesn't watch files it doesn't
//! know of once a build script names any.

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=GLEAN_COMMIT");
    println!("cargo:rerun-if-changed=migrations");
    let from_env = std::env::var("GLEAN_COMMIT").ok().filter(|c| !c.trim().is_empty());
    let commit = from_env.or_else(|| git(&["rev-parse", "--short=12", "HEAD"])).unwrap_or_else(|| "unknown".into());
    // Rebuild when HEAD moves: HEAD itself, and the branch file it names.
    // (A path that doesn't exist, like a packed branch, would rerun this
    // script on every build, so only existing ones are watched.)
    let reference = git(&["symbolic-ref", "-q", "HEAD"]);
    for name in std::iter::once("HEAD").chain(reference.as_deref()) {
        if let Some(path) = git(&["rev-parse", "--git-path", name]).filter(|p| std::path::Path::new(p).exists()) {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    println!("cargo:rustc-env=GLEAN_COMMIT={}", commit.trim());
}

/// `git ARGS` in the crate's directory, trimmed, or `None` without git.
fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    (out.status.success() && !text.trim().is_empty()).then(|| text.trim().to_string())
}
