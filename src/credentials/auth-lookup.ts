/**
 * Reading registry credentials from the files podman, skopeo, docker and Tekton use: containers `auth.json`
 * (containers-auth.json(5)), docker `config.json`, and a mounted `.dockerconfigjson` (a
 * `kubernetes.io/dockerconfigjson` Secret in a Tekton workspace). Credential helpers are not run. Writing
 * them is auth-file.ts.
 */
import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as z from 'zod';
import type { Redactor } from '../secrets/redactor.js';
import type { RegistryCredential } from './auth-file.js';
import { normalizeRegistry } from './registry-host.js';

export interface FoundCredential extends RegistryCredential {
  /** The file the entry came from. */
  file: string;
  /** The `auths` key that matched (`quay.example.com`, `quay.example.com/acme`, `https://…/v1/`). */
  key: string;
}

export interface CredentialLookupOptions {
  /**
   * Files searched first, in order: an `--authfile`, a Tekton dockerconfig workspace (a directory is searched
   * for `.dockerconfigjson`, `config.json` and `auth.json`). A listed file that does not exist is an error.
   */
  files?: readonly string[];
  /** Default process.env (REGISTRY_AUTH_FILE, XDG_RUNTIME_DIR, DOCKER_CONFIG). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Default os.homedir() (for `~/.docker/config.json`). */
  homeDir?: string;
  /** Every password found is registered here, so no log line or error can show it. */
  redactor?: Redactor;
}

const authEntrySchema = z.looseObject({
  auth: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  identitytoken: z.string().optional(),
});
const authFileSchema = z.looseObject({
  auths: z.record(z.string(), authEntrySchema).optional(),
});

/** Where credentials are looked for, in order (containers-auth.json(5) order, then docker's). */
export function credentialFileCandidates(options: CredentialLookupOptions = {}): string[] {
  const env = options.env ?? process.env;
  const files: string[] = [];
  for (const given of options.files ?? []) files.push(...expandGiven(given));
  if (env.REGISTRY_AUTH_FILE) files.push(env.REGISTRY_AUTH_FILE);
  if (env.XDG_RUNTIME_DIR) files.push(join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json'));
  if (env.DOCKER_CONFIG) files.push(join(env.DOCKER_CONFIG, 'config.json'));
  files.push(join(options.homeDir ?? homedir(), '.docker', 'config.json'));
  return [...new Set(files)];
}

/**
 * Credentials for `registry` (`host[:port]`), optionally for one repository: in each file the most specific
 * key wins (`host/ns/repo` over `host/ns` over `host`), and the first file with a matching key wins.
 * Entries with only an `identitytoken` (OAuth refresh token) are skipped. Returns undefined when none match.
 */
export function findRegistryCredentials(
  registry: string,
  repository: string | undefined,
  options: CredentialLookupOptions = {},
): FoundCredential | undefined {
  const given = new Set((options.files ?? []).flatMap(expandGiven));
  for (const file of credentialFileCandidates(options)) {
    const text = readIfPresent(file, given.has(file));
    if (text === undefined) continue;
    const found = lookupIn(file, text, normalizeRegistry(registry), repository);
    if (!found) continue;
    options.redactor?.add(found.password);
    options.redactor?.add(`${found.username}:${found.password}`);
    return found;
  }
  return undefined;
}

function expandGiven(path: string): string[] {
  let isDirectory = false;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    return [path]; // reported as missing when read
  }
  if (!isDirectory) return [path];
  return ['.dockerconfigjson', 'config.json', 'auth.json']
    .map((name) => join(path, name))
    .filter((candidate) => {
      try {
        return statSync(candidate).isFile();
      } catch {
        return false;
      }
    });
}

function readIfPresent(file: string, required: boolean): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (!required && (code === 'ENOENT' || code === 'ENOTDIR')) return undefined;
    throw new Error(`registry credentials file ${file} cannot be read (${code ?? String(error)})`, {
      cause: error,
    });
  }
}

function lookupIn(
  file: string,
  text: string,
  registry: string,
  repository: string | undefined,
): FoundCredential | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`registry credentials file ${file} is not valid JSON (${why})`);
  }
  const parsed = authFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`registry credentials file ${file} does not have the auth.json shape {"auths": {...}}`);
  }
  // A legacy ~/.dockercfg-style file is the `auths` map itself.
  const auths = parsed.data.auths ?? legacyAuths(json);
  let best: { key: string; specificity: number; entry: z.infer<typeof authEntrySchema> } | undefined;
  for (const [key, entry] of Object.entries(auths)) {
    const specificity = matchSpecificity(key, registry, repository);
    if (specificity === undefined || (best && best.specificity >= specificity)) continue;
    if (entry.auth === undefined && (entry.username === undefined || entry.password === undefined)) continue;
    best = { key, specificity, entry };
  }
  if (!best) return undefined;
  const { entry, key } = best;
  if (entry.username !== undefined && entry.password !== undefined) {
    return { username: entry.username, password: entry.password, file, key };
  }
  const decoded = Buffer.from(entry.auth ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) {
    throw new Error(
      `registry credentials file ${file}: the "auth" of "${key}" is not base64 of "user:password"`,
    );
  }
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), file, key };
}

function legacyAuths(json: unknown): Record<string, z.infer<typeof authEntrySchema>> {
  const parsed = z.record(z.string(), authEntrySchema).safeParse(json);
  return parsed.success ? parsed.data : {};
}

/**
 * How well an `auths` key matches: undefined for no match, else the number of repository path components it
 * names (0 for the bare host). Keys may carry a scheme and docker's `/v1/` or `/v2/` suffix.
 */
function matchSpecificity(key: string, registry: string, repository: string | undefined): number | undefined {
  const bare = key
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .replace(/\/v[12]\/?$/, '')
    .replace(/\/+$/, '');
  const slash = bare.indexOf('/');
  const host = normalizeRegistry(slash < 0 ? bare : bare.slice(0, slash));
  if (host !== registry) return undefined;
  if (slash < 0) return 0;
  const path = bare.slice(slash + 1);
  if (repository === undefined || (repository !== path && !repository.startsWith(`${path}/`)))
    return undefined;
  return path.split('/').length;
}
