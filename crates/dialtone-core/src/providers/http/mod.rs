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
//!
//! `presets` holds the ready definitions and the fields shown, `template` fills
//! placeholders; this file checks a definition, builds the request and reads the answer.

mod presets;
mod template;

use std::collections::{BTreeMap, BTreeSet};

use reqwest::{Method, RequestBuilder};

use super::descriptor::{Accepts, Descriptor, Gives, Support};
use super::transport::{self, Purpose, Reply, Who};
use super::{CallOutcome, Ctx, Kind};
use crate::numbers::{PhoneNumber, Target};
use crate::redact::ExposeSecret;
use crate::{Error, ErrorCode, Result};
pub use presets::{Preset, presets};
pub(crate) use presets::{fields, fields_for};
use template::{URL_VALUE, format_number, render_json};
pub use template::{placeholders, render};

/// The `http` kind as the rest of Dialtone sees it. What it can call is whatever its
/// definition sends: the target goes into `{{to}}` as typed when it is no number.
pub const DESCRIPTOR: Descriptor = Descriptor {
    kind: Kind::Http,
    id: "http",
    label: "Any HTTP provider",
    description: "Any provider with an HTTP API: describe the request and where the answer is.",
    gives: Gives::Call,
    accepts: Accepts { email: true, sip_uri: true },
    hang_up: Support::No { why: "its API has no such request" },
    status: Support::No { why: "its API has no such request" },
    timeout_seconds: 30,
    notice: None,
    speed_dials: false,
};

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
            Some(id) => presets::find_preset(id)?.definition.clone(),
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
                Err(Error::invalid_input(format!("`{key}` is “{value}”; it must be one of {}.", allowed.join(", ")))
                    .about(key))
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
                    let value = self
                        .get(key)
                        .ok_or_else(|| Error::invalid_input(format!("auth = basic needs `{key}`.")).about(key))?;
                    templates.push((key, value.to_owned()));
                }
            }
            "bearer" => {
                let value = self
                    .get("auth_token")
                    .ok_or_else(|| Error::invalid_input("auth = bearer needs `auth_token`.").about("auth_token"))?;
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
            for name in
                placeholders(template).map_err(|why| Error::invalid_input(format!("`{key}`: {why}")).about(*key))?
            {
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
            ))
            .about(key))
        } else {
            Err(Error::invalid_input(format!(
                "`{key}` uses {{{{{name}}}}}, but no setting `{name}` is given (--set {name}=...)."
            ))
            .about(key))
        }
    }
}

fn json_object(key: &str, text: &str) -> Result<serde_json::Value> {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(value @ serde_json::Value::Object(_)) => Ok(value),
        _ => {
            Err(Error::invalid_input(format!("`{key}` must be a JSON object, like {{\"to\": \"{{{{to}}}}\"}}."))
                .about(key))
        }
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

pub(crate) async fn place(ctx: &mut Ctx<'_>, target: &Target) -> Result<(String, CallOutcome)> {
    let def = Definition::resolve(&ctx.config.settings)?;
    let (to, request) = build_request(ctx, &def, target)?;
    let who = ctx.who();
    let reply = transport::send(&who, request, ctx.timeout(), Purpose::CreateCall).await?;
    Ok((to, read_answer(&def, &who, &reply)?))
}

/// The create-call request, from the definition, the target and the secrets it names;
/// with the callee as the definition writes it (for the history).
fn build_request(ctx: &mut Ctx<'_>, def: &Definition, target: &Target) -> Result<(String, RequestBuilder)> {
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
            let mut lookup = |name: &str| -> Result<String> { variable(def, name, &to, from.as_deref(), None) };
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
            None => variable(def, name, &to, from.as_deref(), base_url.as_deref()),
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
    Ok((to, request))
}

/// What the provider's answer says: its error text on failure; else a link or a call
/// id, where the definition says they are.
fn read_answer(def: &Definition, who: &Who<'_>, reply: &Reply) -> Result<CallOutcome> {
    let json: Option<serde_json::Value> = serde_json::from_str(&reply.body).ok();
    if !reply.status.is_success() {
        let described = match (def.get("error_path"), &json) {
            (Some(path), Some(value)) => {
                transport::lookup(value, path).map(|v| transport::scalar_text(v).unwrap_or_else(|| v.to_string()))
            }
            _ => None,
        };
        return Err(transport::status_error(who, reply, described, None, Purpose::CreateCall));
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
        return Ok(CallOutcome::FacetimeLink { link, handle: None, expires_at: super::link_expiry() });
    }
    Ok(CallOutcome::Placed { call_id: read("id_path")? })
}

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
