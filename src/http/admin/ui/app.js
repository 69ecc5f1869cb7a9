// The sas-mock dashboard: reads the admin API about once a second and shows what it answers.
// Plain ES2020, no framework, nothing fetched but this server's /__admin. Everything shown goes
// through textContent or text nodes, never innerHTML: what a client sent cannot become markup.
'use strict';

const POLL_MS = 1000;
const MAX_BACKOFF_MS = 5000;
const MAX_REQUEST_ROWS = 300;
const MAX_TASK_ROWS = 200;
// Every this many polls the journal is read whole (newest MAX_REQUEST_ROWS), so that a reset or
// a cleared journal shows; in between only entries after the newest one seen are asked for.
const RECONCILE_EVERY = 5;
const ACCOUNTS_EVERY = 5;
const TOKEN_KEY = 'sas-mock.adminToken';
const STS_MARKER = 'server string to sign is:';
const MAX_ADVANCE_MS = 100 * 24 * 3600 * 1000; // the mock's own limit on a duration

const state = {
  config: null,
  token: '',
  running: false,
  timer: null,
  inFlight: false,
  again: false,
  polls: 0,
  failures: 0,
  account: '',
  generation: 0, // bumped when the account changes: answers for an older selection are dropped
  lastSeq: 0,
  requests: [], // newest first
  bySeq: new Map(),
  openSeq: null,
  clock: null,
  rules: { faults: [], stubs: [], limits: [] },
  knownAccounts: new Set(),
  accountsStale: true, // an account appeared that the selector does not offer yet
  unavailable: new Set(), // optional endpoints this build answered 404
  sectionErrors: new Map(), // kind -> why its endpoint refused the last read
  rendered: new Map(), // what each list last rendered, to leave the DOM alone when nothing changed
};

// ---------------------------------------------------------------------------------------------
// DOM helpers

const $ = (id) => document.getElementById(id);

/** An element with attributes (`class`, `text`, others verbatim) and children (nodes or text). */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name === 'text') node.textContent = value;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function hiddenText(text) {
  return el('span', { class: 'visually-hidden', text });
}

/** Replaces a container's content, unless `key` (what it shows) is what it already shows. */
function renderInto(container, key, build) {
  if (state.rendered.get(container.id) === key) return;
  state.rendered.set(container.id, key);
  container.replaceChildren(...[build()].flat());
}

function emptyState(text) {
  return el('p', { class: 'empty', text });
}

/**
 * A table: `columns` are `{label, value(row) → string | Node, cls, header}`; the cells of the
 * `header` column (else the first) are row headers, so a screen reader names each row by them.
 */
function table(caption, columns, rows, rowClass) {
  const named = Math.max(0, columns.findIndex((c) => c.header));
  const head = el('tr', {}, columns.map((c) => el('th', { scope: 'col', class: c.cls, text: c.label })));
  const body = rows.map((row) =>
    el('tr', { class: rowClass ? rowClass(row) : null },
      columns.map((c, i) => el(i === named ? 'th' : 'td', { scope: i === named ? 'row' : null, class: c.cls },
        c.value(row)))));
  return el('div', { class: 'table-scroll' },
    el('table', { class: 'data' }, el('caption', { class: 'visually-hidden', text: caption }),
      el('thead', {}, head), el('tbody', {}, body)));
}

// ---------------------------------------------------------------------------------------------
// Formatting

/** The time of day of an RFC 3339 time on the mock's clock, in UTC: `21:08:00.250`. */
function clockTime(rfc3339) {
  const date = new Date(rfc3339);
  if (Number.isNaN(date.getTime())) return String(rfc3339 ?? '');
  return date.toISOString().slice(11, 23);
}

function fullTime(rfc3339) {
  const date = new Date(rfc3339);
  if (Number.isNaN(date.getTime())) return String(rfc3339 ?? '');
  return `${date.toISOString().slice(0, 10)} ${date.toISOString().slice(11, 23)} UTC`;
}

function timeNode(rfc3339) {
  return el('time', { datetime: rfc3339, title: fullTime(rfc3339), text: clockTime(rfc3339) });
}

function latency(micros) {
  if (typeof micros !== 'number') return '';
  if (micros < 1000) return `${(micros / 1000).toFixed(2)} ms`;
  if (micros < 1000000) return `${(micros / 1000).toFixed(1)} ms`;
  return `${(micros / 1000000).toFixed(2)} s`;
}

/** Milliseconds of a duration the mock writes (`250ms`, `2s`, `1.5m`, `1h`), or null. */
function durationMs(text) {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(String(text).trim());
  if (!m) return null;
  return Number(m[1]) * { ms: 1, s: 1000, m: 60000, h: 3600000 }[m[2]];
}

