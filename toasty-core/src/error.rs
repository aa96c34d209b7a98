//! The one error type of Toasty: a kind that programs match on, and a message for people.

use std::fmt;

/// What went wrong, as a category that is the same on every backend.
///
/// Drivers map their native errors onto these kinds so that, for example, a unique
/// constraint violation is [`ErrorKind::UniqueViolation`] on memdb, SQLite, PostgreSQL,
/// MySQL and DynamoDB alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A statement that must find a record (`get`, `get_by_*`, `.get()`) found none.
    NotFound,
    /// A query that must return exactly one record (`.get()`) found more than one.
    TooManyRecords,
    /// A write would create a second record with the same primary key or unique value.
    UniqueViolation,
    /// A value does not fit the range of its field's type or of the storage type.
    ValueOutOfRange,
    /// A value is not acceptable for its field (NaN, wrong type, malformed data).
    InvalidValue,
    /// The driver cannot perform this operation (a missing capability or index).
    Unsupported,
    /// The model definitions do not form a valid schema.
    InvalidSchema,
    /// The statement is malformed (for example, it names a field of another model).
    InvalidStatement,
    /// The database could not be reached, or the connection was lost.
    Connection,
    /// A conditional write found the record changed or missing.
    ConditionFailed,
    /// The database aborted a transaction (or an atomic write) because it conflicted
    /// with a concurrent one: a serialization failure, a deadlock, or a key-value record
    /// that changed between the read and the conditional write. Retrying the whole
    /// transaction is the usual answer.
    SerializationFailure,
    /// A write was attempted inside a read-only transaction.
    ReadOnlyTransaction,
    /// A statement ran in a transaction that an earlier failed statement aborted, or in
    /// a transaction that has already ended. Roll it back (or drop it) and start again.
    TransactionAborted,
    /// A configuration problem: a bad URL, an unknown scheme, a disabled feature.
    Config,
    /// Any other error reported by the database.
    Driver,
}

