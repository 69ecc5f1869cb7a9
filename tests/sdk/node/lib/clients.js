'use strict';
// One adapter per official Node SDK configuration. Each calls the SDK as an application would and
// only normalises what comes back, so the shared test bodies can compare it with the mock's journal.

const assert = require('node:assert/strict');

const VERSION = '2018-12-03';

// The exact Params the generated Sas client passes to the Tea core for every action (protocol.md §0).
function sasParams(action) {
  const OpenApi = require('@alicloud/openapi-client');
  return new OpenApi.Params({
    action,
    version: VERSION,
    protocol: 'HTTPS',
    pathname: '/',
    method: 'POST',
    authType: 'AK',
    style: 'RPC',
    reqBodyType: 'formData',
    bodyType: 'json',
  });
}

// --- @alicloud/pop-core (legacy RPC client, HMAC-SHA1) -------------------------------------------

function popCore(method) {
  const RPCClient = require('@alicloud/pop-core').RPCClient;
  return {
    name: `pop-core ${method}`,
    make(port, accessKeyId, accessKeySecret, securityToken) {
      const client = new RPCClient({
        accessKeyId,
        accessKeySecret,
        securityToken,
        endpoint: `http://127.0.0.1:${port}`,
        apiVersion: VERSION,
      });
      // The SDK's default is GET; {method:'POST'} moves every parameter into a form body.
      const opts = method === 'POST' ? { method: 'POST' } : {};
      return {
        async startScan(targetInfo) {
          const body = await client.request('StartVirusScanTask', { TargetInfo: targetInfo }, { ...opts });
          return body.ScanTaskId;
        },
        async progress(taskId) {
          const body = await client.request('DescribeScanTaskProgress', { TaskId: taskId }, { ...opts });
          return { progress: body.ScanTaskProgress, targetInfo: body.TargetInfo, requestId: body.RequestId };
        },
        // protocol.md §4.4: a plain Error named `<Code>Error`, the body in .data.
        checkError(err, status, code) {
          assert.ok(err instanceof Error, `expected an Error, got ${err}`);
          assert.equal(err.name, `${code}Error`);
          assert.equal(err.entry.response.statusCode, status);
        },
        readError(err) {
          return {
            status: err.entry.response.statusCode,
            code: err.code,
            message: err.message,
            requestId: err.data && err.data.RequestId,
          };
        },
        signatureErrorCode: 'SignatureDoesNotMatch',
      };
    },
  };
}

// --- @alicloud/openapi-client (Tea core), as the generated @alicloud/sas20181203 would call it -----

function teaCore(signatureAlgorithm) {
  const OpenApi = require('@alicloud/openapi-client');
  const OpenApiUtil = require('@alicloud/openapi-util').default;
  const Util = require('@alicloud/tea-util');
  return {
    name: signatureAlgorithm ? `openapi-client signatureAlgorithm=${signatureAlgorithm}` : 'openapi-client default (V3)',
    make(port, accessKeyId, accessKeySecret, securityToken) {
      const config = new OpenApi.Config({
        accessKeyId,
        accessKeySecret,
        securityToken,
        protocol: 'http',
        endpoint: `127.0.0.1:${port}`,
      });
      if (signatureAlgorithm) config.signatureAlgorithm = signatureAlgorithm;
      const client = new OpenApi.default(config);
      const call = async (action, query) => {
        const request = new OpenApi.OpenApiRequest({ query: OpenApiUtil.query(query) });
        const resp = await client.callApi(sasParams(action), request, new Util.RuntimeOptions({}));
        assert.equal(resp.statusCode, 200);
        return resp.body;
      };
      return {
        async startScan(targetInfo) {
          return (await call('StartVirusScanTask', { TargetInfo: targetInfo })).ScanTaskId;
        },
        async progress(taskId) {
          const body = await call('DescribeScanTaskProgress', { TaskId: taskId });
          return { progress: body.ScanTaskProgress, targetInfo: body.TargetInfo, requestId: body.RequestId };
        },
        // protocol.md §4.4: an Error from $tea.newError with .code, .statusCode and the body in .data.
        checkError(err, status, code) {
          assert.ok(err instanceof Error, `expected an Error, got ${err}`);
          assert.equal(err.code, code);
          assert.equal(err.statusCode, status);
        },
        readError(err) {
          return {
            status: err.statusCode,
            code: err.code,
            message: err.message,
            requestId: err.data && err.data.RequestId,
          };
        },
        signatureErrorCode: 'SignatureDoesNotMatch',
      };
    },
  };
}

module.exports = { popCore, teaCore, sasParams, VERSION };