function humanMs(ms) {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(ms % 1000 ? 1 : 0)} s`;
  return `${(ms / 60000).toFixed(1)} min`;
}

/** A label for a camelCase field name: `instanceName` → `Instance name`. */
function fieldLabel(name) {
  const words = String(name).replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Any JSON value as short text, for generic tables. */
function shortValue(value) {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) {
    if (value.length === 0) return 'none';
    if (value.every((v) => v && typeof v === 'object' && 'name' in v)) {
      return `${value.length}: ${value.map((v) => v.name).join(', ')}`;
    }
    return value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', ');
  }
  if (typeof value === 'object') {
    const text = JSON.stringify(value);
    return text.length > 120 ? `${text.slice(0, 119)}…` : text;
  }
  return String(value);
}

/** Columns for a list whose exact fields this page does not know: `preferred` first, then the rest. */
function genericColumns(items, preferred, skip = []) {
  const seen = new Set();
  for (const item of items) Object.keys(item || {}).forEach((k) => seen.add(k));
  const rest = [...seen].filter((k) => !preferred.includes(k) && !skip.includes(k));
  return [...preferred.filter((k) => seen.has(k)), ...rest].map((key) => ({
    label: fieldLabel(key),
    value: (row) => (/(^t|T)ime$|At$/.test(key) && typeof row[key] === 'string'
      ? timeNode(row[key]) : shortValue(row[key])),
  }));
}

function remaining(times, used) {
  if (times === undefined || times === null) return 'unlimited';
  const left = Math.max(0, times - (used || 0));
  return left === 0 ? 'spent' : `${left} of ${times}`;
}

// ---------------------------------------------------------------------------------------------
// The admin API

class AuthError extends Error {}

class HttpError extends Error {
  constructor(status, code, message) {
    super(message || `HTTP ${status}`);
    this.status = status;
    this.code = code;
  }
}

async function api(path, { method = 'GET', body } = {}) {
  const headers = { Accept: 'application/json' };
  if (state.token) headers.Authorization = `Bearer ${state.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`/__admin${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
    credentials: 'omit',
  });
  if (response.status === 401) throw new AuthError('the admin token was refused');
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch (_) {
    data = null;
  }
  if (!response.ok) throw new HttpError(response.status, data && data.Code, (data && data.Message) || text);
  return data;
}

function accountQuery(extra = {}) {
  const query = new URLSearchParams(extra);
  if (state.account) query.set('accountId', state.account);
  const text = query.toString();
  return text ? `?${text}` : '';
}

// ---------------------------------------------------------------------------------------------
// Polling

function schedule(ms) {
  clearTimeout(state.timer);
  state.timer = setTimeout(poll, ms);
}

/** Polls at once (after a button changed something), or right after the poll in flight. */
function refreshNow() {
  if (state.inFlight) state.again = true;
  else schedule(0);
}

async function poll() {
  state.timer = null;
  if (!state.running) return;
  if (document.hidden) {
    setConnection('paused', 'Paused while this tab is hidden');
    return;
  }
  state.inFlight = true;
  const generation = state.generation;
  try {
    await Promise.all([pollClock(), pollRequests(generation), pollTasks(generation),
      pollRules(generation), pollOptional(generation), pollAccounts()]);
    state.failures = 0;
    setConnection('live', 'Live');
  } catch (err) {
    if (err instanceof AuthError) {
      state.inFlight = false;
      lockOut('The admin token was refused. Enter it again.');
      return;
    }
    state.failures += 1;
    setConnection('down', `Cannot read the mock (${err.message}); retrying`);
  }
  state.polls += 1;
  state.inFlight = false;
  if (!state.running) return;
  const backoff = Math.min(MAX_BACKOFF_MS, POLL_MS * 2 ** state.failures);
  schedule(state.again ? 0 : backoff);
  state.again = false;
}

function setConnection(kind, text) {
  const node = $('connection');
  if (node.textContent !== text) node.textContent = text;
  node.dataset.state = kind;
}

document.addEventListener('visibilitychange', () => {
  if (!document.hidden && state.running) refreshNow();
});

// ---------------------------------------------------------------------------------------------
// Clock

async function pollClock() {
  const clock = await api('/clock');
  state.clock = clock;
  const now = $('clock-now');
  if (now.dateTime !== clock.now) {
    now.dateTime = clock.now;
    now.textContent = fullTime(clock.now);
  }
  const manual = clock.mode === 'manual';
  $('clock-mode').textContent = manual ? '(manual)'
    : '(system clock: start the mock with --clock manual to move it)';
  document.querySelectorAll('#clock button, #clock input').forEach((b) => { b.disabled = !manual; });
}

async function advance(by) {
  const message = $('clock-message');
  try {
    const clock = await api('/clock', { method: 'POST', body: { advance: by } });
    message.textContent = `Advanced ${by}: now ${fullTime(clock.now)}`;
    message.dataset.state = 'ok';
  } catch (err) {
    if (err instanceof AuthError) return lockOut('The admin token was refused. Enter it again.');
    message.textContent = `Could not advance the clock: ${err.message}`;
    message.dataset.state = 'error';
  }
  refreshNow();
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Requests

async function pollRequests(generation) {
  const whole = state.lastSeq === 0 || state.polls % RECONCILE_EVERY === 0;
  const query = whole ? { limit: MAX_REQUEST_ROWS } : { after: state.lastSeq };
  const data = await api(`/requests${accountQuery(query)}`);
  if (generation !== state.generation) return;
  const entries = (data && data.requests) || [];
  noticeAccounts(entries);
  if (whole) replaceRequests(entries);
  else if (entries.length) addRequests(entries);
  renderRequestSummary();
}

function replaceRequests(oldestFirst) {
  const incoming = oldestFirst.slice().reverse();
  const same = incoming.length === state.requests.length
    && incoming.every((e, i) => e.seq === state.requests[i].seq);
  if (same) return;
  const focusedSeq = document.activeElement && document.activeElement.dataset
    ? document.activeElement.dataset.seq : undefined;
  state.requests = incoming;
  state.bySeq = new Map(incoming.map((e) => [e.seq, e]));
  state.lastSeq = incoming.length ? incoming[0].seq : state.lastSeq;
  $('requests-body').replaceChildren(...incoming.map(requestRow));
  if (focusedSeq !== undefined) {
    const row = rowFor(Number(focusedSeq));
    if (row) row.focus();
  }
}

function addRequests(oldestFirst) {
  const body = $('requests-body');
  for (const entry of oldestFirst) {
    if (state.bySeq.has(entry.seq)) continue;
    state.requests.unshift(entry);
    state.bySeq.set(entry.seq, entry);
    body.prepend(requestRow(entry));
    state.lastSeq = Math.max(state.lastSeq, entry.seq);
  }
  while (state.requests.length > MAX_REQUEST_ROWS) {
    const dropped = state.requests.pop();
    state.bySeq.delete(dropped.seq);
    const row = rowFor(dropped.seq);
    if (row) row.remove();
  }
}

function rowFor(seq) {
  return document.querySelector(`#requests-body tr[data-seq="${Number(seq)}"]`);
}

