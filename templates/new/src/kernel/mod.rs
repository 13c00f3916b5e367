//! The shared kernel: plain types every module and every layer may use — who is asking, what
//! went wrong, how a list is asked for. No framework crate here.

pub mod clock;
pub mod context;
pub mod error;
pub mod format;
pub mod query;

pub use context::{Caller, RequestContext};
pub use error::{FieldViolation, RepositoryError, ServiceError};
pub use query::{
    DEFAULT_LIMIT, Filter, ListQuery, MAX_LIMIT, Page, Sort, SortDirection, SortField,
    parse_filter_value,
};
