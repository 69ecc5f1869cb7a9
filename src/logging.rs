//! The log on stderr: one line per event, as text (`name=value` pairs) or as JSON.
//!
//! Lines are formatted on the thread that logs them and appended to that thread's buffer; a
//! background thread writes the buffers out in one `write` every [`BATCH_WINDOW`]. A request therefore never
//! waits on stderr (a slow terminal or a full pipe), and a busy server makes one system call per
//! batch instead of one per request. [`flush`] writes out whatever is pending; `serve` calls it
//! before the process exits.

use std::cell::RefCell;
use std::fmt::{self, Write as _};
use std::io::{self, Write};
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use time::OffsetDateTime;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;
use crate::per_thread::{lock, PerThread};
use crate::protocol::encoding::{push_i64, push_u64};
use crate::protocol::response::push_json_str;

/// How long a line may wait in the buffer before it is written.
pub const BATCH_WINDOW: Duration = Duration::from_millis(2);
/// Past this many pending bytes, the thread that logs writes the batch out itself.
const HIGH_WATER: usize = 256 * 1024;

/// [`request`]'s fields, in the order the event has them.
fn request_fields(line: &RequestLine<'_>, fields: &mut LineFields<'_>) {
    fields.str("message", "rpc");
    fields.str("request_id", line.request_id);
    fields.str("action", line.action);
    fields.u64("status", u64::from(line.status));
    fields.str("code", line.code);
    fields.str("account", line.account);
    fields.f64("latency_ms", line.latency_micros as f64 / 1000.0);
}

/// How the installed subscriber writes lines, when it is ours: for [`request`].
static LINES: OnceLock<Lines> = OnceLock::new();

/// Installs the process-wide subscriber: `RUST_LOG` (default `info`) filters, lines go to stderr.
/// Does nothing if a subscriber is already installed.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let sink = Sink::new(Box::new(io::stderr()));
    if tracing_subscriber::registry()
        .with(filter)
        .with(LineLayer::new(format, Arc::clone(&sink)))
        .try_init()
        .is_ok()
    {
        // Without the background thread every line is written at once, as by `eprintln!`.
        sink.spawn_flusher().ok();
        let _ = LINES.set(Lines { format, sink });
    }
}

/// Writes out every line logged so far.
pub fn flush() {
    if let Some(lines) = LINES.get() {
        lines.sink.flush();
    }
}

/// One RPC request, as its log line shows it.
pub struct RequestLine<'a> {
    pub request_id: &'a str,
    pub action: &'a str,
    pub status: u16,
    pub code: &'a str,
    pub account: &'a str,
    pub latency_micros: u64,
}

/// The target RPC request lines are logged under (what `RUST_LOG` filters on).
pub const REQUEST_TARGET: &str = "sas_mock::http::rpc";

/// Logs the line of one RPC request at INFO: `rpc request_id=… action=… status=… code=…
/// account=… latency_ms=…`. Under [`init`]'s subscriber the line is written straight to the
/// sink, exactly as the layer would write the event, without building the event; under any
/// other subscriber it is an ordinary event.
pub fn request(line: &RequestLine<'_>) {
    if !tracing::enabled!(target: REQUEST_TARGET, Level::INFO) {
        return;
    }
    match LINES.get() {
        Some(lines) => lines.write(&Level::INFO, REQUEST_TARGET, SystemTime::now(), |fields| {
            request_fields(line, fields);
        }),
        None => tracing::info!(
            target: REQUEST_TARGET,
            message = "rpc",
            request_id = line.request_id,
            action = line.action,
            status = line.status,
            code = line.code,
            account = line.account,
            latency_ms = line.latency_micros as f64 / 1000.0,
        ),
    }
}

/// Where formatted lines wait to be written.
///
/// Each thread that logs appends to a buffer of its own, so request threads never contend on
/// one lock (on a busy server that lock's cache line moved between cores with every line). The
/// writer takes every thread's buffer in turn: lines keep their order within a thread, while
/// lines of different threads may be up to one batch out of time order.
pub struct Sink {
    /// Each logging thread's pending lines.
    buffers: PerThread<Vec<u8>>,
    /// Set when a buffer gets its first line since the last write; the flusher waits on it.
    dirty: Mutex<bool>,
    wake: Condvar,
    out: Mutex<Out>,
    /// Whether a background thread writes batches; if not, every append writes.
    batched: OnceLock<()>,
}

