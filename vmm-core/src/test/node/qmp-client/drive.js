// Drives jvmm's monitor with the stock qemu-qmp client: node drive.js SOCKET_PATH
// Prints one line per answer: the command, then the error text or the JSON result.
'use strict';
const QMP = require('qemu-qmp');

const qmp = new QMP();
const events = [];
// qemu-qmp emits each QMP event under its lower-case name; a stream's own 'resume' (no name) is not one
['stop', 'resume', 'reset', 'shutdown'].forEach((e) => qmp.on(e, (name) => { if (typeof name === 'string') events.push(name); }));

function run(steps, done) {
  if (steps.length === 0) return done();
  const [command, args] = steps[0];
  const answer = (err, result) => {
    console.log(command + ' ' + (err ? 'error: ' + err.message : JSON.stringify(result)));
    run(steps.slice(1), done);
  };
  if (args) qmp.execute(command, args, answer); else qmp.execute(command, answer);
}

qmp.connect(process.argv[2], (err) => {
  if (err) {
    console.log('connect error: ' + err.message);
    process.exit(1);
  }
  console.log('greeting ' + JSON.stringify(qmp.version.qemu) + ' ' + JSON.stringify(qmp.capabilities));
  run([
    ['query-status'],
    ['query-name'],
    ['x-query-pe'],
    ['device_del', {id: 'nope'}],
    ['no-such-command'],
    ['cont'],
    ['query-status'],
    ['stop'],
    ['system_reset'],
    ['quit'],
  ], () => {
    console.log('events ' + events.join(','));
    qmp.end();
  });
});
