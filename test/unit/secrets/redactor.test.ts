import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MASK, message, plain, Redactor, verbatim } from '../../../src/secrets/redactor.js';

test('masks every registered value, longest first, in strings and nested JSON values (keys are structure)', () => {
  const redactor = new Redactor();
  redactor.add('hunter2-secret');
  redactor.add('hunter2-secret-long');
  assert.equal(redactor.redact('a hunter2-secret-long b hunter2-secret'), `a ${MASK} b ${MASK}`);
  assert.deepEqual(redactor.redactDeep({ list: ['x hunter2-secret'], n: 1, token: 'hunter2-secret' }), {
    list: [`x ${MASK}`],
    n: 1,
    token: MASK,
  });
});

test('a generated secret (letters and digits) is masked even glued to other characters', () => {
  const redactor = new Redactor();
  redactor.add('ZO828LUFO642RQZH');
  assert.equal(redactor.redact('x-ZO828LUFO642RQZH.y aZO828LUFO642RQZHb'), `x-${MASK}.y a${MASK}b`);
});

for (const secret of ['password', 'token', 'quay', 'true']) {
  test(`a secret equal to the word "${secret}" is masked as a value, never inside names or our wording`, () => {
    const redactor = new Redactor();
    redactor.add(secret);
    // Standalone, quoted, after = or : — value positions: masked.
    assert.equal(redactor.redact(`got ${secret}`), `got ${MASK}`);
    assert.equal(redactor.redact(`"${secret}"`), `"${MASK}"`);
    assert.equal(redactor.redact(`x=${secret}&y`), `x=${MASK}&y`);
    assert.equal(redactor.redact(`user:${secret}@host`), `user:${MASK}@host`);
    assert.equal(redactor.redact(`${secret}.`), `${MASK}.`);
    // Part of a longer name: kept.
    for (const name of [
      `quay.primary.${secret}: x`,
      `primary_quay_${secret} (quay.primary.${secret})`,
      `${secret}-init`,
      `${secret}admin`,
      `--${secret}-file`,
    ])
      assert.equal(redactor.redact(name), name);
    // Marked wording is kept whole; the interpolated value is masked.
    const text = message`${verbatim(`quay.primary.${secret}`)}: the ${verbatim(secret)} flag got ${secret}`;
    assert.equal(redactor.redact(text), `quay.primary.${secret}: the ${secret} flag got ${MASK}`);
    // JSON: keys and the task name stay; a string value equal to the secret is masked.
    assert.deepEqual(redactor.redactDeep({ task: verbatim(`${secret}-init`), [secret]: secret }), {
      task: `${secret}-init`,
      [secret]: MASK,
    });
  });
}

test('marks cannot be forged by outside text and vanish from plain()', () => {
  const redactor = new Redactor();
  redactor.add('password');
  const marked = verbatim('password');
  assert.notEqual(marked, 'password');
  assert.equal(plain(marked), 'password');
  assert.equal(plain(message`a ${'b'} c`), 'a b c');
  // A look-alike mark without the process's nonce is no mark: the secret inside is masked.
  assert.equal(redactor.redact('\u{E000}x\u{E001}password\u{E001}x\u{E000}').includes('password'), false);
  // A cut-off mark leaves the rest masked.
  assert.equal(redactor.redact(marked.slice(0, -3)).includes('password'), false);
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