function requestRow(entry) {
  const failed = entry.status >= 400;
  const row = el('tr', {
    tabindex: 0,
    class: failed ? 'request is-error' : 'request',
    'data-seq': entry.seq,
    'aria-current': entry.seq === state.openSeq ? 'true' : null,
  },
  el('td', {}, timeNode(entry.time)),
  el('th', { scope: 'row', class: 'action' }, entry.action || el('i', { text: '(no action)' })),
  el('td', { class: 'status' }, failed
    ? el('span', { class: 'badge bad' }, el('span', { 'aria-hidden': 'true', text: '✕ ' }),
      hiddenText('error '), String(entry.status))
    : String(entry.status)),
  el('td', { class: 'code' }, entry.code || ''),
  el('td', { class: 'key' }, entry.accessKeyId || el('span', { class: 'muted', text: 'none' })),
  el('td', { class: 'num latency' }, latency(entry.latencyMicros)),
  el('td', { class: 'mono rid', title: String(entry.requestId || '') }, String(entry.requestId || '')));
  row.addEventListener('click', () => openDetail(entry.seq, false));
  row.addEventListener('keydown', onRowKey);
  return row;
}

function onRowKey(event) {
  const row = event.currentTarget;
  if (event.key === 'Enter' || event.key === ' ') {
    event.preventDefault();
    openDetail(Number(row.dataset.seq), true);
  } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
    event.preventDefault();
    const next = event.key === 'ArrowDown' ? row.nextElementSibling : row.previousElementSibling;
    if (next) next.focus();
  }
}

function renderRequestSummary() {
  const total = state.requests.length;
  const errors = state.requests.filter((e) => e.status >= 400).length;
  const text = total === 0 ? '' : `${total} request${total === 1 ? '' : 's'} shown, newest first; `
    + `${errors} error${errors === 1 ? '' : 's'}.`;
  const summary = $('requests-summary');
  if (summary.textContent !== text) summary.textContent = text;
  const empty = $('requests-empty');
  empty.hidden = total !== 0;
  empty.textContent = state.account
    ? `No requests from account ${state.account} yet.`
    : `No requests yet: point your SDK at ${window.location.origin}`;
}

// ---------------------------------------------------------------------------------------------
// Request detail

