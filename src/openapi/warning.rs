//! What the front-end could not generate, each with the JSON pointer of the part of the spec
//! it concerns: nothing in a spec is dropped without a warning.

use std::panic::Location;

use serde::Serialize;

/// One part of the spec that is not generated, or generated differently from what it says.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Warning {
    /// JSON pointer into the spec (RFC 6901), from the document root; prefixed by
    /// `file#` when the part is in another file than the spec given on the command line.
    pub pointer: String,
    pub message: String,
    /// Where the pointer is, once the whole spec is translated (`position::locate_warnings`);
    /// `None` when its file cannot be read again or has nothing there.
    #[serde(flatten)]
    pub position: Option<Position>,
    /// The place in axiomod that raised it: warnings from one place are one kind of warning,
    /// which the human output summarises when a large spec raises many (see [`summarise`]).
    #[serde(skip)]
    pub origin: &'static Location<'static>,
}

impl Warning {
    #[track_caller]
    pub fn new(pointer: String, message: impl Into<String>) -> Warning {
        Warning {
            pointer,
            message: message.into(),
            position: None,
            origin: Location::caller(),
        }
    }

    /// Where it is, for people: `file:line:col#pointer`, or the pointer alone when its
    /// position is unknown.
    pub fn place(&self) -> String {
        match &self.position {
            Some(Position { file, line, column }) => {
                // A part in another file has a `file#pointer` pointer: the file is said once.
                let pointer = self
                    .pointer
                    .strip_prefix(file.as_str())
                    .and_then(|rest| rest.strip_prefix('#'))
                    .unwrap_or(&self.pointer);
                format!("{file}:{line}:{column}#{pointer}")
            }
            None => self.pointer.clone(),
        }
    }
}

/// A warning's file and its 1-based line and column there.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Position {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

/// How many warnings of one kind the human output shows before it summarises the rest.
const SHOWN_PER_KIND: usize = 3;

/// A kind with more warnings than this is summarised; up to this many are all shown.
const SUMMARISED_OVER: usize = 5;

/// What the human output prints of `warnings`: every warning of a kind that has few, and the
/// first [`SHOWN_PER_KIND`] of a kind that has many, with how many more there are. A large
/// spec raises the same warning for hundreds of resources; the JSON output lists them all.
pub fn summarise(warnings: &[Warning]) -> Vec<Summarised<'_>> {
    let mut kinds: Vec<(&'static Location<'static>, Vec<&Warning>)> = Vec::new();
    for warning in warnings {
        match kinds
            .iter_mut()
            .find(|(origin, _)| *origin == warning.origin)
        {
            Some((_, members)) => members.push(warning),
            None => kinds.push((warning.origin, vec![warning])),
        }
    }
    let mut lines = Vec::new();
    for (_, members) in kinds {
        let shown = if members.len() > SUMMARISED_OVER {
            SHOWN_PER_KIND
        } else {
            members.len()
        };
        lines.extend(members[..shown].iter().copied().map(Summarised::Warning));
        if members.len() > shown {
            lines.push(Summarised::More(members.len() - shown));
        }
    }
    lines
}

/// A line of [`summarise`]'s output.
#[derive(Debug, PartialEq, Eq)]
pub enum Summarised<'a> {
    Warning(&'a Warning),
    /// This many more warnings of the kind just shown.
    More(usize),
}

/// The JSON pointer of a path of keys: `["paths", "/pets/{id}"]` → `/paths/~1pets~1{id}`.
pub fn pointer<S: AsRef<str>>(keys: &[S]) -> String {
    keys.iter()
        .map(|key| format!("/{}", key.as_ref().replace('~', "~0").replace('/', "~1")))
        .collect()
}

/// The key a JSON pointer segment stands for: `~1pets~1{id}` → `/pets/{id}`.
pub fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// `base` followed by more keys.
pub fn child<S: AsRef<str>>(base: &str, keys: &[S]) -> String {
    format!("{base}{}", pointer(keys))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raised_in_a_loop(count: usize) -> Vec<Warning> {
        (0..count)
            .map(|index| Warning::new(format!("/paths/{index}"), "not generated"))
            .collect()
    }

    #[test]
    fn a_kind_with_few_warnings_is_shown_whole() {
        let warnings = raised_in_a_loop(SUMMARISED_OVER);
        let lines = summarise(&warnings);
        assert_eq!(lines.len(), SUMMARISED_OVER);
        assert!(
            lines
                .iter()
                .all(|line| matches!(line, Summarised::Warning(_)))
        );
    }

    #[test]
    fn a_kind_with_many_warnings_shows_its_first_and_counts_the_rest() {
        let mut warnings = raised_in_a_loop(400);
        let other = Warning::new("/security".to_owned(), "another kind");
        warnings.insert(1, other.clone());
        let lines = summarise(&warnings);
        let mut expected: Vec<Summarised> = warnings
            .iter()
            .filter(|warning| warning.origin != other.origin)
            .take(SHOWN_PER_KIND)
            .map(Summarised::Warning)
            .collect();
        expected.push(Summarised::More(400 - SHOWN_PER_KIND));
        expected.push(Summarised::Warning(&warnings[1]));
        assert_eq!(lines, expected);
    }

    #[test]
    fn pointers_escape_slash_and_tilde() {
        assert_eq!(
            pointer(&["paths", "/pets/{id}", "get"]),
            "/paths/~1pets~1{id}/get"
        );
        assert_eq!(pointer(&["a~b"]), "/a~0b");
        assert_eq!(child("/paths", &["/x"]), "/paths/~1x");
    }

    #[test]
    fn segments_unescape_back_to_their_keys() {
        assert_eq!(unescape("~1pets~1{id}"), "/pets/{id}");
        assert_eq!(unescape("a~0b"), "a~b");
        // `~01` is the key `~1`, not `/`.
        assert_eq!(unescape("~01"), "~1");
    }
}
