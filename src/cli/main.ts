import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SectionName } from '../config/document.js';
import { EXIT_INTERRUPTED_INT, EXIT_INTERRUPTED_TERM, runTask } from './run-task.js';
import type { TaskDefinition } from './task.js';

/** True when the module at `moduleUrl` is the script node was started with (also through a bin symlink). */
export function isMainModule(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

/** Runs a task with the process's argv and environment and sets the exit code. */
export async function runMain<S extends SectionName, R>(
  definition: TaskDefinition<S, R>,
  argv = process.argv.slice(2),
): Promise<void> {
  const code = await runTask(definition, {
    argv,
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    signals: process,
  });
  process.exitCode = code;
  // After a signal the interrupted work may still hold sockets or timers: the report is out, so stop now.
  if (code === EXIT_INTERRUPTED_TERM || code === EXIT_INTERRUPTED_INT) {
    process.stdout.write('', () => process.exit(code));
  }
}
