import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonReportPieces } from '../../../src/report/json-report.js';
import type { ReportDocument, ReportItem } from '../../../src/report/report.js';

const whole = (document: ReportDocument, itemText?: (item: ReportItem) => ReportItem) =>
  [...jsonReportPieces(document, itemText)].join('');

const base = { task: 'mirror-repos', ok: true, dryRun: false, changed: 0, failed: 0, durationMs: 12 };

test('the pieces make the same bytes as JSON.stringify(document, null, 2) and a newline', () => {
  const items: ReportItem[] = [
    { ref: 'dst/team/app:v1', action: 'unchanged', detail: 'sha256:aa' },
    { ref: 'dst/team/app:"quoted"\n', action: 'failed', error: 'multi\nline "error"' },
    { ref: 'dst/team/app:v3', action: 'copied', detail: undefined },
  ];
  const documents: ReportDocument[] = [
    { ...base, items },
    { ...base, items: [] },
    { ...base, ok: false, items, error: 'the run stopped' },
    { ...base, items, error: undefined },
  ];
  for (const document of documents) assert.equal(whole(document), `${JSON.stringify(document, null, 2)}\n`);
});

test('a report of 100k items comes in pieces of at most 100 items, the same bytes in the end', () => {
  const items = Array.from(
    { length: 100_000 },
    (_, i): ReportItem => ({ ref: `dst/scale/app:t${i}`, action: 'unchanged', detail: 'sha256:aa' }),
  );
  const document = { ...base, items };
  const pieces = [...jsonReportPieces(document)];
  assert.equal(pieces.length, 1001);
  for (const piece of pieces) assert.ok((piece.match(/"ref"/g) ?? []).length <= 100);
  assert.equal(pieces.join(''), `${JSON.stringify(document, null, 2)}\n`);
});

test('each item is written as itemText makes it (the masked copy), one at a time', () => {
  const items: ReportItem[] = [
    { ref: 'dst/a:v1', action: 'failed', error: 'token s3cr3t refused' },
    { ref: 'dst/a:v2', action: 'unchanged' },
  ];
  const seen: ReportItem[] = [];
  const text = whole({ ...base, items }, (item) => {
    seen.push(item);
    return { ...item, ...(item.error ? { error: item.error.replace('s3cr3t', '***') } : {}) };
  });
  assert.deepEqual(seen, items);
  assert.doesNotMatch(text, /s3cr3t/);
  assert.deepEqual(JSON.parse(text).items[0], {
    ref: 'dst/a:v1',
    action: 'failed',
    error: 'token *** refused',
  });
});
