//! One alert instance (a rule, or a rule and a restaurant when split) as a state machine:
//! inactive → pending (the condition holds, but not yet for `for`) → firing → resolved.
//! Cooldown is the shortest time between two notifications of one alert; a firing alert
//! is told again every `repeat_interval`; flap protection keeps a firing alert open until
//! the condition has been clear for `resolve_after`. Missing data changes nothing: no data
//! is neither a breach nor a recovery. Pure: the engine calls [`step`] and stores what
//! comes out (the history) and sends what is marked to notify (through the outbox).

use super::rule::Rule;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum State {
    Inactive {
        /// When the last firing notification went out (cooldown spans a resolve).
        last_notified_ms: Option<i64>,
    },
    Pending {
        since_ms: i64,
        last_notified_ms: Option<i64>,
    },
    Firing {
        since_ms: i64,
        last_notified_ms: Option<i64>,
        /// Since when the condition has been clear (waiting out `resolve_after`).
        clear_since_ms: Option<i64>,
        /// Whether people were told it fired (a re-fire inside the cooldown is not, and
        /// then neither is its resolve).
        announced: bool,
        /// Whether it went to the escalation channels (critical, unacknowledged).
        #[serde(default)]
        escalated: bool,
    },
}

impl Default for State {
    fn default() -> Self {
        State::Inactive {
            last_notified_ms: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// The condition started to hold; waiting for `for`.
    Pending,
    /// It held long enough (or there is no `for`): the alert fires.
    Fired,
    /// Still firing after `repeat_interval`: a reminder.
    Reminded,
    /// It cleared before `for` passed: never fired.
    Cancelled,
    /// It has been clear long enough: resolved.
    Resolved,
    /// Critical, firing and unacknowledged for too long: sent to the escalation channels.
    Escalated,
}

/// What the people side says about an instance at evaluation time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ctx {
    /// A silence matches it: transitions are recorded, nobody is told.
    pub muted: bool,
    /// Someone acknowledged the current firing: no reminders, no escalation.
    pub acked: bool,
}

/// A transition worth recording in the history; `notify` says whether people hear of it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Transition {
    pub change: Change,
    pub value: f64,
    pub at_ms: i64,
    pub notify: bool,
    /// A silence held back what would have been a notification.
    pub silenced: bool,
}

fn ms(d: Option<std::time::Duration>) -> i64 {
    d.map_or(0, |d| d.as_millis() as i64)
}

/// Advances `state` by one evaluation at `now_ms` with the observed `value` (`None`: no
/// data). Returns the new state and the transition, if any.
pub fn step(
    rule: &Rule,
    state: State,
    value: Option<f64>,
    now_ms: i64,
    ctx: Ctx,
) -> (State, Option<Transition>) {
    let Some(value) = value else {
        return (state, None);
    };
    let holds = rule.comparison.holds(value, rule.threshold);
    let cooldown = rule.cooldown.as_millis() as i64;
    let repeat = (rule.repeat_interval.as_millis() as i64).max(cooldown);
    let cooled = |last: Option<i64>| last.is_none_or(|t| now_ms - t >= cooldown);
    // Issue alerts are events: people hear that an issue appeared, not that it aged out.
    let tell_resolve = !matches!(
        super::catalogue::info(&rule.metric).map(|i| i.source),
        Some(super::catalogue::Source::Issue(_))
    );
    // `due`: people would hear of it; a silence turns that into "silenced".
    let t = |change, due: bool| {
        Some(Transition {
            change,
            value,
            at_ms: now_ms,
            notify: due && !ctx.muted,
            silenced: due && ctx.muted,
        })
    };
    let fire = |last: Option<i64>| {
        let notify = cooled(last) && !ctx.muted;
        let state = State::Firing {
            since_ms: now_ms,
            last_notified_ms: if notify { Some(now_ms) } else { last },
            clear_since_ms: None,
            announced: notify,
            escalated: false,
        };
        (state, t(Change::Fired, cooled(last)))
    };
    match (state, holds) {
        (State::Inactive { last_notified_ms }, true) if ms(rule.hold_for) == 0 => {
            fire(last_notified_ms)
        }
        (State::Inactive { last_notified_ms }, true) => (
            State::Pending {
                since_ms: now_ms,
                last_notified_ms,
            },
            t(Change::Pending, false),
        ),
        (s @ State::Inactive { .. }, false) => (s, None),
        (
            State::Pending {
                since_ms,
                last_notified_ms,
            },
            true,
        ) => {
            if now_ms - since_ms >= ms(rule.hold_for) {
                fire(last_notified_ms)
            } else {
                (state, None)
            }
        }
        (
            State::Pending {
                last_notified_ms, ..
            },
            false,
        ) => (
            State::Inactive { last_notified_ms },
            t(Change::Cancelled, false),
        ),
        (
            State::Firing {
                since_ms,
                last_notified_ms,
                announced,
                escalated,
                ..
            },
            true,
        ) => {
            // A reminder every `repeat_interval`, unless someone is on it (acknowledged)
            // or it is silenced; one never told (it fired silenced, or inside the
            // cooldown) is told once the silence or cooldown is over.
            let due = if announced {
                last_notified_ms.is_none_or(|t| now_ms - t >= repeat)
            } else {
                cooled(last_notified_ms)
            };
            if due && !ctx.acked && !ctx.muted {
                let s = State::Firing {
                    since_ms,
                    last_notified_ms: Some(now_ms),
                    clear_since_ms: None,
                    announced: true,
                    escalated,
                };
                (s, t(Change::Reminded, true))
            } else {
                let s = State::Firing {
                    since_ms,
                    last_notified_ms,
                    clear_since_ms: None,
                    announced,
                    escalated,
                };
                (s, None)
            }
        }
        (
            State::Firing {
                since_ms,
                last_notified_ms,
                clear_since_ms,
                announced,
                escalated,
            },
            false,
        ) => {
            let clear_since = clear_since_ms.unwrap_or(now_ms);
            if now_ms - clear_since >= ms(rule.resolve_after) {
                (
                    State::Inactive { last_notified_ms },
                    t(Change::Resolved, announced && tell_resolve),
                )
            } else {
                let s = State::Firing {
                    since_ms,
                    last_notified_ms,
                    clear_since_ms: Some(clear_since),
                    announced,
                    escalated,
                };
                (s, None)
            }
        }
    }
}

