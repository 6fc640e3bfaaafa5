//! Blooio: a FaceTime link for a phone number or an email address.
//!
//! `POST {base}/v2/api/facetime/calls` with `Authorization: Bearer <api key>` and
//! `{"handle": "<E.164 or email>"}`; 200 gives `{"success": true, "link", "handle"}`.
//! The link is the product: it is kept byte for byte, fragment (`#v=1&p=...`) included.

use reqwest::StatusCode;
use serde::Deserialize;

use super::descriptor::{Accepts, Descriptor, Gives, Support};
use super::schema::{Check, Field};
use super::transport::{self, Purpose};
use super::{CallOutcome, Ctx, Kind, base_url_field, link_expiry};
use crate::numbers::Target;
use crate::redact::ExposeSecret;
use crate::{ErrorCode, Result};

/// Blooio as the rest of Dialtone sees it.
pub const DESCRIPTOR: Descriptor = Descriptor {
    kind: Kind::Blooio,
    id: "blooio",
    label: "Blooio FaceTime link",
    description: "Creates a FaceTime link and rings the person by FaceTime Audio; scan the QR code to join.",
    gives: Gives::FacetimeLink,
    // FaceTime by Apple ID: an email address is a handle as good as a number.
    accepts: Accepts { email: true, sip_uri: false },
    hang_up: Support::No { why: "the FaceTime call is ended in FaceTime" },
    status: Support::No { why: "the FaceTime call is ended in FaceTime" },
    timeout_seconds: 30,
    notice: None,
    speed_dials: false,
};

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

/// The statuses Blooio documents the meaning of, in words a person can act on. 403 and
/// 409 are listed without one: they get the general wording and Blooio's own message.
/// None of these made a call, and 501 and 502 say so.
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
        404 => (
            ErrorCode::ProviderRejected,
            "Blooio has no active number for this API key; add or activate a number in the Blooio dashboard",
        ),
        501 => (
            ErrorCode::ProviderUnavailable,
            "Blooio has FaceTime calling switched off for now (“coming soon”), so no call was placed; try again later or use another provider",
        ),
        502 => (
            ErrorCode::ProviderUnavailable,
            "Blooio could not create the FaceTime link, so no call was placed; try again in a moment",
        ),
        503 => (
            ErrorCode::ProviderUnavailable,
            "Blooio has no active devices to place FaceTime calls right now; try again later",
        ),
        _ => return None,
    })
}

/// Only Apple's FaceTime links are drawn as a FaceTime QR code: a link to anywhere else
/// (from a proxy, or a provider answering oddly) would send whoever scans it there.
fn is_facetime_link(link: &str) -> bool {
    link.starts_with("https://facetime.apple.com/")
        && reqwest::Url::parse(link).is_ok_and(|url| {
            url.scheme() == "https"
                && url.host_str() == Some("facetime.apple.com")
                && url.port().is_none()
                && url.username().is_empty()
                && url.password().is_none()
        })
}

pub(crate) async fn place(ctx: &mut Ctx<'_>, target: &Target) -> Result<(String, CallOutcome)> {
    // Which targets reach here is the descriptor's to say (the dialer checks it).
    let handle = match target {
        Target::Email(email) => email.clone(),
        other => ctx.phone(other)?.e164().to_owned(),
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
    if !is_facetime_link(&link) {
        return Err(who.error(
            ErrorCode::ProviderResponse,
            "returned a link that is not a FaceTime link (https://facetime.apple.com/...); it was not shown. \
             The FaceTime call may still ring; check before calling again.",
        ));
    }
    Ok((handle, CallOutcome::FacetimeLink { link, handle: created.handle, expires_at: link_expiry() }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_apples_facetime_links_are_taken() {
        assert!(is_facetime_link("https://facetime.apple.com/join#v=1&p=AeX1cmBiEe2cQwKlK0D5bA&k=Qx3hT"));
        for other in [
            "https://evil.example/join#v=1",
            "http://facetime.apple.com/join#v=1",
            "https://facetime.apple.com.evil.example/join",
            "https://facetime.apple.com@evil.example/join",
            "https://facetime.apple.com:8443/join",
            "https://user@facetime.apple.com/join",
            "facetime.apple.com/join",
        ] {
            assert!(!is_facetime_link(other), "{other}");
        }
    }
}
