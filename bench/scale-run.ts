/**
 * One mirror-repos run of `npm run bench:scale`: the bundled command as a process under
 * `/usr/bin/time -f "%M %U %S"` (peak RSS, its own CPU), with bench/count-requests.ts preloaded (every HTTP
 * request it makes), `--output json` (the report tells that the run changed nothing).
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MIRROR_SCRIPT } from './mirror-tools.js';

const TIME = '/usr/bin/time';
const COUNTER = fileURLToPath(new URL('./count-requests.js', import.meta.url));

export interface ScaleRun {
  seconds: number;
  /** Peak RSS, MB (10^6 bytes); undefined without /usr/bin/time. */
  rssMB: number | undefined;
  /** mirror-repos' own CPU seconds (user + system). */
  cpu: number | undefined;
  requests: number;
  exitCode: number;
  report: { changed?: number; failed?: number; items?: { action: string }[] } | undefined;
  stderrTail: string;
}

export async function runMirrorScale(
  dir: string,
  config: string,
  extraArgs: readonly string[] = [],
  env: Record<string, string> = {},
): Promise<ScaleRun> {
  const id = process.hrtime.bigint();
  const timeFile = join(dir, `time-${id}.txt`);
  const requestsFile = join(dir, `requests-${id}.json`);
  const stdoutFile = join(dir, `stdout-${id}.json`);
  const node = [
    process.execPath,
    '--import',
    COUNTER,
    MIRROR_SCRIPT,
    '--config',
    config,
    '--log-level',
    'warn',
    '--output',
    'json',
    ...extraArgs,
  ];
  const useTime = existsSync(TIME);
  const argv = useTime ? [TIME, '-f', '%M %U %S', '-o', timeFile, ...node] : node;
  const out = openSync(stdoutFile, 'w');
  const started = performance.now();
  const child = spawn(argv[0] as string, argv.slice(1), {
    stdio: ['ignore', out, 'pipe'],
    env: { ...process.env, ...env, BENCH_REQUESTS_FILE: requestsFile },
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const exitCode = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => resolve(code ?? -1));
  });
  const seconds = (performance.now() - started) / 1000;
  closeSync(out);
  let rssMB: number | undefined;
  let cpu: number | undefined;
  if (useTime && existsSync(timeFile)) {
    const [kb, user, system] = (readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '')
      .split(' ')
      .map(Number);
    if (kb !== undefined && Number.isFinite(kb)) rssMB = (kb * 1024) / 1e6;
    if (user !== undefined && system !== undefined) cpu = user + system;
  }
  const requests = existsSync(requestsFile)
    ? (JSON.parse(readFileSync(requestsFile, 'utf8')) as { requests: number }).requests
    : Number.NaN;
  let report: ScaleRun['report'];
  try {
    report = JSON.parse(readFileSync(stdoutFile, 'utf8')) as ScaleRun['report'];
  } catch {
    report = undefined;
  }
  for (const file of [timeFile, requestsFile, stdoutFile]) rmSync(file, { force: true });
  return { seconds, rssMB, cpu, requests, exitCode, report, stderrTail: stderr };
}
