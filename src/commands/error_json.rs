//! An error as one JSON document, for command lines that asked for `--format json`: a program
//! reading the output then gets the failure in the same language as the success.
//!
//! miette's own JSON handler gives label positions as byte offsets; this one gives the file,
//! line and column (1-based) that the text report shows, so a reader needs no source file.

use miette::{Diagnostic, SourceCode};
use serde_json::{Map, Value, json};

/// `{"error": {...}}` for a report: its code, message, help, the causes below it, the
/// position of each label and the related errors (each with the same fields).
pub fn render(report: &miette::Report) -> String {
    json!({ "error": diagnostic(report.as_ref(), None) }).to_string()
}

fn diagnostic(error: &dyn Diagnostic, parent_source: Option<&dyn SourceCode>) -> Value {
    let source = error.source_code().or(parent_source);
    let mut fields = Map::new();
    if let Some(code) = error.code() {
        fields.insert("code".into(), code.to_string().into());
    }
    fields.insert("message".into(), error.to_string().into());
    if let Some(help) = error.help() {
        fields.insert("help".into(), help.to_string().into());
    }
    let labels: Vec<Value> = error
        .labels()
        .into_iter()
        .flatten()
        .map(|label| {
            let mut position = source
                .and_then(|source| source.read_span(label.inner(), 0, 0).ok())
                .map(|contents| {
                    let mut position = Map::new();
                    if let Some(file) = contents.name() {
                        position.insert("file".into(), file.into());
                    }
                    position.insert("line".into(), (contents.line() + 1).into());
                    position.insert("column".into(), (contents.column() + 1).into());
                    position
                })
                .unwrap_or_default();
            if let Some(text) = label.label() {
                position.insert("label".into(), text.into());
            }
            Value::Object(position)
        })
        .collect();
    if !labels.is_empty() {
        fields.insert("labels".into(), labels.into());
    }
    let causes: Vec<Value> = std::iter::successors(error.source(), |cause| cause.source())
        .map(|cause| cause.to_string().into())
        .collect();
    if !causes.is_empty() {
        fields.insert("causes".into(), causes.into());
    }
    let related: Vec<Value> = error
        .related()
        .into_iter()
        .flatten()
        .map(|related| diagnostic(related, source))
        .collect();
    if !related.is_empty() {
        fields.insert("related".into(), related.into());
    }
    Value::Object(fields)
}

#[cfg(test)]
mod tests {
    use miette::{NamedSource, SourceSpan};
    use thiserror::Error;

    use super::*;

    #[derive(Debug, Error, Diagnostic)]
    #[error("`module` must be a string")]
    #[diagnostic(code(test::wrong_type), help("write module = \"name\""))]
    struct WrongType {
        #[source_code]
        text: NamedSource<String>,
        #[label("wrong type")]
        span: SourceSpan,
    }

    #[derive(Debug, Error, Diagnostic)]
    #[error("2 problems")]
    struct Several {
        #[related]
        problems: Vec<WrongType>,
    }

    fn wrong_type(offset: usize) -> WrongType {
        WrongType {
            text: NamedSource::new("shop.toml", "a = 1\nmodule = []\n".to_string()),
            span: (offset, 2).into(),
        }
    }

    #[test]
    fn labels_are_given_as_file_line_and_column() {
        let rendered: Value = serde_json::from_str(&render(&wrong_type(15).into())).unwrap();
        assert_eq!(
            rendered,
            json!({"error": {
                "code": "test::wrong_type",
                "message": "`module` must be a string",
                "help": "write module = \"name\"",
                "labels": [{"file": "shop.toml", "line": 2, "column": 10, "label": "wrong type"}],
            }})
        );
    }

    #[derive(Debug, Error, Diagnostic)]
    #[error("cannot read shop.toml")]
    struct Unreadable {
        #[source]
        reason: std::io::Error,
    }

    #[test]
    fn related_errors_are_listed_with_their_positions() {
        let several = Several {
            problems: vec![wrong_type(0), wrong_type(6)],
        };
        let rendered: Value = serde_json::from_str(&render(&several.into())).unwrap();
        assert_eq!(rendered["error"]["message"], "2 problems");
        let lines: Vec<&Value> = rendered["error"]["related"]
            .as_array()
            .unwrap()
            .iter()
            .map(|related| &related["labels"][0]["line"])
            .collect();
        assert_eq!(lines, [&json!(1), &json!(2)]);
    }

    #[test]
    fn causes_are_listed_and_absent_fields_left_out() {
        let unreadable = Unreadable {
            reason: std::io::Error::other("permission denied"),
        };
        let rendered: Value = serde_json::from_str(&render(&unreadable.into())).unwrap();
        assert_eq!(
            rendered,
            json!({"error": {
                "message": "cannot read shop.toml",
                "causes": ["permission denied"],
            }})
        );
    }
}
