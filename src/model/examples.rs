//! Example values of a field for generated tests and API docs: two valid values (distinct
//! where the constraints allow, so unique fields can be tested) and one invalid value per
//! constraint that has one (for the 422 tests).
//!
//! Pattern-constrained strings are derived from the regular expression itself: a walk over its
//! syntax tree picks a literal path through it, varying repetition counts and alternatives until
//! a candidate satisfies every constraint of the field.

use regex_syntax::hir::{Class, Hir, HirKind};
use serde::Serialize;
use serde_json::{Value, json};

use super::types::Decimal;
use super::{Constraints, FieldType, Name, StringFormat};

/// Longest candidate string built from a pattern; beyond it a candidate is dropped.
const MAX_CANDIDATE_LENGTH: usize = 16_384;

/// Longest example value; a longer `max_length` gets no literal invalid example (templates can
/// build one from `constraints.max_length`), a longer `min_length` no example at all.
pub const MAX_EXAMPLE_LENGTH: u32 = 10_000;

/// No valid example exists: the constraints contradict each other.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no value satisfies all constraints of this field ({constraints})")]
pub struct ExampleError {
    pub constraints: String,
}

/// A value that breaks one constraint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InvalidExample {
    /// The constraint it breaks: `min`, `max`, `min_length`, `max_length`, `pattern`, `format`
    /// or `values` (not an enum value).
    pub constraint: &'static str,
    pub value: Value,
}

/// Example values, flattened into the serialized `Field`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Examples {
    /// A valid value (JSON as sent to the API).
    pub example: Value,
    /// Another valid value, different from `example` unless the constraints allow only one.
    pub second_example: Value,
    /// One value per violable constraint.
    pub invalid_examples: Vec<InvalidExample>,
}

impl Examples {
    pub fn new(
        name: &Name,
        kind: &FieldType,
        constraints: &Constraints,
    ) -> Result<Examples, ExampleError> {
        let (example, second_example) = match kind {
            FieldType::String | FieldType::Text => {
                let (first, second) = string_examples(name, constraints)?;
                (json!(first), json!(second))
            }
            FieldType::Bool => (json!(true), json!(false)),
            FieldType::I32 | FieldType::I64 => {
                let (first, second) = integer_examples(constraints);
                (json!(first), json!(second))
            }
            FieldType::F64 => {
                let (first, second) = pick_two([1.5, 2.5], constraints);
                (json!(first), json!(second))
            }
            FieldType::Decimal => {
                let (first, second) = pick_two([12.5, 7.25], constraints);
                (json!(decimal_text(first)), json!(decimal_text(second)))
            }
            FieldType::Uuid | FieldType::Ref(_) => (
                json!("01936f2e-8c4a-7b1e-9a2b-000000000001"),
                json!("01936f2e-8c4a-7b1e-9a2b-000000000002"),
            ),
            FieldType::Date => (json!("2024-01-15"), json!("2024-02-20")),
            FieldType::DateTime => (json!("2024-01-15T10:30:00Z"), json!("2024-02-20T08:00:00Z")),
            FieldType::Json => (json!({"note": "example 1"}), json!({"note": "example 2"})),
            FieldType::Enum(enum_type) => {
                let variants = &enum_type.variants;
                let first = variants
                    .first()
                    .map(|variant| variant.value.clone())
                    .unwrap_or_default();
                let second = variants
                    .get(1)
                    .map_or(first.clone(), |variant| variant.value.clone());
                (json!(first), json!(second))
            }
        };
        Ok(Examples {
            example,
            second_example,
            invalid_examples: invalid_examples(kind, constraints),
        })
    }
}

/// The constraint `text` violates first, if any (used for examples and string defaults).
pub(crate) fn violated_string_constraint(
    text: &str,
    constraints: &Constraints,
) -> Option<&'static str> {
    let length = text.chars().count();
    if constraints
        .min_length
        .is_some_and(|min| length < min as usize)
    {
        return Some("min_length");
    }
    if constraints
        .max_length
        .is_some_and(|max| length > max as usize)
    {
        return Some("max_length");
    }
    if let Some(pattern) = &constraints.pattern
        && !pattern.regex.is_match(text)
    {
        return Some("pattern");
    }
    match constraints.format {
        Some(StringFormat::Email) if !looks_like_email(text) => Some("format"),
        Some(StringFormat::Url) if !looks_like_url(text) => Some("format"),
        _ => None,
    }
}

fn looks_like_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.contains('@')
        && !text.contains(char::is_whitespace)
}

