//! The issue list's query string, decoded (`tag` may repeat, so not a serde struct).

use protocol::IssueQuery;

pub fn parse(query: &str) -> Result<IssueQuery, String> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    IssueQuery::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

#[cfg(test)]
mod tests {
    #[test]
    fn decodes_plus_and_percent_and_repeats_tags() {
        let q = super::parse("search=card+declined&tag=restaurant_id%3Ar-1&tag=order_type:pickup")
            .unwrap();
        assert_eq!(q.search.as_deref(), Some("card declined"));
        assert_eq!(q.tags.len(), 2);
        assert_eq!(q.tags[0], ("restaurant_id".into(), "r-1".into()));
    }
}
