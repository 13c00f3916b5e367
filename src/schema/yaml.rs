//! YAML source → [`Node`] tree, built from saphyr-parser's events so every key and value keeps
//! its span and duplicate keys are caught (YAML loaders usually keep the last one silently).
//!
//! Scalars are resolved with the YAML 1.2 core schema: `true`/`false`, integers, floats and
//! `null` when plain; quoted and block scalars are always strings. Anchors and aliases work;
//! tags other than `!!str` are ignored.

use std::collections::HashMap;
use std::ops::Range;

use saphyr_parser::{Event, Parser, ScalarStyle, Span, StrInput};

use super::document::{DuplicateKey, Entry, Node, SyntaxError, Value};

/// Deeper nesting than any schema needs; refusing it keeps recursion bounded.
const MAX_DEPTH: usize = 64;

/// The parsed document and its duplicate keys, or the first syntax error.
pub fn parse(source: &str) -> Result<(Node, Vec<DuplicateKey>), SyntaxError> {
    let mut builder = Builder {
        parser: Parser::new_from_str(source),
        byte_offsets: source
            .char_indices()
            .map(|(offset, _)| offset)
            .chain([source.len()])
            .collect(),
        anchors: HashMap::new(),
        duplicates: Vec::new(),
    };
    let root = builder.stream()?;
    Ok((root, builder.duplicates))
}

struct Builder<'input> {
    parser: Parser<'input, StrInput<'input>>,
    /// Byte offset of each character index (saphyr marks count characters).
    byte_offsets: Vec<usize>,
    anchors: HashMap<usize, Node>,
    duplicates: Vec<DuplicateKey>,
}

impl<'input> Builder<'input> {
    fn next(&mut self) -> Result<(Event<'input>, Range<usize>), SyntaxError> {
        match self.parser.next_event() {
            Some(Ok((event, span))) => Ok((event, self.bytes(span))),
            Some(Err(error)) => {
                let offset = self.byte_offset(error.marker().index());
                Err(SyntaxError {
                    message: error.info().to_owned(),
                    span: offset..offset,
                })
            }
            None => Err(SyntaxError {
                message: "unexpected end of input".to_owned(),
                span: self.end()..self.end(),
            }),
        }
    }

    fn byte_offset(&self, char_index: usize) -> usize {
        self.byte_offsets
            .get(char_index)
            .copied()
            .unwrap_or(self.end())
    }

    fn end(&self) -> usize {
        self.byte_offsets.last().copied().unwrap_or(0)
    }

    fn bytes(&self, span: Span) -> Range<usize> {
        self.byte_offset(span.start.index())..self.byte_offset(span.end.index())
    }

    /// The single document of the stream; an empty stream is `null`.
    fn stream(&mut self) -> Result<Node, SyntaxError> {
        let mut root = None;
        loop {
            let (event, span) = self.next()?;
            match event {
                Event::StreamEnd => break,
                Event::DocumentStart(_) if root.is_some() => {
                    return Err(SyntaxError {
                        message: "a schema file holds one YAML document".to_owned(),
                        span,
                    });
                }
                Event::DocumentStart(_) => {
                    let (event, span) = self.next()?;
                    root = Some(self.node(event, span, 0)?);
                }
                _ => {}
            }
        }
        Ok(root.unwrap_or(Node {
            value: Value::Null,
            span: 0..0,
        }))
    }

    fn node(
        &mut self,
        event: Event<'input>,
        span: Range<usize>,
        depth: usize,
    ) -> Result<Node, SyntaxError> {
        if depth > MAX_DEPTH {
            return Err(SyntaxError {
                message: format!("nesting deeper than {MAX_DEPTH} levels"),
                span,
            });
        }
        let (node, anchor) = match event {
            Event::Scalar(text, style, anchor, tag) => {
                let verbatim =
                    style != ScalarStyle::Plain || tag.is_some_and(|tag| tag.suffix == "str");
                let value = if verbatim {
                    Value::String(text.into_owned())
                } else {
                    resolve_plain(&text)
                };
                (Node { value, span }, anchor)
            }
            Event::SequenceStart(anchor, _) => {
                let mut items = Vec::new();
                let end = loop {
                    let (event, item_span) = self.next()?;
                    if event == Event::SequenceEnd {
                        break item_span.end;
                    }
                    items.push(self.node(event, item_span, depth + 1)?);
                };
                (
                    Node {
                        value: Value::List(items),
                        span: span.start..end.max(span.end),
                    },
                    anchor,
                )
            }
            Event::MappingStart(anchor, _) => {
                let mut entries: Vec<Entry> = Vec::new();
                let end = loop {
                    let (event, key_span) = self.next()?;
                    if event == Event::MappingEnd {
                        break key_span.end;
                    }
                    let Event::Scalar(key, _, _, _) = event else {
                        return Err(SyntaxError {
                            message: "keys must be plain words".to_owned(),
                            span: key_span,
                        });
                    };
                    let (event, value_span) = self.next()?;
                    let value = self.node(event, value_span, depth + 1)?;
                    if entries.iter().any(|entry| entry.key == key) {
                        self.duplicates.push(DuplicateKey {
                            key: key.into_owned(),
                            span: key_span,
                        });
                    } else {
                        entries.push(Entry {
                            key: key.into_owned(),
                            key_span,
                            value,
                        });
                    }
                };
                (
                    Node {
                        value: Value::Map(entries),
                        span: span.start..end.max(span.end),
                    },
                    anchor,
                )
            }
            Event::Alias(anchor) => match self.anchors.get(&anchor) {
                Some(node) => (
                    Node {
                        value: node.value.clone(),
                        span,
                    },
                    0,
                ),
                None => {
                    return Err(SyntaxError {
                        message: "alias to an unknown anchor".to_owned(),
                        span,
                    });
                }
            },
            other => {
                return Err(SyntaxError {
                    message: format!("unexpected YAML event {other:?}"),
                    span,
                });
            }
        };
        // saphyr numbers anchors from 1; 0 means none.
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        Ok(node)
    }
}

