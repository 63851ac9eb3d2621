//! Authentication: argon2 passwords ([`password`]), random tokens stored only as hashes
//! ([`token`]), the session cookie ([`cookie`]), first-run setup ([`bootstrap`]) and the
//! layer that guards every route not explicitly public ([`guard`]).

pub mod bootstrap;
pub mod cookie;

pub mod password;
pub mod throttle;
pub mod token;
