//! Alerting: the rule model and its file ([`rule`]), the rules in force with the
//! dashboard's edits ([`ruleset`]), the metric catalogue ([`catalogue`]), each metric's
//! value over a window ([`values`]), the per-instance state machine ([`lifecycle`]),
//! schedules ([`schedule`]), the noise report ([`noise`]),
//! silences ([`silence`]), the [`engine`] that evaluates rules on an interval and stores
//! every transition with its notifications, what people do ([`actions`]) and what the
//! dashboard shows ([`view`]). Delivery is `crate::notify`.

pub mod actions;
pub mod catalogue;
pub mod engine;
pub mod lifecycle;
pub mod noise;
pub mod rule;
pub mod ruleset;
pub mod schedule;
pub mod silence;
pub mod values;
pub mod view;
