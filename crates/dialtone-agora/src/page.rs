//! The call page itself: a small HTML document holding the session, and its CSP.

use dialtone_core::providers::AgoraSession;
use dialtone_core::redact::ExposeSecret;
use serde::Serialize;

/// Who is being called, as the page shows them.
#[derive(Debug, Clone, Serialize)]
pub struct Callee {
    /// The contact's name, when the number belongs to one.
    pub name: Option<String>,
    /// The number as people read it (`+1 415-555-0123`).
    pub number: String,
}

/// The call page's Content-Security-Policy. Its script is the bundle served beside it;
/// it may connect to its own origin (events, hang-up) and to Agora's hosts (`*.agora.io`
/// for the gateway, edges and statistics; `*.sd-rtn.com`, Agora's network, for the
/// same); the SDK runs one worker from a `blob:` and plays audio through `blob:` media.
/// Nothing else: no inline script, no frames, no forms, no other host.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; \
     connect-src 'self' https://*.agora.io wss://*.agora.io https://*.sd-rtn.com wss://*.sd-rtn.com; \
     media-src 'self' blob:; worker-src blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// What the page's script reads from the document (`#session`), then removes.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Handed<'a> {
    app_id: &'a str,
    channel_name: &'a str,
    token: &'a str,
    /// `null` lets Agora assign one (Sendblue's 0).
    uid: Option<u32>,
    callee: &'a Callee,
}

/// The page's HTML. The session sits in a `type="application/json"` block, which is
/// data and not script (the CSP needs no `unsafe-inline`), with `<`, `>` and `&`
/// escaped so no value can close the block.
pub(crate) fn html(session: &AgoraSession, callee: &Callee) -> String {
    let handed = Handed {
        app_id: &session.app_id,
        channel_name: &session.channel_name,
        token: session.token.expose_secret(),
        uid: (session.uid != 0).then_some(session.uid),
        callee,
    };
    let json = serde_json::to_string(&handed)
        .unwrap_or_default()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    let title = escape(callee.name.as_deref().unwrap_or(&callee.number));
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <title>FaceTime call with {title} · Dialtone</title>\n\
         <link rel=\"stylesheet\" href=\"call/call.css\">\n</head>\n<body>\n\
         <main id=\"call\"><p>Starting the call…</p></main>\n\
         <script type=\"application/json\" id=\"session\">{json}</script>\n\
         <script type=\"module\" src=\"call/call.js\"></script>\n</body>\n</html>\n"
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use dialtone_core::redact::SecretString;

    use super::*;

    fn session(token: &str, uid: u32) -> AgoraSession {
        AgoraSession {
            app_id: "app".into(),
            channel_name: "chan".into(),
            uid,
            token: SecretString::from(token.to_owned()),
        }
    }

    fn handed(page: &str) -> serde_json::Value {
        let start = page.find("id=\"session\">").expect("session block") + "id=\"session\">".len();
        let end = start + page[start..].find("</script>").expect("end of block");
        serde_json::from_str(&page[start..end]).expect("JSON")
    }

    #[test]
    fn the_page_hands_over_exactly_the_four_values_and_the_callee() {
        let callee = Callee { name: Some("Ada".into()), number: "+1 415-555-0123".into() };
        let page = html(&session("tok", 7), &callee);
        assert_eq!(
            handed(&page),
            serde_json::json!({
                "appId": "app", "channelName": "chan", "token": "tok", "uid": 7,
                "callee": {"name": "Ada", "number": "+1 415-555-0123"},
            })
        );
        assert!(page.contains("<title>FaceTime call with Ada · Dialtone</title>"));
    }

    #[test]
    fn uid_zero_is_left_for_agora_to_assign() {
        let page = html(&session("tok", 0), &Callee { name: None, number: "+1".into() });
        assert_eq!(handed(&page)["uid"], serde_json::Value::Null);
    }

    #[test]
    fn no_value_can_close_the_session_block_or_the_title() {
        let callee = Callee { name: Some("</title><script>x</script>".into()), number: "1".into() };
        let page = html(&session("</script><script>alert(1)</script>&", 0), &callee);
        assert_eq!(page.matches("</script>").count(), 2, "only the page's own two blocks end");
        assert_eq!(handed(&page)["token"], "</script><script>alert(1)</script>&");
        assert!(page.contains("&lt;/title&gt;&lt;script&gt;"));
    }
}
