//! Signalling: registering an account, placing and receiving calls.
//!
//! [`SipAgent`] is the small surface the rest of Dialtone uses; [`Phone`] implements
//! it on rsipstack. One tokio task per call owns that call's dialog and media
//! session and turns SIP into [`CallEvent`]s.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rsipstack::dialog::authenticate::Credential;
use rsipstack::dialog::dialog::{DialogState, DialogStateSender, TerminatedReason};
use rsipstack::dialog::dialog_layer::DialogLayer;
use rsipstack::dialog::invitation::InviteOption;
use rsipstack::dialog::invite_dialog::InviteDialog;
use rsipstack::dialog::registration::Registration;
use rsipstack::sip::headers::untyped::ToTypedHeader;
use rsipstack::sip::{Header, HeadersExt, StatusCode};
use rsipstack::transport::{TransportLayer, udp::UdpConnection};
use rsipstack::{EndpointBuilder, transaction::endpoint::EndpointInnerRef};
use secrecy::ExposeSecret;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::account::{Account, HostPort, Transport};
use crate::call::{CallDirection, CallEvent, CallHandle, Command, EndReason, Party};
use crate::error::{Error, Result};
use crate::media::io::MediaIo;
use crate::media::{MediaEvent, MediaSession, MediaSocket};
use crate::sdp::{self, Direction, LocalMedia, Negotiated, RemoteMedia};

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// How long we wait for a registrar before saying it is unreachable.
const REGISTER_TIMEOUT: Duration = Duration::from_secs(8);
/// UDP keepalive (RFC 5626 CRLF ping) period, under common NAT binding lifetimes.
const KEEPALIVE: Duration = Duration::from_secs(25);

/// The registrar's answer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Registered {
    pub aor: String,
    /// Seconds the registration lasts, as granted.
    pub expires: u32,
    /// The address the registrar saw us at (rport/received), when it differs.
    pub public_address: Option<String>,
}

/// What Dialtone needs from a SIP stack.
pub trait SipAgent: Send + Sync {
    fn register(&self) -> BoxFuture<'_, Result<Registered>>;
    fn unregister(&self) -> BoxFuture<'_, Result<()>>;
    /// Places a call; the handle reports its events until it ends.
    fn call(&self, target: &str, io: MediaIo) -> BoxFuture<'_, Result<CallHandle>>;
    /// The next call that rings us (after [`SipAgent::register`]).
    fn next_incoming(&self) -> BoxFuture<'_, Option<CallHandle>>;
}

/// A SIP user agent for one account, on rsipstack.
pub struct Phone {
    inner: Arc<Inner>,
    incoming: tokio::sync::Mutex<mpsc::UnboundedReceiver<CallHandle>>,
}

impl std::fmt::Debug for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Phone").field("aor", &self.inner.account.aor()).finish()
    }
}

struct Inner {
    account: Account,
    endpoint: EndpointInnerRef,
    dialogs: Arc<DialogLayer>,
    state_tx: DialogStateSender,
    /// Each call's dialog states, by Call-ID.
    routes: Mutex<HashMap<String, mpsc::UnboundedSender<DialogState>>>,
    local_ip: IpAddr,
    server: rsipstack::sip::Uri,
    proxy: Option<SocketAddr>,
    /// Where every request goes first: the outbound proxy, else the registrar.
    hop: rsipstack::transport::SipAddr,
    contact: Mutex<rsipstack::sip::Uri>,
    registration: tokio::sync::Mutex<Option<Registration>>,
    registered: Mutex<bool>,
    cancel: CancellationToken,
    incoming_tx: mpsc::UnboundedSender<CallHandle>,
}

impl Drop for Phone {
    fn drop(&mut self) {
        self.inner.cancel.cancel();
    }
}

/// Makes ring rustls's cryptography for the whole process, before the first TLS client
/// (SIP over TLS, a provider's request, the app's updater). The build carries ring alone,
/// so reqwest ("rustls-no-provider") has no default of its own and would panic without
/// this. Calling it again does nothing. `dialtone_core` re-exports it for its callers.
pub fn use_ring_for_tls() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

async fn resolve(hop: &HostPort, transport: Transport) -> Result<SocketAddr> {
    let port = hop.port.unwrap_or(transport.default_port());
    let found = tokio::time::timeout(Duration::from_secs(5), tokio::net::lookup_host((hop.host.as_str(), port)))
        .await
        .map_err(|_| Error::Unreachable(format!("Looking up {} took too long.", hop.host)))?
        .map_err(|e| Error::Unreachable(format!("{} could not be found ({e}).", hop.host)))?
        .collect::<Vec<_>>();
    found
        .iter()
        .find(|a| a.is_ipv4())
        .or(found.first())
        .copied()
        .ok_or_else(|| Error::Unreachable(format!("{} has no address.", hop.host)))
}

/// A failed TLS connection in plain words: an untrusted or mismatched certificate
/// says what to do about it.
fn tls_failure(host: &str, cause: &str) -> Error {
    let lower = cause.to_ascii_lowercase();
    if lower.contains("unknownissuer") || lower.contains("unknown issuer") || lower.contains("selfsigned") {
        Error::Tls(format!(
            "The TLS certificate of {host} is not signed by an authority this computer trusts, so nothing was sent. \
             If your PBX uses its own certificate authority, set tls_ca_file to its PEM file. ({cause})"
        ))
    } else if lower.contains("notvalidforname") || lower.contains("not valid for name") {
        Error::Tls(format!(
            "The TLS certificate of {host} is for another name, so nothing was sent. Check the registrar's address. ({cause})"
        ))
    } else if lower.contains("expired") {
        Error::Tls(format!("The TLS certificate of {host} has expired, so nothing was sent. ({cause})"))
    } else {
        Error::Tls(format!("A TLS connection to {host} failed: {cause}"))
    }
}

