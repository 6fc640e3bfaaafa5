//! Blooio: a FaceTime link for a phone number or an email address.
//!
//! `POST {base}/v2/api/facetime/calls` with `Authorization: Bearer <api key>` and
//! `{"handle": "<E.164 or email>"}`; 200 gives `{"success": true, "link", "handle"}`.
//! The link is the product: it is kept byte for byte, fragment (`#v=1&p=...`) included.

use reqwest::StatusCode;
use serde::Deserialize;

use super::schema::{Check, Field};
use super::transport::{self, Purpose};
use super::{CallOutcome, Ctx, base_url_field, link_expiry};
use crate::numbers::Target;
use crate::redact::ExposeSecret;
use crate::{ErrorCode, Result};

pub(crate) fn fields() -> Vec<Field> {
    vec![
        base_url_field(Some("https://backend.blooio.com"), "Blooio's API root; /v2/api/facetime/calls is appended."),
        Field::new("api_key", "API key", Check::Text, "From the Blooio dashboard; sent as a Bearer token.").secret(),
    ]
}

#[derive(Deserialize)]
struct Created {
    success: Option<bool>,
    link: Option<String>,
    handle: Option<String>,
}

#[derive(Deserialize)]
struct ApiError {
    message: Option<String>,
    code: Option<String>,
}

/// The statuses Blooio documents, in words a person can act on.
fn documented(status: StatusCode) -> Option<(ErrorCode, &'static str)> {
    Some(match status.as_u16() {
        400 => (
            ErrorCode::ProviderRejected,
            "Blooio did not accept the phone number or email address; check it and try again",
        ),
        401 => (
            ErrorCode::ProviderAuth,
            "Blooio did not accept the API key; store the right one in Settings → Providers or with `dialtone provider secret NAME api_key`",
        ),
        402 => (
            ErrorCode::ProviderRejected,
            "Blooio says this account has reached its trial limit; upgrade the plan to place more FaceTime calls",
        ),
        403 => (ErrorCode::ProviderAuth, "Blooio refused: this API key may not place FaceTime calls"),
        404 => (
            ErrorCode::ProviderRejected,
            "Blooio has no active number for this API key; add or activate a number in the Blooio dashboard",
        ),
        409 => (
            ErrorCode::ProviderRejected,
            "Blooio reported a conflict (a call to this handle may already be starting); wait a moment and try again",
        ),
        501 => (
            ErrorCode::ProviderUnavailable,
            "Blooio has FaceTime calling switched off for now (“coming soon”); try again later or use another provider",
        ),
        502 => (ErrorCode::ProviderUnavailable, "Blooio could not create the FaceTime link; try again in a moment"),
        503 => (
            ErrorCode::ProviderUnavailable,
            "Blooio has no active devices to place FaceTime calls right now; try again later",
        ),
        _ => return None,
    })
}

pub(crate) async fn place(ctx: &mut Ctx<'_>, target: &Target) -> Result<(String, CallOutcome)> {
    let handle = match target {
        Target::Phone(number) => number.e164().to_owned(),
        Target::Email(email) => email.clone(),
        Target::Sip(_) => {
            return Err(crate::Error::invalid_input(format!(
                "{}: Blooio calls phone numbers and email addresses, not SIP addresses.",
                ctx.name
            )));
        }
    };
    let key = ctx.secret("api_key")?;
    let url = format!("{}/v2/api/facetime/calls", ctx.base_url()?);
    let request = ctx.client.post(url).bearer_auth(key.expose_secret()).json(&serde_json::json!({ "handle": handle }));
    let who = ctx.who();
    let reply = transport::send(&who, request, ctx.timeout(), Purpose::CreateCall).await?;
    if !reply.status.is_success() {
        let described = serde_json::from_str::<ApiError>(&reply.body).ok().and_then(|e| {
            e.message.map(|m| match e.code {
                Some(code) => format!("{m} [{code}]"),
                None => m,
            })
        });
        return Err(transport::status_error(&who, &reply, described, Some(documented), Purpose::CreateCall));
    }
    let created: Created = reply.json(&who, r#"{"success": true, "link": "https://facetime.apple.com/join#..."}"#)?;
    let link = match (created.success, created.link) {
        (Some(false), _) | (_, None) => {
            return Err(who.error(
                ErrorCode::ProviderResponse,
                format!("answered {} without a FaceTime link. The FaceTime call may still ring; check before calling again.", reply.status.as_u16()),
            ));
        }
        (_, Some(link)) => link,
    };
    if !link.starts_with("https://") {
        return Err(who.error(
            ErrorCode::ProviderResponse,
            "returned a link that is not an https:// address; it was not opened.",
        ));
    }
    Ok((handle, CallOutcome::FacetimeLink { link, handle: created.handle, expires_at: link_expiry() }))
}
