//! Generated Rust is formatted with the user's `rustfmt`, so it is `cargo fmt --check` clean
//! whatever the length of the names in it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::templates::RenderedFile;

/// Formats the `.rs` files among `files` in place. Starting rustfmt costs far more than
/// formatting one generated file, so the files are split into as many groups as there are
/// CPUs, and each group goes to one rustfmt process, all running at once. A group rustfmt
/// cannot take as a whole — a module declared in one of its files is not among `files`, or a
/// file does not parse — is formatted one file at a time, as [`format_rust`] does.
pub fn format_rust_files(files: &mut [RenderedFile]) {
    let rust: Vec<&mut RenderedFile> = files
        .iter_mut()
        .filter(|file| {
            file.path
                .extension()
                .is_some_and(|extension| extension == "rs")
        })
        .collect();
    if rust.is_empty() {
        return;
    }
    let all_paths: Vec<PathBuf> = rust.iter().map(|file| file.path.clone()).collect();
    let processes = std::thread::available_parallelism()
        .map_or(1, |count| count.get())
        .min(rust.len());
    // Every n-th file in one group: each group gets its share of every kind of file.
    let mut groups: Vec<Vec<&mut RenderedFile>> = (0..processes).map(|_| Vec::new()).collect();
    for (index, file) in rust.into_iter().enumerate() {
        groups[index % processes].push(file);
    }
    std::thread::scope(|scope| {
        for group in &mut groups {
            let all_paths = &all_paths;
            scope.spawn(move || format_group(group, all_paths));
        }
    });
}

fn format_group(group: &mut [&mut RenderedFile], all_paths: &[PathBuf]) {
    match rustfmt_in_one_process(group, all_paths) {
        Some(formatted) => {
            for (file, contents) in group.iter_mut().zip(formatted) {
                file.contents = contents;
            }
        }
        None => {
            for file in group.iter_mut() {
                file.contents = format_rust(&file.contents);
            }
        }
    }
}

/// The formatted contents of `group`, in their order, or `None` when rustfmt cannot format
/// them together. The files are written to a scratch folder that mirrors their paths, next
/// to an empty file for every other path of `all_paths`: rustfmt also formats the modules a
/// file declares, and those of other groups must be found but cost nothing.
fn rustfmt_in_one_process(
    group: &[&mut RenderedFile],
    all_paths: &[PathBuf],
) -> Option<Vec<String>> {
    let folder = tempfile::tempdir().ok()?;
    // An empty configuration at the root: the scratch folder's parents must not style it.
    std::fs::write(folder.path().join("rustfmt.toml"), "").ok()?;
    for file in group {
        write_file(&folder.path().join(&file.path), &file.contents)?;
    }
    for path in all_paths {
        let placeholder = folder.path().join(path);
        if !placeholder.exists() {
            write_file(&placeholder, "")?;
        }
    }
    let status = Command::new("rustfmt")
        .args(["--edition", "2024", "--quiet"])
        .args(group.iter().map(|file| &file.path))
        .current_dir(folder.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?;
    if !status.success() {
        return None;
    }
    group
        .iter()
        .map(|file| std::fs::read_to_string(folder.path().join(&file.path)).ok())
        .collect()
}

fn write_file(path: &Path, contents: &str) -> Option<()> {
    std::fs::create_dir_all(path.parent()?).ok()?;
    std::fs::write(path, contents).ok()
}

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

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::render::Ownership;

    fn file(path: &str, contents: &str) -> RenderedFile {
        RenderedFile {
            path: PathBuf::from(path),
            contents: contents.to_string(),
            ownership: Ownership::Generated,
        }
    }

    #[test]
    fn files_formatted_together_match_files_formatted_alone() {
        let sources = [
            ("src/lib.rs", "pub mod a;\nfn  main( ){let x=1;}\n"),
            ("src/a.rs", "pub fn f( x:i32 )->i32{x+1}\n"),
            ("README.md", "not  rust( ){}\n"),
        ];
        let mut together: Vec<RenderedFile> = sources
            .iter()
            .map(|(path, contents)| file(path, contents))
            .collect();
        format_rust_files(&mut together);
        for ((path, contents), formatted) in sources.iter().zip(&together) {
            let expected = if path.ends_with(".rs") {
                format_rust(contents)
            } else {
                contents.to_string()
            };
            assert_eq!(formatted.contents, expected, "{path}");
        }
        assert_eq!(
            together[1].contents,
            "pub fn f(x: i32) -> i32 {\n    x + 1\n}\n"
        );
    }

    #[test]
    fn a_missing_module_or_a_broken_file_falls_back_to_one_file_at_a_time() {
        let mut files = vec![
            file("src/lib.rs", "mod elsewhere;\nfn  g( ){}\n"),
            file("src/b.rs", "fn  h( ){}\n"),
            file("src/broken.rs", "fn (\n"),
        ];
        format_rust_files(&mut files);
        assert_eq!(files[0].contents, "mod elsewhere;\nfn g() {}\n");
        assert_eq!(files[1].contents, "fn h() {}\n");
        assert_eq!(files[2].contents, "fn (\n", "left as it was");
    }
}
