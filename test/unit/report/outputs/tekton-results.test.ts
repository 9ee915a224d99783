import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { RESULTS_BUDGET_BYTES, writeTektonResults } from '../../../../src/report/outputs/tekton-results.js';
import { tempDir } from '../../../support/temp.js';

test('each result is its own file with exact bytes, no trailing newline', () => {
  const dir = tempDir();
  writeTektonResults(dir, [
    ['ok', 'true'],
    ['summary', '2 created, 1 unchanged'],
  ]);
  assert.deepEqual(readdirSync(dir).sort(), ['ok', 'summary']);
  assert.equal(readFileSync(join(dir, 'ok'), 'utf8'), 'true');
  assert.equal(readFileSync(join(dir, 'summary'), 'utf8'), '2 created, 1 unchanged');
});

test('results beyond the budget are cut, earlier (more important) ones kept whole', () => {
  const dir = tempDir();
  const big = 'é'.repeat(RESULTS_BUDGET_BYTES);
  // 'true' leaves an even number of bytes, so the two-byte é fills the budget exactly.
  const written = writeTektonResults(dir, [
    ['ok', 'true'],
    ['big', big],
    ['after', 'x'],
  ]);
  assert.deepEqual(written.truncated, ['big', 'after']);
  const sizes = readdirSync(dir).map((f) => readFileSync(join(dir, f)).length);
  assert.ok(sizes.reduce((a, b) => a + b, 0) <= RESULTS_BUDGET_BYTES);
  assert.equal(readFileSync(join(dir, 'ok'), 'utf8'), 'true');
  assert.equal(readFileSync(join(dir, 'after'), 'utf8'), '');
});

test('a cut never leaves half a UTF-8 character', () => {
  const dir = tempDir();
  writeTektonResults(dir, [
    ['ok', 'false'],
    ['big', 'é'.repeat(RESULTS_BUDGET_BYTES)],
  ]);
  const text = readFileSync(join(dir, 'big'), 'utf8');
  assert.ok(!text.includes('\uFFFD'));
  assert.equal(Buffer.byteLength(text), RESULTS_BUDGET_BYTES - 6);
});
