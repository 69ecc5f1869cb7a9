'use strict';
// Generic callers for the scan-workflow tests: `make(port, keyId, secret[, options])` returns
// `call(action, params)`, which sends any Sas action the way each official Node client does and
// resolves to the parsed answer (list parameters are given flattened: `{'Name.1': value}`).
// `options` (optional): `timeout` in ms, and for the Tea core `runtime`, the RuntimeOptions fields.

const assert = require('node:assert/strict');
const { sasParams, VERSION } = require('./clients');

function popCoreCaller(method) {
  const RPCClient = require('@alicloud/pop-core').RPCClient;
  return {
    name: `pop-core ${method}`,
    kind: 'pop-core',
    // options.timeout: the per-request timeout (ms) pop-core hands to httpx.
    make(port, accessKeyId, accessKeySecret, options = {}) {
      const client = new RPCClient({
        accessKeyId,
        accessKeySecret,
        endpoint: `http://127.0.0.1:${port}`,
        apiVersion: VERSION,
      });
      // GET is the SDK's default; {method:'POST'} moves every parameter into a form body.
      const opts = method === 'POST' ? { method: 'POST' } : {};
      if (options.timeout !== undefined) opts.timeout = options.timeout;
      return (action, params = {}) => client.request(action, params, { ...opts });
    },
  };
}

function teaCoreCaller(signatureAlgorithm) {
  const OpenApi = require('@alicloud/openapi-client');
  const OpenApiUtil = require('@alicloud/openapi-util').default;
  const Util = require('@alicloud/tea-util');
  return {
    name: signatureAlgorithm ? `openapi-client signatureAlgorithm=${signatureAlgorithm}` : 'openapi-client default (V3)',
    kind: 'tea',
    // options.timeout: Config.readTimeout (ms); options.runtime: the RuntimeOptions fields of each call.
    make(port, accessKeyId, accessKeySecret, options = {}) {
      const config = new OpenApi.Config({
        accessKeyId,
        accessKeySecret,
        protocol: 'http',
        endpoint: `127.0.0.1:${port}`,
      });
      if (options.timeout !== undefined) config.readTimeout = options.timeout;
      if (signatureAlgorithm) config.signatureAlgorithm = signatureAlgorithm;
      const client = new OpenApi.default(config);
      return async (action, query = {}) => {
        const request = new OpenApi.OpenApiRequest({ query: OpenApiUtil.query(query) });
        const resp = await client.callApi(sasParams(action), request, new Util.RuntimeOptions({ ...options.runtime }));
        assert.equal(resp.statusCode, 200);
        return resp.body;
      };
    },
  };
}

module.exports = { popCoreCaller, teaCoreCaller };
