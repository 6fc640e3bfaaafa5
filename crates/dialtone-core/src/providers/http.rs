//! The `http` kind: any provider with an HTTP API, described as data, no code.
//!
//! A definition says how to send one create-call request and where to read the
//! answer. Its settings:
//!
//! | key | meaning |
//! |---|---|
//! | `preset` | start from a ready definition: `twilio`, `telnyx`, `plivo`, `signalwire` |
//! | `method` | `POST` (default), `PUT`, `PATCH` or `GET` |
//! | `url` | URL template, e.g. `{{base_url}}/v2/calls` |
//! | `auth` | `none` (default), `basic` (`auth_username`, `auth_password`) or `bearer` (`auth_token`) |
//! | `headers` | JSON object of extra headers (templates), e.g. `{"X-Api-Key": "{{secret.api_key}}"}` |
//! | `body_format` | `json` (default), `form` or `none` |
//! | `body` | JSON object template; for `form`, its keys and values become the form fields |
//! | `number_format` | how `{{to}}` and `{{from}}` are written: `e164` (default), `digits` (no `+`), `fractel` |
//! | `from` | the number calls come from (E.164), as `{{from}}` |
//! | `id_path`, `link_path`, `error_path` | where the call id, a link, or the error text are in the JSON answer (`data.call_control_id`, `errors.0.detail`) |
//! | `secret_fields` | names of the secrets it uses, comma-separated; each is `{{secret.NAME}}` and lives in the keychain |
//! | anything else | a variable, used as `{{name}}` |
//!
//! Placeholders are substituted into parsed JSON (so values are escaped correctly)
//! and percent-encoded inside URLs; an unknown placeholder is refused when the
//! provider is saved, not when the person calls.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use reqwest::Method;

use super::schema::{Check, Field, is_variable_name};
use super::transport::{self, Purpose};
use super::{CallOutcome, Ctx, timeout_field};
use crate::numbers::{PhoneNumber, Target};
use crate::redact::ExposeSecret;
use crate::{Error, ErrorCode, Kind, Result};

/// The definition keys (everything else is a template variable).
const KEYS: [&str; 15] = [
    "preset",
    "base_url",
    "method",
    "url",
    "auth",
    "auth_username",
    "auth_password",
    "auth_token",
    "headers",
    "body_format",
    "body",
    "number_format",
    "id_path",
    "link_path",
    "error_path",
];

fn one_of(choices: &[&str]) -> Check {
    Check::OneOf { choices: choices.iter().map(|c| c.to_string()).collect() }
}

/// The definition's own settings, shown for a custom definition.
fn definition_fields() -> Vec<Field> {
    vec![
        Field::new(
            "preset",
            "Start from",
            one_of(&["twilio", "telnyx", "plivo", "signalwire"]),
            "A ready definition to start from (its keys can still be overridden).",
        ),
        Field::new("base_url", "Base URL", Check::Url, "Used as {{base_url}} in the URL template."),
        Field::new("method", "Method", one_of(&["POST", "PUT", "PATCH", "GET"]), "The HTTP method.").default("POST"),
        Field::new("url", "URL template", Check::Text, "e.g. {{base_url}}/v2/calls; placeholders are percent-encoded.")
            .required(),
        Field::new(
            "auth",
            "Authentication",
            one_of(&["none", "basic", "bearer"]),
            "none, basic (auth_username/auth_password) or bearer (auth_token).",
        )
        .default("none"),
        Field::new("auth_username", "Basic auth user name", Check::Text, "Template, e.g. {{account_sid}}."),
        Field::new("auth_password", "Basic auth password", Check::Text, "Template, e.g. {{secret.auth_token}}."),
        Field::new("auth_token", "Bearer token", Check::Text, "Template, e.g. {{secret.api_key}}."),
        Field::new("headers", "Extra headers", Check::JsonObject, "JSON object of header templates."),
        Field::new("body_format", "Body format", one_of(&["json", "form", "none"]), "json, form (urlencoded) or none.")
            .default("json"),
        Field::new(
            "body",
            "Body template",
            Check::JsonObject,
            "JSON object with {{to}}, {{from}}, {{secret.NAME}} and variables.",
        ),
        Field::new(
            "number_format",
            "Number format",
            one_of(&["e164", "digits", "fractel"]),
            "How {{to}} and {{from}} are written.",
        )
        .default("e164"),
        Field::new("from", "From number", Check::E164, "The number calls come from, as {{from}}."),
        Field::new(
            "id_path",
            "Call id at",
            Check::Text,
            "Dotted path in the JSON answer, e.g. sid or data.call_control_id.",
        ),
        Field::new(
            "link_path",
            "Link at",
            Check::Text,
            "Dotted path of a join link in the answer, if the provider returns one.",
        ),
        Field::new(
            "error_path",
            "Error text at",
            Check::Text,
            "Dotted path of the error text in an error answer, e.g. message.",
        ),
        Field::new(
            "secret_fields",
            "Secrets it uses",
            Check::Text,
            "Comma-separated names; set each with `dialtone provider secret NAME FIELD`.",
        ),
        timeout_field(Kind::Http),
    ]
}

