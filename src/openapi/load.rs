//! Reading one YAML or JSON file into a JSON value, with `file:line:col` on syntax errors.

use std::path::Path;

use serde_json::Value;

use super::error::OpenApiError;

/// Reads and parses the file at `path`: JSON when it ends in `.json` or starts with `{`,
/// YAML otherwise.
pub(super) fn read(path: &Path) -> Result<Value, OpenApiError> {
    let source = std::fs::read_to_string(path).map_err(|source| OpenApiError::Read {
        path: path.to_owned(),
        source,
    })?;
    parse_file(&source, path)
}

/// Parses `source`, the text of the file at `path`.
pub(super) fn parse_file(source: &str, path: &Path) -> Result<Value, OpenApiError> {
    parse(source, &path.display().to_string(), is_json(path, source))
}

fn is_json(path: &Path, source: &str) -> bool {
    match path.extension().and_then(|extension| extension.to_str()) {
        Some(extension) if extension.eq_ignore_ascii_case("json") => true,
        Some(extension)
            if extension.eq_ignore_ascii_case("yaml") || extension.eq_ignore_ascii_case("yml") =>
        {
            false
        }
        _ => source.trim_start().starts_with('{'),
    }
}

/// Parses `source`; `file` is shown in errors.
pub(super) fn parse(source: &str, file: &str, json: bool) -> Result<Value, OpenApiError> {
    if json {
        serde_json::from_str(source).map_err(|error| OpenApiError::Syntax {
            location: format!("{file}:{}:{}", error.line(), error.column()),
            format: "JSON",
            message: without_position(&error.to_string()),
        })
    } else {
        serde_norway::from_str(source).map_err(|error| {
            let location = match error.location() {
                Some(location) => format!("{file}:{}:{}", location.line(), location.column()),
                None => file.to_owned(),
            };
            OpenApiError::Syntax {
                location,
                format: "YAML",
                message: without_position(&error.to_string()),
            }
        })
    }
}

/// The parsers add " at line L column C" to their messages; the location is already in front.
fn without_position(message: &str) -> String {
    let position = regex::Regex::new(r",? at line \d+ column \d+").expect("a valid regex");
    position.replace_all(message, "").into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_have_line_and_column() {
        let Err(OpenApiError::Syntax { location, .. }) = parse("a: [1,\n", "spec.yaml", false)
        else {
            panic!("YAML syntax error expected");
        };
        assert!(location.starts_with("spec.yaml:"), "{location}");
        let Err(OpenApiError::Syntax { location, .. }) = parse("{\"a\": }", "spec.json", true)
        else {
            panic!("JSON syntax error expected");
        };
        assert_eq!(location, "spec.json:1:7");
        assert_eq!(
            without_position("did not find ',' at line 7 column 1, while parsing"),
            "did not find ',', while parsing"
        );
    }

    #[test]
    fn numeric_yaml_keys_become_strings() {
        let value = parse(
            "responses:\n  200:\n    description: ok\n",
            "spec.yaml",
            false,
        )
        .unwrap();
        assert_eq!(value["responses"]["200"]["description"], "ok");
    }
}