/// What a TLS connection trusts: the system's certificate authorities, plus the
/// account's own file. rsipstack verifies the chain and the name with rustls; with
/// no anchors it would refuse every server, so they are always given.
fn tls_config(account: &Account) -> Result<rsipstack::transport::tls::TlsConfig> {
    use base64::Engine as _;
    use rustls::pki_types::pem::PemObject as _;
    let mut pem = String::new();
    let mut add = |der: &[u8]| {
        let text = base64::engine::general_purpose::STANDARD.encode(der);
        pem.push_str("-----BEGIN CERTIFICATE-----\n");
        for line in text.as_bytes().chunks(64) {
            pem.push_str(std::str::from_utf8(line).unwrap_or_default());
            pem.push('\n');
        }
        pem.push_str("-----END CERTIFICATE-----\n");
    };
    let system = rustls_native_certs::load_native_certs();
    for cert in &system.certs {
        add(cert.as_ref());
    }
    let mut own = 0;
    if let Some(path) = &account.tls_ca_file {
        let text = std::fs::read(path).map_err(|e| {
            Error::Setting(format!("The certificate authority file {} could not be read: {e}", path.display()))
        })?;
        for cert in rustls::pki_types::CertificateDer::pem_slice_iter(&text) {
            let cert = cert.map_err(|e| {
                Error::Setting(format!(
                    "The certificate authority file {} is not PEM certificates: {e}",
                    path.display()
                ))
            })?;
            add(cert.as_ref());
            own += 1;
        }
        if own == 0 {
            return Err(Error::Setting(format!(
                "The certificate authority file {} holds no certificate.",
                path.display()
            )));
        }
    }
    if system.certs.is_empty() && own == 0 {
        return Err(Error::Tls(
            "This system has no trusted certificate authorities to check the registrar's certificate with (install ca-certificates), and the account names no certificate authority file.".into(),
        ));
    }
    // The certificate is checked against the name the person typed, not the address
    // it resolved to.
    let host = &account.next_hop().host;
    let sni_hostname = host.parse::<IpAddr>().is_err().then(|| host.clone());
    Ok(rsipstack::transport::tls::TlsConfig { ca_certs: Some(pem.into_bytes()), sni_hostname, ..Default::default() })
}

fn stack_transport(t: Transport) -> rsipstack::sip::Transport {
    match t {
        Transport::Udp => rsipstack::sip::Transport::Udp,
        Transport::Tcp => rsipstack::sip::Transport::Tcp,
        Transport::Tls => rsipstack::sip::Transport::Tls,
    }
}

/// Sends whatever is addressed to the account's own domain (`sip:bob@pbx`, a
/// CANCEL or ACK built from such a request URI) to the registrar or outbound proxy
/// at its real port and transport, as every softphone does; anything else (a
/// Record-Route proxy, a far end's Contact) goes where its URI says.
struct HopLocator {
    domain: HostPort,
    hop: rsipstack::transport::SipAddr,
}

#[async_trait::async_trait]
impl rsipstack::transaction::endpoint::TargetLocator for HopLocator {
    async fn locate(&self, uri: &rsipstack::sip::Uri) -> rsipstack::Result<rsipstack::transport::SipAddr> {
        let host = uri.host_with_port.host.to_string();
        let port = uri.host_with_port.port.as_ref().map(|p| p.0);
        let ours = host.eq_ignore_ascii_case(&self.domain.host) && (port.is_none() || port == self.domain.port);
        if ours {
            return Ok(self.hop.clone());
        }
        rsipstack::transport::SipAddr::try_from(uri)
    }
}

fn parse_uri(text: &str) -> Result<rsipstack::sip::Uri> {
    rsipstack::sip::Uri::try_from(text).map_err(|e| Error::Setting(format!("\"{text}\" is not a SIP URI: {e}")))
}

impl Phone {
    /// Binds the transport and starts the stack. Nothing is sent yet.
    pub async fn start(account: Account) -> Result<Phone> {
        use_ring_for_tls();
        let hop = resolve(account.next_hop(), account.transport).await?;
        // The local address that routes to the registrar is the one to advertise.
        let probe = std::net::UdpSocket::bind(if hop.is_ipv4() { "0.0.0.0:0" } else { "[::]:0" })?;
        probe.connect(hop)?;
        let local_ip = probe.local_addr()?.ip();
        drop(probe);

        let mut hop_addr = rsipstack::transport::SipAddr::from(hop);
        hop_addr.r#type = Some(stack_transport(account.transport));

        let cancel = CancellationToken::new();
        let transport = TransportLayer::new(cancel.child_token());
        let udp = UdpConnection::create_connection(SocketAddr::new(local_ip, 0), None, Some(cancel.child_token()))
            .await
            .map_err(|e| Error::Unreachable(format!("Could not open a SIP port on {local_ip}: {e}")))?;
        transport.add_transport(udp.into());
        if account.transport == Transport::Tls {
            transport.set_tls_config(tls_config(&account)?);
        }
        let endpoint = EndpointBuilder::new()
            .with_user_agent(concat!("Dialtone/", env!("CARGO_PKG_VERSION")))
            .with_transport_layer(transport)
            .with_cancel_token(cancel.clone())
            .with_inspector(Box::new(crate::digest::DigestSpelling))
            .with_target_locator(Box::new(HopLocator { domain: account.registrar.clone(), hop: hop_addr.clone() }))
            .build();
        let local =
            endpoint.get_addrs().first().cloned().ok_or_else(|| Error::Stack("the SIP port has no address".into()))?;
        let incoming = endpoint.incoming_transactions()?;
        let dialogs = Arc::new(DialogLayer::new(endpoint.inner.clone()));
        let (state_tx, state_rx) = dialogs.new_dialog_state_channel();

        let transport_param = match account.transport {
            Transport::Udp => String::new(),
            other => format!(";transport={}", other.word()),
        };
        let server = parse_uri(&format!("sip:{}{transport_param}", account.registrar.uri_host()))?;
        let contact = parse_uri(&format!("sip:{}@{}{transport_param}", account.username, local.addr))?;
        let proxy = match &account.outbound_proxy {
            Some(p) => Some(resolve(p, account.transport).await?),
            None => None,
        };
        let (incoming_tx, incoming_rx) = mpsc::unbounded_channel();
        let inner = Arc::new(Inner {
            account,
            endpoint: endpoint.inner.clone(),
            dialogs,
            state_tx,
            routes: Mutex::new(HashMap::new()),
            local_ip,
            server,
            proxy,
            hop: hop_addr,
            contact: Mutex::new(contact),
            registration: tokio::sync::Mutex::new(None),
            registered: Mutex::new(false),
            cancel: cancel.clone(),
            incoming_tx,
        });

        let serve_cancel = cancel.clone();
        tokio::spawn(async move {
            tokio::select! {
                _ = endpoint.serve() => {}
                _ = serve_cancel.cancelled() => {}
            }
        });
        tokio::spawn(dispatch_states(Arc::downgrade(&inner), state_rx, cancel.clone()));
        tokio::spawn(serve_requests(Arc::downgrade(&inner), incoming, cancel.clone()));
        Ok(Phone { inner, incoming: tokio::sync::Mutex::new(incoming_rx) })
    }