/// A ready definition for a well-known API.
#[derive(Debug, Clone)]
pub struct Preset {
    pub id: String,
    pub label: String,
    pub description: String,
    /// Definition keys this preset fills in.
    pub definition: BTreeMap<String, String>,
    /// What the person must give: variables and secrets.
    pub asks: Vec<Field>,
}

impl Preset {
    /// The fields shown for this preset: its variables and secrets, base URL, timeout.
    pub fn fields(&self) -> Vec<Field> {
        let mut fields = vec![
            Field::new("preset", "Preset", one_of(&[self.id.as_str()]), "The ready definition this provider uses.")
                .required(),
        ];
        fields.extend(self.asks.iter().cloned());
        let base = self.definition.get("base_url").map(String::as_str).unwrap_or_default();
        fields.push(
            Field::new("base_url", "Base URL", Check::Text, "The API root; change it for a regional host or a proxy.")
                .default(base),
        );
        fields.push(timeout_field(Kind::Http));
        fields
    }
}

fn preset(id: &str, label: &str, description: &str, definition: &[(&str, &str)], asks: Vec<Field>) -> Preset {
    Preset {
        id: id.to_owned(),
        label: label.to_owned(),
        description: description.to_owned(),
        definition: definition.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        asks,
    }
}

/// Twilio, Telnyx, Plivo and SignalWire, as shipped.
pub fn presets() -> &'static [Preset] {
    static PRESETS: OnceLock<Vec<Preset>> = OnceLock::new();
    PRESETS.get_or_init(|| {
        let from =
            || Field::new("from", "From number", Check::E164, "A number on your account, in E.164 form.").required();
        vec![
            preset(
                "twilio",
                "Twilio",
                "Twilio Programmable Voice: creates a call that runs the TwiML at your URL.",
                &[
                    ("base_url", "https://api.twilio.com"),
                    ("method", "POST"),
                    ("url", "{{base_url}}/2010-04-01/Accounts/{{account_sid}}/Calls.json"),
                    ("auth", "basic"),
                    ("auth_username", "{{account_sid}}"),
                    ("auth_password", "{{secret.auth_token}}"),
                    ("body_format", "form"),
                    ("body", r#"{"To": "{{to}}", "From": "{{from}}", "Url": "{{answer_url}}"}"#),
                    ("number_format", "e164"),
                    ("id_path", "sid"),
                    ("error_path", "message"),
                    ("secret_fields", "auth_token"),
                ],
                vec![
                    Field::new("account_sid", "Account SID", Check::Text, "Starts with AC; from the Twilio console.")
                        .required(),
                    from(),
                    Field::new(
                        "answer_url",
                        "TwiML URL",
                        Check::Url,
                        "Returns the TwiML to run when the call is answered.",
                    )
                    .required(),
                    Field::new("auth_token", "Auth token", Check::Text, "From the Twilio console.").secret(),
                ],
            ),
            preset(
                "telnyx",
                "Telnyx",
                "Telnyx Call Control: dials through your Call Control application.",
                &[
                    ("base_url", "https://api.telnyx.com"),
                    ("method", "POST"),
                    ("url", "{{base_url}}/v2/calls"),
                    ("auth", "bearer"),
                    ("auth_token", "{{secret.api_key}}"),
                    ("body_format", "json"),
                    ("body", r#"{"connection_id": "{{connection_id}}", "to": "{{to}}", "from": "{{from}}"}"#),
                    ("number_format", "e164"),
                    ("id_path", "data.call_control_id"),
                    ("error_path", "errors.0.detail"),
                    ("secret_fields", "api_key"),
                ],
                vec![
                    Field::new("connection_id", "Connection ID", Check::Text, "Your Call Control application's id.")
                        .required(),
                    from(),
                    Field::new("api_key", "API key", Check::Text, "From the Telnyx portal.").secret(),
                ],
            ),
            preset(
                "plivo",
                "Plivo",
                "Plivo Voice: creates a call that fetches the XML at your answer URL.",
                &[
                    ("base_url", "https://api.plivo.com"),
                    ("method", "POST"),
                    ("url", "{{base_url}}/v1/Account/{{auth_id}}/Call/"),
                    ("auth", "basic"),
                    ("auth_username", "{{auth_id}}"),
                    ("auth_password", "{{secret.auth_token}}"),
                    ("body_format", "json"),
                    ("body", r#"{"from": "{{from}}", "to": "{{to}}", "answer_url": "{{answer_url}}"}"#),
                    ("number_format", "digits"),
                    ("id_path", "request_uuid"),
                    ("error_path", "error"),
                    ("secret_fields", "auth_token"),
                ],
                vec![
                    Field::new("auth_id", "Auth ID", Check::Text, "From the Plivo console.").required(),
                    from(),
                    Field::new(
                        "answer_url",
                        "Answer URL",
                        Check::Url,
                        "Returns the Plivo XML to run when the call is answered.",
                    )
                    .required(),
                    Field::new("auth_token", "Auth token", Check::Text, "From the Plivo console.").secret(),
                ],
            ),
            preset(
                "signalwire",
                "SignalWire",
                "SignalWire's LaML (Twilio-compatible) API in your space.",
                &[
                    ("base_url", "https://{{space}}.signalwire.com"),
                    ("method", "POST"),
                    ("url", "{{base_url}}/api/laml/2010-04-01/Accounts/{{project_id}}/Calls"),
                    ("auth", "basic"),
                    ("auth_username", "{{project_id}}"),
                    ("auth_password", "{{secret.api_token}}"),
                    ("body_format", "form"),
                    ("body", r#"{"To": "{{to}}", "From": "{{from}}", "Url": "{{answer_url}}"}"#),
                    ("number_format", "e164"),
                    ("id_path", "sid"),
                    ("error_path", "message"),
                    ("secret_fields", "api_token"),
                ],
                vec![
                    Field::new("space", "Space", Check::Text, "The name in https://NAME.signalwire.com.").required(),
                    Field::new("project_id", "Project ID", Check::Text, "From the SignalWire dashboard.").required(),
                    from(),
                    Field::new(
                        "answer_url",
                        "LaML URL",
                        Check::Url,
                        "Returns the LaML to run when the call is answered.",
                    )
                    .required(),
                    Field::new("api_token", "API token", Check::Text, "From the SignalWire dashboard.").secret(),
                ],
            ),
        ]
    })
}

fn find_preset(id: &str) -> Result<&'static Preset> {
    presets().iter().find(|p| p.id == id).ok_or_else(|| {
        let names: Vec<&str> = presets().iter().map(|p| p.id.as_str()).collect();
        Error::invalid_input(format!("There is no ready definition called “{id}”; there are: {}.", names.join(", ")))
    })
}

/// The fields of the `http` kind: a preset's, or the definition's own.
pub(crate) fn fields(preset: Option<&str>) -> Result<Vec<Field>> {
    match preset {
        Some(id) => Ok(find_preset(id)?.fields()),
        None => Ok(definition_fields()),
    }
}

/// The fields of one configured `http` provider, its declared secrets included.
pub(crate) fn fields_for(settings: &BTreeMap<String, String>) -> Result<Vec<Field>> {
    let mut fields = fields(settings.get("preset").map(String::as_str))?;
    if let Some(list) = settings.get("secret_fields") {
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            if !is_variable_name(name) {
                return Err(Error::invalid_input(format!(
                    "“{name}” in secret_fields is not a usable name (letters, digits and _)."
                )));
            }
            if !fields.iter().any(|f| f.name == name) {
                fields.push(Field::new(name, name, Check::Text, "A secret this definition uses.").secret());
            }
        }
    }
    Ok(fields)
}

/// A definition with its preset merged in and every template checked.
#[derive(Debug, Clone)]
pub struct Definition {
    values: BTreeMap<String, String>,
    secrets: BTreeSet<String>,
}

impl Definition {
    /// Merges the preset under the settings and checks the result.
    pub fn resolve(settings: &BTreeMap<String, String>) -> Result<Self> {
        let mut values = match settings.get("preset") {
            Some(id) => find_preset(id)?.definition.clone(),
            None => BTreeMap::new(),
        };
        values.extend(settings.iter().map(|(k, v)| (k.clone(), v.clone())));
        let secrets: BTreeSet<String> = values
            .get("secret_fields")
            .map(|list| list.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect())
            .unwrap_or_default();
        let definition = Self { values, secrets };
        definition.check()?;
        Ok(definition)
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    fn check(&self) -> Result<()> {
        let url = self
            .get("url")
            .ok_or_else(|| Error::invalid_input("An http provider needs a `url` template (or a `preset`)."))?;
        // A URL written out in full (not from {{base_url}}, checked with its field) must
        // not send credentials over plain http to another machine either.
        super::schema::refuse_plain_http("URL template", "url", url)?;
        let choice = |key: &str, default: &str, allowed: &[&str]| -> Result<()> {
            let value = self.get(key).unwrap_or(default);
            if allowed.contains(&value) {
                Ok(())
            } else {
                Err(Error::invalid_input(format!("`{key}` is “{value}”; it must be one of {}.", allowed.join(", "))))
            }
        };
        choice("method", "POST", &["POST", "PUT", "PATCH", "GET"])?;
        choice("auth", "none", &["none", "basic", "bearer"])?;
        choice("body_format", "json", &["json", "form", "none"])?;
        choice("number_format", "e164", &["e164", "digits", "fractel"])?;
        let mut templates = vec![("url", url.to_owned())];
        match self.get("auth").unwrap_or("none") {
            "basic" => {
                for key in ["auth_username", "auth_password"] {
                    let value =
                        self.get(key).ok_or_else(|| Error::invalid_input(format!("auth = basic needs `{key}`.")))?;
                    templates.push((key, value.to_owned()));
                }
            }
            "bearer" => {
                let value =
                    self.get("auth_token").ok_or_else(|| Error::invalid_input("auth = bearer needs `auth_token`."))?;
                templates.push(("auth_token", value.to_owned()));
            }
            _ => {}
        }
        if let Some(base) = self.get("base_url") {
            templates.push(("base_url", base.to_owned()));
        }
        for key in ["headers", "body"] {
            if let Some(text) = self.get(key) {
                let value = json_object(key, text)?;
                collect_strings(&value, &mut |s| templates.push((key, s.to_owned())));
            }
        }
        for (key, template) in &templates {
            for name in placeholders(template).map_err(|why| Error::invalid_input(format!("`{key}`: {why}")))? {
                self.check_placeholder(key, &name)?;
            }
        }
        Ok(())
    }

    fn check_placeholder(&self, key: &str, name: &str) -> Result<()> {
        let known = match name.strip_prefix("secret.") {
            Some(secret) => self.secrets.contains(secret),
            None => {
                matches!(name, "to" | "from")
                    || (name == "base_url" && key != "base_url")
                    || (self.values.contains_key(name) && !KEYS.contains(&name))
            }
        };
        if known {
            Ok(())
        } else if let Some(secret) = name.strip_prefix("secret.") {
            Err(Error::invalid_input(format!(
                "`{key}` uses {{{{secret.{secret}}}}}, but `{secret}` is not in secret_fields."
            )))
        } else {
            Err(Error::invalid_input(format!(
                "`{key}` uses {{{{{name}}}}}, but no setting `{name}` is given (--set {name}=...)."
            )))
        }
    }
}

fn json_object(key: &str, text: &str) -> Result<serde_json::Value> {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(value @ serde_json::Value::Object(_)) => Ok(value),
        _ => Err(Error::invalid_input(format!("`{key}` must be a JSON object, like {{\"to\": \"{{{{to}}}}\"}}."))),
    }
}

fn collect_strings(value: &serde_json::Value, out: &mut impl FnMut(&str)) {
    match value {
        serde_json::Value::String(s) => out(s),
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        serde_json::Value::Object(map) => map.iter().for_each(|(k, v)| {
            out(k);
            collect_strings(v, out)
        }),
        _ => {}
    }
}

/// The `{{names}}` in a template, in order.
pub fn placeholders(template: &str) -> std::result::Result<Vec<String>, String> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or_else(|| format!("a {{{{ without its }}}} in “{template}”"))?;
        let name = after[..end].trim();
        let valid = name.strip_prefix("secret.").unwrap_or(name);
        if !is_variable_name(valid) {
            return Err(format!("“{{{{{name}}}}}” is not a placeholder name"));
        }
        names.push(name.to_owned());
        rest = &after[end + 2..];
    }
    Ok(names)
}