function openDetail(seq, moveFocus) {
  const entry = state.bySeq.get(seq);
  if (!entry) return;
  state.openSeq = seq;
  document.querySelectorAll('#requests-body tr[aria-current]').forEach((r) => r.removeAttribute('aria-current'));
  const row = rowFor(seq);
  if (row) row.setAttribute('aria-current', 'true');
  const outcome = entry.code ? `${entry.status} ${entry.code}` : String(entry.status);
  $('detail-heading').textContent = `Request #${entry.seq}: ${entry.action || '(no action)'} → ${outcome}`;
  $('detail-summary').replaceChildren(...facts(entry));
  $('detail-source').replaceChildren(...source(entry));
  renderStringToSign(entry);
  $('detail-params').replaceChildren(params(entry.params || []));
  $('detail-response').textContent = prettyBody(entry.response || '');
  const panel = $('detail');
  panel.hidden = false;
  $('workbench').classList.add('with-detail');
  panel.dataset.seq = String(seq);
  if (moveFocus) $('detail-heading').focus();
  panel.scrollIntoView({ block: 'nearest' });
}

function closeDetail() {
  const seq = state.openSeq;
  state.openSeq = null;
  hideDetail();
  const row = seq === null ? null : rowFor(seq);
  if (row) {
    row.removeAttribute('aria-current');
    row.focus();
  }
}

function hideDetail() {
  $('detail').hidden = true;
  $('workbench').classList.remove('with-detail');
}

function facts(entry) {
  const pairs = [
    ['Time (mock clock)', fullTime(entry.time)],
    ['Method', entry.method],
    ['Signature', entry.scheme],
    ['Account', entry.accountId],
    ['Access key', entry.accessKeyId || 'none'],
    ['Task id', entry.taskId],
    ['Status', entry.status],
    ['Code', entry.code],
    ['Why', entry.reason],
    ['Request id', entry.requestId],
    ['Latency', latency(entry.latencyMicros)],
  ];
  return pairs.filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => el('div', {}, el('dt', { text: k }), el('dd', { text: String(v) })));
}

/** Which rule answered: a fault, a stub or a limit (looked up among those in force), or none. */
function source(entry) {
  const found = [
    ['fault', entry.faultId, state.rules.faults, describeFault],
    ['stub', entry.stubId, state.rules.stubs, describeStub],
    ['limit', entry.limitId, state.rules.limits, describeLimit],
  ].filter(([, id]) => id !== undefined && id !== null);
  const lines = found.map(([kind, id, list, describe]) => {
    const rule = list.find((r) => r.id === id);
    return el('li', {}, el('strong', { text: `${fieldLabel(kind)} #${id}` }),
      rule ? `: ${describe(rule)}` : ' (no longer in force)');
  });
  if (!lines.length) {
    lines.push(el('li', {
      text: entry.status >= 400 ? 'The mock itself (no fault, stub or limit was involved).'
        : 'The emulated operation (no fault, stub or limit was involved).',
    }));
  }
  return [el('h3', { text: 'Answered by' }), el('ul', { class: 'plain' }, lines)];
}

function params(pairs) {
  if (!pairs.length) return emptyState('No parameters.');
  return table('Decoded request parameters; secrets, signatures and tokens are masked.', [
    { label: 'Name', value: (p) => String(p[0]) },
    {
      label: 'Value',
      cls: 'mono wrap',
      value: (p) => (p[1] === '***' ? el('span', { class: 'masked', title: 'masked by the mock' }, '***') : String(p[1])),
    },
  ], pairs);
}

function prettyBody(text) {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch (_) {
    return text;
  }
}

// ---------------------------------------------------------------------------------------------
// SignatureDoesNotMatch: the server's string to sign, split so it can be compared

/** The `Message` of an error body, JSON or XML, even when the journal clipped the body. */
function errorMessage(body) {
  try {
    const parsed = JSON.parse(body);
    if (parsed && typeof parsed.Message === 'string') return parsed.Message;
  } catch (_) { /* clipped or XML: read it below */ }
  const json = /"Message"\s*:\s*"((?:[^"\\]|\\.)*)/.exec(body);
  if (json) {
    const raw = json[1].replace(/\\$/, '');
    try {
      return JSON.parse(`"${raw}"`);
    } catch (_) {
      return raw;
    }
  }
  const xml = /<Message>([\s\S]*?)(?:<\/Message>|$)/.exec(body);
  if (xml) {
    return xml[1].replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'").replace(/&#10;/g, '\n').replace(/&amp;/g, '&');
  }
  return null;
}

function decode(text) {
  try {
    return decodeURIComponent(text);
  } catch (_) {
    return text;
  }
}

/** `{kind: 'v2', method, path, params: [[name, signedValue]]}` or `{kind: 'lines', lines}`. */
function splitStringToSign(sts) {
  const parts = sts.split('&');
  if (!sts.includes('\n') && parts.length === 3) {
    const query = decode(parts[2]);
    const pairs = query ? query.split('&').map((pair) => {
      const at = pair.indexOf('=');
      return at < 0 ? [pair, ''] : [pair.slice(0, at), pair.slice(at + 1)];
    }) : [];
    return { kind: 'v2', method: parts[0], path: decode(parts[1]), params: pairs };
  }
  return { kind: 'lines', lines: sts.split('\n') };
}

