/**
 * Walks the calls of CONTRACT.md (test/support/quay-contract-calls.ts) against a fresh emulator configured
 * as the real Quay of test/real-quay/ is, and checks each answer against the one real Quay gave — status,
 * body kind and error message. test/real-quay/emulator-vs-real.test.ts checks real Quay against the same
 * answers; this file keeps the emulator honest in every `npm test`.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { answer, CONTRACT_CALLS, CONTRACT_EMULATOR_OPTIONS } from '../support/quay-contract-calls.js';
import { type QuayEmulator, startQuayEmulator } from '../support/quay-emulator/index.js';
import {
  REGISTRY_CONTRACT_EMULATOR_OPTIONS,
  REGISTRY_STEPS,
  registryDifferences,
  walkRegistryContract,
} from '../support/quay-registry-contract.js';
import { initializeFirstUser } from '../support/user-initialize.js';

let emulator: QuayEmulator;
let token: string;

before(async () => {
  emulator = await startQuayEmulator(CONTRACT_EMULATOR_OPTIONS);
  token = await initializeFirstUser(emulator.url, 'admin', 'password-of-admin');
});

after(() => emulator?.close());

test('the emulator gives every call of the contract the answer real Quay gave', async () => {
  assert.ok(CONTRACT_CALLS.length >= 30, `${CONTRACT_CALLS.length} calls`);
  const differences: string[] = [];
  for (const call of CONTRACT_CALLS) {
    const got = await answer(emulator.url, token, call);
    if (JSON.stringify(got) !== JSON.stringify(call.expect))
      differences.push(
        `row ${call.row}, ${call.what} (${call.method} ${call.path}): emulator ${JSON.stringify(got)}, real Quay ${JSON.stringify(call.expect)}`,
      );
  }
  assert.deepEqual(differences, [], `\n${differences.join('\n')}`);
});

test('every row the calls name is a row of CONTRACT.md', async () => {
  const { readFileSync } = await import('node:fs');
  const { fileURLToPath } = await import('node:url');
  const table = readFileSync(
    fileURLToPath(new URL('../../../test/quay-emulator/CONTRACT.md', import.meta.url)),
    'utf8',
  );
  const rows = new Set([...table.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1])));
  assert.deepEqual(
    [...CONTRACT_CALLS, ...REGISTRY_STEPS]
      .filter((call) => !rows.has(call.row))
      .map((call) => `${call.row} ${call.what}`),
    [],
  );
});

test('the emulator answers the registry script (rows 20, 23–34, 39, 53, 54) as real Quay did', async () => {
  const fresh = await startQuayEmulator(REGISTRY_CONTRACT_EMULATOR_OPTIONS);
  try {
    const admin = await initializeFirstUser(fresh.url, 'admin', 'password-of-admin');
    const got = await walkRegistryContract({ url: fresh.url, host: fresh.host, token: admin });
    assert.ok(REGISTRY_STEPS.length >= 70, `${REGISTRY_STEPS.length} steps`);
    assert.deepEqual(registryDifferences(got, REGISTRY_STEPS, 'the emulator'), []);
  } finally {
    await fresh.close();
  }
});
