//! `MockServer`: sas-mock inside a Rust test, on a random loopback port of the caller's runtime.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use sas_mock::MockServer;
//!
//! let server = MockServer::start().await?;            // default fixtures, manual clock
//! let url = format!("{}/?Action=StartVirusScanTask&Version=2018-12-03", server.uri());
//! // ... point your SDK at server.endpoint() ("127.0.0.1:PORT") and call it ...
//! server.advance(std::time::Duration::from_secs(1))?; // move every task's clock
//! assert!(server.requests().len() <= 1);
//! # let _ = url; Ok(()) }
//! ```

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;

use crate::fixtures::{default_document, parse_document, FaultSpec, FixtureError};
use crate::model::clock::{ClockError, Millis};
use crate::server::Serve;
use crate::settings::{AuthMode, ClockMode, Settings, UnknownTasks};
use crate::state::journal::{JournalEntry, JournalFilter};
use crate::state::task_map::TaskView;
use crate::state::tasks::NewTask;
use crate::state::{AppState, Summary};

/// Why a mock server could not start.
#[derive(Debug)]
pub enum StartError {
    Fixture(FixtureError),
    Bind(std::io::Error),
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StartError::Fixture(err) => write!(f, "bad fixture: {err}"),
            StartError::Bind(err) => write!(f, "cannot bind a loopback port: {err}"),
        }
    }
}

impl std::error::Error for StartError {}

/// Options for [`MockServer`]; defaults suit tests: manual clock, lenient auth, seed 0, the
/// embedded default fixtures.
#[derive(Debug, Clone)]
pub struct MockServerBuilder {
    settings: Settings,
    fixtures: Vec<String>,
    defaults: bool,
    drain_timeout: Duration,
}

impl MockServerBuilder {
    pub fn seed(mut self, seed: u64) -> Self {
        self.settings.seed = seed;
        self
    }
    pub fn auth(mut self, auth: AuthMode) -> Self {
        self.settings.auth = auth;
        self
    }
    pub fn clock(mut self, clock: ClockMode) -> Self {
        self.settings.clock = clock;
        self
    }
    pub fn unknown_tasks(mut self, mode: UnknownTasks) -> Self {
        self.settings.unknown_tasks = mode;
        self
    }
    /// Adds a fixture document (JSON text); the embedded default is then no longer loaded unless
    /// [`MockServerBuilder::with_default_fixtures`] asks for it.
    pub fn fixtures(mut self, json: impl Into<String>) -> Self {
        self.fixtures.push(json.into());
        self.defaults = false;
        self
    }
    pub fn with_default_fixtures(mut self) -> Self {
        self.defaults = true;
        self
    }
    /// How long [`MockServer::shutdown`] lets in-flight requests finish (default 5 s).
    pub fn drain_timeout(mut self, timeout: Duration) -> Self {
        self.drain_timeout = timeout;
        self
    }

    /// Binds `127.0.0.1:0` and serves on the current tokio runtime.
    pub async fn start(self) -> Result<MockServer, StartError> {
        let mut docs = Vec::new();
        if self.defaults {
            docs.push(default_document().map_err(StartError::Fixture)?);
        }
        for (i, text) in self.fixtures.iter().enumerate() {
            let name = format!("fixture #{}", i + 1);
            docs.push((
                name.clone(),
                parse_document(&name, text).map_err(StartError::Fixture)?,
            ));
        }
        let state = Arc::new(AppState::new(self.settings, &docs).map_err(StartError::Fixture)?);
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .map_err(StartError::Bind)?;
        let address = listener.local_addr().map_err(StartError::Bind)?;
        let (stop, stopped) = oneshot::channel::<()>();
        let serve = Serve {
            drain_timeout: self.drain_timeout,
            ..Serve::new(Arc::clone(&state))
        };
        let task = tokio::spawn(async move {
            let shutdown = async {
                let _ = stopped.await;
            };
            if let Err(err) = serve.run(listener, shutdown).await {
                tracing::error!("in-process sas-mock stopped: {err}");
            }
        });
        Ok(MockServer {
            address,
            state,
            stop: Some(stop),
            task: Some(task),
        })
    }
}

/// A running mock. Dropping it shuts the server down.
#[derive(Debug)]
pub struct MockServer {
    address: SocketAddr,
    state: Arc<AppState>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl MockServer {
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder {
            settings: Settings::default(),
            fixtures: Vec::new(),
            defaults: true,
            drain_timeout: crate::server::DRAIN_TIMEOUT,
        }
    }

    /// The defaults: embedded fixtures, manual clock, lenient auth, seed 0.
    pub async fn start() -> Result<MockServer, StartError> {
        Self::builder().start().await
    }

    /// `http://127.0.0.1:PORT`, for pop-core's `endpoint` or plain HTTP clients.
    pub fn uri(&self) -> String {
        format!("http://{}", self.address)
    }

    /// `127.0.0.1:PORT`, for the Tea SDKs' `Config.endpoint` (with `protocol='http'`).
    pub fn endpoint(&self) -> String {
        self.address.to_string()
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Everything the server holds, for checks the helpers below do not cover.
    pub fn state(&self) -> &Arc<AppState> {
        &self.state
    }

    /// Creates a task, as `POST /__admin/tasks` does.
    pub fn create_task(&self, task: &NewTask) -> Result<TaskView, String> {
        self.state.create_task(task)
    }

    /// Adds a fault rule, as `POST /__admin/faults` does; returns its id.
    pub fn add_fault(&self, rule: FaultSpec) -> Result<u64, String> {
        self.state.add_fault(rule).map(|r| r.id)
    }

    /// Adds a fault rule written as JSON (`{"match": {...}, "error": "ServerError"}`).
    pub fn add_fault_json(&self, json: &str) -> Result<u64, String> {
        let rule: FaultSpec = serde_json::from_str(json).map_err(|e| e.to_string())?;
        self.add_fault(rule)
    }

    /// Adds a stub written as JSON (`{"action": "...", "response": {...}}`), as
    /// `POST /__admin/stubs` does; returns its id.
    pub fn add_stub_json(&self, json: &str) -> Result<u64, String> {
        let stub = serde_json::from_str(json).map_err(|e| e.to_string())?;
        self.state.add_stub(stub).map(|s| s.id)
    }

    /// Loads one more fixture document, as `POST /__admin/fixtures` does.
    pub fn load_fixtures(&self, json: &str) -> Result<Summary, FixtureError> {
        let doc = parse_document("MockServer::load_fixtures", json)?;
        self.state.load_fixture("MockServer::load_fixtures", &doc)
    }

    /// Moves the manual clock forward.
    pub fn advance(&self, by: Duration) -> Result<Millis, ClockError> {
        self.state
            .clock
            .advance(u64::try_from(by.as_millis()).unwrap_or(u64::MAX))
    }

    /// Every journaled request, oldest first.
    pub fn requests(&self) -> Vec<JournalEntry> {
        self.state.journal.entries(&JournalFilter::default())
    }

    /// Journaled requests for one action.
    pub fn requests_for(&self, action: &str) -> Vec<JournalEntry> {
        let filter = JournalFilter {
            action: Some(action.to_owned()),
            ..JournalFilter::default()
        };
        self.state.journal.entries(&filter)
    }

    /// Tasks of every account, as the admin API lists them.
    pub fn tasks(&self) -> Vec<TaskView> {
        self.state.tasks.live.list(None, self.state.clock.now())
    }

    /// Back to the loaded fixtures.
    pub fn reset(&self) {
        self.state.reset(None);
    }

    /// Stops the server and waits until it has closed its port (dropping only asks it to stop).
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
