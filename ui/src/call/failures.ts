// Why joining a Sendblue call's Agora session failed, in words a person can act on.
// The codes are the Rust side's `dialtone_agora::Failure`; both windows show these words.

export type Failure =
  | "token_expired"
  | "refused"
  | "network"
  | "microphone_denied"
  | "no_microphone"
  | "microphone_busy"
  | "unsupported"
  | "other";

/** What the person reads for each failure. */
export function failureWords(failure: Failure): string {
  switch (failure) {
    case "token_expired":
      return "The call's session expired before it could be joined (Sendblue's token lasts only moments). Call again.";
    case "refused":
      return "Agora refused this call's session. Call again; if it happens again, check the Sendblue account.";
    case "network":
      return "Could not reach Agora's servers, so the call has no audio. Check the internet connection (a firewall may block them), then call again.";
    case "microphone_denied":
      return "Microphone permission was denied, so the callee cannot hear you. Allow the microphone for this page, then call again.";
    case "no_microphone":
      return "No microphone was found. Connect one, then call again.";
    case "microphone_busy":
      return "The microphone could not be opened: another app may be using it.";
    case "unsupported":
      return "This browser cannot carry the call (it has no WebRTC). Open the call in a current Chrome, Edge, Firefox or Safari.";
    case "other":
      return "Joining the call failed. Call again.";
  }
}

/** Token-related words in an Agora error's message (its codes do not always say). */
const EXPIRED = /TOKEN_EXPIRE|DYNAMIC_KEY_EXPIRED|dynamic key expired/i;
const REFUSED = /INVALID_VENDOR_KEY|NO_AUTHORIZED|DYNAMIC_USE_STATIC_KEY|INVALID_TOKEN|invalid token|INVALID_CHANNEL_NAME|UID_BANNED|INVALID_PARAMS/;

/**
 * Classifies an error thrown by the Agora SDK (an `AgoraRTCError` with `code` and
 * `message`) or by the browser (`NotAllowedError`, ...). Only codes are read from it;
 * the message is matched against known words and never shown, since it may echo the
 * request.
 */
export function classify(err: unknown): Failure {
  // Agora's errors carry a string code; the browser's DOMException a name (its numeric
  // `code` is a legacy 0).
  const { code: sdkCode, name } = (err ?? {}) as { code?: unknown; name?: unknown };
  const code = typeof sdkCode === "string" ? sdkCode : String(name ?? "");
  const message = String((err as { message?: unknown })?.message ?? "");
  if (EXPIRED.test(code) || EXPIRED.test(message)) return "token_expired";
  if (REFUSED.test(code) || REFUSED.test(message)) return "refused";
  switch (code) {
    case "PERMISSION_DENIED":
    case "NotAllowedError":
      return "microphone_denied";
    case "DEVICE_NOT_FOUND":
    case "NotFoundError":
      return "no_microphone";
    case "NOT_READABLE":
    case "NotReadableError":
      return "microphone_busy";
    case "NOT_SUPPORTED":
    case "WEB_SECURITY_RESTRICT":
      return "unsupported";
    case "NETWORK_ERROR":
    case "NETWORK_TIMEOUT":
    case "NETWORK_RESPONSE_ERROR":
    case "CAN_NOT_GET_GATEWAY_SERVER":
    case "CAN_NOT_GET_PROXY_SERVER":
    case "WS_ABORT":
    case "WS_DISCONNECT":
    case "WS_ERR":
      return "network";
    default:
      return "other";
  }
}
