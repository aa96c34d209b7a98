//! Procedural macros for Toasty.