/// A plain scalar under the YAML 1.2 core schema.
fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    if !unsigned.is_empty() && unsigned.chars().all(|c| c.is_ascii_digit()) {
        return text
            .parse()
            .map_or(Value::Other("an integer out of range"), Value::Integer);
    }
    if let Some(hex) = text
        .strip_prefix("0x")
        .filter(|hex| !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit()))
    {
        return i64::from_str_radix(hex, 16)
            .map_or(Value::Other("an integer out of range"), Value::Integer);
    }
    if let Some(octal) = text
        .strip_prefix("0o")
        .filter(|octal| !octal.is_empty() && octal.chars().all(|c| ('0'..='7').contains(&c)))
    {
        return i64::from_str_radix(octal, 8)
            .map_or(Value::Other("an integer out of range"), Value::Integer);
    }
    if is_core_float(unsigned)
        && let Ok(number) = text.parse()
    {
        return Value::Float(number);
    }
    Value::String(text.to_owned())
}

/// `[0-9]*(\.[0-9]*)?([eE][-+]?[0-9]+)?` with at least one digit before the exponent.
fn is_core_float(text: &str) -> bool {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(index) => (&text[..index], Some(&text[index + 1..])),
        None => (text, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |part: &str| part.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok =
        digits(whole) && digits(fraction) && !(whole.is_empty() && fraction.is_empty());
    let exponent_ok = exponent.is_none_or(|exponent| {
        let exponent = exponent.strip_prefix(['-', '+']).unwrap_or(exponent);
        !exponent.is_empty() && digits(exponent)
    });
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_follow_the_core_schema() {
        assert_eq!(resolve_plain("true"), Value::Bool(true));
        assert_eq!(resolve_plain("yes"), Value::String("yes".into()));
        assert_eq!(resolve_plain("-12"), Value::Integer(-12));
        assert_eq!(resolve_plain("0x1f"), Value::Integer(31));
        assert_eq!(resolve_plain("1.5"), Value::Float(1.5));
        assert_eq!(resolve_plain("1e3"), Value::Float(1000.0));
        assert_eq!(resolve_plain("~"), Value::Null);
        assert_eq!(resolve_plain("1.2.3"), Value::String("1.2.3".into()));
        assert_eq!(resolve_plain("."), Value::String(".".into()));
        assert_eq!(
            resolve_plain("99999999999999999999"),
            Value::Other("an integer out of range")
        );
    }

    #[test]
    fn maps_keep_order_spans_and_report_duplicates() {
        let source = "module: sales\nentities:\n  Order:\n    fields:\n      b: {type: i64}\n      a: {type: 'true'}\n      b: 1\n";
        let (root, duplicates) = parse(source).unwrap();
        let entries = root.entries().unwrap();
        assert_eq!(&source[entries[0].key_span.clone()], "module");
        assert_eq!(&source[entries[0].value.span.clone()], "sales");
        let fields = entries[1].value.entries().unwrap()[0]
            .value
            .entries()
            .unwrap()[0]
            .value
            .entries()
            .unwrap();
        assert_eq!(
            fields
                .iter()
                .map(|entry| entry.key.as_str())
                .collect::<Vec<_>>(),
            ["b", "a"]
        );
        let quoted = &fields[1].value.entries().unwrap()[0].value;
        assert_eq!(quoted.value, Value::String("true".into()));
        assert_eq!(duplicates.len(), 1);
        assert_eq!(&source[duplicates[0].span.clone()], "b");
        assert_eq!(duplicates[0].span.start, source.rfind("b: 1").unwrap());
    }

    #[test]
    fn spans_are_bytes_even_after_multibyte_characters() {
        let source = "# héllo wörld\nmodule: sales\n";
        let (root, _) = parse(source).unwrap();
        assert_eq!(
            &source[root.entries().unwrap()[0].value.span.clone()],
            "sales"
        );
    }

    #[test]
    fn aliases_and_errors() {
        let (root, _) = parse("a: &x {type: i64}\nb: *x\n").unwrap();
        let entries = root.entries().unwrap();
        assert_eq!(entries[0].value.value, entries[1].value.value);
        assert!(parse("a: [1, 2\n").is_err());
        assert!(parse("a: 1\n---\nb: 2\n").is_err());
        assert_eq!(parse("").unwrap().0.value, Value::Null);
    }
}
