//! axiomod follows its own layer rules: `axiomod validate` on this repository (its
//! `axiomod.toml`) finds no violation.

use assert_cmd::Command;

#[test]
fn axiomod_follows_its_own_layers() {
    let output = Command::cargo_bin("axiomod")
        .expect("the axiomod binary is built")
        .args(["validate", "--no-cache", env!("CARGO_MANIFEST_DIR")])
        .output()
        .expect("axiomod runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("ok: no violations"),
        "axiomod validate failed on this repository:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
