//! What an operator scrapes at `GET /metrics` (Prometheus text format): requests by route
//! template and status with their latency, the database pool, logins, throttling and call
//! records. One registry per `AppState`, so two servers in one process (the tests) keep apart.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use switchboard_store::PoolUse;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    /// The route's template (`/api/v1/domains/{domain}/users`), never the path itself: the
    /// series stay few, and no tenant's name or id lands in the metrics.
    route: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

/// Why a login did not open a session.
#[derive(Clone, Copy, Debug)]
pub enum LoginOutcome {
    Success,
    /// A wrong login or password.
    Failure,
    /// Refused before the password was checked: too many recent failures.
    Throttled,
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    logins: Family<OutcomeLabels, Counter>,
    calls: Family<OutcomeLabels, Counter>,
    import_errors: Counter,
    pool_open: Gauge,
    pool_idle: Gauge,
    pool_max: Gauge,
}

fn latency_histogram() -> Histogram {
    // 0.25 ms to about 8 s, each bucket √2 times the last: quantiles read within ±41%.
    Histogram::new(exponential_buckets(0.000_25, std::f64::consts::SQRT_2, 31))
}

impl Default for Metrics {
    fn default() -> Metrics {
        let mut registry = Registry::with_prefix("switchboard");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route template and status",
            requests.clone(),
        );
        let latency =
            Family::<RouteLabels, Histogram>::new_with_constructor(latency_histogram as fn() -> _);
        registry.register(
            "http_request_duration_seconds",
            "Time from a request's arrival to its answer's head, by method and route template",
            latency.clone(),
        );
        let logins = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "logins",
            "Login attempts by outcome: success, failure (wrong login or password), throttled",
            logins.clone(),
        );
        let calls = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "call_records_ingested",
            "Call records received, by outcome: inserted, or duplicate (the call was already there)",
            calls.clone(),
        );
        let import_errors = Counter::default();
        registry.register(
            "call_record_import_errors",
            "Batches of call records refused (a record that does not check out)",
            import_errors.clone(),
        );
        let pool_open = Gauge::default();
        registry.register(
            "db_pool_connections",
            "Database connections open",
            pool_open.clone(),
        );
        let pool_idle = Gauge::default();
        registry.register(
            "db_pool_idle_connections",
            "Database connections open and idle",
            pool_idle.clone(),
        );
        let pool_max = Gauge::default();
        registry.register(
            "db_pool_max_connections",
            "Database connections the pool may open",
            pool_max.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            logins,
            calls,
            import_errors,
            pool_open,
            pool_idle,
            pool_max,
        }
    }
}

impl Metrics {
    pub fn request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                method: method.to_owned(),
                route: route.to_owned(),
                status: status.to_string(),
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                method: method.to_owned(),
                route: route.to_owned(),
            })
            .observe(seconds);
    }

    pub fn login(&self, outcome: LoginOutcome) {
        let outcome = match outcome {
            LoginOutcome::Success => "success",
            LoginOutcome::Failure => "failure",
            LoginOutcome::Throttled => "throttled",
        };
        self.logins.get_or_create(&OutcomeLabels { outcome }).inc();
    }

    pub fn calls_ingested(&self, inserted: u64, duplicates: u64) {
        for (outcome, n) in [("inserted", inserted), ("duplicate", duplicates)] {
            self.calls
                .get_or_create(&OutcomeLabels { outcome })
                .inc_by(n);
        }
    }

    pub fn import_error(&self) {
        self.import_errors.inc();
    }

    /// The text a scrape gets, with the pool's use read now.
    pub fn render(&self, pool: PoolUse) -> Result<String, std::fmt::Error> {
        self.pool_open.set(i64::from(pool.open));
        self.pool_idle
            .set(i64::try_from(pool.idle).unwrap_or(i64::MAX));
        self.pool_max.set(i64::from(pool.max));
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}
