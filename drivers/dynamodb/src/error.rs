//! DynamoDB and SDK errors to Toasty's [`ErrorKind`](toasty_core::ErrorKind)s.
//!
//! | what failed | kind |
//! |---|---|
//! | the endpoint cannot be reached, a request timed out, a malformed response, a 5xx | `Connection` |
//! | the credentials were refused (`UnrecognizedClientException`, `InvalidSignatureException`, `AccessDeniedException`, `ExpiredTokenException`, ...) | `Connection` |
//! | no credentials or no region could be resolved, a bad endpoint URL | `Config` |
//! | a table that does not exist (`ResourceNotFoundException`) or already exists (`ResourceInUseException`) | `Driver` |
//! | a failed condition (`ConditionalCheckFailedException`) | decided by the operation (`UniqueViolation` for a put or claim, `SerializationFailure` for an update or delete) |
//! | `TransactionCanceledException` | per item, see [`crate::write`] |
//! | `TransactionConflictException` | `SerializationFailure` |
//! | throttling after the SDK's retries | `Driver` |
//! | an item above 400 KB | `ValueOutOfRange` |
//! | any other `ValidationException` or service error | `Driver` |

use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use std::fmt::Debug;
use toasty_core::Error;

/// What went wrong with one request, before it becomes a Toasty error.
#[derive(Debug)]
pub(crate) enum Failure {
    /// DynamoDB answered with an error code.
    Service {
        /// The error code (`ConditionalCheckFailedException`, ...).
        code: String,
        /// DynamoDB's message.
        message: String,
    },
    /// The request did not get an answer (unreachable, timed out, broken response).
    Transport(String),
    /// The request could not be made (credentials, region, endpoint).
    Setup(String),
}

impl Failure {
    /// Classifies an SDK error.
    pub(crate) fn from_sdk<E, R>(err: &SdkError<E, R>) -> Failure
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: Debug,
    {
        let full = DisplayErrorContext(err).to_string();
        match err {
            SdkError::ServiceError(ctx) => Failure::Service {
                code: ctx.err().code().unwrap_or("Unknown").to_string(),
                message: ctx.err().message().unwrap_or_default().to_string(),
            },
            SdkError::ConstructionFailure(_) => Failure::Setup(full),
            SdkError::DispatchFailure(d) if !d.is_io() && !d.is_timeout() && !d.is_user() => {
                // Identity resolution (credentials) fails before anything is sent.
                if full.contains("credentials") || full.contains("identity") {
                    Failure::Setup(full)
                } else {
                    Failure::Transport(full)
                }
            }
            _ => Failure::Transport(full),
        }
    }

    /// The service error code, if DynamoDB answered.
    pub(crate) fn code(&self) -> Option<&str> {
        match self {
            Failure::Service { code, .. } => Some(code.as_str()),
            _ => None,
        }
    }

    /// The Toasty error for this failure of `what` (e.g. "get by key on `users`"),
    /// against the endpoint described by `target`.
    pub(crate) fn into_error(self, what: &str, target: &str) -> Error {
        match self {
            Failure::Transport(msg) => Error::connection(format!(
                "{what}: could not get an answer from DynamoDB at {target}: {msg}; check \
                 that the endpoint is reachable (AWS_ENDPOINT_URL_DYNAMODB for an emulator)"
            )),
            Failure::Setup(msg) => Error::config(format!(
                "{what}: the request to DynamoDB at {target} could not be made: {msg}; set \
                 credentials and a region the standard AWS way (AWS_ACCESS_KEY_ID and \
                 AWS_SECRET_ACCESS_KEY, AWS_PROFILE, AWS_REGION, ...)"
            )),
            Failure::Service { code, message } => service_error(&code, &message, what, target),
        }
    }
}

/// The Toasty error for a DynamoDB error code.
pub(crate) fn service_error(code: &str, message: &str, what: &str, target: &str) -> Error {
    match code {
        "ResourceNotFoundException" => Error::driver(format!(
            "{what}: DynamoDB at {target} says a table does not exist ({message}); create \
             the tables first (db.push_schema()), and check the region and endpoint"
        )),
        "ResourceInUseException" => Error::driver(format!(
            "{what}: DynamoDB at {target} says the table is in use: {message} (a table of \
             that name already exists, or is being created or deleted)"
        )),
        "UnrecognizedClientException"
        | "InvalidSignatureException"
        | "AccessDeniedException"
        | "ExpiredTokenException"
        | "MissingAuthenticationTokenException"
        | "IncompleteSignatureException"
        | "InvalidClientTokenId"
        | "SignatureDoesNotMatch" => Error::connection(format!(
            "{what}: DynamoDB at {target} refused the credentials ({code}: {message}); check \
             AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_PROFILE, and the IAM \
             permissions on the table"
        )),
        "TransactionConflictException" => Error::serialization_failure(format!(
            "{what}: a concurrent DynamoDB transaction writes the same item ({message}); \
             retry"
        )),
        "ProvisionedThroughputExceededException"
        | "ThrottlingException"
        | "RequestLimitExceeded"
        | "LimitExceededException" => Error::driver(format!(
            "{what}: DynamoDB at {target} throttled the request even after the SDK's \
             retries ({code}: {message}); retry later or raise the table's capacity"
        )),
        "InternalServerError" | "ServiceUnavailable" | "InternalFailure" => Error::connection(
            format!("{what}: DynamoDB at {target} failed internally ({code}: {message}); retry"),
        ),
        "ValidationException" if is_size_message(message) => Error::out_of_range(format!(
            "{what}: DynamoDB refused the size of the data ({message}); an item holds at \
             most 400 KB"
        )),
        _ => Error::driver(format!(
            "{what}: DynamoDB at {target} answered {code}: {message}"
        )),
    }
}

fn is_size_message(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("item size") || m.contains("size has exceeded") || m.contains("too large")
}

#[cfg(test)]
mod tests {
    use super::*;
    use toasty_core::ErrorKind;

    fn kind(code: &str, message: &str) -> ErrorKind {
        service_error(code, message, "op", "http://x").kind()
    }

    #[test]
    fn codes_map_to_kinds() {
        for code in [
            "UnrecognizedClientException",
            "InvalidSignatureException",
            "AccessDeniedException",
            "ExpiredTokenException",
        ] {
            assert_eq!(kind(code, "no"), ErrorKind::Connection, "{code}");
        }
        assert_eq!(kind("InternalServerError", ""), ErrorKind::Connection);
        assert_eq!(
            kind("TransactionConflictException", ""),
            ErrorKind::SerializationFailure
        );
        assert_eq!(kind("ResourceNotFoundException", ""), ErrorKind::Driver);
        assert_eq!(kind("ThrottlingException", ""), ErrorKind::Driver);
        assert_eq!(
            kind(
                "ValidationException",
                "Item size has exceeded the maximum allowed size"
            ),
            ErrorKind::ValueOutOfRange
        );
        assert_eq!(kind("ValidationException", "bad"), ErrorKind::Driver);
        let e = service_error("ResourceNotFoundException", "gone", "get", "http://x");
        assert!(e.message().contains("push_schema"), "{e}");
    }

    #[test]
    fn transport_and_setup_failures() {
        let e = Failure::Transport("connection refused".into()).into_error("get", "http://x");
        assert_eq!(e.kind(), ErrorKind::Connection);
        assert!(e.message().contains("http://x"), "{e}");
        let e = Failure::Setup("no credentials".into()).into_error("get", "http://x");
        assert_eq!(e.kind(), ErrorKind::Config);
    }
}
