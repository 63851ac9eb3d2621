//! Restaurants' opening hours saved from the dashboard.

contract! {
    async fn opening_hours_are_saved_replaced_and_deleted_per_restaurant(s) {
        s.save_restaurant_hours("r-1", "{\"v\":1}", "ana", 1).await.unwrap();
        s.save_restaurant_hours("r-2", "{\"v\":1}", "ana", 2).await.unwrap();
        s.save_restaurant_hours("r-1", "{\"v\":2}", "bo", 3).await.unwrap();
        let row = |r: &str, json: &str, by: &str| (r.to_string(), json.to_string(), by.to_string());
        assert_eq!(
            s.restaurant_hours().await.unwrap(),
            [row("r-1", "{\"v\":2}", "bo"), row("r-2", "{\"v\":1}", "ana")]
        );
        assert!(s.delete_restaurant_hours("r-1").await.unwrap());
        assert!(!s.delete_restaurant_hours("r-1").await.unwrap());
        assert_eq!(s.restaurant_hours().await.unwrap().len(), 1);
    }
}