fn looks_like_url(text: &str) -> bool {
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"));
    rest.is_some_and(|rest| !rest.is_empty() && !text.contains(char::is_whitespace))
}

fn string_examples(
    name: &Name,
    constraints: &Constraints,
) -> Result<(String, String), ExampleError> {
    if constraints
        .min_length
        .is_some_and(|length| length > MAX_EXAMPLE_LENGTH)
    {
        return Err(ExampleError {
            constraints: described(constraints),
        });
    }
    let candidates: Vec<String> = if let Some(pattern) = &constraints.pattern {
        pattern_candidates(
            &pattern.source,
            constraints.min_length.unwrap_or(0) as usize,
        )
    } else {
        let min = constraints.min_length.unwrap_or(0) as usize;
        match constraints.format {
            Some(StringFormat::Email) => [
                "user1@example.com",
                "user2@example.com",
                "u1@x.io",
                "u2@x.io",
            ]
            .iter()
            .map(|email| pad_before(email, '@', min))
            .collect(),
            Some(StringFormat::Url) => [
                "https://example.com/1",
                "https://example.com/2",
                "http://x.io/1",
                "http://x.io/2",
            ]
            .iter()
            .map(|url| pad_end(url, min))
            .collect(),
            None => {
                let words = name.snake.replace('_', " ");
                ['1', '2']
                    .iter()
                    .map(|digit| fit_length(&words, *digit, constraints))
                    .collect()
            }
        }
    };
    let mut valid = candidates
        .into_iter()
        .filter(|candidate| violated_string_constraint(candidate, constraints).is_none());
    let Some(first) = valid.next() else {
        return Err(ExampleError {
            constraints: described(constraints),
        });
    };
    let second = valid
        .find(|candidate| *candidate != first)
        .unwrap_or_else(|| first.clone());
    Ok((first, second))
}

fn described(constraints: &Constraints) -> String {
    let mut parts = Vec::new();
    if let Some(length) = constraints.min_length {
        parts.push(format!("min_length {length}"));
    }
    if let Some(length) = constraints.max_length {
        parts.push(format!("max_length {length}"));
    }
    if let Some(pattern) = &constraints.pattern {
        parts.push(format!("pattern {:?}", pattern.source));
    }
    if let Some(format) = constraints.format {
        parts.push(format!(
            "format {}",
            if format == StringFormat::Email {
                "email"
            } else {
                "url"
            }
        ));
    }
    parts.join(", ")
}

/// `words digit`, padded with `x` or cut so its length is within the bounds; the digit is kept
/// last so two examples stay distinct.
fn fit_length(words: &str, digit: char, constraints: &Constraints) -> String {
    let mut text: String = format!("{words} ");
    let min = constraints.min_length.unwrap_or(0) as usize;
    while text.chars().count() + 1 < min {
        text.push('x');
    }
    if let Some(max) = constraints.max_length {
        text = text
            .chars()
            .take((max as usize).saturating_sub(1))
            .collect();
    }
    text.push(digit);
    text
}

fn pad_before(text: &str, marker: char, min: usize) -> String {
    let missing = min.saturating_sub(text.chars().count());
    match text.split_once(marker) {
        Some((head, tail)) => format!("{head}{}{marker}{tail}", "x".repeat(missing)),
        None => text.to_owned(),
    }
}

fn pad_end(text: &str, min: usize) -> String {
    let missing = min.saturating_sub(text.chars().count());
    format!("{text}{}", "x".repeat(missing))
}

/// Strings matching `pattern`, built with growing repetition counts and both first and second
/// alternatives.
fn pattern_candidates(pattern: &str, min_length: usize) -> Vec<String> {
    let Ok(hir) = regex_syntax::parse(pattern) else {
        return Vec::new();
    };
    let mut candidates = Vec::new();
    for extra in [0, 1, 2, 3, 4, 5, 8, 16, 32, 64, min_length] {
        for variant in [0, 1] {
            let mut text = String::new();
            if build_match(&hir, extra, variant, &mut text) && !candidates.contains(&text) {
                candidates.push(text);
            }
        }
    }
    candidates
}

