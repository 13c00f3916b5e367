//! Opaque list cursors. A cursor holds the sort it was made for and the position of the last
//! item of a page (its sort key as the database prints it, and its id); it is hex-encoded
//! JSON so it travels in a URL unchanged. A cursor made for another sort is refused.

use serde::{Deserialize, Serialize};

use crate::kernel::RepositoryError;

/// Where a page ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// The sort it belongs to, e.g. `-created_at`.
    pub sort: String,
    /// The last item's sort key, as text; `None` when it was NULL.
    pub key: Option<String>,
    /// The last item's id.
    pub id: String,
}

impl Cursor {
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).expect("a cursor always serializes");
        json.iter().map(|byte| format!("{byte:02x}")).collect()
    }

    /// Reads a cursor made for `sort`.
    pub fn decode(text: &str, sort: &str) -> Result<Self, RepositoryError> {
        let bytes = (0..text.len())
            .step_by(2)
            .map(|start| {
                text.get(start..start + 2)
                    .and_then(|pair| u8::from_str_radix(pair, 16).ok())
            })
            .collect::<Option<Vec<u8>>>()
            .ok_or(RepositoryError::InvalidCursor)?;
        let cursor: Cursor =
            serde_json::from_slice(&bytes).map_err(|_| RepositoryError::InvalidCursor)?;
        if cursor.sort == sort {
            Ok(cursor)
        } else {
            Err(RepositoryError::InvalidCursor)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_checks_the_sort() {
        let cursor = Cursor {
            sort: "-created_at".to_string(),
            key: Some("2026-01-01 00:00:00+00".to_string()),
            id: "0193".to_string(),
        };
        let text = cursor.encode();
        assert_eq!(Cursor::decode(&text, "-created_at").unwrap(), cursor);
        assert!(Cursor::decode(&text, "created_at").is_err());
        assert!(Cursor::decode("zz", "created_at").is_err());
        assert!(Cursor::decode("abc", "created_at").is_err());
    }
}
