// pg.mjs — throwaway PostgreSQL databases for the HTTP and browser tests.
//
// tests/run-all.sh starts a private cluster and exports RATHAUS_TEST_PG_URL
// (postgresql://rathaus@127.0.0.1:PORT/postgres). Each server start gets a
// database of its own, created here with psql and dropped when the server stops,
// so tests never see each other's rows.

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export const PG_URL = process.env.RATHAUS_TEST_PG_URL || '';

// psql(url, sql) → stdout (unaligned, tuples only). Rejects with psql's stderr.
export function psql(url, sql, { timeout = 15000 } = {}) {
  return new Promise((resolve, reject) => {
    execFile(
      'psql',
      [url, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-tA', '-c', sql],
      { timeout, env: { ...process.env, PGCONNECT_TIMEOUT: '5' } },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`psql ${JSON.stringify(sql)}: ${stderr || err.message}`));
        else resolve(stdout.trim());
      },
    );
  });
}

// The same server URL with another database name.
export function withDatabase(url, name) {
  const u = new URL(url);
  u.pathname = '/' + name;
  return u.toString();
}

// createDatabase(prefix) → {name, url}
export async function createDatabase(prefix = 'rathaus_t') {
  if (!PG_URL) throw new Error('RATHAUS_TEST_PG_URL is not set');
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`.toLowerCase();
  await psql(PG_URL, `CREATE DATABASE ${name}`);
  return { name, url: withDatabase(PG_URL, name) };
}

// Drops the database even if a server still holds connections to it.
export async function dropDatabase(name) {
  if (!PG_URL || !name) return;
  await psql(PG_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}