    pub fn account(&self) -> &Account {
        &self.inner.account
    }

    /// What the phone holds on to, for the memory benchmark and tests: calls routed,
    /// dialogs, and the stack's transactions (running, finished, waiting for ACK).
    #[doc(hidden)]
    pub fn held(&self) -> [usize; 5] {
        let routes = self.inner.routes.lock().map(|r| r.len()).unwrap_or(0);
        let stats = self.inner.endpoint.get_stats();
        [routes, self.inner.dialogs.len(), stats.running_transactions, stats.finished_transactions, stats.waiting_ack]
    }

    /// Where this phone listens for SIP over UDP.
    pub fn sip_address(&self) -> Option<SocketAddr> {
        self.inner.endpoint.get_addrs().iter().find_map(|a| a.get_socketaddr().ok())
    }

    fn credential(&self) -> Credential {
        self.inner.credential()
    }
}

impl Inner {
    fn credential(&self) -> Credential {
        Credential {
            username: self.account.username.clone(),
            password: self.account.password.expose_secret().to_owned(),
            realm: None,
            auth_username: self.account.auth_username.clone(),
        }
    }

    fn contact(&self) -> rsipstack::sip::Uri {
        self.contact.lock().map(|c| c.clone()).unwrap_or_else(|p| p.into_inner().clone())
    }

    fn route(&self, call_id: &str) -> mpsc::UnboundedReceiver<DialogState> {
        let (tx, rx) = mpsc::unbounded_channel();
        if let Ok(mut routes) = self.routes.lock() {
            routes.insert(call_id.to_owned(), tx);
        }
        rx
    }

    fn unroute(&self, call_id: &str) {
        if let Ok(mut routes) = self.routes.lock() {
            routes.remove(call_id);
        }
    }

    async fn register_once(&self, expires: u32) -> Result<Registered> {
        let mut guard = self.registration.lock().await;
        let reg = guard.get_or_insert_with(|| {
            let mut r = Registration::new(self.endpoint.clone(), Some(self.credential()));
            r.outbound_proxy = self.proxy;
            r
        });
        let host = self.account.registrar.host.clone();
        if self.account.transport != Transport::Udp {
            // Connect first: a failed TCP connection or TLS handshake is then said as
            // such, where the transaction would only time out; the stack keeps the
            // connection for the REGISTER.
            let connect = self.endpoint.transport_layer.lookup(&self.hop, None);
            match tokio::time::timeout(REGISTER_TIMEOUT, connect).await {
                Ok(Ok(_)) => {}
                Ok(Err(e)) if self.account.transport == Transport::Tls => {
                    return Err(tls_failure(&host, &e.to_string()));
                }
                Ok(Err(e)) => {
                    return Err(Error::Unreachable(format!("The registrar {host} could not be reached: {e}")));
                }
                Err(_) => {
                    return Err(Error::Unreachable(format!(
                        "The registrar {} did not accept a connection within {} seconds.",
                        self.account.registrar.uri_host(),
                        REGISTER_TIMEOUT.as_secs()
                    )));
                }
            }
        }
        let response = tokio::time::timeout(REGISTER_TIMEOUT, reg.register(self.server.clone(), Some(expires)))
            .await
            .map_err(|_| {
                Error::Unreachable(format!(
                    "The registrar {} did not answer within {} seconds. Check the address, port and transport ({}).",
                    self.account.registrar.uri_host(),
                    REGISTER_TIMEOUT.as_secs(),
                    self.account.transport.word()
                ))
            })?
            .map_err(|e| match self.account.transport {
                Transport::Tls => tls_failure(&host, &e.to_string()),
                _ => Error::Unreachable(format!("The registrar {host} could not be reached: {e}")),
            })?;
        let code = u16::from(response.status_code.clone());
        let status = format!("{} {}", code, response.status_code.text());
        match code {
            200..=299 => {
                let public = reg.discovered_public_address().map(|a| a.to_string());
                if let Some(addr) = reg.discovered_public_address()
                    && let Ok(mut c) = self.contact.lock()
                {
                    c.host_with_port = addr;
                }
                Ok(Registered { aor: self.account.aor(), expires: reg.expires(), public_address: public })
            }
            401 | 403 | 407 => Err(Error::WrongPassword { user: self.account.username.clone(), status }),
            _ => Err(Error::Rejected { code, reason: format!("The registrar refused the registration: {status}.") }),
        }
    }
}

impl SipAgent for Phone {
    fn register(&self) -> BoxFuture<'_, Result<Registered>> {
        Box::pin(async move {
            let registered = self.inner.register_once(self.inner.account.expires).await?;
            let first = {
                let mut flag = self.inner.registered.lock().map_err(|_| Error::Stack("poisoned".into()))?;
                !std::mem::replace(&mut *flag, true)
            };
            if first {
                tokio::spawn(keep_registered(
                    Arc::downgrade(&self.inner),
                    registered.expires,
                    self.inner.cancel.clone(),
                ));
            }
            Ok(registered)
        })
    }

    fn unregister(&self) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            if let Ok(mut flag) = self.inner.registered.lock() {
                *flag = false;
            }
            self.inner.register_once(0).await.map(|_| ())
        })
    }

    fn call(&self, target: &str, io: MediaIo) -> BoxFuture<'_, Result<CallHandle>> {
        let target = target.to_owned();
        Box::pin(async move { place(self.inner.clone(), self.credential(), &target, io).await })
    }

    fn next_incoming(&self) -> BoxFuture<'_, Option<CallHandle>> {
        Box::pin(async move { self.incoming.lock().await.recv().await })
    }
}

