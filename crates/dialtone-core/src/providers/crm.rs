//! The team's CRM: record an outbound call (`POST {instance}/api/calls/sdk/initiate`).
//!
//! Bearer token; body `{"phoneNumber": "<E.164>"}` (a `contactId` joins it when the
//! call is to a CRM contact). 200 gives `{"success": true, "call": {...}}`; the call
//! document carries many provider-specific fields, all kept as they came.

use serde::Deserialize;

use super::schema::{Check, Field};
use super::transport::{self, Purpose};
use super::{CallOutcome, Ctx, base_url_field};
use crate::numbers::Target;
use crate::redact::ExposeSecret;
use crate::{ErrorCode, Result};

pub(crate) fn fields() -> Vec<Field> {
    vec![
        base_url_field(
            None,
            "Your CRM instance's root, e.g. https://crm.example.com; /api/calls/sdk/initiate is appended.",
        ),
        Field::new("token", "API token", Check::Text, "A token of your CRM account; sent as a Bearer token.").secret(),
    ]
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
    let request =
        ctx.client.post(url).bearer_auth(token.expose_secret()).json(&serde_json::json!({ "phoneNumber": to }));
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
