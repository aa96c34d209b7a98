//! The in-memory reference driver.