/// Re-registers at 75 % of the granted time (rsipstack's rule), backing off on failure.
async fn keep_registered(inner: std::sync::Weak<Inner>, mut expires: u32, cancel: CancellationToken) {
    let mut failures = 0u32;
    let mut next_keepalive = tokio::time::Instant::now() + KEEPALIVE;
    loop {
        let wait = if failures == 0 {
            rsipstack::dialog::registration::refresh_interval(expires)
        } else {
            rsipstack::dialog::registration::backoff_interval(failures)
        };
        let deadline = tokio::time::Instant::now() + wait;
        while tokio::time::Instant::now() < deadline {
            let until = deadline.min(next_keepalive);
            tokio::select! {
                _ = cancel.cancelled() => return,
                _ = tokio::time::sleep_until(until) => {}
            }
            if tokio::time::Instant::now() >= next_keepalive {
                next_keepalive += KEEPALIVE;
                if let Some(inner) = inner.upgrade() {
                    send_keepalive(&inner).await;
                }
            }
        }
        let Some(inner) = inner.upgrade() else { return };
        if !inner.registered.lock().map(|f| *f).unwrap_or(false) {
            return;
        }
        match inner.register_once(inner.account.expires).await {
            Ok(r) => {
                failures = 0;
                expires = r.expires.max(30);
            }
            Err(e) => {
                failures += 1;
                tracing::warn!(error = %e, failures, "re-registration failed");
            }
        }
    }
}

/// A CRLF ping keeps a NAT's UDP binding to the registrar open between refreshes.
async fn send_keepalive(inner: &Inner) {
    if inner.account.transport != Transport::Udp {
        return;
    }
    let Ok(target) = rsipstack::transport::SipAddr::try_from(&inner.server) else { return };
    if let Ok((connection, _)) = inner.endpoint.transport_layer.lookup(&target, None).await {
        let dest = inner.proxy.map(rsipstack::transport::SipAddr::from).unwrap_or(target);
        if let rsipstack::transport::SipConnection::Udp(udp) = connection {
            let _ = udp.send_raw(rsipstack::transport::connection::KEEPALIVE_REQUEST, &dest).await;
        }
    }
}

async fn dispatch_states(
    inner: std::sync::Weak<Inner>,
    mut states: rsipstack::dialog::dialog::DialogStateReceiver,
    cancel: CancellationToken,
) {
    loop {
        let state = tokio::select! {
            _ = cancel.cancelled() => return,
            s = states.recv() => match s { Some(s) => s, None => return },
        };
        let Some(inner) = inner.upgrade() else { return };
        let call_id = state_id(&state).call_id.clone();
        let route = inner.routes.lock().ok().and_then(|r| r.get(&call_id).cloned());
        if let Some(route) = route {
            let _ = route.send(state);
        }
    }
}

fn state_id(state: &DialogState) -> &rsipstack::dialog::DialogId {
    match state {
        DialogState::Calling(id)
        | DialogState::Trying(id)
        | DialogState::Early(id, _)
        | DialogState::WaitAck(id, _)
        | DialogState::Confirmed(id, _)
        | DialogState::Updated(id, _, _)
        | DialogState::Publish(id, _, _)
        | DialogState::Notify(id, _, _)
        | DialogState::Refer(id, _, _)
        | DialogState::Message(id, _, _)
        | DialogState::Info(id, _, _)
        | DialogState::Options(id, _, _)
        | DialogState::Terminated(id, _) => id,
    }
}

/// Requests from the network: in-dialog ones go to their dialog, a new INVITE
/// becomes an incoming call, OPTIONS pings are answered.
async fn serve_requests(
    inner: std::sync::Weak<Inner>,
    mut incoming: rsipstack::transaction::TransactionReceiver,
    cancel: CancellationToken,
) {
    loop {
        let mut tx = tokio::select! {
            _ = cancel.cancelled() => return,
            t = incoming.recv() => match t { Some(t) => t, None => return },
        };
        let Some(inner) = inner.upgrade() else { return };
        if let Some(mut dialog) = inner.dialogs.match_dialog(&tx) {
            tokio::spawn(async move {
                if let Err(e) = dialog.handle(&mut tx).await {
                    tracing::debug!(error = %e, "in-dialog request failed");
                }
            });
            continue;
        }
        match tx.original.method {
            rsipstack::sip::Method::Invite => {
                let has_tag = tx.original.to_header().ok().and_then(|t| t.tag().ok().flatten()).is_some();
                if has_tag {
                    let _ = tx.reply(StatusCode::CallTransactionDoesNotExist).await;
                    continue;
                }
                receive(inner, tx);
            }
            rsipstack::sip::Method::Options => {
                let _ = tx.reply(StatusCode::OK).await;
            }
            rsipstack::sip::Method::Ack => {}
            _ => {
                let _ = tx.reply(StatusCode::CallTransactionDoesNotExist).await;
            }
        }
    }
}

/// Starts an incoming call's task: rings, and waits for answer, decline or CANCEL.
fn receive(inner: Arc<Inner>, mut tx: rsipstack::transaction::Transaction) {
    // The dialog's own id, so its states find this call's route.
    let call_id = rsipstack::dialog::DialogId::try_from(&tx).map(|id| id.call_id).unwrap_or_default();
    let from = tx.original.from_header().ok().and_then(|f| f.typed().ok());
    let caller = from.as_ref().map(|f| f.uri.to_string()).unwrap_or_else(|| "unknown".into());
    let display_name = from.as_ref().and_then(|f| f.display_name.clone()).filter(|n| !n.is_empty());
    let offer = RemoteMedia::parse(&tx.original.body);
    // A call we could not carry (no codec or SRTP policy in common, an offer we cannot
    // read) is refused at once with 488, before anything rings.
    let carried = offer.as_ref().map_err(ToString::to_string).and_then(|o| {
        let a = &inner.account;
        sdp::answer(o, &a.codecs, a.srtp, Direction::SendRecv, inner.local_ip, 9, 0, 1)
            .map(drop)
            .map_err(|e| e.to_string())
    });
    if let Err(why) = carried {
        tracing::info!(%caller, reason = %why, "refused an incoming call it cannot carry (488)");
        tokio::spawn(async move {
            let _ = tx
                .reply_with(
                    StatusCode::NotAcceptableHere,
                    vec![Header::Warning(format!("399 dialtone \"{}\"", why.replace('"', "'")).into())],
                    None,
                )
                .await;
        });
        return;
    }
    let states = inner.route(&call_id);
    let dialog = match inner.dialogs.get_or_create_server_invite(
        &tx,
        inner.state_tx.clone(),
        Some(inner.credential()),
        Some(inner.contact()),
    ) {
        Ok(d) => d,
        Err(e) => {
            tracing::warn!(error = %e, "could not take an incoming call");
            inner.unroute(&call_id);
            tokio::spawn(async move {
                let _ = tx.reply(StatusCode::ServerInternalError).await;
            });
            return;
        }
    };
    let mut handled = dialog.clone();
    tokio::spawn(async move {
        let _ = handled.handle(&mut tx).await;
    });
    let (commands, commands_rx) = mpsc::unbounded_channel();
    let (events_tx, events) = mpsc::unbounded_channel();
    let handle = CallHandle { direction: CallDirection::Incoming, remote: caller.clone(), commands, events };
    let _ = events_tx.send(CallEvent::Incoming { from: caller, display_name });
    let call = Call::new(inner.clone(), dialog, call_id, states, commands_rx, events_tx, CallDirection::Incoming);
    tokio::spawn(call.run_incoming(offer));
    let _ = inner.incoming_tx.send(handle);
}

