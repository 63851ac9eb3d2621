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
    by_key: HashMap<String, Arc<Project>>,
    /// The first project (lowest id): every install has it after its first run.
    default: Option<Arc<Project>>,
}

impl Projects {
    pub fn replace(&self, projects: Vec<Project>) {
        let mut all: Vec<Arc<Project>> = projects.into_iter().map(Arc::new).collect();
        all.sort_by_key(|p| p.id);
        let known = Known {
            default: all.first().cloned(),
            by_key: all.into_iter().map(|p| (p.public_key.clone(), p)).collect(),
        };
        *self.0.write().expect("projects lock") = known;
    }

    pub fn by_key(&self, key: &str) -> Option<Arc<Project>> {
        self.0
            .read()
            .expect("projects lock")
            .by_key
            .get(key)
            .cloned()
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
            filters: Default::default(),
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
            filters: Default::default(),
        };
        let projects = Projects::default();
        assert!(projects.default_project().is_err());
        projects.replace(vec![p(2, "b"), p(1, "a")]);
        assert_eq!(projects.default_project().unwrap().id, 1);
        assert_eq!(projects.by_key("b").unwrap().id, 2);
        assert!(projects.by_key("c").is_none());
    }
}
