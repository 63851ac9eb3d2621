//! Restaurants' opening hours: from `[[restaurants]]` in the config and from the
//! dashboard (which override the config's), for rules that judge a restaurant only while
//! it is open. Saving or removing hours is audited.

use crate::{
    alerts::schedule::{OpeningHours, Weekly},
    audit,
    config::RestaurantConfig,
    services::Services,
};
use app::api::CurrentUser;
use std::collections::BTreeMap;
use store::clock::now_ms;

/// Longest restaurant id kept.
const MAX_ID: usize = 128;

/// Checks a `[[restaurants]]` entry; `Err` names the field.
pub fn from_config(r: &RestaurantConfig) -> Result<OpeningHours, String> {
    let hours = OpeningHours {
        hours: Weekly::parse(&r.hours).map_err(|e| format!("hours: {e}"))?,
        timezone: r.timezone.clone(),
    };
    hours.check().map_err(|e| format!("timezone: {e}"))?;
    Ok(hours)
}

/// Every restaurant's opening hours: the config's, then the dashboard's over them.
pub async fn opening_hours(services: &Services) -> anyhow::Result<BTreeMap<String, OpeningHours>> {
    let mut out: BTreeMap<String, OpeningHours> = services
        .config
        .restaurants
        .iter()
        .filter_map(|r| from_config(r).ok().map(|h| (r.id.clone(), h)))
        .collect();
    for (id, json, _) in services.storage.restaurant_hours().await? {
        match serde_json::from_str::<OpeningHours>(&json) {
            Ok(h) => {
                out.insert(id, h);
            }
            Err(e) => {
                tracing::warn!(restaurant = %id, error = %e, "stored opening hours unreadable; skipped")
            }
        }
    }
    Ok(out)
}

/// Saves a restaurant's opening hours from the dashboard; `Err` names the field.
pub async fn save(
    services: &Services,
    user: &CurrentUser,
    id: &str,
    hours: &str,
    timezone: Option<&str>,
) -> Result<OpeningHours, String> {
    let id = id.trim();
    if id.is_empty() || id.len() > MAX_ID || id.chars().any(char::is_control) {
        return Err(format!("restaurant: 1 to {MAX_ID} characters"));
    }
    let h = from_config(&RestaurantConfig {
        id: id.into(),
        hours: hours.into(),
        timezone: timezone
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(Into::into),
    })?;
    let json = serde_json::to_string(&h).map_err(|e| e.to_string())?;
    services
        .storage
        .save_restaurant_hours(id, &json, &user.username, now_ms())
        .await
        .map_err(|e| format!("{e:#}"))?;
    audit::record(
        services,
        user,
        "restaurant.hours.save",
        Some(id),
        None,
        Some(&h),
    )
    .await;
    Ok(h)
}

/// Removes a restaurant's dashboard hours (its config hours, if any, apply again).
pub async fn delete(services: &Services, user: &CurrentUser, id: &str) -> anyhow::Result<bool> {
    let done = services.storage.delete_restaurant_hours(id).await?;
    if done {
        audit::record(
            services,
            user,
            "restaurant.hours.delete",
            Some(id),
            None,
            None,
        )
        .await;
    }
    Ok(done)
}
