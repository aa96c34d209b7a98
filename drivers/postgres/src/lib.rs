//! The postgres driver for Toasty.
