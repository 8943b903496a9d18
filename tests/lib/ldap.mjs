// ldap.mjs — a throwaway OpenLDAP directory (scripts/ldap-test.sh) for the
// staff-login tests, loaded with tests/ldap/seed.ldif, on a free port of
// 127.0.0.1, and the rathaus flags that point a server at it.
//
//   const why = ldapUnavailable();            // null, or why the suite is skipped
//   const dir = await startLdap();            // {url, stop()}
//   srv = await startServer({ args: ldapArgs(dir.url) });
//   …
//   await dir.stop();

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO, freePort } from './server.mjs';

export const LDAP_SCRIPT = path.join(REPO, 'scripts/ldap-test.sh');
export const SUFFIX = 'dc=rathaus,dc=test';
export const PEOPLE = `ou=people,${SUFFIX}`;
export const SERVICE_DN = `cn=rathaus-service,ou=system,${SUFFIX}`;
export const SERVICE_PW = 'Dienst-Konto-2026!';

// The people of tests/ldap/seed.ldif.
export const PEOPLE_IN_SEED = {
  mmueller: { login: 'mmueller', password: 'Rathaus-Test-2026!', name: 'Maria Müller', email: 'm.mueller@stadt.test' },
  kschmidt: { login: 'kschmidt', password: 'Bauamt-Test-2026!', name: 'Klaus Schmidt', email: 'k.schmidt@stadt.test' },
  jneumann: { login: 'jneumann', password: 'Ohne-Mail-2026!', name: 'Jörg Neumann', email: null },
  sonja: { login: 's\\o(tt)*', password: 'Klammer-Test-2026!', name: 'Sonja Otto', email: 's.otto@stadt.test' },
  doppelt: { login: 'doppelt', password: 'Rathaus-Test-2026!' },
};

// Directory groups → roles, as an operator writes ldap_group_roles.
export const GROUP_ROLES = [
  `cn=buergeramt-sachbearbeitung,ou=groups,${SUFFIX}=sachbearbeitung@buergeramt`,
  `cn=it-admins,ou=groups,${SUFFIX}=admin`,
  `cn=bauamt,ou=groups,${SUFFIX}=sachbearbeitung@bauamt`,
].join(';');

// null when a directory can be started, else the reason it cannot.
export function ldapUnavailable() {
  if (!existsSync(LDAP_SCRIPT)) return 'scripts/ldap-test.sh does not exist';
  if (!existsSync('/usr/sbin/slapd')) return '/usr/sbin/slapd is not installed (apt-get install slapd)';
  if (!existsSync('/usr/bin/ldapsearch')) return 'ldapsearch is not installed (apt-get install ldap-utils)';
  return null;
}

function script(args, timeout = 60000) {
  return new Promise((resolve, reject) =>
    execFile('bash', [LDAP_SCRIPT, ...args], { cwd: REPO, timeout }, (e, so, se) =>
      e ? reject(new Error(`ldap-test.sh ${args.join(' ')}: ${se || e.message}`)) : resolve(so.trim()),
    ),
  );
}

// startLdap() → {url, dir, stop()}: slapd with the seed on a free port.
export async function startLdap() {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'rathaus-ldap-'));
  const dir = path.join(parent, 'slapd');
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      const url = (await script(['start', dir, String(port)])).split('\n').pop();
      return {
        url,
        dir,
        async stop() {
          await script(['stop', dir]).catch(() => {});
          rmSync(parent, { recursive: true, force: true });
        },
      };
    } catch (e) {
      lastError = e; // the port may have been taken meanwhile
      await script(['stop', dir]).catch(() => {});
    }
  }
  rmSync(parent, { recursive: true, force: true });
  throw lastError;
}

// The server flags for the directory at url.
export function ldapArgs(url, { groupRoles = GROUP_ROLES } = {}) {
  return [
    '--ldap-url',
    url,
    '--ldap-base-dn',
    PEOPLE,
    '--ldap-bind-dn',
    SERVICE_DN,
    '--ldap-bind-password',
    SERVICE_PW,
    '--ldap-group-roles',
    groupRoles,
  ];
}
