//! Sendblue: a FaceTime call whose audio is an Agora session.
//!
//! `POST {base}/facetime/start-call` with headers `sb-api-key-id` and
//! `sb-api-secret-key`, body `{"phoneNumber", "fromNumber"}` (both E.164). 200 gives
//! `{"status": "OK", "agora": {"appId", "channelName", "token", "uid"}}`: the session
//! to join at once (the token is short-lived). Errors are not documented, so the
//! status and the (scrubbed) body are shown.

use serde::Deserialize;

use super::descriptor::{Accepts, Descriptor, Gives, Support};
use super::schema::{Check, Field};
use super::transport::{self, Purpose};
use super::{AgoraSession, CallOutcome, Ctx, Kind, base_url_field};
use crate::numbers::Target;
use crate::redact::{ExposeSecret, SecretString};
use crate::{ErrorCode, Result};

/// Sendblue as the rest of Dialtone sees it.
pub const DESCRIPTOR: Descriptor = Descriptor {
    kind: Kind::Sendblue,
    id: "sendblue",
    label: "Sendblue FaceTime",
    description: "Starts a FaceTime call from your Sendblue number; its audio plays in Dialtone's call window, or in your browser where this system's web view has no WebRTC.",
    gives: Gives::LiveAudio,
    accepts: Accepts::PHONE_ONLY,
    hang_up: Support::No { why: "leaving the audio session ends our side" },
    status: Support::No { why: "leaving the audio session ends our side" },
    timeout_seconds: 30,
    notice: Some(
        "A Sendblue call's audio plays in Dialtone's call window, or in your default browser where this system's web view has no WebRTC (Linux today). The dialtone command cannot carry it.",
    ),
    speed_dials: false,
};

pub(crate) fn fields() -> Vec<Field> {
    vec![
        base_url_field(
            Some("https://api.sendblue.co"),
            "Sendblue's API root (some accounts use https://api.sendblue.com).",
        ),
        Field::new("from_number", "Your Sendblue FaceTime number", Check::E164, "In E.164 form, e.g. +14155550123.")
            .required(),
        Field::new("api_key_id", "API key ID", Check::Text, "From the Sendblue dashboard (sb-api-key-id).").secret(),
        Field::new("api_secret_key", "API secret key", Check::Text, "From the Sendblue dashboard (sb-api-secret-key).")
            .secret(),
    ]
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Started {
    agora: Option<Agora>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Agora {
    app_id: String,
    channel_name: String,
    token: String,
    #[serde(default)]
    uid: Uid,
}

/// Agora uids arrive as numbers or as numeric strings.
#[derive(Deserialize, Default)]
#[serde(untagged)]
enum Uid {
    #[default]
    Auto,
    Number(u32),
    Text(String),
}

pub(crate) async fn place(ctx: &mut Ctx<'_>, target: &Target) -> Result<(String, CallOutcome)> {
    let to = ctx.phone(target)?.e164().to_owned();
    let from = ctx.required("from_number")?;
    let key_id = ctx.secret("api_key_id")?;
    let secret_key = ctx.secret("api_secret_key")?;
    let url = format!("{}/facetime/start-call", ctx.base_url()?);
    let request = ctx
        .client
        .post(url)
        .header("sb-api-key-id", key_id.expose_secret())
        .header("sb-api-secret-key", secret_key.expose_secret())
        .json(&serde_json::json!({ "phoneNumber": to, "fromNumber": from }));
    let who = ctx.who();
    let reply = transport::send(&who, request, ctx.timeout(), Purpose::CreateCall).await?;
    if !reply.status.is_success() {
        let described = serde_json::from_str::<serde_json::Value>(&reply.body).ok().and_then(|v| {
            ["message", "error", "status"].iter().find_map(|k| v.get(*k).and_then(|m| m.as_str()).map(str::to_owned))
        });
        return Err(transport::status_error(&who, &reply, described, None, Purpose::CreateCall));
    }
    let started: Started = reply.json(&who, r#"{"status": "OK", "agora": {...}}"#)?;
    let Some(agora) = started.agora else {
        return Err(who.error(
            ErrorCode::ProviderResponse,
            "answered without an Agora session, so there is no audio to join. The FaceTime call may still ring; check before calling again.",
        ));
    };
    let uid = match agora.uid {
        Uid::Auto => 0,
        Uid::Number(n) => n,
        Uid::Text(text) => text.parse().map_err(|_| {
            who.error(ErrorCode::ProviderResponse, format!("returned an Agora uid that is not a number (“{text}”)."))
        })?,
    };
    let session = AgoraSession {
        app_id: agora.app_id,
        channel_name: agora.channel_name,
        uid,
        token: SecretString::from(agora.token),
    };
    Ok((to, CallOutcome::LiveAudio { agora: session }))
}
