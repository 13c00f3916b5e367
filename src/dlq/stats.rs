//! `dlq stats`: how many dead letters there are, by event type, by error class and by age.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use super::database::Summary;

/// Longest error class kept; longer prefixes are cut here.
const ERROR_CLASS_LENGTH: usize = 80;

/// Counts of the dead letters one filter selects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stats {
    pub total: u64,
    pub oldest_failed_at: Option<DateTime<Utc>>,
    pub newest_failed_at: Option<DateTime<Utc>>,
    pub by_event_type: BTreeMap<String, u64>,
    /// Keyed by [`error_class`].
    pub by_error_class: BTreeMap<String, u64>,
    /// Keyed by [`AgeBucket::label`], every bucket present.
    pub by_age: BTreeMap<&'static str, u64>,
}

/// How long ago a message failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgeBucket {
    UnderAnHour,
    UnderADay,
    UnderAWeek,
    AWeekOrMore,
}

impl AgeBucket {
    pub const ALL: [AgeBucket; 4] = [
        AgeBucket::UnderAnHour,
        AgeBucket::UnderADay,
        AgeBucket::UnderAWeek,
        AgeBucket::AWeekOrMore,
    ];

    pub fn of(age: TimeDelta) -> Self {
        if age < TimeDelta::hours(1) {
            AgeBucket::UnderAnHour
        } else if age < TimeDelta::days(1) {
            AgeBucket::UnderADay
        } else if age < TimeDelta::weeks(1) {
            AgeBucket::UnderAWeek
        } else {
            AgeBucket::AWeekOrMore
        }
    }

    /// The stable key used in the JSON output.
    pub fn label(self) -> &'static str {
        match self {
            AgeBucket::UnderAnHour => "under_1h",
            AgeBucket::UnderADay => "1h_to_24h",
            AgeBucket::UnderAWeek => "1d_to_7d",
            AgeBucket::AWeekOrMore => "over_7d",
        }
    }
}

/// The kind of failure: the first line of the error up to its first `:`, so
/// `publish failed: connection refused (os error 111)` is `publish failed`.
pub fn error_class(error: &str) -> String {
    let first_line = error.lines().next().unwrap_or_default();
    let class = first_line.split(':').next().unwrap_or_default().trim();
    if class.is_empty() {
        return "(no message)".to_string();
    }
    class.chars().take(ERROR_CLASS_LENGTH).collect()
}

/// Counts `summaries` as of `now`.
pub fn summarise(summaries: &[Summary], now: DateTime<Utc>) -> Stats {
    let mut by_event_type = BTreeMap::new();
    let mut by_error_class = BTreeMap::new();
    let mut by_age: BTreeMap<&'static str, u64> = AgeBucket::ALL
        .iter()
        .map(|bucket| (bucket.label(), 0))
        .collect();
    for summary in summaries {
        *by_event_type.entry(summary.event_type.clone()).or_default() += 1;
        *by_error_class
            .entry(error_class(&summary.last_error))
            .or_default() += 1;
        *by_age
            .entry(AgeBucket::of(now - summary.failed_at).label())
            .or_default() += 1;
    }
    Stats {
        total: summaries.len() as u64,
        oldest_failed_at: summaries.iter().map(|summary| summary.failed_at).min(),
        newest_failed_at: summaries.iter().map(|summary| summary.failed_at).max(),
        by_event_type,
        by_error_class,
        by_age,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(event_type: &str, error: &str, hours_ago: i64, now: DateTime<Utc>) -> Summary {
        Summary {
            event_type: event_type.to_string(),
            last_error: error.to_string(),
            failed_at: now - TimeDelta::hours(hours_ago),
        }
    }

    #[test]
    fn error_classes_are_the_text_before_the_first_colon() {
        assert_eq!(
            error_class("publish failed: connection refused"),
            "publish failed"
        );
        assert_eq!(error_class("timeout\nat line 2: x"), "timeout");
        assert_eq!(error_class(""), "(no message)");
        assert_eq!(error_class(&"x".repeat(200)).len(), ERROR_CLASS_LENGTH);
    }

    #[test]
    fn counts_by_event_type_error_class_and_age() {
        let now = Utc::now();
        let stats = summarise(
            &[
                summary("orders.order.created", "publish failed: refused", 0, now),
                summary("orders.order.created", "publish failed: timeout", 30, now),
                summary("orders.order.deleted", "nack: queue full", 200, now),
            ],
            now,
        );
        assert_eq!(stats.total, 3);
        assert_eq!(stats.by_event_type["orders.order.created"], 2);
        assert_eq!(stats.by_error_class["publish failed"], 2);
        assert_eq!(stats.by_error_class["nack"], 1);
        assert_eq!(
            stats.by_age.values().copied().collect::<Vec<_>>(),
            // BTreeMap order: 1d_to_7d, 1h_to_24h, over_7d, under_1h
            [1, 0, 1, 1]
        );
        assert_eq!(stats.oldest_failed_at, Some(now - TimeDelta::hours(200)));
        assert_eq!(summarise(&[], now).by_age.len(), 4);
    }
}
