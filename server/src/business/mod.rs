//! Business KPIs from the counted events ([`kpi`]), exactly as documented in the README:
//! plain functions over [`BusinessCount`] rows, so they are tested without a database.

pub mod kpi;
