import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const DEFAULT_TEKTON_RESULTS_DIR = '/tekton/results';

/**
 * Tekton carries results in the pod's termination message: 4096 bytes for all steps of a TaskRun together
 * (tekton docs/tasks.md "Emitting results"). We stay below this budget, leaving room for other steps.
 */
export const RESULTS_BUDGET_BYTES = 3072;

/** The results dir to use: the flag's, else Tekton's default when it exists, else none. */
export function resolveResultsDir(flag: string | undefined): string | undefined {
  if (flag !== undefined && flag !== '') return flag;
  return existsSync(DEFAULT_TEKTON_RESULTS_DIR) ? DEFAULT_TEKTON_RESULTS_DIR : undefined;
}

export interface WrittenResults {
  written: string[];
  /** Results cut short or left out to keep within the budget. */
  truncated: string[];
}

/**
 * Writes each result as its own file, exact bytes (no trailing newline). Results are given in priority
 * order; once the budget runs short, later values are cut to what fits (an empty file at worst).
 */
export function writeTektonResults(dir: string, results: ReadonlyArray<[string, string]>): WrittenResults {
  mkdirSync(dir, { recursive: true });
  let remaining = RESULTS_BUDGET_BYTES;
  const out: WrittenResults = { written: [], truncated: [] };
  for (const [name, value] of results) {
    let bytes = Buffer.from(value, 'utf8');
    if (bytes.length > remaining) {
      bytes = bytes.subarray(0, Math.max(0, remaining));
      // Do not leave half a UTF-8 character at the cut.
      bytes = Buffer.from(bytes.toString('utf8').replace(/\uFFFD$/, ''), 'utf8');
      out.truncated.push(name);
    }
    writeFileSync(join(dir, name), bytes);
    remaining -= bytes.length;
    out.written.push(name);
  }
  return out;
}