async fn place(inner: Arc<Inner>, credential: Credential, target: &str, io: MediaIo) -> Result<CallHandle> {
    let uri = inner.account.target_uri(target)?;
    io.check()?;
    let callee = parse_uri(&uri)?;
    let mut socket = MediaSocket::bind(inner.local_ip)?;
    if let Some(stun) = &inner.account.stun_server {
        let at = resolve(stun, Transport::Udp).await?;
        socket.discover_public(SocketAddr::new(at.ip(), stun.port.unwrap_or(3478)))?;
    }
    let offer = LocalMedia::offer(
        socket.public.ip(),
        socket.public.port(),
        &inner.account.codecs,
        inner.account.srtp,
        rand::random::<u32>().into(),
    );
    let call_id = format!("{:032x}@dialtone", rand::random::<u128>());
    let states = inner.route(&call_id);
    let caller = parse_uri(&inner.account.aor())?;
    let option = InviteOption {
        caller_display_name: inner.account.display_name.clone(),
        caller,
        callee,
        destination: Some(inner.hop.clone()),
        content_type: Some("application/sdp".into()),
        offer: Some(offer.write().into_bytes()),
        contact: inner.contact(),
        credential: Some(credential),
        call_id: Some(call_id.clone()),
        ..Default::default()
    };

    let (commands, commands_rx) = mpsc::unbounded_channel();
    let (events_tx, events) = mpsc::unbounded_channel();
    // Open the microphone (or file) before anything rings, so a missing device is
    // said before the far end's phone rings.
    let media_events = events_tx.clone();
    let (media_tx, media_rx) = mpsc::unbounded_channel();
    let media = MediaSession::start(socket, None, io, move |e| {
        let _ = media_tx.send(e);
    });
    let media = match media {
        Ok(m) => m,
        Err(e) => {
            inner.unroute(&call_id);
            return Err(e);
        }
    };
    let (dialog, invite) = match inner.dialogs.do_invite_async(option, inner.state_tx.clone()) {
        Ok(pair) => pair,
        Err(e) => {
            inner.unroute(&call_id);
            return Err(e.into());
        }
    };
    let _ = media_events.send(CallEvent::Calling { to: uri.clone() });
    let mut call = Call::new(inner, dialog, call_id, states, commands_rx, events_tx, CallDirection::Outgoing);
    call.offer = Some(offer);
    call.media = Some(media);
    call.media_rx = Some(media_rx);
    tokio::spawn(call.run_outgoing(invite));
    Ok(CallHandle { direction: CallDirection::Outgoing, remote: uri, commands, events })
}

const CANCELLED: &str = "You cancelled the call before it was answered.";

type InviteResult = rsipstack::Result<(rsipstack::dialog::DialogId, Option<rsipstack::sip::Response>)>;

/// One call's task: its dialog, its media, its events.
struct Call {
    inner: Arc<Inner>,
    dialog: InviteDialog,
    call_id: String,
    states: mpsc::UnboundedReceiver<DialogState>,
    commands: mpsc::UnboundedReceiver<Command>,
    events: mpsc::UnboundedSender<CallEvent>,
    direction: CallDirection,
    /// Our last description (offer or answer) and its version.
    offer: Option<LocalMedia>,
    negotiated: Option<Negotiated>,
    media: Option<MediaSession>,
    media_rx: Option<mpsc::UnboundedReceiver<MediaEvent>>,
    answered_at: Option<Instant>,
    held_locally: bool,
    held_remotely: bool,
    ended: bool,
    /// When we sent CANCEL, for an outgoing call still ringing.
    cancelled_at: Option<tokio::time::Instant>,
}

enum Step {
    Go,
    End(EndReason, String, Option<u16>),
}

impl Call {
    fn new(
        inner: Arc<Inner>,
        dialog: InviteDialog,
        call_id: String,
        states: mpsc::UnboundedReceiver<DialogState>,
        commands: mpsc::UnboundedReceiver<Command>,
        events: mpsc::UnboundedSender<CallEvent>,
        direction: CallDirection,
    ) -> Call {
        Call {
            inner,
            dialog,
            call_id,
            states,
            commands,
            events,
            direction,
            offer: None,
            negotiated: None,
            media: None,
            media_rx: None,
            answered_at: None,
            held_locally: false,
            held_remotely: false,
            ended: false,
            cancelled_at: None,
        }
    }

    /// Sends BYE and waits (briefly) for its answer, so the far end has heard it
    /// before we say the call ended.
    async fn bye(&self) {
        if tokio::time::timeout(Duration::from_secs(4), self.dialog.bye()).await.is_err() {
            tracing::debug!("BYE got no answer in time");
        }
    }

    /// Sends CANCEL; the call then ends when the INVITE's 487 arrives (or after a
    /// few seconds without one), so "cancelled" is what the far end saw.
    async fn cancel(&mut self) {
        if tokio::time::timeout(Duration::from_secs(4), self.dialog.cancel()).await.is_err() {
            tracing::debug!("CANCEL got no answer in time");
        }
        self.cancelled_at.get_or_insert_with(tokio::time::Instant::now);
    }

