//! Projects, inbound filters and ingest outcomes.

use crate::support::*;
use store::{InboundFilters, IngestBatch, Outcome};

contract! {
    async fn a_project_is_created_once_and_keeps_its_first_name_and_key(s) {
        s.ping().await.unwrap();
        let p = s.ensure_project("once", "Once", "key-once").await.unwrap();
        assert_eq!(
            (p.slug.as_str(), p.name.as_str(), p.public_key.as_str()),
            ("once", "Once", "key-once")
        );
        let again = s.ensure_project("once", "Renamed", "key-other").await.unwrap();
        assert_eq!(again, p, "the first name and key stay");
        let listed = s.projects().await.unwrap();
        assert_eq!(listed.iter().filter(|x| x.slug == "once").count(), 1);
    }

    async fn filters_default_until_saved_and_travel_with_the_project(s) {
        let p = s.ensure_project("filters", "F", "key-filters").await.unwrap();
        assert_eq!(p.filters, InboundFilters::default());
        assert_eq!(s.filters(p.id).await.unwrap(), InboundFilters::default());
        let mine = InboundFilters {
            messages: vec!["Script error.".into()],
            browser_extensions: false,
            environments: vec!["development".into()],
        };
        s.set_filters(p.id, &mine, 1).await.unwrap();
        assert_eq!(s.filters(p.id).await.unwrap(), mine);
        let listed = s.projects().await.unwrap();
        assert_eq!(listed.iter().find(|x| x.id == p.id).unwrap().filters, mine);
        let empty = InboundFilters {
            messages: vec![],
            browser_extensions: true,
            environments: vec![],
        };
        s.set_filters(p.id, &empty, 2).await.unwrap();
        assert_eq!(s.filters(p.id).await.unwrap(), empty, "saved empty is not the default");
    }

    async fn outcomes_add_up_per_source_and_reason_since_a_time(s) {
        let p = s.ensure_project("outcomes", "O", "key-outcomes").await.unwrap();
        let o = |source, reason: &str, quantity, at| Outcome {
            project_id: p.id,
            at_ms: at,
            source,
            reason: reason.into(),
            category: "error".into(),
            quantity,
        };
        write(
            s,
            IngestBatch {
                outcomes: vec![
                    o("filtered", "message", 2, 10 * HOUR),
                    o("filtered", "message", 3, 10 * HOUR + 5),
                    o("client", "queue_overflow", 7, 11 * HOUR),
                    o("filtered", "environment", 1, HOUR),
                ],
                ..IngestBatch::default()
            },
        )
        .await;
        let got = s.outcomes(p.id, 10 * HOUR).await.unwrap();
        let summary: Vec<(&str, &str, u64)> = got
            .iter()
            .map(|c| (c.source.as_str(), c.reason.as_str(), c.quantity))
            .collect();
        assert_eq!(summary, [("client", "queue_overflow", 7), ("filtered", "message", 5)]);
    }
}
