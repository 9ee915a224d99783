/** What a failure says from an error body: a registry error's reason in `detail`, as Quay sends it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { serverMessageOf } from '../../../src/http/errors.js';

test("a registry error's detail.message or detail.reason follows its message", () => {
  assert.equal(
    serverMessageOf({
      errors: [
        {
          code: 'MANIFEST_INVALID',
          message: 'manifest invalid',
          detail: { message: "config data does not match schema: 'history' is a required property" },
        },
      ],
    }),
    "MANIFEST_INVALID: manifest invalid (config data does not match schema: 'history' is a required property)",
  );
  assert.equal(
    serverMessageOf({
      errors: [
        {
          code: 'BLOB_UPLOAD_INVALID',
          message: 'blob upload invalid',
          detail: { reason: 'Missing digest arg' },
        },
      ],
    }),
    'BLOB_UPLOAD_INVALID: blob upload invalid (Missing digest arg)',
  );
});

test('a detail that repeats the message, or none, adds nothing', () => {
  assert.equal(
    serverMessageOf({ errors: [{ code: 'DENIED', message: 'tag is immutable', detail: 'immutable' }] }),
    'DENIED: tag is immutable',
  );
  assert.equal(
    serverMessageOf({ errors: [{ code: 'NAME_UNKNOWN', message: 'repository not found', detail: {} }] }),
    'NAME_UNKNOWN: repository not found',
  );
  assert.equal(serverMessageOf({ errors: [{ code: 'UNSUPPORTED' }] }), 'UNSUPPORTED');
});
