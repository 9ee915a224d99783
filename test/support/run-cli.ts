import { execa } from 'execa';
import { taskScript } from './paths.js';

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a built entrypoint as its own process, the way Tekton and GitHub Actions run it.
 * The environment is exactly `env` plus PATH and HOME unless `inheritEnv` is set, so a developer's
 * variables cannot change the outcome.
 */
export async function runCli(
  task: string,
  args: readonly string[],
  options: { env?: Record<string, string | undefined>; cwd?: string; input?: string } = {},
): Promise<CliResult> {
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ...options.env,
  };
  const result = await execa('node', [taskScript(task), ...args], {
    env,
    extendEnv: false,
    reject: false,
    cwd: options.cwd,
    input: options.input ?? '',
    timeout: 60_000,
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}
