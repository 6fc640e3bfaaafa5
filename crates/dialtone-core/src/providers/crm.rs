//! The team's CRM: record an outbound call (`POST {instance}/api/calls/sdk/initiate`).
//!
//! It logs the call; it does not ring anyone. Bearer token; body `{"phoneNumber":
//! "<E.164>"}`, with `contactId` when the call is to a contact whose UID is a CRM
//! record's id (a 24-hex-digit ObjectId, as the CRM's own vCard export writes it), so
//! the CRM files the call under that person rather than matching the number. 200 gives
//! `{"success": true, "call": {...}}`; the call document carries many
//! provider-specific fields, all kept as they came.

use serde::Deserialize;

use super::descriptor::{Accepts, Descriptor, Gives, Support};
use super::schema::{Check, Field};
use super::transport::{self, Purpose};
use super::{CallOutcome, Ctx, Kind, base_url_field};
use crate::numbers::Target;
use crate::redact::ExposeSecret;
use crate::{ErrorCode, Result};

/// The CRM as the rest of Dialtone sees it.
pub const DESCRIPTOR: Descriptor = Descriptor {
    kind: Kind::Crm,
    id: "crm",
    label: "CRM call log (logs the call; does not ring)",
    description: "Logs the outbound call in your CRM (POST /api/calls/sdk/initiate); it does not ring anyone.",
    gives: Gives::Record,
    accepts: Accepts::PHONE_ONLY,
    hang_up: Support::No { why: "its API has no such request" },
    status: Support::No { why: "its API has no such request" },
    timeout_seconds: 30,
    notice: Some("This logs the call in your CRM; it does not ring anyone."),
    speed_dials: false,
};

pub(crate) fn fields() -> Vec<Field> {
    vec![
        base_url_field(
            None,
            "Your CRM instance's root, e.g. https://crm.example.com; /api/calls/sdk/initiate is appended.",
        ),
        Field::new("token", "API token", Check::Text, "A token of your CRM account; sent as a Bearer token.").secret(),
    ]
}

/// A MongoDB ObjectId as the CRM writes it: 24 hexadecimal digits.
fn is_object_id(text: &str) -> bool {
    text.len() == 24 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

#[derive(Deserialize)]
struct Initiated {
    success: Option<bool>,
    call: Option<serde_json::Value>,
    message: Option<String>,
}

pub(crate) async fn place(ctx: &mut Ctx<'_>, target: &Target) -> Result<(String, CallOutcome)> {
    let to = ctx.phone(target)?.e164().to_owned();
    let token = ctx.secret("token")?;
    let url = format!("{}/api/calls/sdk/initiate", ctx.base_url()?);
    let mut body = serde_json::json!({ "phoneNumber": to });
    if let Some(id) = ctx.contact_uid.filter(|uid| is_object_id(uid)) {
        body["contactId"] = id.into();
    }
    let request = ctx.client.post(url).bearer_auth(token.expose_secret()).json(&body);
    let who = ctx.who();
    let reply = transport::send(&who, request, ctx.timeout(), Purpose::CreateCall).await?;
    if !reply.status.is_success() {
        let described = serde_json::from_str::<serde_json::Value>(&reply.body).ok().and_then(|v| {
            ["message", "error"].iter().find_map(|k| v.get(*k).and_then(|m| m.as_str()).map(str::to_owned))
        });
        return Err(transport::status_error(&who, &reply, described, None, Purpose::CreateCall));
    }
    let initiated: Initiated = reply.json(&who, r#"{"success": true, "call": {...}}"#)?;
    match (initiated.success, initiated.call) {
        (Some(false), _) | (_, None) => Err(who.error(
            ErrorCode::ProviderResponse,
            format!(
                "answered {} but did not record the call{}.",
                reply.status.as_u16(),
                initiated.message.map(|m| format!(" (“{m}”)")).unwrap_or_default()
            ),
        )),
        (_, Some(call)) if call.is_object() => {
            let call_id = ["callId", "_id"].iter().find_map(|k| call.get(*k).and_then(transport::scalar_text));
            Ok((to, CallOutcome::Recorded { call_id, call }))
        }
        (_, Some(_)) => {
            Err(who.error(ErrorCode::ProviderResponse, "answered with a call record that is not an object."))
        }
    }
}
