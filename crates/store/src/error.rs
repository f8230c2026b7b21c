use thiserror::Error;

/// What can go wrong in the store.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness or reference rule; `field` names the input that caused it.
    #[error("{message}")]
    Conflict {
        field: Option<&'static str>,
        message: String,
    },
    /// A domain limit would be exceeded.
    #[error("the domain's limit {limit} ({max}) is reached")]
    LimitReached { limit: &'static str, max: u32 },
    /// A referenced object does not exist (or is not visible).
    #[error("{message}")]
    InvalidReference {
        field: std::borrow::Cow<'static, str>,
        message: String,
    },
    #[error("database configuration: {0}")]
    Config(String),
    #[error("internal: {0}")]
    Internal(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database: {0}")]
    Native(#[from] rusqlite::Error),
}

impl StoreError {
    /// A uniqueness rule of the database refused the change (a race past the checks).
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Database(sqlx::Error::Database(db)) if db.is_unique_violation())
    }

    pub(crate) fn conflict(field: &'static str, message: impl Into<String>) -> StoreError {
        StoreError::Conflict {
            field: Some(field),
            message: message.into(),
        }
    }
}
