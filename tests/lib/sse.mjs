// sse.mjs — a small server-sent-events client (text/event-stream, WHATWG
// "Server-sent events" parsing rules) for the event tests.
//
//   const s = await openEvents(base, '/events?topics=a,b');
//   const ev = await s.waitFor((e) => e.event === 'a');
//   s.close();

import http from 'node:http';
import { waitFor } from './http.mjs';

// openEvents(base, path, {lastEventId, timeout}) → {status, headers, events, waitFor, close}
// events: [{id, event, data, json}] in arrival order. Resolves once the
// response headers are there.
export function openEvents(base, path, opts = {}) {
  const url = new URL(path, base);
  const headers = { accept: 'text/event-stream' };
  if (opts.lastEventId !== undefined) headers['last-event-id'] = String(opts.lastEventId);
  return new Promise((resolve, reject) => {
    const events = [];
    let closed = false;
    const req = http.get({ host: url.hostname, port: url.port, path: url.pathname + url.search, headers, agent: false }, (res) => {
      clearTimeout(timer);
      let buf = '';
      let cur = { id: null, event: 'message', data: [] };
      let lastId = null;
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        buf += chunk;
        let nl;
        while ((nl = buf.search(/\r\n|\r|\n/)) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + (buf.startsWith('\r\n', nl) ? 2 : 1));
          if (line === '') {
            if (cur.data.length) {
              const data = cur.data.join('\n');
              let json;
              try {
                json = JSON.parse(data);
              } catch {
                json = undefined;
              }
              events.push({ id: cur.id ?? lastId, event: cur.event, data, json });
            }
            if (cur.id !== null) lastId = cur.id;
            cur = { id: null, event: 'message', data: [] };
            continue;
          }
          if (line.startsWith(':')) continue; // comment / keep-alive
          const i = line.indexOf(':');
          const field = i < 0 ? line : line.slice(0, i);
          let value = i < 0 ? '' : line.slice(i + 1);
          if (value.startsWith(' ')) value = value.slice(1);
          if (field === 'data') cur.data.push(value);
          else if (field === 'event') cur.event = value;
          else if (field === 'id') cur.id = value;
        }
      });
      res.on('error', () => {});
      resolve({
        status: res.statusCode,
        headers: res.headers,
        events,
        waitFor(pred, timeout = 10000) {
          return waitFor(() => events.find(pred), { timeout, what: 'a server-sent event' });
        },
        close() {
          if (!closed) {
            closed = true;
            req.destroy();
          }
        },
      });
    });
    const timer = setTimeout(() => req.destroy(new Error(`GET ${path}: no response headers`)), opts.timeout ?? 10000);
    req.on('error', (e) => {
      clearTimeout(timer);
      if (!closed) reject(e);
    });
  });
}
