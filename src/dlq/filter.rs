//! Which dead letters a command works on, and the SQL `WHERE` clause that selects them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::database::Dialect;

/// The dead letters a command selects; every field that is set must match.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Filter {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aggregate_id: Option<String>,
    /// A substring of the last error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_contains: Option<String>,
    /// Failed at or after this instant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since: Option<DateTime<Utc>>,
    /// Failed before this instant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<DateTime<Utc>>,
    /// Only these message ids (lowercase, hyphenated UUIDs).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<String>,
}

/// A `WHERE` clause with `$n` placeholders and the text values bound to them, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhereClause {
    pub sql: String,
    pub values: Vec<String>,
}

impl Filter {
    /// True when the filter selects every dead letter.
    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }

    /// The condition, numbering its placeholders from `$1`.
    pub fn where_clause(&self, dialect: Dialect) -> WhereClause {
        let mut conditions = Vec::new();
        let mut values = Vec::new();
        let mut add = |template: String, value: String| {
            values.push(value);
            conditions.push(template.replace("{}", &format!("${}", values.len())));
        };
        if let Some(event_type) = &self.event_type {
            add("event_type = {}".to_string(), event_type.clone());
        }
        if let Some(aggregate_id) = &self.aggregate_id {
            add("aggregate_id = {}".to_string(), aggregate_id.clone());
        }
        if let Some(text) = &self.error_contains {
            add(dialect.contains("last_error", "{}"), text.clone());
        }
        if let Some(since) = self.since {
            add(dialect.at_or_after("failed_at", "{}"), timestamp(since));
        }
        if let Some(until) = self.until {
            add(
                format!("NOT ({})", dialect.at_or_after("failed_at", "{}")),
                timestamp(until),
            );
        }
        if !self.ids.is_empty() {
            let list = serde_json::to_string(&self.ids).expect("a list of strings is valid JSON");
            add(dialect.id_in_json_list("{}"), list);
        }
        let sql = if conditions.is_empty() {
            "TRUE".to_string()
        } else {
            conditions.join(" AND ")
        };
        WhereClause { sql, values }
    }
}

/// RFC 3339 with microseconds, the form both databases compare correctly.
pub fn timestamp(instant: DateTime<Utc>) -> String {
    instant.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// Parses `--since`/`--until`: an RFC 3339 instant, a date (midnight UTC), or an age such as
/// `30m`, `12h` or `7d` (that long before `now`).
pub fn parse_instant(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
        return Ok(instant.with_timezone(&Utc));
    }
    if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(date
            .and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc());
    }
    let unit = text.chars().last();
    let seconds_per_unit = match unit {
        Some('s') => 1,
        Some('m') => 60,
        Some('h') => 3600,
        Some('d') => 86_400,
        _ => 0,
    };
    let amount = unit
        .and_then(|unit| text.strip_suffix(unit))
        .and_then(|number| number.parse::<i64>().ok());
    match amount {
        Some(amount) if seconds_per_unit > 0 && amount >= 0 => amount
            .checked_mul(seconds_per_unit)
            .and_then(chrono::TimeDelta::try_seconds)
            .and_then(|age| now.checked_sub_signed(age))
            .ok_or_else(|| format!("`{text}` is too far in the past")),
        _ => Err(format!(
            "`{text}` is not a time: use RFC 3339 (2026-01-31T12:00:00Z), a date (2026-01-31) or an age (30m, 12h, 7d)"
        )),
    }
}

/// Parses a message id: any UUID spelling, normalised to lowercase with hyphens as the
/// service stores it.
pub fn parse_id(text: &str) -> Result<String, String> {
    uuid::Uuid::parse_str(text)
        .map(|id| id.hyphenated().to_string())
        .map_err(|error| format!("`{text}` is not a message id (a UUID): {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-10T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn instants_are_rfc3339_dates_or_ages() {
        assert_eq!(
            timestamp(parse_instant("2026-03-01T08:30:00+01:00", now()).unwrap()),
            "2026-03-01T07:30:00.000000Z"
        );
        assert_eq!(
            timestamp(parse_instant("2026-03-01", now()).unwrap()),
            "2026-03-01T00:00:00.000000Z"
        );
        assert_eq!(
            timestamp(parse_instant("2h", now()).unwrap()),
            "2026-03-10T10:00:00.000000Z"
        );
        assert_eq!(
            timestamp(parse_instant("7d", now()).unwrap()),
            "2026-03-03T12:00:00.000000Z"
        );
        for bad in ["", "yesterday", "-3h", "3w", "h", "3é", "99999999999999d"] {
            assert!(parse_instant(bad, now()).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn ids_are_normalised_uuids() {
        assert_eq!(
            parse_id("0193A2B4-0C1D-7E2F-8A9B-0C1D2E3F4A5B").unwrap(),
            "0193a2b4-0c1d-7e2f-8a9b-0c1d2e3f4a5b"
        );
        assert!(parse_id("42").unwrap_err().contains("not a message id"));
    }

    #[test]
    fn the_where_clause_numbers_its_placeholders() {
        assert_eq!(
            Filter::default().where_clause(Dialect::Postgres).sql,
            "TRUE"
        );
        let filter = Filter {
            event_type: Some("orders.order.created".into()),
            error_contains: Some("timeout".into()),
            since: Some(now()),
            ids: vec!["a".into()],
            ..Filter::default()
        };
        let clause = filter.where_clause(Dialect::Sqlite);
        assert_eq!(
            clause.sql,
            "event_type = $1 AND instr(last_error, $2) > 0 AND julianday(failed_at) >= julianday($3) AND id IN (SELECT value FROM json_each($4))"
        );
        assert_eq!(
            clause.values,
            [
                "orders.order.created",
                "timeout",
                "2026-03-10T12:00:00.000000Z",
                "[\"a\"]"
            ]
        );
    }
}
