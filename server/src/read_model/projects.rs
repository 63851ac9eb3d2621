//! The projects as ingest and the dashboard see them: kept in memory (public key →
//! project, and the default project), so authenticating an ingest request or finding the
//! default project reads no storage; reloaded when filters change on any instance.

use protocol::ProjectInfo;
use std::{
    collections::HashMap,
    sync::{Arc, RwLock},
};
use store::Project;

#[derive(Default)]
pub struct Projects(RwLock<Known>);

#[derive(Default)]
struct Known {
    /// Each project's current key, and its previous key with the time it stops working.
    by_key: HashMap<String, (Arc<Project>, Option<i64>)>,
    /// The first project (lowest id): every install has it after its first run.
    default: Option<Arc<Project>>,
}

impl Projects {
    pub fn replace(&self, projects: Vec<Project>) {
        let mut all: Vec<Arc<Project>> = projects.into_iter().map(Arc::new).collect();
        all.sort_by_key(|p| p.id);
        let mut by_key = HashMap::new();
        for p in &all {
            if let (Some(old), Some(until)) = (&p.previous_public_key, p.previous_key_expires_ms) {
                by_key.insert(old.clone(), (p.clone(), Some(until)));
            }
        }
        // A current key always wins over someone's previous one.
        for p in &all {
            by_key.insert(p.public_key.clone(), (p.clone(), None));
        }
        let known = Known {
            default: all.first().cloned(),
            by_key,
        };
        *self.0.write().expect("projects lock") = known;
    }

    /// The project whose current key is `key`, or whose previous key it is while that
    /// is still valid (after a rotation).
    pub fn by_key(&self, key: &str) -> Option<Arc<Project>> {
        self.by_key_at(key, store::clock::now_ms())
    }

    fn by_key_at(&self, key: &str, now_ms: i64) -> Option<Arc<Project>> {
        let known = self.0.read().expect("projects lock");
        match known.by_key.get(key)? {
            (p, None) => Some(p.clone()),
            (p, Some(until)) if now_ms < *until => Some(p.clone()),
            _ => None,
        }
    }

    /// The default project: what the dashboard shows and tokens send to.
    pub fn default_project(&self) -> anyhow::Result<Arc<Project>> {
        self.0
            .read()
            .expect("projects lock")
            .default
            .clone()
            .ok_or_else(|| anyhow::anyhow!("no project exists"))
    }
}

/// A project as Settings shows it: its DSN and script tag at `public_url`.
pub fn project_info(public_url: &str, p: &Project) -> ProjectInfo {
    let (scheme, host) = public_url.split_once("://").unwrap_or(("http", public_url));
    let previous = p
        .previous_public_key
        .clone()
        .zip(p.previous_key_expires_ms)
        .filter(|(_, until)| *until > store::clock::now_ms());
    ProjectInfo {
        id: p.id,
        slug: p.slug.clone(),
        name: p.name.clone(),
        public_key: p.public_key.clone(),
        dsn: format!("{scheme}://{}@{host}/{}", p.public_key, p.id),
        script_tag: format!(
            r#"<script type="module" src="{public_url}/sdk/rum.js" data-key="{}"></script>"#,
            p.public_key
        ),
        previous_public_key: previous.as_ref().map(|(k, _)| k.clone()),
        previous_key_valid_until_ms: previous.map(|(_, until)| until),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dsn_and_script_tag_name_the_key_and_host() {
        let p = Project {
            id: 1,
            slug: "restaurant-os".into(),
            name: "R".into(),
            public_key: "abc".into(),
            ..Default::default()
        };
        let info = project_info("http://127.0.0.1:3000", &p);
        assert_eq!(info.dsn, "http://abc@127.0.0.1:3000/1");
        assert_eq!(
            info.script_tag,
            r#"<script type="module" src="http://127.0.0.1:3000/sdk/rum.js" data-key="abc"></script>"#
        );
    }

    #[test]
    fn the_default_project_is_the_first_created() {
        let p = |id: i64, key: &str| Project {
            id,
            slug: key.into(),
            name: key.into(),
            public_key: key.into(),
            ..Default::default()
        };
        let projects = Projects::default();
        assert!(projects.default_project().is_err());
        projects.replace(vec![p(2, "b"), p(1, "a")]);
        assert_eq!(projects.default_project().unwrap().id, 1);
        assert_eq!(projects.by_key("b").unwrap().id, 2);
        assert!(projects.by_key("c").is_none());
    }

    #[test]
    fn a_rotated_key_works_until_its_grace_period_ends() {
        let projects = Projects::default();
        projects.replace(vec![Project {
            id: 1,
            public_key: "new".into(),
            previous_public_key: Some("old".into()),
            previous_key_expires_ms: Some(5_000),
            ..Default::default()
        }]);
        assert_eq!(projects.by_key_at("new", 9_000).unwrap().id, 1);
        assert_eq!(projects.by_key_at("old", 4_999).unwrap().id, 1);
        assert!(projects.by_key_at("old", 5_000).is_none());
    }
}
