/**
 * Real Quay for tests: Quay's own server from its unmodified source (vendor/quay/, refreshed by
 * scripts/vendor-quay.sh) on 127.0.0.1, with SQLite, local storage and its own redis-server, as the
 * leads' recipe runs it (test/real-quay/README.md). Each instance gets free ports and a temporary folder;
 * `stop()` (and the end of the test process) ends both processes.
 *
 *   const quay = await startRealQuay({ config: { FEATURE_MAILING: true } });
 *   const { token } = await quay.initialize('admin', 'password123');
 *   ...
 *   await quay.stop();
 *
 * Needs the Debian packages in test/real-quay/apt-packages.txt (`node scripts/setup.mjs --install --real-quay`).
 */
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { dump, load } from 'js-yaml';
import { REPO_ROOT } from './paths.js';
import { tempDir } from './temp.js';
import { spawnTiedToThisProcess } from './tied-process.js';
import { initializeFirstUser } from './user-initialize.js';

const PYTHON = '/usr/bin/python3';
const REDIS = '/usr/bin/redis-server';
export const QUAY_SOURCE = join(REPO_ROOT, 'vendor', 'quay');
const RECIPE = join(REPO_ROOT, 'test', 'real-quay');
/** Guards, not sleeps: the schema takes about 5 s and the first answer about 4 s on these machines. */
const STEP_GUARD_MS = 120_000;
const LOG_LINES_KEPT = 300;

export interface RealQuayOptions {
  /** Keys of Quay's config.yaml set over test/real-quay/config.yaml.in (e.g. FEATURE_MAILING: true). */
  config?: Record<string, unknown>;
}

export interface RealQuay {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `127.0.0.1:<port>`, the registry part of image references. */
  readonly host: string;
  readonly dir: string;
  /** `POST /api/v1/user/initialize`: the first user, with an API token. */
  initialize(username: string, password: string, email?: string): Promise<{ token: string }>;
  /** The server's last log lines, for assertion messages. */
  logTail(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function renderConfig(dir: string, port: number, redisPort: number, extra: Record<string, unknown>): void {
  const text = readFileSync(join(RECIPE, 'config.yaml.in'), 'utf8')
    .replaceAll('@DATA@', join(dir, 'data'))
    .replaceAll('@PORT@', String(port))
    .replaceAll('@REDIS_PORT@', String(redisPort));
  const config = { ...(load(text) as Record<string, unknown>), ...extra };
  mkdirSync(join(dir, 'conf', 'stack'), { recursive: true });
  mkdirSync(join(dir, 'data', 'storage'), { recursive: true });
  writeFileSync(join(dir, 'conf', 'stack', 'config.yaml'), dump(config));
}

/** The last lines in `log` (for assertion messages), every line in `file` (QUAY_TASKS_KEEP_REAL_QUAY keeps it). */
function keepLog(child: ChildProcess, log: string[], file: string): void {
  const add = (chunk: Buffer) => {
    appendFileSync(file, chunk);
    for (const line of chunk.toString('utf8').split('\n')) if (line) log.push(line);
    if (log.length > LOG_LINES_KEPT) log.splice(0, log.length - LOG_LINES_KEPT);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const guard = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(guard);
}

/** Resolves once `url` answers 200, rejects when `child` exits first or the guard runs out. */
async function answering(url: string, child: ChildProcess, log: string[]): Promise<void> {
  const deadline = Date.now() + STEP_GUARD_MS;
  let wait = 50;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Quay exited with ${child.exitCode}:\n${log.join('\n')}`);
    const status = await fetch(url).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`Quay did not answer ${url} in time:\n${log.join('\n')}`);
    // Backing off between connection attempts to a process that is still importing; not a synchronisation.
    await new Promise((resolve) => setTimeout(resolve, wait));
    wait = Math.min(wait * 2, 500);
  }
}

export async function startRealQuay(options: RealQuayOptions = {}): Promise<RealQuay> {
  // QUAY_TASKS_KEEP_REAL_QUAY=1: the folder (config, SQLite, storage, logs) outlives the run, for a look.
  const dir = process.env.QUAY_TASKS_KEEP_REAL_QUAY
    ? mkdtempSync(join(tmpdir(), 'real-quay-kept-'))
    : tempDir('real-quay-');
  const [port, redisPort] = [await freePort(), await freePort()];
  renderConfig(dir, port, redisPort, options.config ?? {});
  const log: string[] = [];
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    QUAYCONF: `${join(dir, 'conf')}/`,
    PYTHONPATH: [join(RECIPE, 'stubs'), QUAY_SOURCE, RECIPE].join(':'),
    // Byte code outside the vendored tree, which stays as checked in; shared, so later starts are quicker.
    PYTHONPYCACHEPREFIX: join(tmpdir(), 'quay-tasks-pycache'),
    QUAY_HOST: '127.0.0.1',
    QUAY_PORT: String(port),
  };
  const children: ChildProcess[] = [];
  const killOnExit = () => {
    for (const child of children) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const stop = async () => {
    process.off('exit', killOnExit);
    for (const child of children.reverse()) await stopChild(child);
  };
  try {
    const redis = spawnTiedToThisProcess(REDIS, [
      '--bind',
      '127.0.0.1',
      '--port',
      String(redisPort),
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ]);
    children.push(redis);
    keepLog(redis, log, join(dir, 'redis.log'));
    const step = async (what: string, args: string[]) => {
      const result = await execa(PYTHON, args, {
        cwd: QUAY_SOURCE,
        env,
        extendEnv: false,
        reject: false,
        all: true,
        timeout: STEP_GUARD_MS,
      });
      if (result.exitCode !== 0)
        throw new Error(`real Quay: ${what} failed (${result.exitCode}):\n${result.all}`);
    };
    await step('the schema (alembic upgrade head)', ['-m', 'alembic', 'upgrade', 'head']);
    await step("Quay's boot.py (the instance service key)", ['boot.py']);
    const server = spawnTiedToThisProcess(PYTHON, [join(RECIPE, 'serve.py')], { cwd: QUAY_SOURCE, env });
    children.push(server);
    keepLog(server, log, join(dir, 'quay.log'));
    const url = `http://127.0.0.1:${port}`;
    await answering(`${url}/api/v1/discovery`, server, log);
    return {
      url,
      host: `127.0.0.1:${port}`,
      dir,
      initialize: async (username, password, email) => ({
        token: await initializeFirstUser(url, username, password, email),
      }),
      logTail: () => log.join('\n'),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