struct Out {
    writer: Box<dyn Write + Send>,
    /// The batch being written, kept for its capacity.
    batch: Vec<u8>,
}

impl Sink {
    pub fn new(writer: Box<dyn Write + Send>) -> Arc<Sink> {
        Arc::new(Sink {
            buffers: PerThread::new(),
            dirty: Mutex::new(false),
            wake: Condvar::new(),
            out: Mutex::new(Out {
                writer,
                batch: Vec::with_capacity(16 * 1024),
            }),
            batched: OnceLock::new(),
        })
    }

    /// Starts the thread that writes a batch [`BATCH_WINDOW`] after its first line.
    pub fn spawn_flusher(self: &Arc<Self>) -> io::Result<()> {
        let sink = Arc::clone(self);
        std::thread::Builder::new()
            .name("sas-mock-log".into())
            .spawn(move || loop {
                {
                    let mut dirty = lock(&sink.dirty);
                    while !*dirty {
                        dirty = sink
                            .wake
                            .wait(dirty)
                            .unwrap_or_else(PoisonError::into_inner);
                    }
                    *dirty = false;
                }
                std::thread::sleep(BATCH_WINDOW);
                sink.flush();
            })?;
        let _ = self.batched.set(());
        Ok(())
    }

    /// Queues one formatted line (with its newline).
    pub fn append(&self, line: &[u8]) {
        let Some(buffer) = self.buffers.mine() else {
            // The thread is exiting: write the line at once.
            let mut out = lock(&self.out);
            let _ = out.writer.write_all(line);
            let _ = out.writer.flush();
            return;
        };
        let (was_empty, len) = {
            let mut pending = lock(&buffer);
            let was_empty = pending.is_empty();
            pending.extend_from_slice(line);
            (was_empty, pending.len())
        };
        if self.batched.get().is_none() || len >= HIGH_WATER {
            self.flush();
        } else if was_empty {
            *lock(&self.dirty) = true;
            self.wake.notify_one();
        }
    }

    /// Writes out everything pending, each thread's lines in the order they were appended.
    /// Write errors (stderr closed) drop the batch: logging never fails a request.
    pub fn flush(&self) {
        let mut out = lock(&self.out);
        let out = &mut *out;
        {
            let mut buffers = self.buffers.all();
            for buffer in buffers.iter() {
                let mut pending = lock(buffer);
                if out.batch.is_empty() {
                    std::mem::swap(&mut *pending, &mut out.batch);
                } else {
                    out.batch.extend_from_slice(&pending);
                    pending.clear();
                }
            }
            // Forget the buffers of threads that have exited, once written out.
            buffers.retain(|buffer| Arc::strong_count(buffer) > 1 || !lock(buffer).is_empty());
        }
        if !out.batch.is_empty() {
            let _ = out.writer.write_all(&out.batch);
            let _ = out.writer.flush();
            out.batch.clear();
        }
    }
}

/// Formats each enabled event as one line into a [`Sink`].
pub struct LineLayer {
    lines: Lines,
}

impl LineLayer {
    pub fn new(format: LogFormat, sink: Arc<Sink>) -> Self {
        LineLayer {
            lines: Lines { format, sink },
        }
    }
}

/// A line format and where its lines go.
#[derive(Clone)]
struct Lines {
    format: LogFormat,
    sink: Arc<Sink>,
}

/// Per-thread scratch space, so that formatting a line does not allocate.
#[derive(Default)]
struct Scratch {
    line: String,
    message: String,
    value: String,
    /// The second the cached `YYYY-MM-DDTHH:MM:SS` prefix is for.
    second: Option<i64>,
    prefix: String,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

impl<S: Subscriber> Layer<S> for LineLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let meta = event.metadata();
        self.lines
            .write(meta.level(), meta.target(), SystemTime::now(), |fields| {
                event.record(&mut Visiting(fields));
            });
    }
}

