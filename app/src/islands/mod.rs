//! Islands: the only components compiled into the browser bundle. Each takes
//! serializable props rendered by the server and talks to the read API with gloo-net.

mod fetch;
mod log_tail;
mod overview_live;
mod token_creator;

pub use log_tail::LogTail;
pub use overview_live::{LiveOverview, OverviewLive};
pub use token_creator::TokenCreator;
