#!/usr/bin/env node
// Sends QMP commands to a monitor with the stock client qemu-qmp (installed by
// 'npm ci' in vmm-core/src/test/node/qmp-client) and prints each answer and every event.
//   node scripts/qmp-send.js SOCKET 'query-status' 'device_del {"id":"edu2"}' ...
// A command is its name, then optionally its arguments as a JSON object.
'use strict';
const path = require('path');
const QMP = require(path.join(__dirname, '..', 'vmm-core', 'src', 'test', 'node', 'qmp-client', 'node_modules', 'qemu-qmp'));

const [socket, ...commands] = process.argv.slice(2);
if (!socket || commands.length === 0) {
  console.error('usage: node scripts/qmp-send.js SOCKET COMMAND [JSON-ARGUMENTS] ...');
  process.exit(2);
}
const qmp = new QMP();
['stop', 'resume', 'reset', 'powerdown', 'shutdown', 'device_deleted'].forEach((e) =>
  qmp.on(e, (name) => { if (typeof name === 'string') console.log('event ' + name); }));
let failed = 0;
function next(i) {
  if (i === commands.length) {
    qmp.end();
    process.exitCode = failed ? 1 : 0;
    return;
  }
  const text = commands[i].trim();
  const space = text.indexOf(' ');
  const name = space < 0 ? text : text.slice(0, space);
  const args = space < 0 ? null : JSON.parse(text.slice(space + 1));
  const answer = (err, result) => {
    if (err) failed++;
    console.log(name + ': ' + (err ? 'error: ' + err.message : JSON.stringify(result, null, 1).replace(/\n\s*/g, ' ')));
    next(i + 1);
  };
  if (args) qmp.execute(name, args, answer); else qmp.execute(name, answer);
}
qmp.connect(socket, (err) => {
  if (err) {
    console.error('qmp-send: ' + socket + ': ' + err.message);
    process.exit(1);
  }
  next(0);
});
