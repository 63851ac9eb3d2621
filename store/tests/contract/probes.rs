//! Probe attempts and dashboard probe definitions.

use crate::support::*;
use store::ProbeResult;

contract! {
    async fn probe_attempts_read_by_time_latest_and_uptime(s) {
        let menu = [
            probe("probe-menu", 1_000, true, true),
            probe("probe-menu", 2_000, false, true),
            probe("probe-menu", 3_000, false, false),
            probe("probe-menu", 4_000, true, true),
        ];
        let kds = [probe("probe-kds", 1_500, true, true), probe("probe-kds", 2_500, false, true)];
        for r in menu.iter().chain(&kds) {
            s.record_probe(r).await.unwrap();
        }
        assert_eq!(s.probe_results("probe-menu", 2_000, 4_000).await.unwrap(), menu[1..3], "oldest first, to exclusive");
        let latest: Vec<ProbeResult> = s.latest_probe_results().await.unwrap();
        assert_eq!(latest, [kds[1].clone(), menu[3].clone()], "by probe name");
        assert_eq!(s.probe_uptime("probe-menu", 0).await.unwrap(), (4, 3));
        assert_eq!(s.probe_uptime("probe-menu", 2_500).await.unwrap(), (2, 1));
        assert_eq!(s.probe_uptime("probe-none", 0).await.unwrap(), (0, 0));
    }

    async fn dashboard_probes_are_saved_replaced_and_deleted_by_name(s) {
        s.save_probe("probe-menu", "{\"v\":1}", "ana", 1).await.unwrap();
        s.save_probe("probe-kds", "{\"v\":1}", "ana", 2).await.unwrap();
        s.save_probe("probe-menu", "{\"v\":2}", "bo", 3).await.unwrap();
        let def = |name: &str, json: &str, by: &str| (name.to_string(), json.to_string(), by.to_string());
        assert_eq!(
            s.probe_definitions().await.unwrap(),
            [def("probe-kds", "{\"v\":1}", "ana"), def("probe-menu", "{\"v\":2}", "bo")],
            "saving again replaces; by name"
        );
        assert!(s.delete_probe("probe-menu").await.unwrap());
        assert!(!s.delete_probe("probe-menu").await.unwrap());
        assert_eq!(s.probe_definitions().await.unwrap(), [def("probe-kds", "{\"v\":1}", "ana")]);
    }
}
