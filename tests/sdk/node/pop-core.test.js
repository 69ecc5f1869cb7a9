'use strict';
// @alicloud/pop-core 1.8.0 against sas-mock: its default GET and {method:'POST'} (form body).

const { defineCompatSuite } = require('./lib/compat');
const { popCore } = require('./lib/clients');

defineCompatSuite([popCore('GET'), popCore('POST')]);
