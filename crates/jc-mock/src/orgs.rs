//! The org lists ([CONTRACT.md](https://github.com/jc-bulk/jc-bulk/blob/main/spec/CONTRACT.md)
//! sections 32, 33 and 35): v1 `GET /organizations` lists the caller's orgs (a multi-tenant
//! admin's managed orgs, a single-tenant key's own), `GET /providers/{id}/organizations` the
//! orgs of a provider the admin is associated with. Neither takes `x-org-id` (403).

use crate::auth::{header, identify};
use crate::query::{page, slice};
use crate::reply::Reply;
use crate::routes::Route;
use crate::shared::Shared;
use http::StatusCode;
use serde_json::{json, Value};

fn forbidden_header() -> Reply {
    let message = "Forbidden: organization selection not allowed via header";
    Reply::json(
        StatusCode::FORBIDDEN,
        json!({"message": message, "error": message}),
    )
}

/// Serves an org list.
pub(crate) fn serve(shared: &Shared, route: &Route, parts: &http::request::Parts) -> Reply {
    let admin = match identify(&shared.config.admins, &shared.tokens, &parts.headers) {
        Ok(admin) => &shared.config.admins[admin],
        Err(reply) => return reply,
    };
    if header(&parts.headers, "x-org-id").is_some() {
        return match route {
            // The v2 route answers with the v2 `Error` body.
            Route::ProviderOrgs(_) => Reply::error(
                StatusCode::FORBIDDEN,
                "Forbidden: organization selection not allowed via header",
            ),
            _ => forbidden_header(),
        };
    }
    let query = crate::query::pairs(parts.uri.query().unwrap_or_default());
    let (limit, skip) = match page(&query) {
        Ok(bounds) => bounds,
        Err(reply) => return reply,
    };
    let mut orgs: Vec<&String> = admin.orgs.iter().collect();
    orgs.sort();
    let total = orgs.len();
    let named = |org: &String| (org.clone(), shared.config.org_name(org));
    match route {
        Route::ProviderOrgs(provider) => {
            if shared.config.provider_id.as_deref() != Some(provider.as_str()) {
                return Reply::error(
                    StatusCode::NOT_FOUND,
                    format!("provider {provider} not found"),
                );
            }
            if !admin.multi_tenant {
                return Reply::error(
                    StatusCode::FORBIDDEN,
                    "You must be associated with the provider to use this route",
                );
            }
            let results: Vec<Value> = slice(&orgs, limit, skip)
                .into_iter()
                .map(named)
                .map(|(id, name)| json!({"id": id, "name": name}))
                .collect();
            Reply::json(
                StatusCode::OK,
                json!({"totalCount": total, "results": results}),
            )
        }
        _ => {
            let results: Vec<Value> = slice(&orgs, limit, skip)
                .into_iter()
                .map(named)
                .map(|(id, name)| json!({"_id": id, "displayName": name}))
                .collect();
            Reply::json(
                StatusCode::OK,
                json!({"totalCount": total, "results": results}),
            )
        }
    }
}
