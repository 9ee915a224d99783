import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderConfigReference } from '../../src/config/reference-doc.js';
import { REPO_ROOT } from '../support/paths.js';

const README = join(REPO_ROOT, 'README.md');
const START = '<!-- config-reference:start -->';
const END = '<!-- config-reference:end -->';

test('the README configuration reference matches the schemas (UPDATE_README=1 rewrites it)', () => {
  const text = readFileSync(README, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  assert.ok(start >= 0 && end > start, 'README has the config-reference markers');
  const current = text.slice(start + START.length, end);
  const expected = `\n${renderConfigReference()}\n`;
  if (process.env.UPDATE_README === '1' && current !== expected) {
    writeFileSync(README, text.slice(0, start + START.length) + expected + text.slice(end));
    return;
  }
  assert.equal(current, expected, 'run `npm run docs` to regenerate the reference');
});

test('the README shows the quick start and the test command', () => {
  const text = readFileSync(README, 'utf8');
  assert.ok(text.includes('npm ci && npm run demo'));
  assert.ok(text.includes('npm test'));
});

test('the reference names every key of every section', () => {
  const reference = renderConfigReference();
  for (const key of [
    '`<name>.url`',
    '`<name>.token`',
    '`robots[].permissions[].role`',
    '`caches[].upstreamRegistry`',
    '`discovery.enabled`',
    '`directory`',
  ]) {
    assert.ok(reference.includes(key), `reference lists ${key}`);
  }
});