/// Fills a template: each `{{name}}` becomes `lookup(name)`, passed through `encode`.
pub fn render(
    template: &str,
    lookup: &mut dyn FnMut(&str) -> Result<String>,
    encode: &dyn Fn(&str, &str) -> String,
) -> Result<String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end =
            after.find("}}").ok_or_else(|| Error::invalid_input(format!("a {{{{ without its }}}} in “{template}”")))?;
        let name = after[..end].trim();
        out.push_str(&encode(name, &lookup(name)?));
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

fn render_json(value: &serde_json::Value, lookup: &mut dyn FnMut(&str) -> Result<String>) -> Result<serde_json::Value> {
    let raw = |_: &str, v: &str| v.to_owned();
    Ok(match value {
        serde_json::Value::String(s) => serde_json::Value::String(render(s, lookup, &raw)?),
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.iter().map(|v| render_json(v, lookup)).collect::<Result<_>>()?)
        }
        serde_json::Value::Object(map) => {
            let mut out = serde_json::Map::new();
            for (k, v) in map {
                out.insert(render(k, lookup, &raw)?, render_json(v, lookup)?);
            }
            serde_json::Value::Object(out)
        }
        other => other.clone(),
    })
}

fn format_number(number: &PhoneNumber, format: &str) -> String {
    match format {
        "digits" => number.digits().to_owned(),
        "fractel" => number.fractel(),
        _ => number.e164().to_owned(),
    }
}

