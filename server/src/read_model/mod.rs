//! Read models below the domain: what the dashboard, the read API and the alert engine
//! all read the same way (rollup maths, the projects), so none of them calls another.

pub mod projects;
pub mod rollups;