/** A signed value, and below it the value decoded when that reads differently. */
function signedValue(pair) {
  const decoded = decode(pair[1]);
  if (decoded === pair[1]) return pair[1];
  return el('span', {}, pair[1], el('span', { class: 'decoded' }, el('span', { class: 'label', text: 'decoded ' }), decoded));
}

function renderStringToSign(entry) {
  const box = $('detail-sts');
  const message = entry.code === 'SignatureDoesNotMatch' ? errorMessage(entry.response || '') : null;
  const at = message ? message.indexOf(STS_MARKER) : -1;
  if (at < 0) {
    box.hidden = true;
    box.replaceChildren();
    return;
  }
  let sts = message.slice(at + STS_MARKER.length);
  const clipped = sts.endsWith('…');
  if (clipped) sts = sts.slice(0, -1);
  const split = splitStringToSign(sts);
  const parts = [el('h3', { text: "The server's string to sign" }),
    el('p', { class: 'hint' }, split.kind === 'v2'
      ? 'HMAC-SHA1 (V2): the method, the path and the canonical query, one parameter a line, '
        + 'as the server signed them. Compare them with what your SDK signed.'
      : 'Line by line, as the server signed it. Compare it with what your SDK signed.')];
  if (split.kind === 'v2') {
    parts.push(el('p', { class: 'sts-head' },
      el('span', { class: 'label', text: 'Method' }), ' ', el('code', { text: split.method }), ' ',
      el('span', { class: 'label', text: 'Path' }), ' ', el('code', { text: split.path })));
    parts.push(table('Parameters of the canonical query, in the order signed', [
      { label: '#', cls: 'num', value: (p) => String(split.params.indexOf(p) + 1) },
      { label: 'Name', header: true, value: (p) => p[0] },
      { label: 'Value as signed', cls: 'mono wrap', value: signedValue },
    ], split.params));
  } else {
    parts.push(el('ol', { class: 'sts-lines' }, split.lines.map((line) => el('li', {}, el('code', { text: line })))));
  }
  if (clipped) parts.push(el('p', { class: 'hint', text: 'The journal clipped this answer; the end is missing.' }));
  parts.push(el('details', {}, el('summary', { text: 'The string exactly as the server sent it' }),
    el('pre', { class: 'body', text: sts })));
  box.replaceChildren(...parts);
  box.hidden = false;
}

// ---------------------------------------------------------------------------------------------
// Tasks

async function pollTasks(generation) {
  const data = await api(`/tasks${accountQuery()}`);
  if (generation !== state.generation) return;
  noticeAccounts((data && data.tasks) || []);
  const tasks = ((data && data.tasks) || []).slice()
    .sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)) || b.taskId - a.taskId);
  const now = state.clock ? state.clock.epochMillis : null;
  renderInto($('tasks-content'), JSON.stringify([tasks, now, state.account]), () => taskList(tasks, now));
  const summary = $('tasks-summary');
  const text = tasksSummary(tasks);
  if (summary.textContent !== text) summary.textContent = text;
}

/** `3 tasks: 1 init, 2 Success.`: what the live region announces when a task moves. */
function tasksSummary(tasks) {
  if (!tasks.length) return '';
  const counts = new Map();
  tasks.forEach((t) => counts.set(t.progress, (counts.get(t.progress) || 0) + 1));
  const parts = ['init', 'Processing', 'Success', 'Failed'].filter((p) => counts.has(p))
    .map((p) => `${counts.get(p)} ${p}`);
  return `${tasks.length} task${tasks.length === 1 ? '' : 's'}: ${parts.join(', ')}.`;
}

function taskList(tasks, now) {
  if (!tasks.length) {
    return emptyState('No tasks yet: StartVirusScanTask creates one, and so does asking for an unknown TaskId.');
  }
  const shown = tasks.slice(0, MAX_TASK_ROWS);
  const columns = [
    {
      label: state.account ? 'Task id' : 'Task id, account',
      value: (t) => (state.account ? String(t.taskId)
        : [String(t.taskId), el('span', { class: 'sub', text: t.accountId })]),
    },
    { label: 'Progress', value: (t) => el('span', { class: `badge progress-${String(t.progress).toLowerCase()}`, text: t.progress }) },
    { label: 'Polls', cls: 'num', value: (t) => String(t.polls) },
    { label: 'Created', value: (t) => timeNode(t.createdAt) },
    { label: 'Schedule', cls: 'schedule', value: scheduleText },
    { label: 'Next', value: (t) => nextChange(t, now) },
  ].filter(Boolean);
  const note = tasks.length > shown.length
    ? el('p', { class: 'hint', text: `The newest ${shown.length} of ${tasks.length} tasks.` }) : null;
  return [table('Scan tasks, newest first', columns, shown), note].filter(Boolean);
}

