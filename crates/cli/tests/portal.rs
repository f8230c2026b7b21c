//! The portal in a real browser: runs `e2e/portal.test.mjs` (node's test runner driving Debian's
//! headless Chromium through playwright-core) against this build's `switchboard` binary.
//! It needs Node.js and Chromium; when either is missing it fails and says how to get it
//! (`.ci/run` installs Chromium first). Screenshots land in `test-artifacts/`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("the workspace root")
        .to_path_buf()
}

fn found(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn the_portal_works_in_a_real_browser() {
    let root = repo_root();
    let e2e = root.join("e2e");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    assert!(
        Path::new(&chromium).exists(),
        "the portal tests need Chromium at {chromium}: install it (apt-get install chromium) \
         or point CHROMIUM at one; .ci/run installs it"
    );
    assert!(
        found("node") && found("npm"),
        "the portal tests need Node.js and npm (apt-get install nodejs npm)"
    );
    if !e2e.join("node_modules/playwright-core").exists() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&e2e)
            .status()
            .expect("npm runs");
        assert!(status.success(), "npm ci in e2e/ failed");
    }
    let output = Command::new("node")
        .args(["--test", "--test-concurrency=1", "portal.test.mjs"])
        .current_dir(&e2e)
        .env("SWITCHBOARD_BIN", env!("CARGO_BIN_EXE_switchboard"))
        .env("CHROMIUM", &chromium)
        .env("ARTIFACTS", root.join("test-artifacts"))
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "portal tests failed:\n{stdout}\n{stderr}"
    );
    // The runner must have run them all, not skipped any: as many passed as the file has tests.
    let file = std::fs::read_to_string(e2e.join("portal.test.mjs")).expect("the e2e suite");
    let tests = file.matches("\ntest(").count();
    assert!(tests > 0, "no tests found in portal.test.mjs");
    assert!(stdout.contains("# fail 0"), "{stdout}");
    assert!(
        stdout.contains("# skipped 0") && stdout.contains(&format!("# pass {tests}\n")),
        "expected {tests} tests to pass:\n{stdout}"
    );
}