/// Escalates a critical alert that has been firing, unacknowledged and unsilenced, for
/// `after_ms` (counted from when it started firing). At most once per firing.
pub fn escalate(
    rule: &Rule,
    state: State,
    value: f64,
    now_ms: i64,
    after_ms: i64,
    ctx: Ctx,
) -> (State, Option<Transition>) {
    match state {
        State::Firing {
            since_ms,
            last_notified_ms,
            clear_since_ms,
            announced,
            escalated: false,
        } if rule.severity == super::rule::Severity::Critical
            && !ctx.acked
            && !ctx.muted
            && clear_since_ms.is_none()
            && now_ms - since_ms >= after_ms =>
        {
            let s = State::Firing {
                since_ms,
                last_notified_ms,
                clear_since_ms,
                announced,
                escalated: true,
            };
            (
                s,
                Some(Transition {
                    change: Change::Escalated,
                    value,
                    at_ms: now_ms,
                    notify: true,
                    silenced: false,
                }),
            )
        }
        s => (s, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::rule::{parse, DEFAULT_RULES};
    use std::time::Duration;

    const MIN: i64 = 60_000;

    fn rule(name: &str) -> Rule {
        parse(DEFAULT_RULES, "alerts.toml")
            .unwrap()
            .into_iter()
            .find(|r| r.name == name)
            .unwrap()
    }

    /// Runs values at one-minute steps; returns the changes that happened, with whether
    /// each notifies.
    fn run(rule: &Rule, values: &[Option<f64>]) -> Vec<(i64, Change, bool)> {
        let mut s = State::default();
        let mut out = vec![];
        for (i, v) in values.iter().enumerate() {
            let (next, t) = step(rule, s, *v, i as i64 * MIN, Ctx::default());
            s = next;
            out.extend(t.map(|t| (i as i64, t.change, t.notify)));
        }
        out
    }

    #[test]
    fn fires_once_reminds_after_the_repeat_interval_and_resolves_once() {
        // high_error_rate: > 0.05, cooldown 10 min, no `for`.
        let mut r = rule("high_error_rate");
        r.repeat_interval = Duration::from_secs(30 * 60);
        let mut values = vec![Some(0.01), Some(0.2)];
        values.extend([Some(0.3); 31]);
        values.push(Some(0.0));
        assert_eq!(
            run(&r, &values),
            [
                (1, Change::Fired, true),
                (31, Change::Reminded, true),
                (33, Change::Resolved, true)
            ]
        );
    }

    #[test]
    fn the_cooldown_alone_sends_no_reminder_within_the_default_four_hours() {
        let r = rule("high_error_rate");
        assert_eq!(r.repeat_interval, crate::alerts::rule::REPEAT_INTERVAL);
        let values = vec![Some(0.3); 240];
        assert_eq!(run(&r, &values), [(0, Change::Fired, true)]);
        let mut longer = vec![Some(0.3); 241];
        longer.push(Some(0.3));
        assert_eq!(
            run(&r, &longer),
            [(0, Change::Fired, true), (240, Change::Reminded, true)]
        );
    }

    #[test]
    fn an_issue_alert_says_it_fired_but_not_that_it_aged_out() {
        let mut r = rule("high_error_rate");
        r.metric = "issue.new".into();
        r.comparison = crate::alerts::rule::Comparison::AtLeast;
        r.threshold = 1.0;
        assert_eq!(
            run(&r, &[Some(1.0), Some(0.0)]),
            [(0, Change::Fired, true), (1, Change::Resolved, false)]
        );
    }

    #[test]
    fn for_keeps_it_pending_and_a_short_blip_never_fires() {
        let mut r = rule("high_cpu_usage");
        r.hold_for = Some(Duration::from_secs(180));
        let blip = run(&r, &[Some(0.9), Some(0.9), Some(0.1)]);
        assert_eq!(
            blip,
            [(0, Change::Pending, false), (2, Change::Cancelled, false)]
        );
        let sustained = run(&r, &[Some(0.9), Some(0.9), Some(0.9), Some(0.9)]);
        assert_eq!(
            sustained,
            [(0, Change::Pending, false), (3, Change::Fired, true)]
        );
    }

    #[test]
    fn flapping_stays_one_alert_until_clear_for_resolve_after() {
        let mut r = rule("high_error_rate");
        r.resolve_after = Some(Duration::from_secs(120));
        let v = [
            Some(0.2),
            Some(0.0),
            Some(0.2),
            Some(0.0),
            Some(0.0),
            Some(0.0),
        ];
        assert_eq!(
            run(&r, &v),
            [(0, Change::Fired, true), (5, Change::Resolved, true)]
        );
    }

    #[test]
    fn missing_data_neither_fires_nor_resolves() {
        let r = rule("database_down");
        let v = [None, Some(1.0), None, Some(0.0), None, None, Some(1.0)];
        assert_eq!(
            run(&r, &v),
            [(3, Change::Fired, true), (6, Change::Resolved, true)]
        );
    }

    #[test]
    fn a_refire_inside_the_cooldown_is_recorded_but_not_sent_again() {
        // payment_failures: cooldown 5 min.
        let r = rule("payment_failures");
        let v = [
            Some(0.5),
            Some(0.0),
            Some(0.5),
            Some(0.0),
            Some(0.0),
            Some(0.0),
            Some(0.5),
        ];
        assert_eq!(
            run(&r, &v),
            [
                (0, Change::Fired, true),
                (1, Change::Resolved, true),
                (2, Change::Fired, false),
                (3, Change::Resolved, false),
                (6, Change::Fired, true),
            ]
        );
    }

    #[test]
    fn a_silence_records_but_does_not_tell_and_the_end_of_it_tells_at_once() {
        let r = rule("high_error_rate");
        let muted = Ctx {
            muted: true,
            acked: false,
        };
        let (s, t) = step(&r, State::default(), Some(0.5), 0, muted);
        let t = t.unwrap();
        assert_eq!(
            (t.change, t.notify, t.silenced),
            (Change::Fired, false, true)
        );
        let (s, t) = step(&r, s, Some(0.5), MIN, muted);
        assert_eq!(t, None, "no reminder while silenced");
        let (_, t) = step(&r, s, Some(0.5), 2 * MIN, Ctx::default());
        let t = t.unwrap();
        assert_eq!((t.change, t.notify), (Change::Reminded, true));
    }

    #[test]
    fn an_acknowledged_alert_neither_reminds_nor_escalates() {
        let r = rule("high_error_rate");
        let acked = Ctx {
            muted: false,
            acked: true,
        };
        let (s, _) = step(&r, State::default(), Some(0.5), 0, Ctx::default());
        let (s2, t) = step(&r, s, Some(0.5), 20 * MIN, acked);
        assert_eq!(t, None, "cooldown passed, but someone is on it");
        let (_, t) = step(&r, s, Some(0.5), 5 * 60 * MIN, acked);
        assert_eq!(t, None, "nor after the repeat interval");
        assert_eq!(escalate(&r, s2, 0.5, 20 * MIN, 10 * MIN, acked).1, None);

        let (not_yet, t) = escalate(&r, s, 0.5, 9 * MIN, 10 * MIN, Ctx::default());
        assert_eq!(t, None);
        let (escalated, t) = escalate(&r, not_yet, 0.5, 10 * MIN, 10 * MIN, Ctx::default());
        assert_eq!(t.unwrap().change, Change::Escalated);
        assert_eq!(
            escalate(&r, escalated, 0.5, 30 * MIN, 10 * MIN, Ctx::default()).1,
            None,
            "once per firing"
        );
        let warning = rule("high_cpu_usage");
        let (w, _) = step(&warning, State::default(), Some(0.99), 0, Ctx::default());
        assert_eq!(
            escalate(&warning, w, 0.99, 60 * MIN, MIN, Ctx::default()).1,
            None
        );
    }
}
