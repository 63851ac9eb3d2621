//! Error issues (issue 3, in progress): events grouped by fingerprint.

pub mod grouping;
