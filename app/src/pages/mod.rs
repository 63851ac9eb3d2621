//! Server-rendered pages. Nothing here runs in the browser except the islands they embed.

mod alerts;
mod audit;
mod business;
mod health;
mod issue;
mod issues;
mod layout;
mod login;
mod logs;
mod not_found;
mod overview;
mod performance;
mod server;
mod settings;
mod widgets;

pub use alerts::{AlertsPage, RuleEditPage};
pub use audit::AuditPage;
pub use business::BusinessPage;
pub use health::HealthPage;
pub use issue::IssuePage;
pub use issues::IssuesPage;
pub use login::LoginPage;
pub use logs::LogsPage;
pub use not_found::NotFound;
pub use overview::OverviewPage;
pub use performance::PerformancePage;
pub use server::ServerPage;
pub use settings::SettingsPage;
