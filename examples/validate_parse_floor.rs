//! The floor for `axiomod validate`: read and parse every `.rs` file under a directory with
//! syn, in parallel, and nothing else. bench/validate/run.sh compares validate against it.
//!
//! Usage: cargo run --release --example validate_parse_floor -- DIRECTORY

use std::path::{Path, PathBuf};

use rayon::prelude::*;

fn rust_files(directory: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(directory)? {
        let path = entry?.path();
        if path.is_dir() {
            rust_files(&path, found)?;
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            found.push(path);
        }
    }
    Ok(())
}

fn main() -> std::process::ExitCode {
    let Some(directory) = std::env::args().nth(1) else {
        eprintln!("usage: validate_parse_floor DIRECTORY");
        return std::process::ExitCode::from(2);
    };
    let mut files = Vec::new();
    if let Err(error) = rust_files(Path::new(&directory), &mut files) {
        eprintln!("cannot list {directory}: {error}");
        return std::process::ExitCode::from(2);
    }
    let parsed: usize = files
        .par_iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).unwrap_or_default();
            let ok = syn::parse_file(&text).is_ok();
            proc_macro2::extra::invalidate_current_thread_spans();
            usize::from(ok)
        })
        .sum();
    println!("parsed {parsed} of {} files", files.len());
    std::process::ExitCode::SUCCESS
}
