//! Hidden portal tabs: who may hide them, what may be hidden, and that hiding only changes
//! the tabs `/me` lists — never what the API answers.

use crate::common::on_each_database;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const OM: &str = "101@acme.example";
const D: &str = "/api/v1/domains/acme.example";

fn tab_names(me: &Value, layout: &str) -> Vec<String> {
    me["layouts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["layout"] == layout)
        .map(|l| {
            l["tabs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["tab"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn hiding_tabs_changes_the_portal_only() {
    on_each_database(|s| async move {
        let hide = json!({"hidden": [{"scope": "basic_user", "layout": "my_account", "tab": "contacts"}]});
        // Only those with the matrix's portal_tab_settings row may see or change them; for the
        // rest they are out of reach.
        for who in ["102@acme.example", "104@acme.example", "107@acme.example"] {
            let (st, _) = s.send(who, Method::PUT, &format!("{D}/portal-tabs"), Some(hide.clone())).await;
            assert_eq!(st, StatusCode::NOT_FOUND, "{who}");
            let (st, _) = s.get(who, &format!("{D}/portal-tabs")).await;
            assert_eq!(st, StatusCode::NOT_FOUND, "{who}");
        }
        let (st, _) = s.send("101@globex.example", Method::PUT, &format!("{D}/portal-tabs"), Some(hide.clone())).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "another customer's domain");
        // Bad entries name the field and store nothing.
        for (body, field) in [
            (json!({"hidden": [{"scope": "basic_user", "layout": "my_account", "tab": "home"}]}), "hidden[0].tab"),
            (json!({"hidden": [{"scope": "basic_user", "layout": "my_account", "tab": "users"}]}), "hidden[0].tab"),
            (json!({"hidden": [hide["hidden"][0].clone(), {"scope": "reseller", "layout": "global", "tab": "domains"}]}), "hidden[1].scope"),
            (json!({"hidden": [{"scope": "basic_user", "layout": "my_account", "tab": "nope"}]}), "hidden"),
        ] {
            let (st, err) = s.send(OM, Method::PUT, &format!("{D}/portal-tabs"), Some(body)).await;
            assert!(st == StatusCode::UNPROCESSABLE_ENTITY || st == StatusCode::BAD_REQUEST, "{err}");
            assert!(err["error"]["field"].as_str().unwrap_or("").starts_with(field), "{err}");
        }
        let (_, now) = s.get(OM, &format!("{D}/portal-tabs")).await;
        assert_eq!(now["hidden"], json!([]));

        let (st, saved) = s.send(OM, Method::PUT, &format!("{D}/portal-tabs"), Some(hide.clone())).await;
        assert_eq!(st, StatusCode::OK, "{saved}");
        let (_, me) = s.get("107@acme.example", "/api/v1/me").await;
        let tabs = tab_names(&me, "my_account");
        assert_eq!(tabs.len(), 6);
        assert!(!tabs.contains(&"contacts".to_owned()));
        // The API still answers: hiding grants and blocks nothing.
        let (st, _) = s.get("107@acme.example", &format!("{D}/users/~/contacts")).await;
        assert_eq!(st, StatusCode::OK);
        // Other scopes and the other domain keep their tabs.
        let (_, me) = s.get("104@acme.example", "/api/v1/me").await;
        assert_eq!(tab_names(&me, "my_account").len(), 7);
        let (_, me) = s.get("107@globex.example", "/api/v1/me").await;
        assert_eq!(tab_names(&me, "my_account").len(), 7);
        // The change is audited.
        let (_, log) = s.get(OM, "/api/v1/audit-log?action=portal_tabs.").await;
        assert!(log["items"].as_array().unwrap().iter().any(|e| e["action"] == "portal_tabs.update"));
        s
    })
    .await;
}
