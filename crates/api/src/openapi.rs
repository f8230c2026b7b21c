//! The OpenAPI 3.1 document, generated from the route table and the Rust types' JSON schemas.

use crate::error::ErrorBody;
use crate::routes::{Access, Route};
use schemars::generate::SchemaSettings;
use serde_json::{Map, Value, json};

pub fn document(routes: &[Route]) -> Value {
    let mut generator = SchemaSettings::draft2020_12()
        .with(|s| s.definitions_path = "/components/schemas".into())
        .into_generator();
    let error = generator.subschema_for::<ErrorBody>();
    let mut paths = Map::new();
    for route in routes {
        let mut op = Map::new();
        op.insert("summary".into(), json!(route.summary));
        op.insert("tags".into(), json!([route.tag]));
        op.insert("operationId".into(), json!(operation_id(route)));
        let access = match route.access {
            Access::Public => {
                op.insert("security".into(), json!([]));
                json!("public")
            }
            Access::Guarded(resource, action) => json!({"resource": resource, "action": action}),
        };
        op.insert("x-switchboard-access".into(), access);
        let mut parameters: Vec<Value> = path_params(route.path)
            .into_iter()
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}, "description": param_help(name)}))
            .collect();
        if let Some(query) = route.query {
            let schema = query(&mut generator);
            let resolved = resolve(&generator, schema.as_value());
            if let Some(props) = resolved.get("properties").and_then(Value::as_object) {
                let required: Vec<&str> = resolved
                    .get("required")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                for (name, prop) in props {
                    let mut p = json!({"name": name, "in": "query", "required": required.contains(&name.as_str()), "schema": prop});
                    if let Some(desc) = prop.get("description") {
                        p["description"] = desc.clone();
                    }
                    parameters.push(p);
                }
            }
        }
        if !parameters.is_empty() {
            op.insert("parameters".into(), Value::Array(parameters));
        }
        if let Some(body) = route.body {
            let schema = body(&mut generator);
            op.insert(
                "requestBody".into(),
                if route.method == axum::http::Method::PATCH
                    && route.body_type == "application/json"
                {
                    // A change is a merge patch (RFC 7396), by either name.
                    json!({"required": true, "content": {
                        "application/json": {"schema": schema.clone()},
                        "application/merge-patch+json": {"schema": schema}}})
                } else {
                    json!({"required": true, "content": {route.body_type: {"schema": schema}}})
                },
            );
        }
        let mut responses = Map::new();
        let ok = match route.response {
            Some(response) => {
                json!({"description": "success", "content": {route.content_type: {"schema": response(&mut generator)}}})
            }
            None => json!({"description": "done"}),
        };
        responses.insert(route.success.to_string(), ok);
        if let Some((status, meaning, schema)) = route.other_success {
            responses.insert(
                status.to_string(),
                json!({"description": meaning, "content": {"application/json": {"schema": schema(&mut generator)}}}),
            );
        }
        let mut errors: Vec<(&str, &str)> = match route.access {
            Access::Public => vec![
                ("400", "malformed request"),
                ("401", "wrong credentials"),
                ("403", "not allowed from this address"),
                ("404", "no such thing"),
                ("422", "invalid value"),
                ("429", "too many failed attempts; see Retry-After"),
            ],
            Access::Guarded(..) => vec![
                ("400", "malformed request"),
                ("401", "not authenticated"),
                ("403", "visible but not allowed"),
                ("404", "missing or out of reach"),
                ("409", "conflict or limit reached"),
                ("422", "invalid value"),
                (
                    "429",
                    "too many wrong passwords (re-authentication); see Retry-After",
                ),
            ],
        };
        if route.body.is_some() {
            errors.extend([
                (
                    "408",
                    "the body stopped arriving (body_read_timeout_seconds)",
                ),
                ("413", "body larger than this route takes"),
                ("415", "body not of the media type above"),
            ]);
        }
        errors.push(("503", "not answered in time (handler_timeout_seconds)"));
        for (status, description) in &errors {
            responses.insert((*status).into(), json!({"description": description, "content": {"application/json": {"schema": error}}}));
        }
        op.insert("responses".into(), Value::Object(responses));
        let entry = paths
            .entry(route.path.to_owned())
            .or_insert_with(|| json!({}));
        entry[route.method.as_str().to_lowercase()] = Value::Object(op);
    }
    let schemas = generator.take_definitions(true);
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Switchboard API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Multi-tenant hosted-PBX administration. Every answer is cut to the caller's user scope: out of reach answers 404, visible but not allowed answers 403. Each operation's `x-switchboard-access` names the resource and action the scope matrix judges.",
            "license": {"name": "AGPL-3.0-or-later"}
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "An access token from POST /api/v1/auth/token, or an API key (sb_key_…)."}}
        }
    })
}

fn operation_id(route: &Route) -> String {
    let mut id = route.method.as_str().to_lowercase();
    for part in route.path.trim_start_matches("/api/v1/").split('/') {
        let clean: String = part.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        if !clean.is_empty() {
            id.push('_');
            id.push_str(&clean);
        }
    }
    id
}

pub fn path_params(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|p| p.strip_prefix('{').and_then(|p| p.strip_suffix('}')))
        .collect()
}

fn param_help(name: &str) -> &'static str {
    match name {
        "domain" => "the domain's name (e.g. acme.example), or ~ for your own domain",
        "user" => "the user's extension, or ~ for yourself",
        _ => "the object's id",
    }
}

/// Follow a `$ref` into the generator's definitions.
fn resolve(generator: &schemars::SchemaGenerator, schema: &Value) -> Value {
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.rsplit('/').next())
        .and_then(|name| generator.definitions().get(name))
        .cloned()
        .unwrap_or_else(|| schema.clone())
}
