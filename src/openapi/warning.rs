//! What the front-end could not generate, each with the JSON pointer of the part of the spec
//! it concerns: nothing in a spec is dropped without a warning.

use serde::Serialize;

/// One part of the spec that is not generated, or generated differently from what it says.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Warning {
    /// JSON pointer into the spec (RFC 6901), from the document root; prefixed by
    /// `file#` when the part is in another file than the spec given on the command line.
    pub pointer: String,
    pub message: String,
}

impl Warning {
    pub fn new(pointer: String, message: impl Into<String>) -> Warning {
        Warning {
            pointer,
            message: message.into(),
        }
    }
}

/// The JSON pointer of a path of keys: `["paths", "/pets/{id}"]` → `/paths/~1pets~1{id}`.
pub fn pointer<S: AsRef<str>>(keys: &[S]) -> String {
    keys.iter()
        .map(|key| format!("/{}", key.as_ref().replace('~', "~0").replace('/', "~1")))
        .collect()
}

/// `base` followed by more keys.
pub fn child<S: AsRef<str>>(base: &str, keys: &[S]) -> String {
    format!("{base}{}", pointer(keys))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_escape_slash_and_tilde() {
        assert_eq!(
            pointer(&["paths", "/pets/{id}", "get"]),
            "/paths/~1pets~1{id}/get"
        );
        assert_eq!(pointer(&["a~b"]), "/a~0b");
        assert_eq!(child("/paths", &["/x"]), "/paths/~1x");
    }
}
