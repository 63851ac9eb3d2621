//! Alerting (issue 5, in progress): the rule model and its file ([`rule`]), the metric
//! catalogue ([`catalogue`]), each metric's value over a window ([`values`]), the
//! per-instance state machine ([`state`]) and the [`engine`] that evaluates rules on an
//! interval and stores every transition. The outbox and the notifiers come next.

pub mod catalogue;
pub mod engine;
pub mod rule;
pub mod state;
pub mod values;