    fn emit(&self, e: CallEvent) {
        let _ = self.events.send(e);
    }

    async fn next_media(rx: &mut Option<mpsc::UnboundedReceiver<MediaEvent>>) -> Option<MediaEvent> {
        match rx {
            Some(rx) => rx.recv().await,
            None => std::future::pending().await,
        }
    }

    async fn run_outgoing(mut self, invite: rsipstack::platform::JoinHandle<InviteResult>) {
        let mut invite = Some(invite);
        let end = loop {
            let step = tokio::select! {
                result = async { invite.as_mut().expect("polled only while pending").await }, if invite.is_some() => {
                    invite = None;
                    self.on_final(result)
                }
                Some(state) = self.states.recv() => self.on_state(state).await,
                Some(command) = self.commands.recv() => self.on_command(command).await,
                Some(event) = Self::next_media(&mut self.media_rx) => self.on_media(event).await,
                _ = tokio::time::sleep_until(self.cancelled_at.unwrap_or_else(tokio::time::Instant::now) + Duration::from_secs(5)), if self.cancelled_at.is_some() => {
                    Step::End(EndReason::Cancelled, CANCELLED.into(), None)
                }
                _ = self.inner.cancel.cancelled() => Step::End(EndReason::Failed, "Dialtone is shutting down.".into(), None),
            };
            if let Step::End(reason, message, status) = step {
                break (reason, message, status);
            }
        };
        self.finish(end).await;
    }

    async fn run_incoming(mut self, offer: Result<RemoteMedia>) {
        let _ = self.dialog.ringing(None, None);
        let mut offer = Some(offer);
        let end = loop {
            let step = tokio::select! {
                Some(state) = self.states.recv() => self.on_state(state).await,
                Some(command) = self.commands.recv() => match command {
                    Command::Answer(io) if self.answered_at.is_none() => match offer.take() {
                        Some(o) => self.answer(o, io).await,
                        None => Step::Go,
                    },
                    Command::Decline | Command::HangUp if self.answered_at.is_none() => {
                        let _ = self.dialog.reject(Some(StatusCode::BusyHere), Some("Busy Here".into()));
                        Step::End(EndReason::Declined, "You declined the call.".into(), Some(486))
                    }
                    other => self.on_command(other).await,
                },
                Some(event) = Self::next_media(&mut self.media_rx) => self.on_media(event).await,
                _ = self.inner.cancel.cancelled() => Step::End(EndReason::Failed, "Dialtone is shutting down.".into(), None),
            };
            if let Step::End(reason, message, status) = step {
                break (reason, message, status);
            }
        };
        self.finish(end).await;
    }

    async fn answer(&mut self, offer: Result<RemoteMedia>, io: MediaIo) -> Step {
        let refuse = |dialog: &InviteDialog, code: StatusCode, why: String| {
            let _ = dialog.reject(Some(code), Some(why.clone()));
            why
        };
        let offer = match offer {
            Ok(o) => o,
            Err(e) => {
                let why = refuse(&self.dialog, StatusCode::NotAcceptableHere, e.to_string());
                return Step::End(EndReason::Rejected, why, Some(488));
            }
        };
        if let Err(e) = io.check() {
            let _ = self.dialog.reject(Some(StatusCode::ServerInternalError), None);
            return Step::End(EndReason::Failed, e.to_string(), Some(500));
        }
        let socket = match MediaSocket::bind(self.inner.local_ip) {
            Ok(s) => s,
            Err(e) => {
                let _ = self.dialog.reject(Some(StatusCode::ServerInternalError), None);
                return Step::End(EndReason::Failed, e.to_string(), Some(500));
            }
        };
        let account = &self.inner.account;
        let answered = sdp::answer(
            &offer,
            &account.codecs,
            account.srtp,
            Direction::SendRecv,
            socket.public.ip(),
            socket.public.port(),
            rand::random::<u32>().into(),
            1,
        );
        let (local, negotiated) = match answered {
            Ok(pair) => pair,
            Err(e) => {
                let why = refuse(&self.dialog, StatusCode::NotAcceptableHere, e.to_string());
                return Step::End(EndReason::Rejected, why, Some(488));
            }
        };
        let (media_tx, media_rx) = mpsc::unbounded_channel();
        let media = match MediaSession::start(socket, Some(negotiated.clone()), io, move |e| {
            let _ = media_tx.send(e);
        }) {
            Ok(m) => m,
            Err(e) => {
                let _ = self.dialog.reject(Some(StatusCode::ServerInternalError), None);
                return Step::End(EndReason::Failed, e.to_string(), Some(500));
            }
        };
        let headers = vec![Header::ContentType("application/sdp".into())];
        if let Err(e) = self.dialog.accept(Some(headers), Some(local.write().into_bytes())) {
            return Step::End(EndReason::Failed, format!("Answering failed: {e}"), None);
        }
        self.media = Some(media);
        self.media_rx = Some(media_rx);
        self.offer = Some(local);
        self.answered(negotiated);
        Step::Go
    }

    fn answered(&mut self, negotiated: Negotiated) {
        if self.answered_at.is_none() {
            self.answered_at = Some(Instant::now());
            self.emit(CallEvent::Answered {
                codec: negotiated.codec.label().to_owned(),
                encrypted: negotiated.is_encrypted(),
            });
        }
        self.negotiated = Some(negotiated);
    }

    fn on_final(&mut self, result: std::result::Result<InviteResult, impl std::fmt::Display>) -> Step {
        let result = match result {
            Ok(r) => r,
            Err(e) => return Step::End(EndReason::Failed, format!("The call's task failed: {e}"), None),
        };
        match result {
            Ok((_, Some(resp))) => {
                let code = u16::from(resp.status_code.clone());
                if self.cancelled_at.is_some() {
                    // A 2xx that crossed our CANCEL is ended with BYE by the stack.
                    return Step::End(EndReason::Cancelled, CANCELLED.into(), Some(code));
                }
                if (200..300).contains(&code) {
                    return Step::Go;
                }
                let (reason, message) = EndReason::from_status(code, resp.status_code.text());
                Step::End(reason, message, Some(code))
            }
            Ok((_, None)) => Step::End(EndReason::Failed, "The call got no final answer.".into(), None),
            Err(e) => {
                let text = e.to_string();
                if text.to_ascii_lowercase().contains("timeout") || text.to_ascii_lowercase().contains("timed out") {
                    Step::End(EndReason::NoAnswer, "No one answered the call request (timeout).".into(), Some(408))
                } else {
                    Step::End(EndReason::Failed, format!("The call could not be placed: {text}"), None)
                }
            }
        }
    }

