/**
 * The containers `auth.json` (containers-auth.json(5)) and `.dockerconfigjson` shape, and writing it: the
 * one registry credential type, the `{"auths": …}` document, and adding one entry to a file on disk.
 * Reading and choosing among such files is auth-lookup.ts.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** One registry credential (a user or robot and its password or token), as an auth.json entry holds it. */
export interface RegistryCredential {
  username: string;
  password: string;
}

/**
 * `{"auths": {"<registry>": {"auth": base64(user:password)}}}`: the shape of auth.json and .dockerconfigjson,
 * for these credentials by registry host, over the entries of `base`.
 */
export function dockerConfigJson(
  credentials: Readonly<Record<string, RegistryCredential>>,
  base: Record<string, unknown> = {},
): Record<string, unknown> {
  const auths = { ...((base.auths as Record<string, unknown> | undefined) ?? {}) };
  for (const [registry, { username, password }] of Object.entries(credentials)) {
    auths[registry] = { auth: Buffer.from(`${username}:${password}`).toString('base64') };
  }
  return { ...base, auths };
}

/**
 * Adds or replaces one registry's entry in an auth.json, keeping the others. Written atomically with mode
 * 0600. Returns whether the file changed.
 */
export function writeAuthFile(
  path: string,
  registry: string,
  credential: RegistryCredential,
): 'created' | 'updated' | 'unchanged' {
  const existed = existsSync(path);
  const current = existed ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : {};
  const next = dockerConfigJson({ [registry]: credential }, current);
  const text = `${JSON.stringify(next, null, 2)}\n`;
  if (existed && readFileSync(path, 'utf8') === text) return 'unchanged';
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
  return existed ? 'updated' : 'created';
}
