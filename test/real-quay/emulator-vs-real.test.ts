/**
 * The same sequence of Quay API calls (the rows of test/quay-emulator/CONTRACT.md, with the errors the code
 * relies on) against a real Quay (vendor/quay/) and the emulator, both fresh and configured alike: the
 * status, the kind of body (JSON or werkzeug's HTML page) and an error's message must be the same, so
 * that no test can pass on the emulator for a call real Quay answers differently.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  type Answer,
  answer,
  CONTRACT_CALLS,
  CONTRACT_EMULATOR_OPTIONS,
} from '../support/quay-contract-calls.js';
import { type QuayEmulator, startQuayEmulator } from '../support/quay-emulator/index.js';
import {
  REGISTRY_CONTRACT_EMULATOR_OPTIONS,
  REGISTRY_CONTRACT_QUAY_CONFIG,
  REGISTRY_STEPS,
  registryDifferences,
  walkRegistryContract,
} from '../support/quay-registry-contract.js';
import { type RealQuay, startRealQuay } from '../support/real-quay.js';
import { initializeFirstUser } from '../support/user-initialize.js';

let real: RealQuay;
let emulator: QuayEmulator;
let realToken: string;
let emulatorToken: string;

before(async () => {
  [real, emulator] = await Promise.all([startRealQuay(), startQuayEmulator(CONTRACT_EMULATOR_OPTIONS)]);
  realToken = (await real.initialize('admin', 'password-of-admin')).token;
  emulatorToken = await initializeFirstUser(emulator.url, 'admin', 'password-of-admin');
});

after(async () => {
  await Promise.all([real?.stop(), emulator?.close()]);
});

test('real Quay gives each call of the contract the answer the table records, and so does the emulator', async () => {
  const differences: string[] = [];
  const captured: Answer[] = [];
  for (const call of CONTRACT_CALLS) {
    const fromReal = await answer(real.url, realToken, call);
    const fromEmulator = await answer(emulator.url, emulatorToken, call);
    captured.push(fromReal);
    for (const [who, got] of [
      ['real Quay', fromReal],
      ['the emulator', fromEmulator],
    ] as const)
      if (JSON.stringify(got) !== JSON.stringify(call.expect))
        differences.push(
          `row ${call.row}, ${call.what} (${call.method} ${call.path}): ${who} ${JSON.stringify(got)}, recorded ${JSON.stringify(call.expect)}`,
        );
  }
  if (process.env.QUAY_TASKS_PRINT_CONTRACT) process.stdout.write(`${JSON.stringify(captured)}\n`);
  assert.deepEqual(differences, [], `\n${differences.join('\n')}`);
});

test('the registry path (/v2) answers as real Quay does: uploads, mounts, indexes, dead, expiring and immutable tags, read-only repositories', async () => {
  const [quay, fresh] = await Promise.all([
    startRealQuay({ config: { ...REGISTRY_CONTRACT_QUAY_CONFIG } }),
    startQuayEmulator(REGISTRY_CONTRACT_EMULATOR_OPTIONS),
  ]);
  try {
    const { token } = await quay.initialize('admin', 'password-of-admin');
    const freshToken = await initializeFirstUser(fresh.url, 'admin', 'password-of-admin');
    const fromReal = await walkRegistryContract({ url: quay.url, host: quay.host, token });
    const fromEmulator = await walkRegistryContract({ url: fresh.url, host: fresh.host, token: freshToken });
    if (process.env.QUAY_TASKS_PRINT_CONTRACT) process.stdout.write(`${JSON.stringify(fromReal)}\n`);
    assert.deepEqual(registryDifferences(fromReal, REGISTRY_STEPS, 'real Quay'), []);
    assert.deepEqual(registryDifferences(fromEmulator, REGISTRY_STEPS, 'the emulator'), []);
  } finally {
    await Promise.all([quay.stop(), fresh.close()]);
  }
});