pub(crate) async fn place(ctx: &mut Ctx<'_>, target: &Target) -> Result<(String, CallOutcome)> {
    let def = Definition::resolve(&ctx.config.settings)?;
    let number_format = def.get("number_format").unwrap_or("e164").to_owned();
    let to = match target {
        Target::Phone(number) => format_number(number, &number_format),
        other => other.display().to_owned(),
    };
    let from = match def.get("from") {
        Some(text) => Some(format_number(&PhoneNumber::parse(text, None)?, &number_format)),
        None => None,
    };
    // Secrets are read as placeholders need them, each learnt by the redactor.
    let read_secret = |ctx: &mut Ctx<'_>, name: &str| ctx.secret(name).map(|s| s.expose_secret().to_owned());
    let mut values: BTreeMap<String, String> = BTreeMap::new();
    let base_url = match def.get("base_url") {
        Some(base) => {
            let mut lookup = |name: &str| -> Result<String> { variable(&def, name, &to, from.as_deref(), None) };
            Some(render(base, &mut lookup, &|_, v| v.to_owned())?.trim_end_matches('/').to_owned())
        }
        None => None,
    };
    for name in def.secrets.iter() {
        values.insert(name.clone(), read_secret(ctx, name)?);
    }
    let mut lookup = |name: &str| -> Result<String> {
        match name.strip_prefix("secret.") {
            Some(secret) => values
                .get(secret)
                .cloned()
                .ok_or_else(|| Error::invalid_input(format!("no secret `{secret}` is declared"))),
            None => variable(&def, name, &to, from.as_deref(), base_url.as_deref()),
        }
    };
    let encode_url = |name: &str, value: &str| {
        if name == "base_url" {
            value.to_owned()
        } else {
            percent_encoding::utf8_percent_encode(value, URL_VALUE).to_string()
        }
    };
    let url = render(def.get("url").unwrap_or_default(), &mut lookup, &encode_url)?;
    let parsed = url::Url::parse(&url).map_err(|err| {
        Error::invalid_input(format!("{}: the URL template gives an address that is not valid ({err}).", ctx.name))
    })?;
    let method = Method::from_bytes(def.get("method").unwrap_or("POST").as_bytes())
        .map_err(|_| Error::internal("method was checked"))?;
    let mut request = ctx.client.request(method, parsed);
    let raw = |_: &str, v: &str| v.to_owned();
    match def.get("auth").unwrap_or("none") {
        "basic" => {
            let user = render(def.get("auth_username").unwrap_or_default(), &mut lookup, &raw)?;
            let password = render(def.get("auth_password").unwrap_or_default(), &mut lookup, &raw)?;
            request = request.basic_auth(user, Some(password));
        }
        "bearer" => {
            request = request.bearer_auth(render(def.get("auth_token").unwrap_or_default(), &mut lookup, &raw)?)
        }
        _ => {}
    }
    if let Some(headers) = def.get("headers")
        && let serde_json::Value::Object(map) = render_json(&json_object("headers", headers)?, &mut lookup)?
    {
        for (name, value) in map {
            let value = transport::scalar_text(&value).unwrap_or_else(|| value.to_string());
            request = request.header(name, value);
        }
    }
    match (def.get("body_format").unwrap_or("json"), def.get("body")) {
        ("json", Some(body)) => request = request.json(&render_json(&json_object("body", body)?, &mut lookup)?),
        ("form", Some(body)) => {
            let rendered = render_json(&json_object("body", body)?, &mut lookup)?;
            let pairs: Vec<(String, String)> = rendered
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), transport::scalar_text(v).unwrap_or_else(|| v.to_string())))
                        .collect()
                })
                .unwrap_or_default();
            let encoded = form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
            request = request.header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(encoded);
        }
        _ => {}
    }
    let who = ctx.who();
    let reply = transport::send(&who, request, ctx.timeout(), Purpose::CreateCall).await?;
    let json: Option<serde_json::Value> = serde_json::from_str(&reply.body).ok();
    if !reply.status.is_success() {
        let described = match (def.get("error_path"), &json) {
            (Some(path), Some(value)) => {
                transport::lookup(value, path).map(|v| transport::scalar_text(v).unwrap_or_else(|| v.to_string()))
            }
            _ => None,
        };
        return Err(transport::status_error(&who, &reply, described, None, Purpose::CreateCall));
    }
    let read = |key: &str| -> Result<Option<String>> {
        let Some(path) = def.get(key) else { return Ok(None) };
        let found = json.as_ref().and_then(|v| transport::lookup(v, path)).and_then(transport::scalar_text);
        match found {
            Some(value) => Ok(Some(value)),
            None => Err(who.error(
                ErrorCode::ProviderResponse,
                format!(
                    "answered {} but the answer has no `{path}` ({key}). The call may have been placed: check before calling again.",
                    reply.status.as_u16()
                ),
            )),
        }
    };
    if let Some(link) = read("link_path")? {
        return Ok((to, CallOutcome::FacetimeLink { link, handle: None, expires_at: super::link_expiry() }));
    }
    Ok((to, CallOutcome::Placed { call_id: read("id_path")? }))
}

