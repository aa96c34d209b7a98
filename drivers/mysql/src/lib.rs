//! The mysql driver for Toasty.
