//! Generated Rust is formatted with the user's `rustfmt`, so it is `cargo fmt --check` clean
//! whatever the length of the names in it.

use std::io::Write;
use std::process::{Command, Stdio};

/// Formats `source` with `rustfmt --edition 2024`. Returns it unchanged when rustfmt is not
/// installed or refuses it (a template bug that the generated project's build will show).
pub fn format_rust(source: &str) -> String {
    try_rustfmt(source).unwrap_or_else(|| source.to_string())
}

fn try_rustfmt(source: &str) -> Option<String> {
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2024", "--emit", "stdout", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let mut stdin = child.stdin.take()?;
    let input = source.to_string();
    // Write from another thread so a large file cannot deadlock on a full stdout pipe.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().ok()?;
    writer.join().ok()?.ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8(output.stdout).ok())
        .flatten()
}
