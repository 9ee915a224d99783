/**
 * Starts a server process for a test so that it dies with the test process however that ends: on a normal
 * exit the caller's 'exit' handler kills it, but node's test runner SIGKILLs a file whose hook timed out,
 * and no handler runs then. `setpriv --pdeathsig KILL` (util-linux) asks the kernel to kill the child when
 * its parent dies.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

const SETPRIV = '/usr/bin/setpriv';

export function spawnTiedToThisProcess(
  binary: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): ChildProcess {
  const stdio: ['ignore', 'pipe', 'pipe'] = ['ignore', 'pipe', 'pipe'];
  if (!existsSync(SETPRIV)) return spawn(binary, args, { stdio, ...options });
  return spawn(SETPRIV, ['--pdeathsig', 'KILL', '--', binary, ...args], { stdio, ...options });
}
