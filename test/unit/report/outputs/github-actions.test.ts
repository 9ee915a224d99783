import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maskCommands } from '../../../../src/report/outputs/github-actions.js';

test('a one-line secret is one ::add-mask:: command', () => {
  assert.equal(maskCommands('s3cr3t-token'), '::add-mask::s3cr3t-token\n');
});

test('a multi-line secret is masked line by line, so no line of it reaches the log as plain text', () => {
  const key = '{\n  "type": "service_account",\r\n  "private_key": "-----BEGIN KEY-----abc"\n}\n';
  const commands = maskCommands(key).split('\n').filter(Boolean);
  // The brace lines hide nothing and would star out every brace of the log.
  assert.deepEqual(commands, [
    '::add-mask::  "type": "service_account",',
    '::add-mask::  "private_key": "-----BEGIN KEY-----abc"',
  ]);
  // Every command is one line: nothing of the secret follows a line break outside a command.
  for (const line of maskCommands(key).split('\n').filter(Boolean)) assert.match(line, /^::add-mask::/);
});

test('% in a secret is escaped as the runner unescapes command data', () => {
  assert.equal(maskCommands('a%0Ab'), '::add-mask::a%250Ab\n');
});