    async fn on_state(&mut self, state: DialogState) -> Step {
        match state {
            DialogState::Early(_, resp) if self.direction == CallDirection::Outgoing => {
                let early = !resp.body.is_empty();
                if early {
                    if let (Some(offer), Ok(answer)) = (&self.offer, RemoteMedia::parse(&resp.body))
                        && let Ok(n) = sdp::accept_answer(offer, &answer, self.inner.account.srtp)
                    {
                        if let Some(m) = &self.media {
                            // Early media is heard, but the microphone goes out only once
                            // the call is answered: no one hears the caller before then.
                            let listening = sdp::Negotiated {
                                direction: match n.direction {
                                    Direction::SendRecv | Direction::RecvOnly => Direction::RecvOnly,
                                    _ => Direction::Inactive,
                                },
                                ..n.clone()
                            };
                            m.update(listening);
                            m.ringback(false);
                        }
                        self.negotiated = Some(n);
                    }
                } else if let Some(m) = &self.media
                    && self.negotiated.is_none()
                {
                    // A 180 after early media must not drown it in ringback.
                    m.ringback(true);
                }
                self.emit(CallEvent::Ringing { early_media: early || self.negotiated.is_some() });
                Step::Go
            }
            DialogState::Confirmed(_, resp)
                if self.direction == CallDirection::Outgoing && self.answered_at.is_none() =>
            {
                if let Some(m) = &self.media {
                    m.ringback(false);
                }
                let Some(offer) = &self.offer else { return Step::Go };
                let negotiated = match (&self.negotiated, resp.body.is_empty()) {
                    // The answer came with early media (183) and the 200 does not repeat it.
                    (Some(early), true) => Ok(early.clone()),
                    _ => RemoteMedia::parse(&resp.body)
                        .and_then(|answer| sdp::accept_answer(offer, &answer, self.inner.account.srtp)),
                };
                match negotiated {
                    Ok(n) => {
                        if let Some(m) = &self.media {
                            m.update(n.clone());
                        }
                        self.answered(n);
                        Step::Go
                    }
                    Err(e) => {
                        // Answered, but not in a way we can talk: end it at once.
                        self.bye().await;
                        Step::End(EndReason::Rejected, e.to_string(), None)
                    }
                }
            }
            DialogState::Updated(_, request, handle) => {
                self.on_reinvite(&request.body, handle).await;
                Step::Go
            }
            DialogState::Info(_, request, handle) => {
                let _ = handle.reply(StatusCode::OK).await;
                if let Some(digit) = info_digit(&request.body) {
                    self.emit(CallEvent::Dtmf { digit, by: Party::Remote });
                }
                Step::Go
            }
            DialogState::Options(_, _, handle) => {
                let _ = handle.reply(StatusCode::OK).await;
                Step::Go
            }
            DialogState::Terminated(_, reason) => self.on_terminated(reason),
            _ => Step::Go,
        }
    }

    fn on_terminated(&mut self, reason: TerminatedReason) -> Step {
        let answered = self.answered_at.is_some();
        match reason {
            TerminatedReason::UasBye | TerminatedReason::UacBye if answered => {
                Step::End(EndReason::RemoteHungUp, "The far end hung up.".into(), None)
            }
            TerminatedReason::UacCancel if self.direction == CallDirection::Incoming && !answered => {
                Step::End(EndReason::Missed, "The caller hung up before you answered.".into(), Some(487))
            }
            TerminatedReason::UasBusy | TerminatedReason::UacBusy => {
                Step::End(EndReason::Busy, "The line is busy.".into(), Some(486))
            }
            TerminatedReason::UasDecline => Step::End(EndReason::Declined, "The call was declined.".into(), Some(603)),
            TerminatedReason::Timeout => {
                Step::End(EndReason::Failed, "The far end stopped answering (timeout).".into(), Some(408))
            }
            TerminatedReason::UasOther(code)
            | TerminatedReason::UacOther(code)
            | TerminatedReason::ProxyError(code) => {
                let (reason, message) = EndReason::from_status(u16::from(code.clone()), code.text());
                Step::End(reason, message, Some(u16::from(code)))
            }
            // Our own CANCEL/BYE also arrive here; the command already said how it ends.
            _ if self.direction == CallDirection::Outgoing && !answered => Step::Go,
            _ => Step::End(EndReason::RemoteHungUp, "The call ended.".into(), None),
        }
    }

    /// The far end changed the session: hold (sendonly/inactive), resume, or a new address.
    async fn on_reinvite(&mut self, body: &[u8], handle: rsipstack::dialog::dialog::TransactionHandle) {
        let Some(previous) = self.offer.clone() else {
            let _ = handle.reply(StatusCode::NotAcceptableHere).await;
            return;
        };
        if body.is_empty() {
            // An offerless re-INVITE (session refresh): offer what we have.
            let mut again = previous;
            again.session_version += 1;
            let _ = handle
                .respond(
                    StatusCode::OK,
                    Some(vec![Header::ContentType("application/sdp".into())]),
                    Some(again.write().into_bytes()),
                )
                .await;
            self.offer = Some(again);
            return;
        }
        let offer = match RemoteMedia::parse(body) {
            Ok(o) => o,
            Err(_) => {
                let _ = handle.reply(StatusCode::NotAcceptableHere).await;
                return;
            }
        };
        let wanted = if self.held_locally { Direction::SendOnly } else { Direction::SendRecv };
        let account = &self.inner.account;
        let codecs: Vec<_> = match &self.negotiated {
            // Keep the codec we have if the offer still has it.
            Some(n) => {
                std::iter::once(n.codec).chain(account.codecs.iter().copied().filter(|c| *c != n.codec)).collect()
            }
            None => account.codecs.clone(),
        };
        let answered = sdp::answer(
            &offer,
            &codecs,
            account.srtp,
            wanted,
            previous.address,
            previous.rtp_port,
            previous.session_id,
            previous.session_version + 1,
        );
        let (mut local, mut negotiated) = match answered {
            Ok(pair) => pair,
            Err(_) => {
                let _ = handle.reply(StatusCode::NotAcceptableHere).await;
                return;
            }
        };
        // Keep our SRTP key across re-INVITEs when the far end keeps its own.
        if let (Some(old), Some((ours, theirs))) =
            (self.negotiated.as_ref().and_then(|n| n.srtp.clone()), negotiated.srtp.as_mut())
            && old.1 == *theirs
        {
            *ours = old.0.clone();
            local.crypto = Some(old.0);
        }
        let _ = handle
            .respond(
                StatusCode::OK,
                Some(vec![Header::ContentType("application/sdp".into())]),
                Some(local.write().into_bytes()),
            )
            .await;
        let held_now = !offer.direction.sends();
        if held_now != self.held_remotely {
            self.held_remotely = held_now;
            self.emit(if held_now {
                CallEvent::Held { by: Party::Remote }
            } else {
                CallEvent::Resumed { by: Party::Remote }
            });
        }
        if let Some(m) = &self.media {
            m.update(negotiated.clone());
        }
        self.negotiated = Some(negotiated);
        self.offer = Some(local);
    }

