import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

/** `npm run demo` is the quick start: it must keep working, and show the second runs changing nothing. */
test('the demo runs every step against the emulators and ends well', async () => {
  const demo = fileURLToPath(new URL('../../demo/demo.js', import.meta.url));
  const result = await execa('node', [demo], { reject: false, all: true, timeout: 60_000 });
  assert.equal(result.exitCode, 0, String(result.all));
  const out = String(result.all);
  assert.match(out, /quay-init: done: 5 created/);
  assert.equal(out.match(/— no change/g)?.length, 4, out);
  assert.match(out, /mirror: 4 copied, 0 unchanged, 0 failed/);
  assert.match(out, /mirror: 0 copied, 4 unchanged, 0 failed; blobs: 0 uploaded \(0 B from 0 source reads\)/);
  assert.match(
    out,
    /Demo finished: Quay east has 4 organizations and 2 robots, west has 3 mirrored repositories; the second runs changed nothing\./,
  );
});

/** The demo treats the emulators as an outside service (demo/emulators.ts), as it would a real Quay. */
test('the demo loads no code of test/ (it starts the emulators as a program)', () => {
  const dir = fileURLToPath(new URL('../../../demo/', import.meta.url));
  const imports = readdirSync(dir)
    .filter((name) => name.endsWith('.ts'))
    .flatMap((name) =>
      [...readFileSync(join(dir, name), 'utf8').matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map(
        (m) => `${name}: ${m[1]}`,
      ),
    );
  assert.ok(imports.length > 0);
  assert.deepEqual(
    imports.filter((line) => /: (\.\.\/)+test\//.test(line)),
    [],
  );
});
