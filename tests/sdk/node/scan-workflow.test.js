'use strict';
// The virus-scan workflow through pop-core (GET and POST) and the Tea core (V3 and v2), under both
// auth modes: the older flow (start, poll to Success, DescribeSuspEvents for the host with
// Dealed=N, HandleSecurityEvents ignore) and the newer one (CreateVirusScanOnceTask, the latest
// statistic 0 → 10 → 100 with the clock, subtasks, machine events, OperateVirusEvents).

const { describe, it, before, after, beforeEach } = require('node:test');
const assert = require('node:assert/strict');

const { MockServer } = require('./lib/mock');
const { popCoreCaller, teaCoreCaller } = require('./lib/scan');

// The default fixtures' machines: web-1 with two findings (serious, suspicious), db-1 clean.
const WEB = '503201a7-14c6-4280-801b-1169ed420000';
const DB = '7a8b9c0d-2e3f-4a5b-8c6d-000000000002';
const PAGE = { CurrentPage: 1, PageSize: 20 };

async function olderFlow(mock, call) {
  const started = await call('StartVirusScanTask', {
    TargetInfo: JSON.stringify([{ type: 'uuid', name: 'web-1', target: WEB }]),
  });
  const seen = [];
  for (let i = 0; i < 20 && !['Success', 'Failed'].includes(seen[seen.length - 1]); i++) {
    if (i > 0) await mock.advance('1s');
    seen.push((await call('DescribeScanTaskProgress', { TaskId: started.ScanTaskId })).ScanTaskProgress);
  }
  assert.deepEqual([seen[0], seen[seen.length - 1]], ['init', 'Success']);

  const pending = () => call('DescribeSuspEvents', { Uuids: WEB, Dealed: 'N', CurrentPage: '1', PageSize: '20' });
  const found = await pending();
  assert.deepEqual([found.TotalCount, found.Count], [2, 2]);
  assert.ok(found.SuspEvents.every((e) => e.Uuid === WEB && e.EventStatus === 1));
  const trojan = found.SuspEvents.find((e) => e.Level === 'serious');
  assert.equal(trojan.Name, 'Trojan:Linux/Mirai.B');

  const handled = await call('HandleSecurityEvents', {
    'SecurityEventIds.1': trojan.SecurityEventIds,
    OperationCode: 'ignore',
  });
  assert.ok(Number.isInteger(Number(handled.HandleSecurityEventsResponse.TaskId)));
  const left = await pending();
  assert.equal(left.TotalCount, 1);
  assert.ok(!left.SuspEvents.some((e) => e.SecurityEventIds === trojan.SecurityEventIds));
}

async function newerFlow(mock, call) {
  const statistic = async () => (await call('GetVirusScanLatestTaskStatistic')).Data;
  await call('CreateVirusScanOnceTask', { ScanType: 'system' });
  const first = await statistic();
  assert.deepEqual([first.Status, first.Progress, first.ScanMachine], [0, '0', 2]);
  await mock.advance('3s');
  const running = await statistic();
  assert.deepEqual([running.Status, running.Progress], [10, '40']);
  await mock.advance('3s');
  const done = await statistic();
  assert.deepEqual([done.Status, done.Progress, done.SuspiciousCount, done.RiskLevel], [100, '100', 2, 'high']);

  const tasks = await call('ListVirusScanTask', { RootTaskId: first.TaskId, ...PAGE });
  assert.deepEqual(tasks.List.map((t) => [t.Uuid, t.Status, t.Progress]), [[WEB, 2, 100], [DB, 2, 100]]);
  const machines = await call('ListVirusScanMachine', PAGE);
  assert.deepEqual(machines.Data.map((m) => [m.Uuid, m.EventCount]), [[WEB, 2]]);
  const events = await call('ListVirusScanMachineEvent', { Uuid: WEB, ...PAGE });
  assert.equal(events.PageInfo.TotalCount, 2);

  const operated = await call('OperateVirusEvents', {
    OperationCode: 'ignore',
    OperationAll: 0,
    OperationRange: JSON.stringify([{ type: 'machine', list: [WEB] }]),
  });
  const touched = await call('ListVirusScanMachineEvent', { OperateTaskId: String(operated.TaskId), ...PAGE });
  assert.deepEqual(touched.Data.map((e) => e.EventId).sort(), events.Data.map((e) => e.EventId).sort());
  assert.equal((await call('ListVirusScanMachine', PAGE)).PageInfo.TotalCount, 0);
}

for (const auth of ['strict', 'lenient']) {
  describe(`${auth} auth: the scan workflow`, () => {
    const mock = new MockServer(auth);
    before(() => mock.start());
    after(() => mock.stop());
    beforeEach(() => mock.reset());

    for (const variant of [popCoreCaller('GET'), popCoreCaller('POST'), teaCoreCaller(null), teaCoreCaller('v2')]) {
      describe(variant.name, () => {
        const connect = () => variant.make(mock.port, 'testid', 'testsecret');

        it('the older flow finds the seeded findings, and an ignored alert leaves Dealed=N', async () => {
          await olderFlow(mock, connect());
        });

        it('the newer flow runs a once task to 100 and operates the alerts it found', async () => {
          await newerFlow(mock, connect());
        });
      });
    }
  });
}
