// Start-up time of `rathaus serve`: from spawning the process to the first 200 from
// /healthz, polled every millisecond; median of five runs, printed in ms.
import { spawn } from 'node:child_process';
import http from 'node:http';
const [bin, ...args] = process.argv.slice(2);
const li = args.indexOf('--listen');
const [host, port] = args[li + 1].split(':');
const probe = () => new Promise((ok) => {
  const req = http.get({ host, port, path: '/healthz', agent: false }, (res) => { res.resume(); ok(res.statusCode === 200); });
  req.on('error', () => ok(false));
});
const times = [];
for (let run = 0; run < 5; run++) {
  const t0 = process.hrtime.bigint();
  const child = spawn(bin, ['serve', ...args], { stdio: 'ignore' });
  let up = false;
  for (let i = 0; i < 5000 && !up; i++) {
    up = await probe();
    if (!up) await new Promise((r) => setTimeout(r, 1));
  }
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  if (!up) { console.log('never'); process.exit(1); }
}
times.sort((a, b) => a - b);
console.log(times[2].toFixed(1));
