//! Whole folders as data, to prove a command wrote nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every file under `root` with its bytes, by path relative to `root`.
pub fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("a readable folder") {
            let path = entry.expect("a readable entry").path();
            if path.is_dir() {
                folders.push(path);
            } else {
                let relative = path.strip_prefix(root).expect("inside root").to_path_buf();
                files.insert(relative, std::fs::read(&path).expect("a readable file"));
            }
        }
    }
    files
}

/// Appends `text` to the file at `path`, as a user editing it would.
pub fn append(path: &Path, text: &str) {
    let mut content = std::fs::read_to_string(path).unwrap();
    content.push_str(text);
    std::fs::write(path, content).unwrap();
}
