'use strict';
// Generic callers for the scan-workflow tests: `make(port, keyId, secret)` returns
// `call(action, params)`, which sends any Sas action the way each official Node client does and
// resolves to the parsed answer (list parameters are given flattened: `{'Name.1': value}`).

const assert = require('node:assert/strict');

const VERSION = '2018-12-03';

function popCoreCaller(method) {
  const RPCClient = require('@alicloud/pop-core').RPCClient;
  return {
    name: `pop-core ${method}`,
    make(port, accessKeyId, accessKeySecret) {
      const client = new RPCClient({
        accessKeyId,
        accessKeySecret,
        endpoint: `http://127.0.0.1:${port}`,
        apiVersion: VERSION,
      });
      // GET is the SDK's default; {method:'POST'} moves every parameter into a form body.
      const opts = method === 'POST' ? { method: 'POST' } : {};
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
    make(port, accessKeyId, accessKeySecret) {
      const config = new OpenApi.Config({
        accessKeyId,
        accessKeySecret,
        protocol: 'http',
        endpoint: `127.0.0.1:${port}`,
      });
      if (signatureAlgorithm) config.signatureAlgorithm = signatureAlgorithm;
      const client = new OpenApi.default(config);
      // The Params the generated Sas client passes for every one of these operations.
      return async (action, query = {}) => {
        const params = new OpenApi.Params({
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
        const request = new OpenApi.OpenApiRequest({ query: OpenApiUtil.query(query) });
        const resp = await client.callApi(params, request, new Util.RuntimeOptions({}));
        assert.equal(resp.statusCode, 200);
        return resp.body;
      };
    },
  };
}

module.exports = { popCoreCaller, teaCoreCaller };