impl Lines {
    /// Formats one line, its fields given by `record`, and queues it.
    fn write(
        &self,
        level: &Level,
        target: &str,
        now: SystemTime,
        record: impl FnOnce(&mut LineFields<'_>),
    ) {
        let _ = SCRATCH.try_with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut scratch) => self.write_with(&mut scratch, level, target, now, record),
            // A line logged while formatting another one (from a Debug impl).
            Err(_) => self.write_with(&mut Scratch::default(), level, target, now, record),
        });
    }

    fn write_with(
        &self,
        scratch: &mut Scratch,
        level: &Level,
        target: &str,
        now: SystemTime,
        record: impl FnOnce(&mut LineFields<'_>),
    ) {
        let Scratch {
            line,
            message,
            value,
            second,
            prefix,
        } = scratch;
        line.clear();
        message.clear();
        match self.format {
            LogFormat::Text => {
                push_timestamp(line, second, prefix, now);
                line.push(' ');
                line.push_str(level_padded(level));
                line.push(' ');
                line.push_str(target);
                line.push(':');
                let at = line.len();
                record(&mut LineFields {
                    format: LogFormat::Text,
                    line,
                    message,
                    value,
                });
                if !message.is_empty() {
                    line.insert(at, ' ');
                    line.insert_str(at + 1, message);
                }
            }
            LogFormat::Json => {
                line.push_str("{\"timestamp\":\"");
                push_timestamp(line, second, prefix, now);
                line.push_str("\",\"level\":\"");
                line.push_str(level.as_str());
                line.push('"');
                let at = line.len();
                record(&mut LineFields {
                    format: LogFormat::Json,
                    line,
                    message,
                    value,
                });
                if !message.is_empty() {
                    line.insert_str(at, ",\"message\":");
                    line.insert_str(at + ",\"message\":".len(), message);
                }
                line.push_str(",\"target\":");
                push_json_str(line, target);
                line.push('}');
            }
        }
        line.push('\n');
        self.sink.append(line.as_bytes());
    }
}

/// An event's fields, visited into a line.
struct Visiting<'f, 'l>(&'f mut LineFields<'l>);

impl Visit for Visiting<'_, '_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.str(field.name(), value);
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.i64(field.name(), value);
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.u64(field.name(), value);
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.f64(field.name(), value);
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.bool(field.name(), value);
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.debug(field.name(), value);
    }
}

fn level_padded(level: &Level) -> &'static str {
    match *level {
        Level::ERROR => "ERROR",
        Level::WARN => " WARN",
        Level::INFO => " INFO",
        Level::DEBUG => "DEBUG",
        Level::TRACE => "TRACE",
    }
}

/// `2026-11-29T01:27:32.453829Z`, with the part up to the second formatted once a second.
fn push_timestamp(
    line: &mut String,
    second: &mut Option<i64>,
    prefix: &mut String,
    now: SystemTime,
) {
    let since = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = i64::try_from(since.as_secs()).unwrap_or(i64::MAX);
    if *second != Some(secs) {
        prefix.clear();
        match OffsetDateTime::from_unix_timestamp(secs) {
            Ok(t) => {
                let _ = write!(
                    prefix,
                    "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
                    t.year(),
                    u8::from(t.month()),
                    t.day(),
                    t.hour(),
                    t.minute(),
                    t.second()
                );
            }
            Err(_) => {
                let _ = write!(prefix, "{secs}");
            }
        }
        *second = Some(secs);
    }
    line.push_str(prefix);
    let micros = since.subsec_micros();
    let mut digits = *b".000000Z";
    for (at, power) in [100_000, 10_000, 1_000, 100, 10, 1].into_iter().enumerate() {
        digits[at + 1] = b'0' + (micros / power % 10) as u8;
    }
    line.push_str(std::str::from_utf8(&digits).unwrap_or(".000000Z"));
}

