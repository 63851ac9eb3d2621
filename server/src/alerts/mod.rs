//! Alerting (issue 5, in progress): the rule model and its file ([`rule`]), the metric
//! catalogue ([`catalogue`]), and the per-instance state machine ([`state`]). The engine
//! that evaluates rules on an interval, the outbox and the notifiers come next; these
//! parts are plain types and functions so each is tested on its own.

pub mod catalogue;
pub mod rule;
pub mod state;
