//! The differential harness: random schemas, data and operation sequences, run on a
//! target backend and on the memdb oracle, with outcomes compared after normalization.
//!
//! * [`case`]: the serializable description of one case (schema + operations);
//! * [`gen`]: proptest strategies that generate cases, edge values weighted up;
//! * [`hostile`]: operations at and past every documented limit (`--hostile`);
//! * [`exec`]: runs a case on a backend and records normalized outcomes;
//! * [`kv_size`]: the key-value item size limit, as the SQL oracle expects it;
//! * [`compare`]: decides whether two outcome lists agree;
//! * [`coverage`]: what the generated cases reached (operator × type, statement ×
//!   key shape, sizes and edge values), printed after a campaign;
//! * [`diff`]: drives proptest (generation, shrinking) and reports divergences as
//!   ready-to-paste regression tests;
//! * [`metamorphic`]: checks memdb against itself (ternary logic partitioning and
//!   equivalent rewrites);
//! * [`regressions`]: replays the cases kept under `conformance/regressions/`;
//! * [`faulty`]: a deliberately wrong driver, to prove the harness can fail;
//! * [`faults`]: a driver that fails the k-th operation, and the check that no
//!   statement, transaction or batch leaves a partial write behind.

pub mod campaign;
pub mod case;
pub mod compare;
pub mod coverage;
pub mod diff;
pub mod exec;
pub mod faults;
pub mod faulty;
pub mod gen;
pub mod hostile;
pub mod kv_size;
pub mod metamorphic;
pub mod regressions;
