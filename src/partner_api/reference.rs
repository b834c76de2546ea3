//! `/api/v1/docs`: the API reference as a plain page, written from the same OpenAPI document
//! the server serves (no script, no CDN: it works offline and under the portal's CSP).

use serde_json::Value;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Inline code spans (`like this`) of a description, escaped.
fn prose(text: &str) -> String {
    escape(text)
        .split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("<code>{part}</code>")
            } else {
                part.to_string()
            }
        })
        .collect()
}

const PROBLEMS: [(&str, &str); 11] = [
    (
        "unauthorized",
        "401: no key, a malformed header, an unknown, expired or revoked key.",
    ),
    (
        "missing-scope",
        "403: the key lacks the scope the route needs.",
    ),
    ("forbidden", "403: the action is not allowed."),
    (
        "handoff-off",
        "403: the token hand-off is off (Settings → Partner API).",
    ),
    (
        "invalid-request",
        "400: a malformed body or query, or an unknown field; `detail` names it.",
    ),
    ("not-found", "404: no such WABA, link, signup or route."),
    (
        "no-token",
        "409: no business token is held for the WABA yet.",
    ),
    ("too-large", "413: the body is over 64 KiB."),
    (
        "unsupported-media-type",
        "415: send `Content-Type: application/json`.",
    ),
    (
        "rate-limited",
        "429: the key's rate limit; wait `Retry-After` seconds.",
    ),
    (
        "internal",
        "500: the portal failed; `detail` holds a reference for its logs.",
    ),
];

/// The page for `document`.
pub fn page(document: &utoipa::openapi::OpenApi) -> String {
    let doc = serde_json::to_value(document).unwrap_or(Value::Null);
    let mut body = String::new();
    let info = &doc["info"];
    body.push_str(&format!(
        "<h1>{}</h1><p>{}</p><p>OpenAPI {} document: <a href=\"/api/v1/openapi.json\">/api/v1/openapi.json</a>. \
         Every path below is under <code>/api/v1</code>. Lists answer \
         <code>{{\"data\": […], \"next_cursor\": \"…\" | null}}</code>; pass <code>?cursor=</code> \
         and <code>?limit=</code> (at most 100).</p>",
        escape(info["title"].as_str().unwrap_or_default()),
        prose(info["description"].as_str().unwrap_or_default()),
        escape(doc["openapi"].as_str().unwrap_or_default()),
    ));
    if let Some(paths) = doc["paths"].as_object() {
        for (path, item) in paths {
            let Some(methods) = item.as_object() else {
                continue;
            };
            for (method, op) in methods {
                body.push_str(&operation(path, method, op));
            }
        }
    }
    body.push_str("<h2 id=\"problems\">Problems</h2><dl>");
    for (kind, meaning) in PROBLEMS {
        body.push_str(&format!(
            "<dt id=\"problem-{kind}\"><code>/api/v1/docs#problem-{kind}</code></dt><dd>{}</dd>",
            prose(meaning)
        ));
    }
    body.push_str("</dl>");
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Partner API reference</title>\
         <link rel=\"stylesheet\" href=\"/pkg/mm_portal.css\"></head>\
         <body class=\"api-reference\"><main class=\"page\">{body}</main></body></html>"
    )
}

fn operation(path: &str, method: &str, op: &Value) -> String {
    let scopes: Vec<String> = op["security"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["api_key"].as_array())
        .flatten()
        .filter_map(|s| s.as_str().map(|s| format!("<code>{}</code>", escape(s))))
        .collect();
    let params: String = op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            format!(
                "<li><code>{}</code> ({}{}) {}</li>",
                escape(p["name"].as_str().unwrap_or_default()),
                escape(p["in"].as_str().unwrap_or_default()),
                if p["required"].as_bool() == Some(true) {
                    ", required"
                } else {
                    ""
                },
                prose(p["description"].as_str().unwrap_or_default())
            )
        })
        .collect();
    let responses: String = op["responses"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(code, r)| {
            format!(
                "<li><code>{}</code> {}</li>",
                escape(code),
                prose(r["description"].as_str().unwrap_or_default())
            )
        })
        .collect();
    format!(
        "<section class=\"card api-op\"><h2><span class=\"badge\">{}</span> <code>{}</code></h2>\
         <p>{}</p><p>Scope: {}</p>{}<h3>Responses</h3><ul>{}</ul></section>",
        escape(&method.to_uppercase()),
        escape(path),
        prose(
            op["summary"]
                .as_str()
                .or(op["description"].as_str())
                .unwrap_or_default()
        ),
        if scopes.is_empty() {
            "none".to_string()
        } else {
            scopes.join(", ")
        },
        if params.is_empty() {
            String::new()
        } else {
            format!("<h3>Parameters</h3><ul>{params}</ul>")
        },
        responses
    )
}
