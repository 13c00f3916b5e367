//! The current time, at the precision the databases keep (microseconds), so an entity returned
//! right after it is stored equals the same entity read back.

use chrono::{DateTime, SubsecRound, Utc};

pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}
