import { setTimeout as tick } from 'node:timers/promises';

/**
 * Waits for a condition another process brings about (a request reaching an emulator), checking every
 * few milliseconds, and fails after `timeoutMs` saying what it waited for. Not a fixed sleep: it returns
 * as soon as the condition holds.
 */
export async function waitUntil(what: string, condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await tick(5);
  }
}
