// `ringroute/full` for Node `require`: the ring plus BoundedLoads and Ketama.
'use strict';
module.exports = require('../dist/node/fast.cjs').withFastPaths(require('../dist/node/ringroute_full.cjs'));
