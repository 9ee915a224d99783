/**
 * Every Quay path src/ calls is a row of test/quay-emulator/CONTRACT.md, with its Quay source citation: a
 * new `/api/v1/…` or `/v2/…` literal in src/ that the table does not list fails here, naming it.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../support/paths.js';

const CONTRACT = join(REPO_ROOT, 'test', 'quay-emulator', 'CONTRACT.md');

/** Path prefixes built by helpers in src/quay/ (client.ts, api/transport.ts), as the paths they stand for. */
const HELPERS: Record<string, string[]> = {
  'robotsBase(owner)': ['/api/v1/organization/{}/robots', '/api/v1/user/robots'],
  'repoPath(namespace, repository)': ['/api/v1/repository/{}'],
  'orgPath(organization)': ['/api/v1/organization/{}'],
};

/** What the helpers themselves return: a base, not a call. */
const HELPER_RESULTS = new Set(['/api/v1/repository/{}', '/api/v1/organization/{}']);

/** `/api/v1/organization/{org}/robots` and `…/${enc(org)}/robots` both become `/api/v1/organization/{}/robots`. */
function normalize(path: string): string {
  return path
    .replace(/\$\{[^}]*$/, '{}')
    .replace(/<[a-z]+>/g, '{}')
    .replace(/\$\{[^}]*\}/g, '{}')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\{\}\/\{\}/g, '{}')
    .replace(/\?.*$/, '');
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(dir, name));
}

/** Every Quay path literal in src/ (string or template), normalized. */
function pathsInSource(): Map<string, string> {
  const found = new Map<string, string>();
  const literal =
    /['`]((?:\$\{(?:robotsBase\(owner\)|repoPath\(namespace, repository\)|orgPath\(organization\))\}|\/api\/v1\/|\/v2\/)[^'`]*)['`]/g;
  for (const file of sourceFiles(join(REPO_ROOT, 'src'))) {
    for (const match of readFileSync(file, 'utf8').matchAll(literal)) {
      const raw = match[1] ?? '';
      const helper = Object.keys(HELPERS).find((h) => raw.startsWith(`\${${h}}`));
      const expansions = helper
        ? (HELPERS[helper] ?? []).map((base) => base + raw.slice(helper.length + 3))
        : [raw];
      for (const path of expansions) {
        const normal = normalize(path);
        if (!HELPER_RESULTS.has(normal)) found.set(normal, file.slice(REPO_ROOT.length));
      }
    }
  }
  return found;
}

/** The paths of the table's rows (first backticked path of each "method, path" cell, and its ` · ` siblings). */
function pathsInContract(): Set<string> {
  const rows = readFileSync(CONTRACT, 'utf8')
    .split('\n')
    .filter((line) => /^\| \d+ \|/.test(line));
  const paths = new Set<string>();
  for (const row of rows) {
    const cell = row.split('|')[2] ?? '';
    for (const match of cell.matchAll(/`([^`]+)`/g)) {
      const path = match[1] ?? '';
      if (path.startsWith('/')) paths.add(normalize(path));
      // `…/robots/{short}/permissions` (org and user): the row stands for both owners.
      if (path.startsWith('…/robots/'))
        for (const base of HELPERS['robotsBase(owner)'] ?? []) paths.add(normalize(base + path.slice(1 + 7)));
    }
  }
  return paths;
}

test('CONTRACT.md lists every Quay path src/ calls, each row citing Quay source', () => {
  const contract = pathsInContract();
  const source = pathsInSource();
  assert.ok(source.size >= 20, `found only ${source.size} Quay paths in src/: the scan is broken`);
  const missing = [...source]
    .filter(([path]) => !contract.has(path))
    .map(([path, file]) => `${path} (${file})`);
  assert.deepEqual(missing, [], 'paths src/ calls that CONTRACT.md does not list');
  const rows = readFileSync(CONTRACT, 'utf8')
    .split('\n')
    .filter((line) => /^\| \d+ \|/.test(line));
  const uncited = rows
    .filter((row) => !/`[a-z0-9_/]+\.py:[A-Za-z_]/.test(row))
    .map((row) => row.slice(0, 60));
  assert.deepEqual(uncited, [], 'rows without a Quay source citation (file.py:Function)');
});
