'use strict';
// Stubs, flow-control limits and network faults through pop-core (GET and POST) and the Tea core
// (V3 and v2), under both auth modes: the stubbed fields come back, a missing required parameter is the
// SDK's 400 Missing<Name> error, a one-time stub retires into 501 NotImplemented; a throttled call is
// the SDK's 400 Throttling.User error until the mock's clock moves on; each network fault is the
// transport error Node's http stack raises for it, and neither SDK retries it by itself.

const { describe, it, before, after, beforeEach, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const os = require('node:os');

const { MockServer } = require('./lib/mock');
const { popCoreCaller, teaCoreCaller } = require('./lib/scan');

const WEB = '503201a7-14c6-4280-801b-1169ed420000';
const DB = '7a8b9c0d-2e3f-4a5b-8c6d-000000000002';
const GROUPS = { Groups: [{ GroupId: 1001, GroupName: 'default', GroupFlag: 1 }], Count: 1 };
const CRITERIA = JSON.stringify([{ name: 'instanceName', value: 'web-1 *(+)~' }]);
const TASK = 100003; // a fixture task pinned at Success
const POLL = ['DescribeScanTaskProgress', { TaskId: TASK }];
const CLIENT_TIMEOUT_MS = 200;

/** Runs `call`, which must reject; returns what it rejected with. */
async function rejection(call) {
  try {
    await call();
  } catch (err) {
    return err;
  }
  assert.fail('expected the call to fail, but it succeeded');
}

/** The SDK's error for an API error answer: pop-core's `<Code>Error`, the Tea core's $tea error. */
function checkApiError(variant, err, status, code) {
  assert.ok(err instanceof Error, `expected an Error, got ${err}`);
  assert.equal(err.code, code);
  if (variant.kind === 'pop-core') {
    assert.equal(err.name, `${code}Error`);
    assert.equal(err.entry.response.statusCode, status);
  } else {
    assert.equal(err.statusCode, status);
  }
  return err.data.RequestId;
}

async function apiError(mock, variant, call, action, status, code) {
  const err = await rejection(call);
  const requestId = checkApiError(variant, err, status, code);
  const entry = await mock.lastRequest(action);
  assert.deepEqual([entry.status, entry.code], [status, code]);
  assert.equal(requestId, entry.requestId);
  return { err, entry };
}

// What each network fault is, as Node's http stack (httpx, under both SDKs) reports it.
const TRANSPORT = {
  connectionReset: (err) => {
    assert.ok(err instanceof Error);
    assert.equal(err.code, 'ECONNRESET');
    assert.equal(err.errno, -os.constants.errno.ECONNRESET);
    assert.match(err.message, /^read ECONNRESET/);
  },
  emptyResponse: (err) => {
    assert.ok(err instanceof Error);
    assert.equal(err.code, 'ECONNRESET');
    assert.match(err.message, /^socket hang up/);
  },
  randomDataThenClose: (err) => {
    assert.ok(err instanceof Error);
    assert.equal(err.code, 'HPE_INVALID_CONSTANT');
    assert.match(err.message, /^Parse Error: Expected HTTP\//);
  },
  malformedChunk: (err) => {
    assert.ok(err instanceof Error);
    assert.equal(err.code, 'ECONNRESET');
    assert.equal(err.message, 'aborted');
  },
  hang: (err) => {
    assert.ok(err instanceof Error);
    assert.equal(err.name, 'RequestTimeoutError');
    assert.match(err.message, new RegExp(`^ReadTimeout\\(${CLIENT_TIMEOUT_MS}\\)`));
  },
};
// The proxy's HTML page: a JSON syntax error, from json-bigint in pop-core (a plain object, not an
// Error) and from JSON.parse in the Tea core.
const NOT_JSON = {
  'pop-core': (err) => {
    assert.ok(!(err instanceof Error), 'json-bigint throws a plain object');
    assert.equal(err.name, 'SyntaxError');
    assert.equal(err.message, "Unexpected '<'");
    assert.match(err.text, /<center>Tengine<\/center>/);
  },
  tea: (err) => {
    assert.ok(err instanceof SyntaxError);
    assert.match(err.message, /is not valid JSON/);
  },
};
const JOURNAL_STATUS = { connectionReset: 0, emptyResponse: 0, randomDataThenClose: 0, malformedChunk: 200, hang: 0 };

for (const auth of ['strict', 'lenient']) {
  describe(`${auth} auth: stubs, limits and network faults`, () => {
    const mock = new MockServer(auth);
    before(() => mock.start());
    after(() => mock.stop());
    beforeEach(() => mock.reset());
    afterEach(() => mock.removeAdminRules()); // every test's stubs, limits and faults end with it

    for (const variant of [popCoreCaller('GET'), popCoreCaller('POST'), teaCoreCaller(null), teaCoreCaller('v2')]) {
      describe(variant.name, () => {
        const connect = (options) => variant.make(mock.port, 'testid', 'testsecret', options);

        // --- stubs ------------------------------------------------------------------------------

        it('the fixture stub answers DescribeCloudCenterInstances with web-1 and db-1', async () => {
          const body = await connect()('DescribeCloudCenterInstances', { CurrentPage: 1, PageSize: 20 });
          assert.deepEqual(body.Instances.map((i) => [i.InstanceName, i.Uuid]), [['web-1', WEB], ['db-1', DB]]);
          assert.equal(body.PageInfo.TotalCount, 2);
          assert.equal(body.Success, true);
          const entry = await mock.lastRequest('DescribeCloudCenterInstances');
          assert.equal(body.RequestId, entry.requestId);
          assert.notEqual(entry.stubId, null);
        });

        it('a stub matching a parameter answers only the call with exactly that value', async () => {
          const call = connect();
          const stub = await mock.addStub({
            action: 'DescribeCloudCenterInstances',
            match: { params: { Criteria: CRITERIA } },
            response: { Instances: [{ InstanceName: 'web-1', Uuid: WEB }], Success: true },
          });
          const matched = await call('DescribeCloudCenterInstances', { Criteria: CRITERIA });
          const other = await call('DescribeCloudCenterInstances', { Criteria: CRITERIA.replace('web-1', 'db-1') });
          assert.deepEqual(matched.Instances.map((i) => i.InstanceName), ['web-1']);
          assert.deepEqual(other.Instances.map((i) => i.InstanceName), ['web-1', 'db-1']);
          assert.equal((await mock.rule('stubs', stub.id)).used, 1);
        });

        it('a stub with times 1 answers once, then the action is the 501 NotImplemented error', async () => {
          const call = connect();
          await mock.addStub({ action: 'DescribeAllGroups', response: GROUPS, times: 1 });
          // (pop-core's json-bigint makes null-prototype objects: compare the fields.)
          const { Groups } = await call('DescribeAllGroups');
          assert.deepEqual(Groups.map((g) => [g.GroupId, g.GroupName, g.GroupFlag]), [[1001, 'default', 1]]);
          const { err } = await apiError(mock, variant, () => call('DescribeAllGroups'), 'DescribeAllGroups', 501,
            'NotImplemented');
          assert.match(err.message, /DescribeAllGroups/);
        });

        for (const [action, params, missing] of [
          ['ListVirusScanMachine', { PageSize: 20 }, 'CurrentPage'],
          ['HandleSecurityEvents', { 'SecurityEventIds.1': '1' }, 'OperationCode'],
        ]) {
          it(`a call to ${action} without ${missing} is the 400 Missing${missing} error, stub or not`, async () => {
            const stub = await mock.addStub({ action, response: { Data: [] } });
            const { err } = await apiError(mock, variant, () => connect()(action, params), action, 400,
              `Missing${missing}`);
            assert.match(err.message, new RegExp(`${missing} is mandatory for this action\\.`));
            assert.equal((await mock.rule('stubs', stub.id)).used, 0);
          });
        }

        // --- limits ------------------------------------------------------------------------------

        it('a throttled call is the 400 Throttling.User error until the clock moves on', async () => {
          const call = connect();
          const limit = await mock.addLimit({ action: 'DescribeScanTaskProgress', rate: '1/s', retryAfter: '1500ms' });
          await call(...POLL);
          const { err, entry } = await apiError(mock, variant, () => call(...POLL), POLL[0], 400, 'Throttling.User');
          assert.match(err.message, /Request was denied due to user flow control\./);
          assert.equal(entry.limitId, limit.id);
          assert.equal(err.retryAfter, undefined, 'neither Node SDK reads x-acs-retry-after');

          await mock.advance('999ms');
          await rejection(() => call(...POLL));
          await mock.advance('1ms');
          assert.equal((await call(...POLL)).ScanTaskProgress, 'Success');
          assert.deepEqual((await mock.journal({ action: POLL[0] })).map((e) => e.status), [200, 400, 400, 200]);
        });

        // --- network faults ----------------------------------------------------------------------

        for (const kind of Object.keys(TRANSPORT)) {
          it(`a ${kind} fault is the transport error Node raises for it, and is not retried`, async () => {
            const rule = await mock.addFault({ match: { action: POLL[0], taskId: TASK }, network: kind });
            const err = await rejection(() => connect({ timeout: CLIENT_TIMEOUT_MS })(...POLL));
            TRANSPORT[kind](err);
            const entries = await mock.journal({ action: POLL[0] });
            assert.deepEqual(entries.map((e) => [e.network, e.status, e.faultId]), [[kind, JOURNAL_STATUS[kind], rule.id]]);
          });
        }

        it('a proxyError fault is an HTML page that the SDK fails to parse as JSON', async () => {
          await mock.addFault({ match: { action: POLL[0] }, network: 'proxyError' });
          const err = await rejection(() => connect()(...POLL));
          NOT_JSON[variant.kind](err);
          const entry = await mock.lastRequest(POLL[0]);
          assert.deepEqual([entry.network, entry.status], ['proxyError', 502]);
        });

        it('a one-time connectionReset fails one call and the next call passes', async () => {
          const call = connect();
          await mock.addFault({ match: { action: POLL[0] }, network: 'connectionReset', times: 1 });
          TRANSPORT.connectionReset(await rejection(() => call(...POLL)));
          assert.equal((await call(...POLL)).ScanTaskProgress, 'Success');
        });

        if (variant.kind === 'tea') {
          it('autoretry does not retry a one-time connectionReset in the pinned Tea core', async () => {
            // tea-typescript 1.8.0 retries only errors named RetryError, and nothing it throws for a
            // socket error is one; openapi-client 0.4.15 rethrows everything else at once.
            await mock.addFault({ match: { action: POLL[0] }, network: 'connectionReset', times: 1 });
            const call = connect({ runtime: { autoretry: true, maxAttempts: 3, backoffPolicy: 'no' } });
            TRANSPORT.connectionReset(await rejection(() => call(...POLL)));
            assert.deepEqual((await mock.journal({ action: POLL[0] })).map((e) => e.network), ['connectionReset']);
          });
        }
      });
    }
  });
}
