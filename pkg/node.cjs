// Node `require` entry: the generated CommonJS build, with the typed fast paths.
'use strict';
module.exports = require('./dist/node/fast.cjs').withFastPaths(require('./dist/node/ringroute.cjs'));
