//! Generated Rust is formatted with the user's `rustfmt`, so it is `cargo fmt --check` clean
//! whatever the length of the names in it.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::LazyLock;

use regex::Regex;

use super::templates::RenderedFile;

/// Formats the `.rs` files among `files` in place. Starting rustfmt costs far more than
/// formatting one generated file, so the files are split into two groups per CPU, of about
/// the same size, and each group goes to one rustfmt process, all running at once (rustfmt's
/// time per byte differs between kinds of files: with two processes a CPU, the scheduler
/// evens out what the sizes do not). A group rustfmt cannot take as a whole (a file does not
/// parse, or declares a module in a way [`declared_modules`] does not see) is formatted one
/// file at a time, as [`format_rust`] does.
pub fn format_rust_files<'a>(files: impl IntoIterator<Item = &'a mut RenderedFile>) {
    let mut rust: Vec<&mut RenderedFile> = files
        .into_iter()
        .filter(|file| {
            file.path
                .extension()
                .is_some_and(|extension| extension == "rs")
        })
        .collect();
    if rust.is_empty() {
        return;
    }
    let processes = std::thread::available_parallelism()
        .map_or(1, |count| count.get() * 2)
        .min(rust.len());
    // Largest first, each to the group with the fewest bytes so far: rustfmt's time grows with
    // the bytes it formats, and one large file (a module's tests) must not make one process
    // finish long after the others.
    rust.sort_by_key(|file| std::cmp::Reverse(file.contents.len()));
    let mut groups: Vec<(usize, Vec<&mut RenderedFile>)> =
        (0..processes).map(|_| (0, Vec::new())).collect();
    for file in rust {
        let (bytes, group) = groups
            .iter_mut()
            .min_by_key(|(bytes, _)| *bytes)
            .expect("at least one group");
        *bytes += file.contents.len();
        group.push(file);
    }
    std::thread::scope(|scope| {
        for (_, group) in &mut groups {
            scope.spawn(move || format_group(group));
        }
    });
}

fn format_group(group: &mut [&mut RenderedFile]) {
    match rustfmt_in_one_process(group) {
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
/// them together.
///
/// rustfmt also formats the modules a file declares (`mod name;`), and formats a file again
/// when it is both named on the command line and declared by another file named there. So
/// the files go to two scratch trees: files that declare no module under `leaves/`, and files
/// that do under `parents/`, next to an empty placeholder for each module they declare. Each
/// file is then formatted once (a parent declared by another parent twice: they are small).
fn rustfmt_in_one_process(group: &[&mut RenderedFile]) -> Option<Vec<String>> {
    let folder = tempfile::tempdir().ok()?;
    // An empty configuration at the root: the scratch folder's parents must not style it.
    std::fs::write(folder.path().join("rustfmt.toml"), "").ok()?;
    let declared: Vec<Vec<PathBuf>> = group
        .iter()
        .map(|file| declared_modules(&file.path, &file.contents))
        .collect();
    let parent_paths: HashSet<&Path> = group
        .iter()
        .zip(&declared)
        .filter(|(_, children)| !children.is_empty())
        .map(|(file, _)| file.path.as_path())
        .collect();
    let mut scratch_paths = Vec::with_capacity(group.len());
    for (file, children) in group.iter().zip(&declared) {
        let scratch = if children.is_empty() {
            folder.path().join("leaves").join(&file.path)
        } else {
            let tree = folder.path().join("parents");
            for child in children {
                let is_a_parent = [child.with_extension("rs"), child.join("mod.rs")]
                    .iter()
                    .any(|path| parent_paths.contains(path.as_path()));
                if !is_a_parent {
                    write_file(&tree.join(child.with_extension("rs")), "")?;
                }
            }
            tree.join(&file.path)
        };
        write_file(&scratch, &file.contents)?;
        scratch_paths.push(scratch);
    }
    let status = Command::new("rustfmt")
        .args(["--edition", "2024", "--quiet"])
        .args(&scratch_paths)
        .current_dir(folder.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?;
    if !status.success() {
        return None;
    }
    scratch_paths
        .iter()
        .map(|path| std::fs::read_to_string(path).ok())
        .collect()
}

/// The modules a file at `path` declares with `mod name;`, as paths without extension
/// (`src/a/name` for `src/a/mod.rs`, `src/a/b/name` for `src/a/b.rs`). A line-based look:
/// a declaration it misses makes rustfmt fail on the missing file, and the group is then
/// formatted file by file.
fn declared_modules(path: &Path, contents: &str) -> Vec<PathBuf> {
    static DECLARATION: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(?:r#)?([A-Za-z_][A-Za-z0-9_]*)\s*;")
            .expect("a valid pattern")
    });
    let directory = match path.file_stem().and_then(|stem| stem.to_str()) {
        Some("mod" | "lib" | "main") | None => path.parent().map(Path::to_path_buf),
        Some(_) => Some(path.with_extension("")),
    }
    .unwrap_or_default();
    DECLARATION
        .captures_iter(contents)
        .map(|captures| directory.join(&captures[1]))
        .collect()
}

fn write_file(path: &Path, contents: &str) -> Option<()> {
    std::fs::create_dir_all(path.parent()?).ok()?;
    std::fs::write(path, contents).ok()
}

/// Formats `source` with `rustfmt --edition 2024`. Returns it unchanged when rustfmt is not
/// installed or refuses it (a template bug that the generated project's build will show).
fn format_rust(source: &str) -> String {
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

    /// `sources` (path, contents) as rendered files, through one `format_rust_files` call.
    fn formatted_together(sources: &[(&str, &str)]) -> Vec<RenderedFile> {
        let mut files: Vec<RenderedFile> = sources
            .iter()
            .map(|(path, contents)| file(path, contents))
            .collect();
        format_rust_files(&mut files);
        files
    }

    #[test]
    fn files_formatted_together_match_files_formatted_alone() {
        let sources = [
            ("src/lib.rs", "pub mod a;\nfn  main( ){let x=1;}\n"),
            ("src/a.rs", "pub fn f( x:i32 )->i32{x+1}\n"),
            ("README.md", "not  rust( ){}\n"),
        ];
        let together = formatted_together(&sources);
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

    #[test]
    fn nested_module_trees_are_formatted_like_single_files() {
        let sources = [
            (
                "src/lib.rs",
                "pub mod a;\n#[cfg(test)]\nmod not_rendered;\nfn  f( ){}\n",
            ),
            ("src/a/mod.rs", "pub  mod b;\npub mod r#c;\nfn  g( ){}\n"),
            ("src/a/b.rs", "pub(crate) mod d;\nfn  h( ){let x=1;}\n"),
            ("src/a/b/d.rs", "fn  i( ){}\n"),
            ("src/a/c.rs", "fn  j( ){}\n"),
        ];
        let together = formatted_together(&sources);
        for ((path, contents), formatted) in sources.iter().zip(&together) {
            assert_eq!(formatted.contents, format_rust(contents), "{path}");
            assert_ne!(formatted.contents, *contents, "{path} was formatted");
        }
    }

    #[test]
    fn declared_modules_are_found_beside_mod_files_and_under_other_files() {
        let declared = declared_modules(
            Path::new("src/a/mod.rs"),
            "pub mod b;\n  pub(crate) mod r#c ;\nmod inline { }\n// a mod word;\n",
        );
        assert_eq!(
            declared,
            [PathBuf::from("src/a/b"), PathBuf::from("src/a/c")]
        );
        assert_eq!(
            declared_modules(Path::new("src/a/b.rs"), "mod d;\n"),
            [PathBuf::from("src/a/b/d")]
        );
    }
}
