//! Server-side rendering of charts (plotters, SVG backend).

pub mod chart;
