//! Every tab of every layout of every demo login renders: the portal reads each page's API
//! answers into the API's own types, so a page whose answer no longer decodes fails here, not
//! in front of a person. On each database.

mod visitor;

use reqwest::StatusCode;
use switchboard_api::{AppState, Config};
use switchboard_policy::{Layout, layouts_for};
use switchboard_store::testing::TestDatabase;
use visitor::Visitor;

fn href(layout: Layout, tab: switchboard_policy::Tab) -> String {
    format!(
        "/{}/{}",
        layout.name().replace('_', "-"),
        tab.name().replace('_', "-")
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_tab_of_every_demo_login_renders() {
    for db in TestDatabase::all().await {
        eprintln!("-- on {}", db.label);
        let store = db.store().await;
        let config = Config {
            argon2_memory_kib: 256,
            argon2_iterations: 1,
            blob_dir: std::env::temp_dir().join(format!(
                "switchboard-pages-{}-{}",
                std::process::id(),
                db.label
            )),
            ..Config::default()
        };
        let state = AppState::new(store.clone(), config).unwrap();
        let logins = switchboard_demo::load(&state).await.unwrap();
        switchboard_demo::fill_call_history(&state, 300, 1, Some(3), |_| {})
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(switchboard_server::serve(listener, state, async {
            let _ = stopped.await;
        }));
        let mut pages = 0;
        for login in logins.iter().filter(|l| l.scope.can_log_in()) {
            let visitor = Visitor::log_in(&base, &login.login).await;
            for (layout, tabs) in layouts_for(login.scope) {
                for tab in *tabs {
                    let path = href(*layout, *tab);
                    let (mut status, mut html) = visitor.get(&path).await;
                    if *layout == Layout::AccountPreferences && html.contains("action=\"/reauth\"")
                    {
                        visitor.reauthenticate(&html).await;
                        (status, html) = visitor.get(&path).await;
                    }
                    assert_eq!(status, StatusCode::OK, "{} {path}: {html}", login.login);
                    assert!(
                        !html.contains("Not possible")
                            && !html.contains("answered something unexpected"),
                        "{} {path}: {html}",
                        login.login
                    );
                    pages += 1;
                }
            }
        }
        assert!(pages > 60, "{pages} pages");
        let _ = stop.send(());
        server.await.unwrap().unwrap();
        db.drop_database().await;
    }
}
