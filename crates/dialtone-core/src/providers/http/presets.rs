//! The ready definitions (Twilio, Telnyx, Plivo, SignalWire) and the fields the
//! `http` kind shows: a preset's, or a custom definition's own.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::providers::schema::{Check, Field, is_variable_name};
use crate::providers::timeout_field;
use crate::{Error, Kind, Result};

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

pub(super) fn find_preset(id: &str) -> Result<&'static Preset> {
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
