//! Serving: the accept loop over a listener the caller bound, connection limits and timeouts, TLS,
//! graceful shutdown. The library never binds by itself.

pub mod conn;
pub mod tls;

use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_rustls::TlsAcceptor;

use crate::http::network::Control;
use crate::http::router;
use crate::state::AppState;
use conn::{Conn, Resettable};
use hyper::body::Incoming;
use hyper::Request;
use tower::ServiceExt;

/// How long in-flight requests may take to finish after shutdown is asked for.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// How one server runs: the state it serves, TLS or not, how long shutdown waits.
#[derive(Clone)]
pub struct Serve {
    pub state: Arc<AppState>,
    pub tls: Option<Arc<rustls::ServerConfig>>,
    pub drain_timeout: Duration,
}

impl Serve {
    pub fn new(state: Arc<AppState>) -> Self {
        Serve {
            state,
            tls: None,
            drain_timeout: DRAIN_TIMEOUT,
        }
    }

    /// Serves until `shutdown` resolves, then lets in-flight requests finish for at most the
    /// drain timeout. At most `--max-connections` connections (TLS handshakes included) are
    /// served at once; further ones wait in the kernel's backlog.
    pub async fn run(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> io::Result<()> {
        let settings = &self.state.settings;
        let slots = Arc::new(Semaphore::new(settings.max_connections.max(1)));
        let mut http = http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(settings.header_timeout)
            .keep_alive(true);
        let graceful = GracefulShutdown::new();
        let connections = Connections {
            app: router(Arc::clone(&self.state)),
            http,
            tls: self.tls.map(TlsAcceptor::from),
            handshake_timeout: settings.header_timeout,
            warned_tls: Arc::default(),
        };
        // Every connection's task, so that those still running after the drain timeout end too.
        let mut running = tokio::task::JoinSet::<()>::new();
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            while running.try_join_next().is_some() {}
            let slot = tokio::select! {
                slot = Arc::clone(&slots).acquire_owned() => slot.map_err(io::Error::other)?,
                () = &mut shutdown => break,
            };
            let (tcp, peer) = tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(err) => {
                        // Out of file descriptors and the like: wait a moment rather than spin.
                        tracing::warn!("accept failed: {err}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            running.spawn(
                connections
                    .clone()
                    .serve(tcp, peer, slot, graceful.watcher()),
            );
        }
        drop(listener);
        tokio::select! {
            () = graceful.shutdown() => {}
            () = tokio::time::sleep(self.drain_timeout) => {
                tracing::warn!("in-flight requests did not finish within {:?}; exiting anyway", self.drain_timeout);
            }
        }
        running.shutdown().await;
        Ok(())
    }
}

/// What each connection needs.
#[derive(Clone)]
struct Connections {
    app: axum::Router,
    http: http1::Builder,
    tls: Option<TlsAcceptor>,
    handshake_timeout: Duration,
    /// Sources already told that they speak TLS to a plain port.
    warned_tls: Arc<Mutex<std::collections::HashSet<IpAddr>>>,
}

impl Connections {
    /// One connection, holding its slot until it closes.
    async fn serve(
        self,
        tcp: TcpStream,
        peer: SocketAddr,
        slot: OwnedSemaphorePermit,
        watcher: Watcher,
    ) {
        let Some(tls) = &self.tls else {
            self.warn_if_tls(&tcp, peer).await;
            self.http1(tcp, watcher).await;
            drop(slot);
            return;
        };
        match tokio::time::timeout(self.handshake_timeout, tls.accept(tcp)).await {
            Ok(Ok(stream)) => self.http1(stream, watcher).await,
            Ok(Err(err)) => tracing::debug!(%peer, "TLS handshake failed: {err}"),
            Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
        }
        drop(slot);
    }

    /// Serves HTTP/1.1 on one connection; its requests carry the connection's network-fault
    /// switch.
    async fn http1<IO>(&self, io: IO, watcher: Watcher)
    where
        IO: AsyncRead + AsyncWrite + Resettable + Unpin + Send + 'static,
    {
        let control = Arc::new(Control::default());
        let io = Conn::new(io, Arc::clone(&control));
        let app = self
            .app
            .clone()
            .map_request(move |mut request: Request<Incoming>| {
                request.extensions_mut().insert(Arc::clone(&control));
                request
            });
        let connection = self
            .http
            .serve_connection(TokioIo::new(io), TowerToHyperService::new(app));
        if let Err(err) = watcher.watch(connection).await {
            tracing::debug!("connection ended: {err}");
        }
    }

    /// A TLS ClientHello (first byte 0x16) on the plain port: the client was left on `https`.
    /// Said once per source address, at WARN, so that the client's `WRONG_VERSION_NUMBER` has an
    /// explanation in the mock's log.
    async fn warn_if_tls(&self, tcp: &TcpStream, peer: SocketAddr) {
        let mut first = [0u8; 1];
        let peeked = tokio::time::timeout(self.handshake_timeout, tcp.peek(&mut first)).await;
        if !matches!(peeked, Ok(Ok(1))) || first[0] != 0x16 {
            return;
        }
        let new = (self
            .warned_tls
            .lock()
            .unwrap_or_else(PoisonError::into_inner))
        .insert(peer.ip());
        if new {
            tracing::warn!(
                %peer,
                "a client speaks TLS to this plain-HTTP port: set protocol='http' in the SDK's Config \
                 (the Tea SDKs default to https), or start sas-mock with --tls-self-signed"
            );
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C received, shutting down"),
        () = terminate => tracing::info!("SIGTERM received, shutting down"),
    }
}
