//! What can go wrong in a use case or a repository, in terms the API maps to HTTP answers.

/// One invalid field and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldViolation {
    pub field: String,
    pub message: String,
}

impl FieldViolation {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Why a use case did not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("invalid input")]
    Invalid(Vec<FieldViolation>),
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("the resource changed since it was read")]
    Stale,
    #[error("{0}")]
    BadRequest(String),
    /// Missing or refused credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// An operation whose use case is not written yet.
    #[error("{0}")]
    NotImplemented(String),
    #[error("{0}")]
    Internal(String),
}

/// Why a repository did not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum RepositoryError {
    #[error("another record already has this {field}")]
    Duplicate { field: String },
    #[error("{field} refers to a record that does not exist")]
    MissingReference { field: String },
    #[error("other records still refer to this one")]
    StillReferenced,
    #[error("the record changed since it was read")]
    Stale,
    #[error("the cursor is not valid for this list")]
    InvalidCursor,
    #[error("a text value contains a character the database cannot store (U+0000)")]
    UnstorableCharacter,
    #[error("a date or time value is outside the range the database can store")]
    OutOfRange,
    #[error("database error: {0}")]
    Database(String),
}

impl From<RepositoryError> for ServiceError {
    fn from(error: RepositoryError) -> Self {
        match error {
            RepositoryError::Duplicate { field } => {
                ServiceError::Conflict(format!("another record already has this {field}"))
            }
            RepositoryError::MissingReference { field } => ServiceError::Invalid(vec![
                FieldViolation::new(field, "refers to a record that does not exist"),
            ]),
            RepositoryError::StillReferenced => {
                ServiceError::Conflict("other records still refer to this one".to_string())
            }
            RepositoryError::Stale => ServiceError::Stale,
            RepositoryError::InvalidCursor
            | RepositoryError::UnstorableCharacter
            | RepositoryError::OutOfRange => {
                ServiceError::BadRequest(error.to_string())
            }
            RepositoryError::Database(message) => ServiceError::Internal(message),
        }
    }
}