impl ErrorKind {
    /// A short, stable name for the kind (used in messages and harness reports).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::NotFound => "not found",
            ErrorKind::TooManyRecords => "too many records",
            ErrorKind::UniqueViolation => "unique violation",
            ErrorKind::ValueOutOfRange => "value out of range",
            ErrorKind::InvalidValue => "invalid value",
            ErrorKind::Unsupported => "unsupported by driver",
            ErrorKind::InvalidSchema => "invalid schema",
            ErrorKind::InvalidStatement => "invalid statement",
            ErrorKind::Connection => "connection error",
            ErrorKind::ConditionFailed => "condition failed",
            ErrorKind::SerializationFailure => "serialization failure",
            ErrorKind::ReadOnlyTransaction => "read-only transaction",
            ErrorKind::TransactionAborted => "transaction aborted",
            ErrorKind::Config => "configuration error",
            ErrorKind::Driver => "driver error",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error returned by every fallible Toasty operation.
///
/// It carries an [`ErrorKind`] to match on and a message that says what went wrong and,
/// where possible, what to do about it.
pub struct Error {
    kind: ErrorKind,
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

/// `Result` with [`Error`] as its error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// Creates an error of `kind` with a human-readable `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            source: None,
        }
    }

    /// Attaches the underlying cause (a driver's native error, an I/O error).
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// The category of this error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message, without the kind prefix.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Returns `true` if this is a [`ErrorKind::NotFound`] error.
    pub fn is_not_found(&self) -> bool {
        self.kind == ErrorKind::NotFound
    }

    /// The guide's name for [`Error::is_not_found`].
    pub fn is_record_not_found(&self) -> bool {
        self.is_not_found()
    }

    /// The guide's name for [`Error::is_unsupported`].
    pub fn is_unsupported_feature(&self) -> bool {
        self.is_unsupported()
    }

    /// Returns `true` if this is a [`ErrorKind::UniqueViolation`] error.
    pub fn is_unique_violation(&self) -> bool {
        self.kind == ErrorKind::UniqueViolation
    }

    /// Returns `true` if this is a [`ErrorKind::Unsupported`] error.
    pub fn is_unsupported(&self) -> bool {
        self.kind == ErrorKind::Unsupported
    }

    /// Returns `true` if this is a [`ErrorKind::Connection`] error.
    pub fn is_connection(&self) -> bool {
        self.kind == ErrorKind::Connection
    }

    /// Returns `true` if this is a [`ErrorKind::ValueOutOfRange`] error.
    pub fn is_value_out_of_range(&self) -> bool {
        self.kind == ErrorKind::ValueOutOfRange
    }

    /// Returns `true` if this is a [`ErrorKind::SerializationFailure`] error: the
    /// transaction conflicted with a concurrent one and can be retried.
    pub fn is_serialization_failure(&self) -> bool {
        self.kind == ErrorKind::SerializationFailure
    }

    /// Returns `true` if this is a [`ErrorKind::ReadOnlyTransaction`] error.
    pub fn is_read_only_transaction(&self) -> bool {
        self.kind == ErrorKind::ReadOnlyTransaction
    }

    /// Returns `true` if this is a [`ErrorKind::TransactionAborted`] error.
    pub fn is_transaction_aborted(&self) -> bool {
        self.kind == ErrorKind::TransactionAborted
    }

    /// Shorthand for a [`ErrorKind::SerializationFailure`] error.
    pub fn serialization_failure(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::SerializationFailure, message)
    }

    /// Shorthand for a [`ErrorKind::ReadOnlyTransaction`] error.
    pub fn read_only_transaction(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::ReadOnlyTransaction, message)
    }

    /// Shorthand for a [`ErrorKind::TransactionAborted`] error.
    pub fn transaction_aborted(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::TransactionAborted, message)
    }

    /// Shorthand for a [`ErrorKind::NotFound`] error.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }

    /// Shorthand for a [`ErrorKind::Unsupported`] error.
    pub fn unsupported(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unsupported, message)
    }

    /// Shorthand for a [`ErrorKind::InvalidValue`] error.
    pub fn invalid_value(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidValue, message)
    }

    /// Shorthand for a [`ErrorKind::ValueOutOfRange`] error.
    pub fn out_of_range(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::ValueOutOfRange, message)
    }

    /// Shorthand for a [`ErrorKind::InvalidSchema`] error.
    pub fn invalid_schema(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidSchema, message)
    }

    /// Shorthand for a [`ErrorKind::InvalidStatement`] error.
    pub fn invalid_statement(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidStatement, message)
    }

    /// Shorthand for a [`ErrorKind::UniqueViolation`] error.
    pub fn unique_violation(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::UniqueViolation, message)
    }

    /// Shorthand for a [`ErrorKind::Connection`] error.
    pub fn connection(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Connection, message)
    }

    /// Shorthand for a [`ErrorKind::Driver`] error.
    pub fn driver(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Driver, message)
    }

    /// Shorthand for a [`ErrorKind::Config`] error.
    pub fn config(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Config, message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.kind).field("message", &self.message);
        if let Some(source) = &self.source {
            d.field("source", source);
        }
        d.finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)?;
        if let Some(source) = &self.source {
            // Drivers often quote the native error in the message already; say it once.
            let source = source.to_string();
            if !self.message.contains(&source) {
                write!(f, " ({source})")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_already_quoted_in_the_message_is_not_repeated() {
        let io = || std::io::Error::new(std::io::ErrorKind::BrokenPipe, "broken pipe");
        let quoted =
            Error::connection(format!("the connection failed: {}", io())).with_source(io());
        assert_eq!(
            quoted.to_string(),
            "connection error: the connection failed: broken pipe"
        );
        let unquoted = Error::connection("the connection failed").with_source(io());
        assert_eq!(
            unquoted.to_string(),
            "connection error: the connection failed (broken pipe)"
        );
    }
}
