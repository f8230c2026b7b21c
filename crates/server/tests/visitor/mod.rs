//! A person in the portal: logs in through the login form and keeps the session's cookies.

use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, ORIGIN, SET_COOKIE};

pub struct Visitor {
    client: reqwest::Client,
    base: String,
    cookies: String,
}

impl Visitor {
    pub async fn log_in(base: &str, login: &str) -> Visitor {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let r = client
            .post(format!("{base}/login"))
            .header(ORIGIN, base)
            .form(&[
                ("username", login),
                ("password", switchboard_demo::DEMO_PASSWORD),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{login} logs in");
        let cookies = r
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|c| c.to_str().ok()?.split(';').next().map(str::to_owned))
            .collect::<Vec<_>>()
            .join("; ");
        Visitor {
            client,
            base: base.to_owned(),
            cookies,
        }
    }

    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .header(COOKIE, &self.cookies)
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    }

    /// Submit a form of `html` (a page this visitor got) to `path`, with the page's CSRF token.
    pub async fn submit(
        &self,
        html: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> (StatusCode, String) {
        let csrf = html
            .split("name=\"_csrf\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a form with its CSRF token");
        let mut form = vec![("_csrf", csrf)];
        form.extend_from_slice(fields);
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .header(COOKIE, &self.cookies)
            .header(ORIGIN, &self.base)
            .form(&form)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let location = r
            .headers()
            .get(LOCATION)
            .and_then(|l| l.to_str().ok())
            .map(str::to_owned);
        (status, location.unwrap_or(r.text().await.unwrap()))
    }

    /// Open Account Preferences with the password, as the portal asks.
    #[allow(dead_code)] // the page tour opens Account Preferences; other suites need not
    pub async fn reauthenticate(&self, html: &str) {
        let password = switchboard_demo::DEMO_PASSWORD;
        let (status, _) = self
            .submit(html, "/reauth", &[("password", password), ("next", "/")])
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
    }
}