function phaseText(phase) {
  if (phase && typeof phase === 'object' && 'polls' in phase) {
    return `${phase.polls} poll${phase.polls === 1 ? '' : 's'}`;
  }
  return String(phase);
}

function scheduleText(task) {
  if (task.pinned) return `pinned at ${task.progress}`;
  const s = task.schedule || {};
  const outcome = s.outcome && typeof s.outcome === 'object' && 'failureRate' in s.outcome
    ? `${task.outcome} (drawn at failure rate ${s.outcome.failureRate})` : String(task.outcome);
  return `init ${phaseText(s.init)} → Processing ${phaseText(s.processing)} → ${outcome}`;
}

/** When the task changes next, when the schedule says so: a time on the mock clock or a poll count. */
function nextChange(task, now) {
  if (task.pinned || task.progress === 'Success' || task.progress === 'Failed') return '—';
  const s = task.schedule || {};
  const created = Date.parse(task.createdAt);
  const init = durationMs(s.init);
  const processing = durationMs(s.processing);
  const next = task.progress === 'init' ? 'Processing' : task.outcome;
  if (task.progress === 'init' && init !== null) return at(next, created + init, now);
  if (task.progress === 'init') return `${next} after ${phaseText(s.init)}`;
  if (init !== null && processing !== null) return at(next, created + init + processing, now);
  return `${next} after ${phaseText(s.processing)} of Processing`;
}

function at(what, when, now) {
  const iso = new Date(when).toISOString();
  const wait = now === null ? '' : ` (in ${humanMs(Math.max(0, when - now))})`;
  return el('span', {}, `${what} at `, timeNode(iso), wait);
}

// ---------------------------------------------------------------------------------------------
// Faults, stubs, limits

async function pollRules(generation) {
  const lists = await Promise.all(['faults', 'stubs', 'limits'].map((kind) => optionalList(kind)));
  if (generation !== state.generation) return;
  const [faults, stubs, limits] = lists;
  state.rules = { faults: faults || [], stubs: stubs || [], limits: limits || [] };
  renderInto($('faults-content'), listKey('faults', faults), () => faultList(faults));
  renderInto($('stubs-content'), listKey('stubs', stubs), () => stubList(stubs));
  renderInto($('limits-content'), listKey('limits', limits), () => limitList(limits));
}

/**
 * `GET /__admin/<kind>`'s list, or null when this build has no such endpoint or it refused the
 * request (the reason is kept for `notAvailable`): one section's trouble never stops the others.
 */
async function optionalList(kind) {
  const known = state.config && state.config.sections && kind in state.config.sections;
  if (state.unavailable.has(kind) || (known && !state.config.sections[kind])) return null;
  try {
    const data = await api(`/${kind}${kind === 'machines' ? '' : accountQuery()}`);
    state.sectionErrors.delete(kind);
    return (data && data[kind]) || [];
  } catch (err) {
    if (!(err instanceof HttpError)) throw err;
    if (err.status === 404) state.unavailable.add(kind);
    else state.sectionErrors.set(kind, `Could not read it: ${err.status} ${err.code || ''} ${err.message}`);
    return null;
  }
}

/** What a section shows without its list, and the render key that goes with it. */
function notAvailable(kind) {
  const problem = state.sectionErrors.get(kind);
  return el('p', { class: problem ? 'message' : 'muted', 'data-state': problem ? 'error' : null,
    text: problem || 'Not available in this build.' });
}

function listKey(kind, list) {
  return JSON.stringify([list, list === null ? state.sectionErrors.get(kind) || '' : '']);
}

function ruleClass(rule, used) {
  return rule.times !== undefined && rule.times !== null && (used || 0) >= rule.times ? 'spent' : null;
}

function ownerText(rule) {
  return rule.accountId || 'every account';
}

function describeFault(f) {
  const m = f.match || {};
  const what = [m.action && m.action !== '*' ? m.action : 'any action',
    m.taskId !== undefined ? `task ${m.taskId}` : null,
    m.accessKeyId ? `key ${m.accessKeyId}` : null].filter(Boolean).join(', ');
  return `${what} → ${faultAnswer(f)}`;
}

function faultAnswer(f) {
  const parts = [];
  if (typeof f.error === 'string') parts.push(f.error);
  else if (f.error && typeof f.error === 'object') parts.push(`${f.error.status} ${f.error.code}`);
  if (f.network) parts.push(`network: ${f.network}`);
  if (f.delay) parts.push(`after ${f.delay}`);
  if (f.probability !== undefined && f.probability !== null) parts.push(`with probability ${f.probability}`);
  return parts.join(', ') || 'no change';
}

function describeStub(s) {
  const params = Object.entries((s.match && s.match.params) || {}).map(([k, v]) => `${k}=${v}`);
  return `${s.action}${params.length ? ` when ${params.join(', ')}` : ''}`;
}

