import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MASK, Redactor } from '../../src/secrets/redactor.js';

test('masks every registered value, longest first, in strings and nested JSON', () => {
  const redactor = new Redactor();
  redactor.add('hunter2-secret');
  redactor.add('hunter2-secret-long');
  assert.equal(redactor.redact('a hunter2-secret-long b hunter2-secret'), `a ${MASK} b ${MASK}`);
  assert.deepEqual(redactor.redactDeep({ list: ['x hunter2-secret'], n: 1, 'hunter2-secret': true }), {
    list: [`x ${MASK}`],
    n: 1,
    [MASK]: true,
  });
});

test('masks the base64 and URL-encoded forms a secret travels in', () => {
  const redactor = new Redactor();
  redactor.add('p@ss word/1');
  const b64 = Buffer.from('p@ss word/1').toString('base64').replace(/=+$/, '');
  assert.equal(redactor.redact(`data: ${b64}`), `data: ${MASK}`);
  assert.equal(redactor.redact(`url?x=${encodeURIComponent('p@ss word/1')}`), `url?x=${MASK}`);
});

test('a value with a trailing newline (from a file) is masked without it too', () => {
  const redactor = new Redactor();
  redactor.add('filesecret\n');
  assert.equal(redactor.redact('token=filesecret.'), `token=${MASK}.`);
});

test('very short values are not registered (they would shred every line)', () => {
  const redactor = new Redactor();
  redactor.add('ab');
  assert.equal(redactor.size, 0);
  assert.equal(redactor.redact('about'), 'about');
});

test('listeners hear of values registered before and after they subscribe', () => {
  const redactor = new Redactor();
  redactor.add('first-secret');
  const heard: string[] = [];
  redactor.onAdd((v) => heard.push(v));
  redactor.add('second-secret');
  assert.ok(heard.includes('first-secret'));
  assert.ok(heard.includes('second-secret'));
});