/// Appends to `out` a string matching `hir`; `false` when no plain choice exists or it grows
/// too long. `extra` repetitions are added to each repetition's minimum; `variant` picks the
/// alternative and class member.
fn build_match(hir: &Hir, extra: usize, variant: usize, out: &mut String) -> bool {
    if out.len() > MAX_CANDIDATE_LENGTH {
        return false;
    }
    match hir.kind() {
        // Anchors and word boundaries add no text; a candidate they break is filtered later.
        HirKind::Empty | HirKind::Look(_) => true,
        HirKind::Literal(literal) => match std::str::from_utf8(&literal.0) {
            Ok(text) => {
                out.push_str(text);
                true
            }
            Err(_) => false,
        },
        HirKind::Class(class) => match class_member(class, variant) {
            Some(member) => {
                out.push(member);
                true
            }
            None => false,
        },
        HirKind::Repetition(repetition) => {
            let min = repetition.min as usize;
            let count = repetition
                .max
                .map_or(min + extra, |max| (min + extra).min(max as usize));
            (0..count).all(|_| build_match(&repetition.sub, extra, variant, out))
        }
        HirKind::Capture(capture) => build_match(&capture.sub, extra, variant, out),
        HirKind::Concat(parts) => parts
            .iter()
            .all(|part| build_match(part, extra, variant, out)),
        HirKind::Alternation(choices) => {
            build_match(&choices[variant % choices.len()], extra, variant, out)
        }
    }
}

/// A readable member of a character class: the `variant`-th letter or digit it contains, else
/// its first member.
fn class_member(class: &Class, variant: usize) -> Option<char> {
    let readable = ('a'..='z').chain('A'..='Z').chain('0'..='9');
    match class {
        Class::Unicode(class) => {
            let contains = |c: char| {
                class
                    .ranges()
                    .iter()
                    .any(|range| range.start() <= c && c <= range.end())
            };
            let mut members = readable.filter(|c| contains(*c));
            members
                .nth(variant)
                .or_else(|| class.ranges().first().map(|range| range.start()))
        }
        Class::Bytes(class) => {
            let contains = |c: char| {
                class
                    .ranges()
                    .iter()
                    .any(|range| range.start() <= c as u8 && c as u8 <= range.end())
            };
            let mut members = readable.filter(|c| contains(*c));
            members.nth(variant).or_else(|| {
                class
                    .ranges()
                    .first()
                    .map(|range| range.start())
                    .filter(u8::is_ascii)
                    .map(char::from)
            })
        }
    }
}

fn integer_examples(constraints: &Constraints) -> (i64, i64) {
    // Bounds of integer fields are integers, so the float round trip is exact.
    let min = constraints.min.as_ref().map(|bound| bound.number as i64);
    let max = constraints.max.as_ref().map(|bound| bound.number as i64);
    let in_range =
        |value: i64| min.is_none_or(|min| value >= min) && max.is_none_or(|max| value <= max);
    let mut candidates = [
        Some(1),
        Some(2),
        min,
        min.and_then(|min| min.checked_add(1)),
        max,
        max.and_then(|max| max.checked_sub(1)),
    ]
    .into_iter()
    .flatten()
    .filter(|value| in_range(*value));
    let first = candidates.next().unwrap_or(0);
    let second = candidates.find(|value| *value != first).unwrap_or(first);
    (first, second)
}

fn pick_two(preferred: [f64; 2], constraints: &Constraints) -> (f64, f64) {
    let min = constraints.min.as_ref().map(|bound| bound.number);
    let max = constraints.max.as_ref().map(|bound| bound.number);
    let in_range =
        |value: f64| min.is_none_or(|min| value >= min) && max.is_none_or(|max| value <= max);
    let mut candidates = [
        Some(preferred[0]),
        Some(preferred[1]),
        min,
        min.map(|min| min + 1.0),
        max,
        max.map(|max| max - 1.0),
    ]
    .into_iter()
    .flatten()
    .filter(|value| in_range(*value));
    let first = candidates.next().unwrap_or(0.0);
    let second = candidates.find(|value| *value != first).unwrap_or(first);
    (first, second)
}

/// A decimal example as text with two decimal places where that is exact (`12.50`).
fn decimal_text(value: f64) -> String {
    let rounded = format!("{value:.2}");
    if rounded.parse::<f64>().is_ok_and(|parsed| parsed == value)
        && Decimal::parse(&rounded).is_some()
    {
        rounded
    } else {
        value.to_string()
    }
}