function describeLimit(l) {
  return [l.action || 'any action', l.accessKeyId ? `key ${l.accessKeyId}` : null,
    l.rate ? `rate ${l.rate}` : null, l.burst !== undefined ? `burst ${l.burst}` : null,
    l.error ? `→ ${shortValue(l.error)}` : null].filter(Boolean).join(', ');
}

function faultList(faults) {
  if (faults === null) return notAvailable('faults');
  if (!faults.length) return emptyState('No fault rules in force.');
  return table('Fault rules in force, first added first', [
    { label: 'Id', value: (f) => `#${f.id}` },
    { label: 'Account', value: ownerText },
    { label: 'Matches', value: (f) => describeFault(f).split(' → ')[0] },
    { label: 'Answer', value: faultAnswer },
    { label: 'Times left', value: (f) => remaining(f.times, f.fired) },
    { label: 'Fired', cls: 'num', value: (f) => String(f.fired ?? 0) },
    { label: 'Origin', value: (f) => shortValue(f.origin) },
  ], faults, (f) => ruleClass(f, f.fired));
}

function stubList(stubs) {
  if (stubs === null) return notAvailable('stubs');
  if (!stubs.length) return emptyState('No stubs in force.');
  return table('Stubs in force, first added first', [
    { label: 'Id', value: (s) => `#${s.id}` },
    { label: 'Account', value: ownerText },
    { label: 'Answers', value: describeStub },
    { label: 'Times left', value: (s) => remaining(s.times, s.used) },
    { label: 'Used', cls: 'num', value: (s) => String(s.used ?? 0) },
    { label: 'Origin', value: (s) => shortValue(s.origin) },
  ], stubs, (s) => ruleClass(s, s.used));
}

function limitList(limits) {
  if (limits === null) return notAvailable('limits');
  if (!limits.length) return emptyState('No limits in force.');
  const columns = genericColumns(limits,
    ['id', 'accountId', 'action', 'accessKeyId', 'rate', 'burst', 'error', 'retryAfter', 'times', 'used', 'origin']);
  return table('Flow-control limits in force', columns, limits, (l) => ruleClass(l, l.used ?? l.fired));
}

// ---------------------------------------------------------------------------------------------
// Machines and alerts (shown when this build has them)

async function pollOptional(generation) {
  const [machines, alerts] = await Promise.all([optionalList('machines'), optionalList('alerts')]);
  if (generation !== state.generation) return;
  const mine = (items) => (items && state.account
    ? items.filter((i) => i.accountId === undefined || i.accountId === state.account) : items);
  const shownMachines = mine(machines);
  renderInto($('machines-content'), listKey('machines', shownMachines) + state.account, () => {
    if (shownMachines === null) return notAvailable('machines');
    if (!shownMachines.length) return emptyState('No machines: fixtures define them ("machines").');
    return table('Machines', genericColumns(shownMachines, ['instanceName', 'uuid', 'accountId',
      'instanceId', 'internetIp', 'intranetIp', 'groupId', 'findings'],
    state.account ? ['accountId'] : []), shownMachines);
  });
  const shownAlerts = mine(alerts);
  renderInto($('alerts-content'), listKey('alerts', shownAlerts) + state.account, () => {
    if (shownAlerts === null) return notAvailable('alerts');
    if (!shownAlerts.length) return emptyState('No alerts yet: a finished scan turns its machines\' findings into alerts.');
    return table('Alerts', genericColumns(shownAlerts, ['occurrenceTime', 'lastTime', 'name', 'level',
      'instanceName', 'type', 'status', 'dealed', 'id', 'uuid', 'accountId'],
    state.account ? ['accountId'] : []), shownAlerts, (a) => (a.level === 'serious' ? 'is-error' : null));
  });
}

// ---------------------------------------------------------------------------------------------
// Accounts and reset

/** Marks the selector stale when `items` (requests, tasks) name an account it does not offer. */
function noticeAccounts(items) {
  if (items.some((i) => i.accountId && !state.knownAccounts.has(i.accountId))) state.accountsStale = true;
}

async function pollAccounts() {
  if (!state.accountsStale && state.polls % ACCOUNTS_EVERY !== 0) return;
  state.accountsStale = false;
  const data = await api('/accounts');
  const accounts = (data && data.accounts) || [];
  state.knownAccounts = new Set(accounts.map((a) => a.accountId));
  renderInto($('account'), JSON.stringify([accounts, state.account]), () => {
    const options = [el('option', { value: '', text: 'All accounts' })];
    const ids = new Set();
    for (const a of accounts) {
      ids.add(a.accountId);
      const keys = (a.accessKeyIds || []).join(', ');
      options.push(el('option', { value: a.accountId, text: keys ? `${a.accountId} (${keys})` : a.accountId }));
    }
    if (state.account && !ids.has(state.account)) {
      options.push(el('option', { value: state.account, text: state.account }));
    }
    return options;
  });
  $('account').value = state.account;
}

