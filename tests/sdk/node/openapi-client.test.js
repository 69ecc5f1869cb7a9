'use strict';
// @alicloud/openapi-client 0.4.15 (the Tea core the generated Sas client wraps) against sas-mock:
// default V3 (ACS3-HMAC-SHA256) and signatureAlgorithm 'v2' (HMAC-SHA1).

const { defineCompatSuite } = require('./lib/compat');
const { teaCore } = require('./lib/clients');

defineCompatSuite([teaCore(null), teaCore('v2')]);
