'use strict';
// Starts a sas-mock process and talks to its admin API with plain fetch (no SDK involved).

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const READY_TIMEOUT_MS = 10_000;

function mockBinary() {
  const bin = process.env.SAS_MOCK_BIN || path.join(REPO_ROOT, 'target', 'debug', 'sas-mock');
  try {
    fs.accessSync(bin, fs.constants.X_OK);
  } catch {
    throw new Error(`sas-mock binary not found or not executable at ${bin}; build it or point SAS_MOCK_BIN at it`);
  }
  return bin;
}

class MockServer {
  constructor(auth) {
    this.auth = auth;
    this.port = null;
    this.log = [];
    this.proc = null;
  }

  /** Spawns the server and resolves once its JSON log says "sas-mock ready". */
  async start() {
    const args = ['serve', '--listen', '127.0.0.1:0', '--clock', 'manual', '--seed', '1',
      '--auth', this.auth, '--log-format', 'json'];
    this.proc = spawn(mockBinary(), args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, RUST_LOG: 'info' },
    });
    const lines = readline.createInterface({ input: this.proc.stderr });
    await new Promise((resolve, reject) => {
      const fail = (why) => {
        clearTimeout(timer);
        this.stop();
        reject(new Error(`sas-mock --auth ${this.auth} ${why}; its output:\n${this.log.join('\n')}`));
      };
      const timer = setTimeout(() => fail(`did not log "sas-mock ready" within ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS);
      // Keep reading for the server's whole life so the pipe never fills up.
      lines.on('line', (line) => {
        this.log.push(line);
        if (this.log.length > 200) this.log.shift();
        if (this.port !== null) return;
        let record;
        try { record = JSON.parse(line); } catch { return; }
        if (record.message === 'sas-mock ready' && record.listen) {
          this.port = Number(String(record.listen).split(':').pop());
          clearTimeout(timer);
          resolve();
        }
      });
      this.proc.once('error', (err) => fail(`could not be started: ${err.message}`));
      this.proc.once('exit', (code, signal) => {
        if (this.port === null) fail(`exited early (code ${code}, signal ${signal})`);
      });
    });
  }

  async stop() {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  get baseUrl() {
    return `http://127.0.0.1:${this.port}`;
  }

  async admin(method, route, body, query) {
    let url = `${this.baseUrl}/__admin/${route}`;
    if (query) url += `?${new URLSearchParams(query)}`;
    const init = { method, headers: {} };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers['content-type'] = 'application/json';
    }
    const resp = await fetch(url, init);
    const text = await resp.text();
    if (!resp.ok) throw new Error(`admin ${method} ${route} answered ${resp.status}: ${text}`);
    return text ? JSON.parse(text) : null;
  }

  async reset() {
    // DELETE /__admin/faults drops every rule, the fixtures' 403403/500500 ones included, so it
    // must come before the reset, which restores the fixture rules (and tasks, and the journal).
    await this.admin('DELETE', 'faults');
    await this.admin('POST', 'reset');
  }

  advance(span) { return this.admin('POST', 'clock', { advance: span }); }

  addFault(rule) { return this.admin('POST', 'faults', rule); }

  createTask(spec) { return this.admin('POST', 'tasks', spec); }

  async tasks(query) { return (await this.admin('GET', 'tasks', undefined, query)).tasks; }

  addStub(spec) { return this.admin('POST', 'stubs', spec); }

  addLimit(spec) { return this.admin('POST', 'limits', spec); }

  /** One rule as the server lists it now (`kind`: faults, stubs or limits), or undefined. */
  async rule(kind, id) { return (await this.admin('GET', kind))[kind].find((r) => r.id === id); }

  /** Removes the faults, stubs and limits added through the admin API (the fixtures' stay). */
  async removeAdminRules() {
    for (const kind of ['faults', 'stubs', 'limits']) {
      for (const rule of (await this.admin('GET', kind))[kind]) {
        if (rule.origin === 'admin') await this.admin('DELETE', `${kind}/${rule.id}`);
      }
    }
  }

  /** One task with its poll cadence (polls, firstPoll, lastPoll, shortestPollIntervalMillis). */
  task(taskId, query) { return this.admin('GET', `tasks/${taskId}`, undefined, query); }

  async journal(query) { return (await this.admin('GET', 'requests', undefined, query)).requests; }

  async lastRequest(action) {
    const { requests } = await this.admin('GET', 'requests', undefined, { action, limit: '1' });
    if (requests.length === 0) throw new Error(`the journal holds no ${action} request`);
    return requests[requests.length - 1];
  }
}

module.exports = { MockServer };