function selectAccount(account) {
  state.account = account;
  state.generation += 1;
  state.lastSeq = 0;
  state.requests = [];
  state.bySeq = new Map();
  $('requests-body').replaceChildren();
  if (state.openSeq !== null) {
    state.openSeq = null;
    hideDetail();
  }
  $('reset').textContent = account ? `Reset account ${account}` : 'Reset all accounts';
  renderRequestSummary();
  refreshNow();
}

async function reset() {
  const account = state.account;
  const message = $('clock-message');
  try {
    await api(`/reset${accountQuery()}`, { method: 'POST' });
    message.textContent = account
      ? `Reset account ${account}: its tasks, rules and journal are back to the fixtures.`
      : 'Reset every account: tasks, rules and journal are back to the fixtures.';
    message.dataset.state = 'ok';
    selectAccount(account);
  } catch (err) {
    if (err instanceof AuthError) return lockOut('The admin token was refused. Enter it again.');
    message.textContent = `Could not reset: ${err.message}`;
    message.dataset.state = 'error';
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The admin token

function lockOut(message) {
  state.running = false;
  clearTimeout(state.timer);
  state.token = '';
  sessionStorage.removeItem(TOKEN_KEY);
  clearData();
  showGate(message);
}

/** Forgets everything shown, so that a locked page shows no data. */
function clearData() {
  state.generation += 1;
  state.requests = [];
  state.bySeq = new Map();
  state.lastSeq = 0;
  state.openSeq = null;
  state.rendered.clear();
  state.knownAccounts = new Set();
  state.accountsStale = true;
  $('requests-body').replaceChildren();
  ['tasks-content', 'faults-content', 'stubs-content', 'limits-content', 'machines-content',
    'alerts-content', 'detail-summary', 'detail-source', 'detail-sts', 'detail-params']
    .forEach((id) => $(id).replaceChildren());
  $('detail-response').textContent = '';
  $('tasks-summary').textContent = '';
  hideDetail();
  $('clock-now').textContent = '—';
  $('account').replaceChildren(el('option', { value: '', text: 'All accounts' }));
  state.account = '';
}

function showGate(message) {
  $('dashboard').hidden = true;
  $('account-controls').hidden = true;
  $('token-gate').hidden = false;
  $('token-message').textContent = message || '';
  setConnection('locked', 'Waiting for the admin token');
  $('token-input').focus();
}

async function submitToken(event) {
  event.preventDefault();
  const input = $('token-input');
  state.token = input.value.trim();
  if (!state.token) return;
  try {
    await api('/clock');
  } catch (err) {
    state.token = '';
    $('token-message').textContent = err instanceof AuthError
      ? 'That token was refused. Check the --admin-token the mock was started with.'
      : `Could not reach the mock: ${err.message}`;
    input.select();
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, state.token);
  input.value = '';
  start();
}

// ---------------------------------------------------------------------------------------------
// Start

function start() {
  $('token-gate').hidden = true;
  $('token-message').textContent = '';
  $('dashboard').hidden = false;
  $('account-controls').hidden = false;
  $('forget-token').hidden = !(state.config && state.config.tokenRequired);
  state.running = true;
  state.polls = 0;
  renderRequestSummary();
  refreshNow();
}

function wire() {
  $('token-form').addEventListener('submit', submitToken);
  $('forget-token').addEventListener('click', () => lockOut('Token forgotten.'));
  $('account').addEventListener('change', (event) => selectAccount(event.target.value));
  $('reset').addEventListener('click', reset);
  document.querySelectorAll('button[data-advance]').forEach((button) => {
    button.addEventListener('click', () => advance(button.dataset.advance));
  });
  $('advance-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const field = $('advance-by');
    const by = field.value.trim();
    // Checked here with the mock's own grammar, so that a typo costs no refused request.
    const ms = durationMs(by);
    const valid = ms !== null && ms <= MAX_ADVANCE_MS;
    field.setAttribute('aria-invalid', valid ? 'false' : 'true');
    if (valid) {
      advance(by);
    } else {
      const message = $('clock-message');
      message.textContent = `Could not advance the clock: ${JSON.stringify(by)} is not a duration `
        + 'of at most 100 days such as 250ms, 2s, 1.5m or 1h.';
      message.dataset.state = 'error';
      field.focus();
    }
  });
  $('detail-close').addEventListener('click', closeDetail);
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !$('detail').hidden) closeDetail();
  });
}

async function main() {
  wire();
  try {
    const response = await fetch('/__admin/ui/config', { cache: 'no-store', credentials: 'omit' });
    state.config = await response.json();
  } catch (err) {
    setConnection('down', `Cannot reach the mock (${err.message}). Reload when it runs.`);
    return;
  }
  state.token = sessionStorage.getItem(TOKEN_KEY) || '';
  if (state.config.tokenRequired && !state.token) {
    showGate('');
    return;
  }
  start();
}

main();
