//! Module-path patterns such as `crate::modules::*::domain`: `*` matches one segment, `**`
//! any number of segments (zero included). A pattern covers a module and everything inside
//! it, so it is matched against prefixes of a path.

use std::fmt;

/// One parsed module-path pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModulePattern {
    text: String,
    segments: Vec<PatternSegment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PatternSegment {
    Literal(String),
    One,
    Any,
}

/// Why a pattern could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError(pub String);

impl ModulePattern {
    /// Parses `a::b::*::**`. Segments are identifiers, `*` or `**`.
    pub fn parse(text: &str) -> Result<Self, PatternError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(PatternError("the pattern is empty".into()));
        }
        let mut segments = Vec::new();
        for raw in trimmed.split("::") {
            let segment = raw.trim();
            let parsed = match segment {
                "" => {
                    return Err(PatternError(format!(
                        "`{trimmed}` has an empty segment (`::` must separate two names)"
                    )));
                }
                "*" => PatternSegment::One,
                "**" => PatternSegment::Any,
                name if is_identifier(name) => PatternSegment::Literal(name.to_string()),
                other => {
                    return Err(PatternError(format!(
                        "`{other}` is not a module name, `*` or `**`"
                    )));
                }
            };
            segments.push(parsed);
        }
        Ok(Self {
            text: trimmed.to_string(),
            segments,
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Length of the longest prefix of `path` that the whole pattern matches, if any.
    pub fn longest_prefix_match<S: AsRef<str>>(&self, path: &[S]) -> Option<usize> {
        let mut best = None;
        self.match_from(0, path, 0, &mut best);
        best
    }

    /// True when the pattern matches `path` or a prefix of it.
    pub fn covers<S: AsRef<str>>(&self, path: &[S]) -> bool {
        self.longest_prefix_match(path).is_some()
    }

    fn match_from<S: AsRef<str>>(
        &self,
        pattern_index: usize,
        path: &[S],
        path_index: usize,
        best: &mut Option<usize>,
    ) {
        let Some(segment) = self.segments.get(pattern_index) else {
            *best = Some(best.map_or(path_index, |current| current.max(path_index)));
            return;
        };
        match segment {
            PatternSegment::Literal(name) => {
                if path
                    .get(path_index)
                    .is_some_and(|part| part.as_ref() == name)
                {
                    self.match_from(pattern_index + 1, path, path_index + 1, best);
                }
            }
            PatternSegment::One => {
                if path_index < path.len() {
                    self.match_from(pattern_index + 1, path, path_index + 1, best);
                }
            }
            PatternSegment::Any => {
                for next in path_index..=path.len() {
                    self.match_from(pattern_index + 1, path, next, best);
                }
            }
        }
    }
}

impl fmt::Display for ModulePattern {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.text)
    }
}

fn is_identifier(text: &str) -> bool {
    let mut characters = text.chars();
    characters
        .next()
        .is_some_and(|first| first.is_alphabetic() || first == '_')
        && characters.all(|next| next.is_alphanumeric() || next == '_' || next == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(text: &str) -> Vec<&str> {
        text.split("::").collect()
    }

    #[test]
    fn star_matches_exactly_one_segment() {
        let pattern = ModulePattern::parse("crate::modules::*::domain").unwrap();
        assert_eq!(
            pattern.longest_prefix_match(&path("crate::modules::sales::domain::order")),
            Some(4)
        );
        assert!(!pattern.covers(&path("crate::modules::domain")));
        assert!(!pattern.covers(&path("crate::modules::sales::api")));
    }

    #[test]
    fn double_star_matches_any_depth() {
        let pattern = ModulePattern::parse("crate::**::domain").unwrap();
        assert!(pattern.covers(&path("crate::domain")));
        assert!(pattern.covers(&path("crate::a::b::domain::x")));
        assert!(!pattern.covers(&path("crate::a::b")));
    }

    #[test]
    fn bad_patterns_are_rejected() {
        assert!(ModulePattern::parse("").is_err());
        assert!(ModulePattern::parse("crate::::x").is_err());
        assert!(ModulePattern::parse("crate::mod ules").is_err());
        assert!(ModulePattern::parse("crate::*?").is_err());
    }
}
