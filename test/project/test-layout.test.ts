/**
 * The tests' one layout (test/README.md): a unit test sits at the path of what it tests, under test/unit/
 * as the module under src/ (test/unit/mirror/plan/plan.test.ts tests src/mirror/plan/plan.ts, or a folder
 * of it), and every test file is in one of the folders the README lists.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../support/paths.js';

const FOLDERS = ['unit', 'integration', 'project', 'quay-emulator', 'kube-emulator', 'real-quay'];

const testFiles = () =>
  readdirSync(join(REPO_ROOT, 'test'), { recursive: true })
    .map(String)
    .filter((name) => name.endsWith('.test.ts'))
    .sort();

test('every unit test sits where its module is in src/, and every test file in a listed folder', () => {
  const files = testFiles();
  assert.ok(files.length > 50, `${files.length} test files found`);
  const misplaced = files.filter((name) => !FOLDERS.includes(name.split('/')[0] ?? ''));
  assert.deepEqual(misplaced, [], 'test files outside the folders of test/README.md');
  const unmirrored = files
    .filter((name) => name.startsWith('unit/'))
    .filter((name) => {
      const path = name.slice('unit/'.length).replace(/\.test\.ts$/, '');
      return (
        !existsSync(join(REPO_ROOT, 'src', `${path}.ts`)) &&
        !existsSync(join(REPO_ROOT, 'src', dirname(path)))
      );
    });
  assert.deepEqual(unmirrored, [], 'unit tests with no module or folder of that path in src/');
});