/// What percent-encoding leaves alone in a URL value: RFC 3986's unreserved characters.
const URL_VALUE: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

fn variable(def: &Definition, name: &str, to: &str, from: Option<&str>, base_url: Option<&str>) -> Result<String> {
    match name {
        "to" => Ok(to.to_owned()),
        "from" => from
            .map(str::to_owned)
            .ok_or_else(|| Error::invalid_input("the definition uses {{from}} but no `from` number is set.")),
        "base_url" => base_url
            .map(str::to_owned)
            .ok_or_else(|| Error::invalid_input("the definition uses {{base_url}} but no `base_url` is set.")),
        other => def
            .get(other)
            .map(str::to_owned)
            .ok_or_else(|| Error::invalid_input(format!("no setting `{other}` is given."))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn finds_placeholders() {
        assert_eq!(
            placeholders("{{base_url}}/a/{{ sid }}?k={{secret.key}}").unwrap(),
            ["base_url", "sid", "secret.key"]
        );
        assert!(placeholders("{{oops").is_err());
        assert!(placeholders("{{two words}}").is_err());
    }

    #[test]
    fn renders_with_encoding() {
        let mut lookup = |name: &str| Ok(if name == "to" { "+1 415".to_owned() } else { "x".to_owned() });
        let enc = |_: &str, v: &str| percent_encoding::utf8_percent_encode(v, URL_VALUE).to_string();
        assert_eq!(render("/calls/{{to}}/{{a}}", &mut lookup, &enc).unwrap(), "/calls/%2B1%20415/x");
    }

    #[test]
    fn presets_resolve_once_their_variables_are_given() {
        let twilio = settings(&[
            ("preset", "twilio"),
            ("account_sid", "AC1"),
            ("from", "+14155550100"),
            ("answer_url", "https://x.test/t"),
        ]);
        Definition::resolve(&twilio).unwrap();
        let missing = settings(&[("preset", "twilio"), ("from", "+14155550100"), ("answer_url", "https://x.test/t")]);
        let err = Definition::resolve(&missing).unwrap_err();
        assert!(err.message.contains("{{account_sid}}"), "{}", err.message);
    }

    #[test]
    fn undeclared_secrets_and_unknown_variables_are_refused() {
        let bad_secret = settings(&[("url", "https://x.test/{{secret.key}}")]);
        assert!(Definition::resolve(&bad_secret).unwrap_err().message.contains("not in secret_fields"));
        let bad_var = settings(&[("url", "https://x.test/"), ("body", r#"{"a": "{{nope}}"}"#)]);
        assert!(Definition::resolve(&bad_var).unwrap_err().message.contains("no setting `nope`"));
        let ok =
            settings(&[("url", "https://x.test/{{secret.key}}/{{acct}}"), ("secret_fields", "key"), ("acct", "7")]);
        Definition::resolve(&ok).unwrap();
    }
}
