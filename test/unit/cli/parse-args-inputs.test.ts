import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../../src/cli/errors.js';
import { COMMON_FLAGS, type FlagSpec } from '../../../src/cli/flags.js';
import { parseArgs } from '../../../src/cli/parse-args.js';

const specs: FlagSpec[] = [
  ...COMMON_FLAGS,
  { name: 'only', type: 'list', choices: ['a', 'b'], description: '' },
];
const github = (inputs: Record<string, string>) => ({ GITHUB_ACTIONS: 'true', ...inputs });

test('a bad GitHub input value is named as the input (not as "flag input …"), a bad flag as the flag', () => {
  const message = (argv: string[], env: Record<string, string> = {}) => {
    try {
      parseArgs(argv, specs, env);
    } catch (error) {
      assert.ok(error instanceof UsageError);
      return error.message;
    }
    assert.fail('no usage error');
  };
  assert.equal(
    message([], github({ 'INPUT_LOG-LEVEL': 'loud' })),
    'input log-level: "loud" is not one of error, warn, info, debug',
  );
  assert.equal(message([], github({ INPUT_ONLY: 'a\nc' })), 'input only: "c" is not one of a, b');
  assert.equal(
    message(['--log-level', 'loud']),
    'flag --log-level: "loud" is not one of error, warn, info, debug',
  );
  assert.equal(message(['--output']), 'flag --output needs a value (FORMAT)');
  assert.equal(message(['--output=text', '--output=json']), 'flag --output given more than once');
});
