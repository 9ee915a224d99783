import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../../src/cli/errors.js';
import { COMMON_FLAGS, type FlagSpec } from '../../../src/cli/flags.js';
import { parseArgs } from '../../../src/cli/parse-args.js';

const specs: FlagSpec[] = [
  ...COMMON_FLAGS,
  { name: 'keep-going', type: 'boolean', description: '' },
  { name: 'skip-broken-images', type: 'boolean', description: '', original: true },
  { name: 'destination', type: 'list', description: '' },
];

test('repeated --config (and its alias --config-file) keep their order', () => {
  const { flags } = parseArgs(['--config', 'a.yaml', '--config-file', 'b.yaml', '--config=c.yaml'], specs);
  assert.deepEqual(flags.config, ['a.yaml', 'b.yaml', 'c.yaml']);
});

test('an unknown flag is a usage error naming it', () => {
  assert.throws(
    () => parseArgs(['--dry-run', '--colour=red'], specs),
    (e: unknown) => e instanceof UsageError && /--colour/.test(e.message),
  );
});

test('a bad choice names the flag and the allowed values', () => {
  assert.throws(
    () => parseArgs(['--output', 'yaml'], specs),
    (e: unknown) => e instanceof UsageError && /--output/.test(e.message) && /text, json/.test(e.message),
  );
});

test('a value flag without a value is a usage error', () => {
  assert.throws(
    () => parseArgs(['--results-dir'], specs),
    (e: unknown) => e instanceof UsageError && /--results-dir needs a value/.test(e.message),
  );
});

test('--flag= with an empty value leaves the flag unset, so an empty Tekton param defers to the config', () => {
  const { flags } = parseArgs(['--results-dir=', '--dry-run'], specs);
  assert.equal(flags['results-dir'], undefined);
  assert.equal(flags['dry-run'], true);
  assert.throws(() => parseArgs(['--results-dir=', '--results-dir'], specs), /--results-dir needs a value/);
});

test('a single-value flag given twice is a usage error', () => {
  assert.throws(() => parseArgs(['--output', 'json', '--output', 'text'], specs), /given more than once/);
});

test('booleans, --no- negation and positionals', () => {
  const { flags, positionals } = parseArgs(['--dry-run', 'dir1', '--no-keep-going'], specs);
  assert.equal(flags['dry-run'], true);
  assert.equal(flags['keep-going'], false);
  assert.deepEqual(positionals, ['dir1']);
});

test('GitHub Actions inputs fill flags not on argv (hyphens kept in INPUT_ names)', () => {
  const env = {
    GITHUB_ACTIONS: 'true',
    'INPUT_DRY-RUN': 'true',
    INPUT_OUTPUT: 'json',
    INPUT_CONFIG: 'one.yaml\ntwo.yaml\n',
    'INPUT_LOG-LEVEL': '',
    'INPUT_SKIP-BROKEN-IMAGES': 'true',
  };
  const { flags } = parseArgs(['--output', 'text'], specs, env);
  assert.equal(flags['dry-run'], true);
  assert.equal(flags.output, 'text', 'argv wins over an input');
  assert.deepEqual(flags.config, ['one.yaml', 'two.yaml']);
  assert.equal(flags['log-level'], undefined, 'an empty input is unset');
  assert.equal(flags['skip-broken-images'], undefined, 'original flags are not inputs');
});

test('a GitHub input that is not a boolean is a usage error', () => {
  assert.throws(
    () => parseArgs([], specs, { GITHUB_ACTIONS: 'true', 'INPUT_DRY-RUN': 'yes' }),
    /input dry-run/,
  );
});

test('inputs are ignored outside GitHub Actions', () => {
  const { flags } = parseArgs([], specs, { 'INPUT_DRY-RUN': 'true' });
  assert.equal(flags['dry-run'], undefined);
});