/// As `Display` writes it; values with at most three decimals (latencies in milliseconds) take a
/// shortcut.
fn push_f64(out: &mut String, value: f64) {
    let thousandths = (value * 1000.0).round();
    if (0.0..1e15).contains(&thousandths) && thousandths / 1000.0 == value {
        let thousandths = thousandths as u64;
        push_u64(out, thousandths / 1000);
        let fraction = thousandths % 1000;
        if fraction != 0 {
            let digits =
                [fraction / 100, fraction / 10 % 10, fraction % 10].map(|d| b'0' + d as u8);
            let used = if digits[2] != b'0' {
                3
            } else if digits[1] != b'0' {
                2
            } else {
                1
            };
            out.push('.');
            out.push_str(std::str::from_utf8(&digits[..used]).unwrap_or("?"));
        }
    } else {
        let _ = write!(out, "{value}");
    }
}

/// The fields of one line being written; `message` collects the message, which goes first.
///
/// * Text: ` name=value`, the value quoted (with Rust escapes) when it is empty or holds a space, a
///   quote, `=`, a backslash or a control character, so one event is always one line.
/// * JSON: `,"name":value`, numbers and booleans as such, everything else as a string.
struct LineFields<'a> {
    format: LogFormat,
    line: &'a mut String,
    message: &'a mut String,
    value: &'a mut String,
}

fn needs_quotes(text: &str, spaces_ok: bool) -> bool {
    let table = if spaces_ok {
        &QUOTE_MESSAGE
    } else {
        &QUOTE_VALUE
    };
    text.is_empty()
        || text.bytes().any(|b| table[usize::from(b)])
        // C1 control characters (U+0080 to U+009F) are the only non-ASCII ones to escape.
        || (!text.is_ascii() && text.chars().any(char::is_control))
}

/// Bytes that make a message quoted: control characters, `"` and `\\`.
const QUOTE_MESSAGE: [bool; 256] = quote_table(false);
/// Bytes that make a field value quoted: those, a space and `=`.
const QUOTE_VALUE: [bool; 256] = quote_table(true);

const fn quote_table(value: bool) -> [bool; 256] {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 0x20 {
        table[byte] = true;
        byte += 1;
    }
    table[0x7f] = true;
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table[b' ' as usize] = value;
    table[b'=' as usize] = value;
    table
}

fn push_text(out: &mut String, text: &str, spaces_ok: bool) {
    if needs_quotes(text, spaces_ok) {
        let _ = write!(out, "{text:?}");
    } else {
        out.push_str(text);
    }
}

