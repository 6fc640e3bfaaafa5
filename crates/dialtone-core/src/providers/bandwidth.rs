//! Bandwidth Voice API v2: create a call, read its state, hang it up.
//!
//! `POST {base}/api/v2/accounts/{accountId}/calls` with HTTP Basic (the dashboard's
//! API user) and `{"from", "to", "applicationId", "answerUrl", ...}`; 201 gives the
//! `callId` (and the call's URL in `Location`). `GET` on the call's URL reads its
//! state; `POST {"state": "completed"}` to it hangs up. The call's URL is built from
//! `base_url`, so an overridden base URL (a proxy, a test server) is used throughout.

use serde::Deserialize;

use super::descriptor::{Accepts, Descriptor, Gives, Support};
use super::schema::{Check, Field};
use super::transport::{self, Purpose, Reply};
use super::{CallOutcome, CallStatus, Ctx, Kind, base_url_field};
use crate::numbers::Target;
use crate::redact::ExposeSecret;
use crate::{Error, Result};

/// Bandwidth as the rest of Dialtone sees it.
pub const DESCRIPTOR: Descriptor = Descriptor {
    kind: Kind::Bandwidth,
    id: "bandwidth",
    label: "Bandwidth Voice",
    description: "Creates a call with Bandwidth's Voice API v2; shows its state and can hang up.",
    gives: Gives::Call,
    accepts: Accepts { email: false, sip_uri: true },
    hang_up: Support::Yes,
    status: Support::Yes,
    timeout_seconds: 30,
    notice: None,
    speed_dials: false,
};

