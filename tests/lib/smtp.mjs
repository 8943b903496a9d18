// smtp.mjs — a real SMTP server on 127.0.0.1 that collects what rathaus sends.
//
// Uses the smtp-server package (no TLS, authentication optional), keeps every
// message with its envelope and decoded Subject, and lets a test wait for one.

import { SMTPServer } from 'smtp-server';
import { waitFor } from './http.mjs';

// startSmtp() → {port, url, messages, waitForMessage(pred, timeout), close()}
// messages: [{from, to: [..], raw, headers, subject, text}]
export async function startSmtp() {
  const messages = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: 10 * 1024 * 1024,
    onData(stream, session, callback) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const msg = parseMessage(raw);
        msg.from = session.envelope.mailFrom ? session.envelope.mailFrom.address : null;
        msg.to = session.envelope.rcptTo.map((r) => r.address);
        messages.push(msg);
        callback();
      });
    },
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = server.server.address().port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    waitForMessage(pred = () => true, timeout = 15000) {
      return waitFor(() => messages.find(pred), { timeout, what: 'an SMTP message' });
    },
    close() {
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

// Splits a message into headers (unfolded, lower-case names, RFC 2047 decoded)
// and a text body (quoted-printable or base64 undone for single-part mails).
export function parseMessage(raw) {
  const sep = raw.search(/\r?\n\r?\n/);
  const head = sep < 0 ? raw : raw.slice(0, sep);
  let body = sep < 0 ? '' : raw.slice(sep).replace(/^\r?\n\r?\n/, '');
  const headers = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const cte = (headers['content-transfer-encoding'] ?? '').toLowerCase();
  if (cte === 'base64') body = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  else if (cte === 'quoted-printable') body = decodeQP(body);
  const subject = headers.subject !== undefined ? decodeWords(headers.subject) : null;
  return { raw, headers, subject, text: body };
}

function decodeQP(s) {
  const bytes = Buffer.from(
    s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16))),
    'latin1',
  );
  return bytes.toString('utf8');
}

// RFC 2047: =?charset?B|Q?text?=, adjacent encoded words joined without the space.
export function decodeWords(s) {
  return s
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([bq])\?([^?]*)\?=/gi, (_, charset, enc, text) => {
      const cs = charset.toLowerCase().replace(/\*.*$/, '');
      let bytes;
      if (enc.toLowerCase() === 'b') bytes = Buffer.from(text, 'base64');
      else
        bytes = Buffer.from(
          text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (__, h) => String.fromCharCode(parseInt(h, 16))),
          'latin1',
        );
      return cs === 'utf-8' || cs === 'utf8' ? bytes.toString('utf8') : bytes.toString('latin1');
    });
}
