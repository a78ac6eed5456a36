'use strict';
// Where the built addon lives. @linkcap/core's loader imports this path list; it never builds anything itself.
const path = require('node:path');
module.exports = {
  candidates: [
    path.join(__dirname, 'build', 'Release', 'linkcap_native.node'),
    path.join(__dirname, 'build', 'Debug', 'linkcap_native.node'),
  ],
  buildCommand: 'npm run build -w @linkcap/native',
};
