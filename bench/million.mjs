// Sends exactly N GET requests over C keep-alive connections to one URL and reports
// the rate; used to watch memory over a long run. Loopback only, bounded by N.
import http from 'node:http';
const [url, nStr, cStr] = process.argv.slice(2);
const total = Number(nStr), conns = Number(cStr);
const agent = new http.Agent({ keepAlive: true, maxSockets: conns });
let sent = 0, done = 0, errors = 0;
const t0 = process.hrtime.bigint();
await new Promise((resolve) => {
  const next = () => {
    if (sent >= total) { if (done >= total) resolve(); return; }
    sent++;
    http.get(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => { if (res.statusCode !== 200) errors++; done++; next(); });
    }).on('error', () => { errors++; done++; next(); });
  };
  for (let i = 0; i < conns; i++) next();
});
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
agent.destroy();
console.log(`One million requests: ${total} sent in ${secs.toFixed(1)} s (${Math.round(total / secs)} req/s from one node.js client), ${errors} errors.`);