fn invalid_examples(kind: &FieldType, constraints: &Constraints) -> Vec<InvalidExample> {
    let mut invalid = Vec::new();
    let mut push =
        |constraint: &'static str, value: Value| invalid.push(InvalidExample { constraint, value });
    // A bound at the end of its integer type's range has no invalid value of that type: the
    // step is done in integers (as f64 it would round back onto the bound, e.g. i64::MIN).
    for (constraint, bound, step) in [("min", &constraints.min, -1), ("max", &constraints.max, 1)] {
        let Some(bound) = bound else { continue };
        let integer = bound
            .value
            .as_i64()
            .and_then(|value| value.checked_add(step));
        let value = bound.number + step as f64;
        match kind {
            FieldType::I32 => {
                if let Some(value) = integer.filter(|value| i32::try_from(*value).is_ok()) {
                    push(constraint, json!(value));
                }
            }
            FieldType::I64 => {
                if let Some(value) = integer {
                    push(constraint, json!(value));
                }
            }
            FieldType::F64 if value.is_finite() => push(constraint, json!(value)),
            FieldType::Decimal if value.is_finite() => push(constraint, json!(decimal_text(value))),
            _ => {}
        }
    }
    if let Some(length) = constraints
        .min_length
        .filter(|length| (1..=MAX_EXAMPLE_LENGTH).contains(length))
    {
        push("min_length", json!("x".repeat(length as usize - 1)));
    }
    if let Some(length) = constraints.max_length
        && length < MAX_EXAMPLE_LENGTH
    {
        push("max_length", json!("x".repeat(length as usize + 1)));
    }
    if let Some(pattern) = &constraints.pattern
        && let Some(text) = ["", "!", " ", "~~~~", "0", "a", "A", "-", "#invalid#", "\n"]
            .iter()
            .find(|text| !pattern.regex.is_match(text))
    {
        push("pattern", json!(text));
    }
    match constraints.format {
        Some(StringFormat::Email) => push("format", json!("not-an-email")),
        Some(StringFormat::Url) => push("format", json!("not a url")),
        None => {}
    }
    if let FieldType::Enum(enum_type) = kind {
        let variants = &enum_type.variants;
        let mut value = "not_a_value".to_owned();
        while variants.iter().any(|variant| variant.value == value) {
            value.push('_');
        }
        push("values", json!(value));
    }
    invalid
}

#[cfg(test)]
mod tests {
    use regex::Regex;

    use super::*;
    use crate::model::types::{Bound, Number};
    use crate::model::{EnumType, EnumVariant, Pattern};

    fn name() -> Name {
        Name::field("customer_name").unwrap()
    }

    fn with_pattern(pattern: &str) -> Constraints {
        Constraints {
            pattern: Some(Pattern::new(Regex::new(pattern).unwrap())),
            ..Constraints::default()
        }
    }

    #[test]
    fn plain_strings_fit_their_lengths() {
        let constraints = Constraints {
            min_length: Some(30),
            max_length: Some(40),
            ..Constraints::default()
        };
        let examples = Examples::new(&name(), &FieldType::String, &constraints).unwrap();
        let first = examples.example.as_str().unwrap();
        assert!((30..=40).contains(&first.len()), "{first}");
        assert_ne!(examples.example, examples.second_example);

        let constraints = Constraints {
            max_length: Some(3),
            ..Constraints::default()
        };
        let examples = Examples::new(&name(), &FieldType::String, &constraints).unwrap();
        assert_eq!(examples.example, json!("cu1"));
        assert_eq!(examples.second_example, json!("cu2"));
        assert_eq!(examples.invalid_examples[0].constraint, "max_length");
        assert_eq!(examples.invalid_examples[0].value, json!("xxxx"));
    }

    #[test]
    fn emails_and_urls() {
        let constraints = Constraints {
            format: Some(StringFormat::Email),
            max_length: Some(255),
            ..Constraints::default()
        };
        let examples = Examples::new(&name(), &FieldType::String, &constraints).unwrap();
        assert_eq!(examples.example, json!("user1@example.com"));
        assert_eq!(examples.second_example, json!("user2@example.com"));
        let constraints = Constraints {
            format: Some(StringFormat::Email),
            max_length: Some(8),
            ..Constraints::default()
        };
        let examples = Examples::new(&name(), &FieldType::String, &constraints).unwrap();
        assert_eq!(examples.example, json!("u1@x.io"));
        let constraints = Constraints {
            format: Some(StringFormat::Email),
            max_length: Some(4),
            ..Constraints::default()
        };
        assert!(Examples::new(&name(), &FieldType::String, &constraints).is_err());
        let constraints = Constraints {
            format: Some(StringFormat::Url),
            ..Constraints::default()
        };
        let examples = Examples::new(&name(), &FieldType::String, &constraints).unwrap();
        assert_eq!(examples.example, json!("https://example.com/1"));
        assert_eq!(examples.invalid_examples[0].value, json!("not a url"));
    }

