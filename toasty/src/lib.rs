//! Toasty.
