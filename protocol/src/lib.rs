//! Wire types shared by the server, the read API (`/api/v1`) and the dashboard islands.
//! Everything here is plain data: serializable, comparable, no behaviour beyond small
//! helpers. It depends on serde alone, so storage and the browser can both use it
//! without pulling in the other's world.

mod alerts;
mod business;
mod errors;
mod format;
mod health;
mod logs;
mod overview;
mod perf;
mod range;
mod security;
mod server;
mod settings;
mod stats;

pub use alerts::*;
pub use business::*;
pub use errors::*;
pub use format::*;
pub use health::*;
pub use logs::*;
pub use overview::*;
pub use perf::*;
pub use range::*;
pub use security::*;
pub use server::*;
pub use settings::*;
pub use stats::*;
