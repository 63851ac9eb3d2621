//! Server-rendered pages. Nothing here runs in the browser except the islands they embed.

mod layout;
mod login;
mod not_found;
mod overview;
mod settings;

pub use login::LoginPage;
pub use not_found::NotFound;
pub use overview::OverviewPage;
pub use settings::SettingsPage;