    #[test]
    fn patterns_produce_matching_examples() {
        for pattern in [
            r"^[A-Z]{3}-\d{4}$",
            r"^(red|green|blue)$",
            r"^\w+@corp\.example$",
            r"^[a-z]+(-[a-z]+)*$",
            "x",
        ] {
            let examples =
                Examples::new(&name(), &FieldType::String, &with_pattern(pattern)).unwrap();
            let regex = Regex::new(pattern).unwrap();
            let first = examples.example.as_str().unwrap();
            let second = examples.second_example.as_str().unwrap();
            assert!(
                regex.is_match(first) && regex.is_match(second),
                "{pattern}: {first} {second}"
            );
            let invalid = examples
                .invalid_examples
                .iter()
                .find(|invalid| invalid.constraint == "pattern")
                .unwrap();
            assert!(
                !regex.is_match(invalid.value.as_str().unwrap()),
                "{pattern}"
            );
        }
        let examples = Examples::new(
            &name(),
            &FieldType::String,
            &with_pattern(r"^(red|green|blue)$"),
        )
        .unwrap();
        assert_ne!(examples.example, examples.second_example);
    }

    #[test]
    fn pattern_and_length_together() {
        let mut constraints = with_pattern(r"^[a-z]+$");
        constraints.min_length = Some(10);
        let examples = Examples::new(&name(), &FieldType::String, &constraints).unwrap();
        assert!(examples.example.as_str().unwrap().len() >= 10);
        constraints.max_length = Some(5);
        assert!(Examples::new(&name(), &FieldType::String, &constraints).is_err());
    }

    #[test]
    fn bounds_at_the_ends_of_an_integer_type_have_no_invalid_example() {
        for (kind, min, max) in [
            (FieldType::I64, i64::MIN, i64::MAX),
            (FieldType::I32, i64::from(i32::MIN), i64::from(i32::MAX)),
        ] {
            let constraints = Constraints {
                min: Some(Bound::new(&kind, Number::Integer(min)).unwrap()),
                max: Some(Bound::new(&kind, Number::Integer(max)).unwrap()),
                ..Constraints::default()
            };
            let examples = Examples::new(&name(), &kind, &constraints).unwrap();
            assert_eq!(examples.invalid_examples, [], "{kind:?}");
        }
        // One step inside: exact, where an f64 step would round back onto the bound.
        let constraints = Constraints {
            min: Some(Bound::new(&FieldType::I64, Number::Integer(i64::MIN + 1)).unwrap()),
            ..Constraints::default()
        };
        let examples = Examples::new(&name(), &FieldType::I64, &constraints).unwrap();
        assert_eq!(examples.invalid_examples[0].value, json!(i64::MIN));
    }

    #[test]
    fn numbers_respect_bounds() {
        let bound = |kind: &FieldType, number| Some(Bound::new(kind, number).unwrap());
        let constraints = Constraints {
            min: bound(&FieldType::I64, Number::Integer(10)),
            max: bound(&FieldType::I64, Number::Integer(10)),
            ..Constraints::default()
        };
        let examples = Examples::new(&name(), &FieldType::I64, &constraints).unwrap();
        assert_eq!(
            (examples.example.clone(), examples.second_example.clone()),
            (json!(10), json!(10))
        );
        assert_eq!(examples.invalid_examples[0].value, json!(9));
        assert_eq!(examples.invalid_examples[1].value, json!(11));

        let constraints = Constraints {
            min: bound(&FieldType::Decimal, Number::Integer(100)),
            ..Constraints::default()
        };
        let examples = Examples::new(&name(), &FieldType::Decimal, &constraints).unwrap();
        assert_eq!(examples.example, json!("100.00"));
        assert_eq!(examples.second_example, json!("101.00"));
        assert_eq!(examples.invalid_examples[0].value, json!("99.00"));

        let constraints = Constraints {
            max: bound(&FieldType::F64, Number::Float(0.5)),
            ..Constraints::default()
        };
        let examples = Examples::new(&name(), &FieldType::F64, &constraints).unwrap();
        assert_eq!(examples.example, json!(0.5));
        assert_eq!(examples.second_example, json!(-0.5));
    }

    #[test]
    fn enums_have_an_invalid_value() {
        let kind = FieldType::Enum(Box::new(EnumType {
            type_name: Name::type_name("OrderStatus").unwrap(),
            variants: vec![EnumVariant::new("not_a_value").unwrap()],
        }));
        let examples = Examples::new(&name(), &kind, &Constraints::default()).unwrap();
        assert_eq!(examples.example, json!("not_a_value"));
        assert_eq!(examples.invalid_examples[0].value, json!("not_a_value_"));
    }
}
