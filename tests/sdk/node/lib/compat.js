'use strict';
// The shared test bodies: for each auth mode one sas-mock, for each client configuration the same
// checks as the Python suite.

const { describe, it, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');

const { MockServer } = require('./mock');

const AUTH_MODES = ['strict', 'lenient'];
const MAIN_ACCOUNT = '1234567890123456';
const OTHER_ACCOUNT = '6543210987654321';
const PLAIN_TARGETS = [{ type: 'uuid', name: 'host001', target: '503201a7-14c6-4280-801b-1169ed420000' }];
const AWKWARD_NAME = "host 001*~/+!'()é中";
const AWKWARD_TARGET = 'a&b=c;%20:@,$?#';

const targetInfo = (entries) => JSON.stringify(entries);

/** Runs `call`, which must reject with this SDK's error for `status`/`code`; returns it normalised. */
async function expectSdkError(sdk, status, code, call) {
  let caught;
  try {
    await call();
  } catch (err) {
    caught = err;
  }
  assert.ok(caught, `expected the SDK to throw ${code}, but the call succeeded`);
  sdk.checkError(caught, status, code);
  return sdk.readError(caught);
}

async function assertErrorMatchesJournal(mock, err, action, status, code, message) {
  const entry = await mock.lastRequest(action);
  assert.deepEqual([entry.status, entry.code], [status, code]);
  assert.equal(err.status, status);
  assert.equal(err.code, code);
  assert.ok(err.message.includes(message), `message ${JSON.stringify(err.message)} lacks ${JSON.stringify(message)}`);
  assert.ok(err.requestId, 'the SDK exposes no request id');
  assert.equal(err.requestId, entry.requestId);
}

function defineCompatSuite(variants) {
  for (const auth of AUTH_MODES) {
    describe(`${auth} auth`, () => {
      const mock = new MockServer(auth);
      before(() => mock.start());
      after(() => mock.stop());
      beforeEach(() => mock.reset());

      for (const variant of variants) {
        describe(variant.name, () => {
          const connect = (keyId = 'testid', secret = 'testsecret', token = undefined) =>
            variant.make(mock.port, keyId, secret, token);

          it('starting a scan returns an integer task id', async () => {
            const taskId = await connect().startScan(targetInfo(PLAIN_TARGETS));
            assert.ok(Number.isSafeInteger(taskId) && taskId > 0, `ScanTaskId ${taskId} is not a positive integer`);
            const entry = await mock.lastRequest('StartVirusScanTask');
            assert.deepEqual([entry.status, entry.accessKeyId, entry.accountId], [200, 'testid', MAIN_ACCOUNT]);
            const ids = (await mock.tasks({ accessKeyId: 'testid' })).map((t) => t.taskId);
            assert.ok(ids.includes(taskId));
          });

          it('a started scan goes from init to Processing to Success as the clock advances', async () => {
            const sdk = connect();
            const taskId = await sdk.startScan(targetInfo(PLAIN_TARGETS));

            const first = await sdk.progress(taskId);
            assert.equal(first.progress, 'init');
            assert.deepEqual(JSON.parse(first.targetInfo), PLAIN_TARGETS);
            assert.equal(first.requestId, (await mock.lastRequest('DescribeScanTaskProgress')).requestId);

            await mock.advance('1s');
            assert.equal((await sdk.progress(taskId)).progress, 'Processing');

            await mock.advance('5s');
            const done = await sdk.progress(taskId);
            assert.equal(done.progress, 'Success');
            assert.deepEqual(JSON.parse(done.targetInfo), PLAIN_TARGETS);
          });

          it('a task on a poll schedule goes from init to Processing to Failed', async () => {
            const sdk = connect();
            const taskId = 700001;
            await mock.createTask({
              taskId,
              accessKeyId: 'testid',
              schedule: { init: { polls: 1 }, processing: { polls: 1 }, outcome: 'Failed' },
            });
            const seen = [];
            for (let i = 0; i < 4; i++) seen.push((await sdk.progress(taskId)).progress);
            assert.deepEqual(seen, ['init', 'Processing', 'Failed', 'Failed']);
          });

          it('task 403403 is refused with NoPermission', async () => {
            const sdk = connect();
            const err = await expectSdkError(sdk, 403, 'NoPermission', () => sdk.progress(403403));
            await assertErrorMatchesJournal(mock, err, 'DescribeScanTaskProgress', 403, 'NoPermission', 'caller has no permission');
          });

          it('task 500500 fails with ServerError', async () => {
            const sdk = connect();
            const err = await expectSdkError(sdk, 500, 'ServerError', () => sdk.progress(500500));
            await assertErrorMatchesJournal(mock, err, 'DescribeScanTaskProgress', 500, 'ServerError', 'ServerError');
          });

          for (const [code, status, message] of [['NoPermission', 403, 'caller has no permission'], ['ServerError', 500, 'ServerError']]) {
            it(`a one-shot ${code} fault fails one poll and the next poll succeeds`, async () => {
              const sdk = connect();
              const taskId = await sdk.startScan(targetInfo(PLAIN_TARGETS));
              await mock.addFault({ match: { action: 'DescribeScanTaskProgress', taskId }, error: code, times: 1 });

              const err = await expectSdkError(sdk, status, code, () => sdk.progress(taskId));
              await assertErrorMatchesJournal(mock, err, 'DescribeScanTaskProgress', status, code, message);

              assert.equal((await sdk.progress(taskId)).progress, 'init');
            });
          }

          it('a read-only key may poll but may not start scans', async () => {
            const readonly = connect('readonly-id', 'readonly-secret');
            assert.equal((await readonly.progress(100003)).progress, 'Success');
            const err = await expectSdkError(readonly, 403, 'NoPermission', () => readonly.startScan(targetInfo(PLAIN_TARGETS)));
            await assertErrorMatchesJournal(mock, err, 'StartVirusScanTask', 403, 'NoPermission', 'caller has no permission');
          });

          it('a wrong secret is reported as the SDK\'s signature error', async () => {
            const impostor = connect('testid', 'not-the-secret');
            const err = await expectSdkError(impostor, 400, impostor.signatureErrorCode, () => impostor.progress(100001));
            await assertErrorMatchesJournal(mock, err, 'DescribeScanTaskProgress', 400, 'SignatureDoesNotMatch',
              'Specified signature is not matched with our calculation.');
          });

          it('an STS key is accepted with its token and refused with another', async () => {
            const sts = connect('STS.testid', 'stssecret', 'ststoken');
            const taskId = await sts.startScan(targetInfo(PLAIN_TARGETS));
            const entry = await mock.lastRequest('StartVirusScanTask');
            assert.deepEqual([entry.status, entry.accessKeyId, entry.accountId], [200, 'STS.testid', MAIN_ACCOUNT]);
            assert.equal((await sts.progress(taskId)).progress, 'init');

            const forged = connect('STS.testid', 'stssecret', 'not-the-token');
            const err = await expectSdkError(forged, 400, 'InvalidSecurityToken.MismatchWithAccessKey',
              () => forged.progress(taskId));
            await assertErrorMatchesJournal(mock, err, 'DescribeScanTaskProgress', 400,
              'InvalidSecurityToken.MismatchWithAccessKey', 'Specified SecurityToken mismatch with the AccessKey.');
          });

          it('an unknown access key is refused when strict and gets its own account when lenient', async () => {
            const stranger = connect('stranger-id', 'stranger-secret');
            if (auth === 'strict') {
              const err = await expectSdkError(stranger, 404, 'InvalidAccessKeyId.NotFound',
                () => stranger.startScan(targetInfo(PLAIN_TARGETS)));
              await assertErrorMatchesJournal(mock, err, 'StartVirusScanTask', 404, 'InvalidAccessKeyId.NotFound',
                'Specified access key is not found.');
            } else {
              const taskId = await stranger.startScan(targetInfo(PLAIN_TARGETS));
              const entry = await mock.lastRequest('StartVirusScanTask');
              assert.equal(entry.status, 200);
              assert.equal(entry.accessKeyId, 'stranger-id');
              assert.ok(![MAIN_ACCOUNT, OTHER_ACCOUNT].includes(entry.accountId), `landed in ${entry.accountId}`);
              const mine = (await mock.tasks({ accessKeyId: 'testid' })).map((t) => t.taskId);
              assert.ok(!mine.includes(taskId));
            }
          });

          it('awkward characters in TargetInfo come back exactly', async () => {
            const sdk = connect();
            const entries = [
              { type: 'uuid', name: AWKWARD_NAME, target: AWKWARD_TARGET },
              { type: 'groupId', name: AWKWARD_TARGET, target: AWKWARD_NAME },
            ];
            const taskId = await sdk.startScan(targetInfo(entries));
            const seen = await sdk.progress(taskId);
            assert.deepEqual(JSON.parse(seen.targetInfo), entries);
            const stored = (await mock.tasks({ accessKeyId: 'testid' })).filter((t) => t.taskId === taskId);
            assert.equal(stored.length, 1);
            assert.deepEqual(JSON.parse(stored[0].targetInfo), entries);
          });

          it('a task started by one account is not visible to another', async () => {
            const taskId = await connect().startScan(targetInfo(PLAIN_TARGETS));
            const theirsBefore = (await mock.tasks({ accessKeyId: 'otherid' })).map((t) => t.taskId);
            assert.ok(!theirsBefore.includes(taskId));

            const theirs = await connect('otherid', 'othersecret').progress(taskId);

            // The other account gets a task of its own under the same id (--unknown-tasks create).
            const entry = await mock.lastRequest('DescribeScanTaskProgress');
            assert.deepEqual([entry.accessKeyId, entry.accountId], ['otherid', OTHER_ACCOUNT]);
            assert.notDeepEqual(JSON.parse(theirs.targetInfo), PLAIN_TARGETS);
            const mine = (await mock.tasks({ accessKeyId: 'testid' })).filter((t) => t.taskId === taskId);
            assert.equal(mine.length, 1);
            assert.equal(mine[0].polls, 0);
            assert.equal(mine[0].accountId, MAIN_ACCOUNT);
            const copies = (await mock.tasks({ accessKeyId: 'otherid' })).filter((t) => t.taskId === taskId);
            assert.equal(copies.length, 1);
            assert.equal(copies[0].accountId, OTHER_ACCOUNT);
          });
        });
      }
    });
  }
}

module.exports = { defineCompatSuite };