impl LineFields<'_> {
    fn name(&mut self, name: &str) {
        match self.format {
            LogFormat::Text => {
                self.line.push(' ');
                self.line.push_str(name);
                self.line.push('=');
            }
            LogFormat::Json => {
                self.line.push(',');
                push_json_str(self.line, name);
                self.line.push(':');
            }
        }
    }

    fn str(&mut self, name: &str, value: &str) {
        let is_message = name == "message";
        if !is_message {
            self.name(name);
        }
        let out = if is_message {
            &mut *self.message
        } else {
            &mut *self.line
        };
        match self.format {
            LogFormat::Text => push_text(out, value, is_message),
            LogFormat::Json => push_json_str(out, value),
        }
    }

    fn i64(&mut self, name: &str, value: i64) {
        self.name(name);
        push_i64(self.line, value);
    }

    fn u64(&mut self, name: &str, value: u64) {
        self.name(name);
        push_u64(self.line, value);
    }

    fn f64(&mut self, name: &str, value: f64) {
        self.name(name);
        if self.format == LogFormat::Json && !value.is_finite() {
            self.line.push_str("null");
        } else {
            push_f64(self.line, value);
        }
    }

    fn bool(&mut self, name: &str, value: bool) {
        self.name(name);
        self.line.push_str(if value { "true" } else { "false" });
    }

    fn debug(&mut self, name: &str, value: &dyn fmt::Debug) {
        let mut text = std::mem::take(self.value);
        text.clear();
        let _ = write!(text, "{value:?}");
        self.str(name, &text);
        *self.value = text;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer the test can read back.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            lock(&self.0).extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Shared {
        fn text(&self) -> String {
            String::from_utf8(lock(&self.0).clone()).expect("utf-8")
        }
    }

    /// The lines `emit` logs, in `format`.
    fn lines(format: LogFormat, emit: impl FnOnce()) -> Vec<String> {
        let out = Shared::default();
        let sink = Sink::new(Box::new(out.clone()));
        let subscriber =
            tracing_subscriber::registry().with(LineLayer::new(format, Arc::clone(&sink)));
        tracing::subscriber::with_default(subscriber, emit);
        sink.flush();
        out.text().lines().map(str::to_owned).collect()
    }

    #[test]
    fn text_lines_have_time_level_target_message_and_fields() {
        let lines = lines(LogFormat::Text, || {
            tracing::info!(
                request_id = "ABC-1",
                status = 200u16,
                latency_ms = 0.25,
                "rpc"
            );
            tracing::warn!(listen = %"0.0.0.0:8080", "no token");
        });
        assert_eq!(lines.len(), 2, "{lines:?}");
        let (time, rest) = lines[0].split_once(' ').expect("a timestamp");
        assert_eq!(time.len(), "2026-11-29T01:27:32.453829Z".len(), "{time}");
        assert!(time.ends_with('Z') && time.as_bytes()[10] == b'T', "{time}");
        assert_eq!(
            rest,
            " INFO sas_mock::logging::tests: rpc request_id=ABC-1 status=200 latency_ms=0.25"
        );
        assert!(
            lines[1].ends_with(" WARN sas_mock::logging::tests: no token listen=0.0.0.0:8080"),
            "{}",
            lines[1]
        );
    }

    #[test]
    fn text_values_cannot_forge_a_line_or_a_field() {
        let lines = lines(LogFormat::Text, || {
            tracing::info!(
                account = "ak/a\"b\nc status=500",
                code = "-",
                empty = "",
                "two\nlines"
            );
        });
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].ends_with(r#": "two\nlines" account="ak/a\"b\nc status=500" code=- empty="""#),
            "{}",
            lines[0]
        );
    }

    #[test]
    fn json_lines_keep_their_shape_and_escape_every_value() {
        let lines = lines(LogFormat::Json, || {
            tracing::info!(
                listen = "127.0.0.1:1",
                seed = 7u64,
                ok = true,
                auth = ?crate::config::AuthMode::Strict,
                account = "a\"b\nc",
                ratio = f64::NAN,
                "sas-mock ready"
            );
        });
        assert_eq!(lines.len(), 1, "{lines:?}");
        let json: serde_json::Value = serde_json::from_str(&lines[0]).expect("valid JSON");
        assert_eq!(json["message"], "sas-mock ready");
        assert_eq!(json["level"], "INFO");
        assert_eq!(json["target"], "sas_mock::logging::tests");
        assert_eq!(json["listen"], "127.0.0.1:1");
        assert_eq!(json["seed"], 7);
        assert_eq!(json["ok"], true);
        assert_eq!(json["auth"], "Strict");
        assert_eq!(json["account"], "a\"b\nc");
        assert!(json["ratio"].is_null());
        let time = json["timestamp"].as_str().expect("a timestamp");
        assert!(
            crate::domain::clock::parse_rfc3339(time).is_some(),
            "{time}"
        );
        assert!(lines[0].starts_with("{\"timestamp\":"), "{}", lines[0]);
    }

    #[test]
    fn timestamps_are_utc_with_microseconds() {
        let (mut second, mut prefix) = (None, String::new());
        let mut at = |secs: u64, nanos: u32| {
            let mut line = String::new();
            let time = UNIX_EPOCH + Duration::new(secs, nanos);
            push_timestamp(&mut line, &mut second, &mut prefix, time);
            line
        };
        assert_eq!(at(0, 1_000), "1970-01-01T00:00:00.000001Z");
        assert_eq!(at(0, 999_999_999), "1970-01-01T00:00:00.999999Z");
        assert_eq!(at(90_123, 450_000_000), "1970-01-02T01:02:03.450000Z");
        assert_eq!(at(1_795_919_852, 0), "2026-11-29T02:37:32.000000Z");
    }

    #[test]
    fn numbers_are_written_as_display_writes_them() {
        for value in [
            0.0,
            0.064,
            0.06,
            1.0,
            12.5,
            1234.567,
            0.0005,
            1e-7,
            2.5e20,
            0.1 + 0.2,
        ] {
            let mut out = String::new();
            push_f64(&mut out, value);
            assert_eq!(out, value.to_string(), "{value}");
        }
        for value in [0, 7, 200, u64::MAX] {
            let mut out = String::new();
            push_u64(&mut out, value);
            assert_eq!(out, value.to_string());
        }
        for value in [i64::MIN, -1, 0, 42] {
            let mut out = String::new();
            push_i64(&mut out, value);
            assert_eq!(out, value.to_string());
        }
    }

    #[test]
    fn request_lines_written_directly_equal_the_event_a_subscriber_sees() {
        let line = RequestLine {
            request_id: "5F0C-1",
            action: "DescribeScanTaskProgress",
            status: 403,
            code: "NoPermission",
            account: "ak/a b\"c",
            latency_micros: 1_250,
        };
        let without_time = |text: &str| text.split_once(' ').map(|(_, rest)| rest.to_owned());
        for format in [LogFormat::Text, LogFormat::Json] {
            let via_event = lines(format, || request(&line));
            assert_eq!(via_event.len(), 1, "{via_event:?}");
            let out = Shared::default();
            let direct = Lines {
                format,
                sink: Sink::new(Box::new(out.clone())),
            };
            let now = SystemTime::now();
            direct.write(&Level::INFO, REQUEST_TARGET, now, |fields| {
                request_fields(&line, fields);
            });
            direct.sink.flush();
            let direct = out.text();
            match format {
                LogFormat::Text => {
                    assert_eq!(without_time(direct.trim_end()), without_time(&via_event[0]));
                    assert!(direct.ends_with(
                        " INFO sas_mock::http::rpc: rpc request_id=5F0C-1 action=DescribeScanTaskProgress status=403 code=NoPermission account=\"ak/a b\\\"c\" latency_ms=1.25\n"
                    ), "{direct}");
                }
                LogFormat::Json => {
                    let mut a: serde_json::Value = serde_json::from_str(&direct).expect("JSON");
                    let mut b: serde_json::Value =
                        serde_json::from_str(&via_event[0]).expect("JSON");
                    a["timestamp"] = serde_json::Value::Null;
                    b["timestamp"] = serde_json::Value::Null;
                    assert_eq!(a, b);
                    assert_eq!(a["status"], 403);
                    assert_eq!(a["latency_ms"], 1.25);
                    assert_eq!(a["message"], "rpc");
                }
            }
        }
    }

    #[test]
    fn batches_keep_the_order_lines_were_logged_in() {
        let out = Shared::default();
        let sink = Sink::new(Box::new(out.clone()));
        sink.spawn_flusher().expect("a thread");
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let sink = Arc::clone(&sink);
                std::thread::spawn(move || {
                    for i in 0..2_000 {
                        sink.append(format!("{t} {i}\n").as_bytes());
                    }
                })
            })
            .collect();
        for thread in threads {
            thread.join().expect("joins");
        }
        sink.flush();
        assert!(
            sink.buffers.all().is_empty(),
            "the buffers of exited threads are dropped once written"
        );
        let text = out.text();
        let mut next = [0; 4];
        for line in text.lines() {
            let (t, i) = line.split_once(' ').expect("two numbers");
            let t: usize = t.parse().expect("thread");
            assert_eq!(i.parse::<i32>().expect("index"), next[t], "{line}");
            next[t] += 1;
        }
        assert_eq!(next, [2_000; 4]);
    }

    #[test]
    fn without_a_flusher_every_line_is_written_at_once() {
        let out = Shared::default();
        let sink = Sink::new(Box::new(out.clone()));
        sink.append(b"one\n");
        assert_eq!(out.text(), "one\n");
    }
}
