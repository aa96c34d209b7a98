//! SQL serialization.
