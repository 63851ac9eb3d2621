//! Users, sessions and API tokens.

use store::TokenScope;

contract! {
    async fn user_names_are_unique(s) {
        assert_eq!(s.user_by_name("auth-ana").await.unwrap(), None);
        let ana = s.create_user("auth-ana", "hash-a").await.unwrap();
        assert_eq!(
            (ana.username.as_str(), ana.password_hash.as_str()),
            ("auth-ana", "hash-a")
        );
        assert_eq!(s.user_by_name("auth-ana").await.unwrap(), Some(ana.clone()));
        assert!(
            s.create_user("auth-ana", "other").await.is_err(),
            "user names are unique"
        );
        let bo = s.create_user("auth-bo", "hash-b").await.unwrap();
        assert_ne!(ana.id, bo.id);
    }

    async fn sessions_live_until_their_expiry_or_sign_out(s) {
        let ana = s.create_user("auth-ana", "hash-a").await.unwrap();
        let bo = s.create_user("auth-bo", "hash-b").await.unwrap();
        s.create_session("session-ana", ana.id, 10_000).await.unwrap();
        s.create_session("session-bo", bo.id, 20_000).await.unwrap();
        let session = |token: &'static str, now: i64| async move {
            s.session_user(token, now).await.unwrap().map(|u| u.username)
        };
        assert_eq!(session("session-ana", 9_999).await.as_deref(), Some("auth-ana"));
        assert_eq!(session("session-ana", 10_000).await, None, "expired");
        assert_eq!(session("session-bo", 10_000).await.as_deref(), Some("auth-bo"));
        assert_eq!(session("no-such-session", 0).await, None);
        s.delete_session("session-bo").await.unwrap();
        assert_eq!(session("session-bo", 10_000).await, None, "signed out");
        s.delete_session("no-such-session").await.unwrap();
    }

    async fn api_token_use_is_recorded_at_most_once_a_minute(s) {
        let ana = s.create_user("auth-ana", "hash-a").await.unwrap();
        let bo = s.create_user("auth-bo", "hash-b").await.unwrap();
        let t1 = s.create_api_token(ana.id, "ci", TokenScope::Ingest, "token-hash-1", "mon_ab12").await.unwrap();
        assert_eq!(
            (t1.name.as_str(), t1.prefix.as_str(), t1.last_used_ms),
            ("ci", "mon_ab12", None)
        );
        let t2 = s.create_api_token(bo.id, "grafana", TokenScope::Read, "token-hash-2", "mon_cd34").await.unwrap();
        assert_eq!(s.api_tokens().await.unwrap(), [t1.clone(), t2.clone()], "ordered by id");
        let last_used = || async { s.api_tokens().await.unwrap()[0].last_used_ms };
        let user = |now: i64| async move {
            let u = s.api_token_user("token-hash-1", now).await.unwrap();
            u.map(|(u, scope)| {
                assert_eq!(scope, TokenScope::Ingest, "the token keeps its scope");
                u.username
            })
        };
        assert_eq!(user(100_000).await.as_deref(), Some("auth-ana"));
        assert_eq!(last_used().await, Some(100_000));
        user(160_000).await;
        assert_eq!(last_used().await, Some(100_000), "not again within a minute");
        user(160_001).await;
        assert_eq!(last_used().await, Some(160_001));
        assert_eq!(s.api_token_user("no-such-token", 0).await.unwrap(), None);
    }

    async fn a_revoked_token_opens_nothing_and_is_not_listed(s) {
        let ana = s.create_user("auth-ana", "hash-a").await.unwrap();
        let t1 = s.create_api_token(ana.id, "ci", TokenScope::Ingest, "token-hash-1", "mon_ab12").await.unwrap();
        let t2 = s.create_api_token(ana.id, "grafana", TokenScope::Read, "token-hash-2", "mon_cd34").await.unwrap();
        assert!(s.revoke_api_token(t1.id).await.unwrap());
        assert!(!s.revoke_api_token(t1.id).await.unwrap(), "already revoked");
        assert!(!s.revoke_api_token(-1).await.unwrap());
        assert_eq!(
            s.api_token_user("token-hash-1", 300_000).await.unwrap(),
            None,
            "a revoked token opens nothing"
        );
        assert_eq!(s.api_tokens().await.unwrap(), [t2], "revoked tokens are not listed");
    }
}