    async fn on_command(&mut self, command: Command) -> Step {
        match command {
            Command::HangUp | Command::Decline => {
                if self.answered_at.is_some() {
                    self.bye().await;
                    Step::End(EndReason::HungUp, "You hung up.".into(), None)
                } else {
                    // The INVITE's 487 arrives on the invite task and ends the call.
                    self.cancel().await;
                    Step::Go
                }
            }
            Command::Hold | Command::Resume => {
                let hold = matches!(command, Command::Hold);
                if self.answered_at.is_some() && hold != self.held_locally {
                    self.reinvite(hold).await;
                }
                Step::Go
            }
            Command::Mute(m) => {
                if let Some(media) = &self.media {
                    media.set_muted(m);
                }
                Step::Go
            }
            Command::Devices { microphone, speaker } => {
                if let Some(media) = &self.media {
                    media.set_devices(microphone, speaker);
                }
                Step::Go
            }
            Command::Dtmf(digits) => {
                if let Some(n) = &self.negotiated {
                    let digits: Vec<char> = digits
                        .into_iter()
                        .filter(|c| c.is_ascii_digit() || matches!(c, '*' | '#' | 'A'..='D'))
                        .collect();
                    if n.dtmf_payload_type.is_some() {
                        if let Some(m) = &self.media {
                            m.send_dtmf(digits);
                        }
                    } else {
                        for d in digits {
                            let body = format!("Signal={d}\r\nDuration=160\r\n").into_bytes();
                            let headers = vec![Header::ContentType("application/dtmf-relay".into())];
                            let _ = self.dialog.info(Some(headers), Some(body)).await;
                        }
                    }
                }
                Step::Go
            }
            Command::Answer(_) => Step::Go,
        }
    }

    async fn reinvite(&mut self, hold: bool) {
        let Some(mut offer) = self.offer.clone() else { return };
        offer.session_version += 1;
        offer.direction = if hold { Direction::SendOnly } else { Direction::SendRecv };
        // Re-offer every codec we allow, the current one first.
        if let Some(n) = &self.negotiated {
            let mut codecs = vec![n.codec];
            codecs.extend(self.inner.account.codecs.iter().copied().filter(|c| *c != n.codec));
            offer.payload_types = codecs.iter().map(|c| (*c, c.payload_type())).collect();
            offer.codecs = codecs;
        }
        let headers = vec![Header::ContentType("application/sdp".into())];
        match self.dialog.reinvite(Some(headers), Some(offer.write().into_bytes())).await {
            Ok(Some(resp)) if u16::from(resp.status_code.clone()) < 300 => {
                if let Ok(answer) = RemoteMedia::parse(&resp.body)
                    && let Ok(n) = sdp::accept_answer(&offer, &answer, self.inner.account.srtp)
                {
                    if let Some(m) = &self.media {
                        m.update(n.clone());
                    }
                    self.negotiated = Some(n);
                }
                self.offer = Some(offer);
                self.held_locally = hold;
                self.emit(if hold {
                    CallEvent::Held { by: Party::Local }
                } else {
                    CallEvent::Resumed { by: Party::Local }
                });
            }
            Ok(Some(resp)) => self.emit(CallEvent::Notice {
                message: format!(
                    "The far end refused to {}: {}.",
                    if hold { "hold" } else { "resume" },
                    resp.status_code
                ),
            }),
            Ok(None) | Err(_) => self.emit(CallEvent::Notice {
                message: format!("Could not {} the call.", if hold { "hold" } else { "resume" }),
            }),
        }
    }

    async fn on_media(&mut self, event: MediaEvent) -> Step {
        match event {
            MediaEvent::Dtmf(digit) => self.emit(CallEvent::Dtmf { digit, by: Party::Remote }),
            MediaEvent::Stats(stats) if self.answered_at.is_some() => self.emit(CallEvent::Stats { stats }),
            MediaEvent::Notice(message) => self.emit(CallEvent::Notice { message }),
            MediaEvent::Failed(message) => {
                if self.answered_at.is_some() {
                    self.bye().await;
                } else {
                    self.cancel().await;
                }
                return Step::End(EndReason::Failed, message, None);
            }
            _ => {}
        }
        Step::Go
    }

    async fn finish(mut self, (reason, message, status): (EndReason, String, Option<u16>)) {
        if self.ended {
            return;
        }
        self.ended = true;
        let stats = self.media.take().map(MediaSession::stop).unwrap_or_default();
        let duration_s = self.answered_at.map_or(0.0, |t| (t.elapsed().as_secs_f64() * 10.0).round() / 10.0);
        self.inner.unroute(&self.call_id);
        self.inner.dialogs.remove_dialog(&self.dialog.id());
        self.emit(CallEvent::Ended { reason, message, status, duration_s, stats });
    }
}

/// `Signal=5` from an `application/dtmf-relay` INFO body.
fn info_digit(body: &[u8]) -> Option<char> {
    let text = std::str::from_utf8(body).ok()?;
    text.lines().find_map(|l| {
        let (k, v) = l.split_once('=')?;
        (k.trim().eq_ignore_ascii_case("signal")).then(|| v.trim().chars().next()).flatten()
    })
}
