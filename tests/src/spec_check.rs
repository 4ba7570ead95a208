//! Validates response bodies against the spec's schema for an operation and status.
//!
//! OpenAPI 3.0 schemas become JSON Schema (draft 7): `$ref`s are inlined, `allOf` merged,
//! `nullable` allows `null`, and every object that declares properties refuses others, so a
//! misspelled property fails (the spec's free-form objects stay free).

use serde_json::{json, Map, Value};

/// Turns an OpenAPI schema node into a standalone, strict JSON Schema.
pub fn json_schema(spec: &Value, node: &Value) -> Value {
    if let Some(target) = node.get("$ref").and_then(Value::as_str) {
        let name = target.trim_start_matches("#/components/schemas/");
        return json_schema(spec, &spec["components"]["schemas"][name]);
    }
    let Some(object) = node.as_object() else {
        return node.clone();
    };
    let mut out = Map::new();
    let mut properties = Map::new();
    let mut parts = vec![node.clone()];
    if let Some(all_of) = object.get("allOf").and_then(Value::as_array) {
        parts = all_of.iter().map(|part| json_schema(spec, part)).collect();
        out.insert("type".into(), json!("object"));
    }
    for part in &parts {
        for (key, value) in part.as_object().into_iter().flatten() {
            match key.as_str() {
                "properties" => {
                    for (name, prop) in value.as_object().into_iter().flatten() {
                        properties.insert(name.clone(), json_schema(spec, prop));
                    }
                }
                "items" => {
                    out.insert("items".into(), json_schema(spec, value));
                }
                "type"
                | "enum"
                | "required"
                | "minimum"
                | "maxLength"
                | "maxItems"
                | "minItems"
                | "additionalProperties" => {
                    out.insert(key.clone(), value.clone());
                }
                _ => {}
            }
        }
    }
    if !properties.is_empty() {
        out.insert("properties".into(), Value::Object(properties));
        out.entry("additionalProperties").or_insert(json!(false));
    }
    let schema = Value::Object(out);
    if object.get("nullable") == Some(&json!(true)) {
        json!({ "anyOf": [schema, { "type": "null" }] })
    } else {
        schema
    }
}

/// The response schema the spec declares for `method path` answering `status`: `Ok(None)` for a
/// declared status without a body (204).
///
/// # Errors
/// When the operation does not declare that status.
pub fn response_schema(
    spec: &Value,
    path: &str,
    method: &str,
    status: u16,
) -> Result<Option<Value>, String> {
    let operation = &spec["paths"][path][method.to_ascii_lowercase()];
    if operation.is_null() {
        return Err(format!("the spec has no operation {method} {path}"));
    }
    let mut response = &operation["responses"][status.to_string()];
    if let Some(target) = response.get("$ref").and_then(Value::as_str) {
        let name = target.trim_start_matches("#/components/responses/");
        response = &spec["components"]["responses"][name];
    }
    if response.is_null() {
        return Err(format!("{method} {path} does not declare status {status}"));
    }
    Ok(response
        .pointer("/content/application~1json/schema")
        .map(|schema| json_schema(spec, schema)))
}

/// Checks `body` against the spec for `method path` answering `status`.
///
/// # Errors
/// Every schema violation, or an undeclared status, or a body where none is declared.
pub fn check_response(
    spec: &Value,
    path: &str,
    method: &str,
    status: u16,
    body: Option<&Value>,
) -> Result<(), String> {
    let schema = response_schema(spec, path, method, status)?;
    match (schema, body) {
        (None, None) => Ok(()),
        (None, Some(body)) => Err(format!(
            "{method} {path} {status} declares no body, got {body}"
        )),
        (Some(_), None) => Err(format!(
            "{method} {path} {status} declares a body, got none"
        )),
        (Some(schema), Some(body)) => {
            let validator = jsonschema::options()
                .with_draft(jsonschema::Draft::Draft7)
                .build(&schema)
                .map_err(|error| format!("schema of {method} {path} {status}: {error}"))?;
            let errors: Vec<String> = validator
                .iter_errors(body)
                .map(|error| format!("{} at {}", error, error.instance_path()))
                .collect();
            if errors.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "{method} {path} {status}: the body breaks the spec: {}\nbody: {body}",
                    errors.join("; ")
                ))
            }
        }
    }
}