pub(crate) fn fields() -> Vec<Field> {
    vec![
        base_url_field(
            Some("https://voice.bandwidth.com"),
            "Bandwidth's Voice API root; /api/v2/accounts/... is appended.",
        ),
        Field::new("account_id", "Account ID", Check::Text, "Your Bandwidth account id.").required(),
        Field::new(
            "application_id",
            "Voice application ID",
            Check::Text,
            "The voice application whose callbacks the call uses.",
        )
        .required(),
        Field::new(
            "answer_url",
            "Answer URL",
            Check::Url,
            "Returns the BXML to run when the callee answers, e.g. a <Transfer> to your own phone.",
        )
        .required(),
        Field::new("from_number", "From number", Check::E164, "A number on the account, in E.164 form.").required(),
        Field::new(
            "answer_method",
            "Answer URL method",
            Check::OneOf { choices: vec!["POST".into(), "GET".into()] },
            "GET suits a static BXML file.",
        )
        .default("POST"),
        Field::new(
            "call_timeout",
            "Ring for (seconds)",
            Check::Integer { min: 1, max: 300 },
            "How long Bandwidth lets the call ring (1–300).",
        )
        .default("30"),
        Field::new(
            "disconnect_url",
            "Disconnect URL",
            Check::Url,
            "Strongly recommended: Bandwidth tells this URL when the call ends, and why (the only word of errors after the call starts).",
        ),
        Field::new(
            "tag",
            "Tag",
            Check::Text,
            "Up to 256 characters Bandwidth sends back in every callback for this call.",
        ),
        Field::new("username", "API user name", Check::Text, "The API credentials from the Bandwidth dashboard.")
            .secret(),
        Field::new("password", "API password", Check::Text, "The API credentials from the Bandwidth dashboard.")
            .secret(),
    ]
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Created {
    call_id: Option<String>,
}

#[derive(Deserialize)]
struct ApiError {
    #[serde(rename = "type")]
    kind: Option<String>,
    description: Option<String>,
}

fn described(reply: &Reply) -> Option<String> {
    let err: ApiError = serde_json::from_str(&reply.body).ok()?;
    match (err.description, err.kind) {
        (Some(d), Some(k)) => Some(format!("{d} [{k}]")),
        (Some(d), None) => Some(d),
        (None, k) => k,
    }
}

fn calls_url(ctx: &Ctx<'_>) -> Result<String> {
    let account = ctx.required("account_id")?;
    Ok(format!("{}/api/v2/accounts/{}/calls", ctx.base_url()?, urlencoding(&account)))
}

fn urlencoding(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

fn call_url(ctx: &Ctx<'_>, call_id: &str) -> Result<String> {
    let ok = !call_id.is_empty()
        && call_id.len() <= 128
        && call_id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !ok {
        return Err(Error::invalid_input(format!(
            "“{call_id}” is not a Bandwidth call id (like c-15ac29a2-1331029c-...)."
        )));
    }
    Ok(format!("{}/{call_id}", calls_url(ctx)?))
}

pub(crate) async fn place(ctx: &mut Ctx<'_>, target: &Target) -> Result<(String, CallOutcome)> {
    // Which targets reach here is the descriptor's to say (the dialer checks it).
    let to = match target {
        Target::Sip(uri) => uri.clone(),
        other => ctx.phone(other)?.e164().to_owned(),
    };
    let mut body = serde_json::json!({
        "from": ctx.required("from_number")?,
        "to": to,
        "applicationId": ctx.required("application_id")?,
        "answerUrl": ctx.required("answer_url")?,
        "answerMethod": ctx.required("answer_method")?,
    });
    if let Some(timeout) = ctx.setting("call_timeout").and_then(|t| t.parse::<u32>().ok()) {
        body["callTimeout"] = timeout.into();
    }
    if let Some(url) = ctx.setting("disconnect_url") {
        body["disconnectUrl"] = url.into();
    }
    if let Some(tag) = ctx.setting("tag") {
        if tag.chars().count() > 256 {
            return Err(Error::invalid_input(format!(
                "{}: Bandwidth takes a tag of at most 256 characters; this one has {}. Nothing was dialled.",
                ctx.name,
                tag.chars().count()
            )));
        }
        body["tag"] = tag.into();
    }
    let (user, password) = (ctx.secret("username")?, ctx.secret("password")?);
    let request =
        ctx.client.post(calls_url(ctx)?).basic_auth(user.expose_secret(), Some(password.expose_secret())).json(&body);
    let who = ctx.who();
    let reply = transport::send(&who, request, ctx.timeout(), Purpose::CreateCall).await?;
    if !reply.status.is_success() {
        return Err(transport::status_error(&who, &reply, described(&reply), None, Purpose::CreateCall));
    }
    let created: Created = reply.json(&who, r#"{"callId": "c-..."}"#)?;
    let from_location = reply
        .headers
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|url| url.rsplit('/').next().map(str::to_owned))
        .filter(|id| !id.is_empty());
    Ok((to, CallOutcome::Placed { call_id: created.call_id.or(from_location) }))
}

pub(crate) async fn status(ctx: &mut Ctx<'_>, call_id: &str) -> Result<CallStatus> {
    let url = call_url(ctx, call_id)?;
    let (user, password) = (ctx.secret("username")?, ctx.secret("password")?);
    let request = ctx.client.get(url).basic_auth(user.expose_secret(), Some(password.expose_secret()));
    let who = ctx.who();
    let reply = transport::send(&who, request, ctx.timeout(), Purpose::Other).await?;
    if !reply.status.is_success() {
        return Err(transport::status_error(&who, &reply, described(&reply), None, Purpose::Other));
    }
    reply.json::<CallStatus>(&who, r#"{"state": "answered", ...}"#).map(CallStatus::with_phase)
}

pub(crate) async fn hang_up(ctx: &mut Ctx<'_>, call_id: &str) -> Result<()> {
    let url = call_url(ctx, call_id)?;
    let (user, password) = (ctx.secret("username")?, ctx.secret("password")?);
    let request = ctx
        .client
        .post(url)
        .basic_auth(user.expose_secret(), Some(password.expose_secret()))
        .json(&serde_json::json!({ "state": "completed" }));
    let who = ctx.who();
    let reply = transport::send(&who, request, ctx.timeout(), Purpose::Other).await?;
    if !reply.status.is_success() {
        return Err(transport::status_error(&who, &reply, described(&reply), None, Purpose::Other));
    }
    Ok(())
}
