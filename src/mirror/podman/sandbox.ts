/**
 * A private podman for one run of the podman engine: every call gets its own storage (`--root`,
 * `--runroot`, `--tmpdir`, vfs, cgroupfs, file events) and its own containers.conf, registries.conf,
 * storage.conf and auth file (REGISTRY_AUTH_FILE, mode 0600), all in one temporary folder (mode 0700) that
 * `remove()` deletes, also after a failure; a process exit removes it too. Nothing of the user's podman
 * (images, logins, configuration) is read or changed, except containers/image's blob-info cache, which
 * podman 4.3 keeps in a fixed place (/var/lib/containers/cache as root; digests and locations only).
 * podman runs through execa, never a shell; a password only ever goes in on stdin. A podman still running
 * when the task exits (SIGTERM: report, then exit 143) is stopped by execa's clean-up; the exit hook here
 * removes the folder.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export interface PodmanResult {
  /** undefined when podman did not run at all (see `spawnError`). */
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  /** Why the process could not be started (ENOENT: no podman on PATH). */
  spawnError?: { code: string | undefined; message: string };
}

/** Variables that would send podman elsewhere (a remote service) or to other configuration. */
const DROPPED_ENV = ['CONTAINER_HOST', 'CONTAINER_CONNECTION', 'CONTAINER_SSHKEY'];

const SANDBOX_PREFIX = 'quay-tasks-podman-';
/** podman refuses a runroot longer than 50 characters ("the specified runroot is longer than 50 characters"). */
const MAX_RUNROOT = 50;

/** The system's temporary folder, or /tmp when that is too long a path for podman's runroot. */
function sandboxBase(): string {
  const base = tmpdir();
  const runroot = join(base, `${SANDBOX_PREFIX}XXXXXX`, 'run');
  return runroot.length <= MAX_RUNROOT ? base : '/tmp';
}

/** Runs `podman <args>` (no sandbox): for `--version`, before anything is set up. */
export async function runPodmanBare(
  binary: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<PodmanResult> {
  return toResult(
    await execa(binary, args, {
      env: childEnv(env, {}),
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
    }),
  );
}

export class PodmanSandbox {
  readonly binary: string;
  /** The temporary folder; gone after `remove()`. */
  readonly dir: string;
  readonly authFile: string;
  readonly #env: NodeJS.ProcessEnv;
  readonly #global: readonly string[];
  readonly #onExit: () => void;
  #certDirs = 0;
  #removed = false;

  /**
   * `insecureHosts`: `host[:port]` podman reaches with --tls-verify=false (plain http, or
   * insecureSkipTlsVerify); registries.conf marks them insecure as well.
   */
  constructor(options: { binary: string; env: NodeJS.ProcessEnv; insecureHosts: readonly string[] }) {
    this.binary = options.binary;
    this.dir = mkdtempSync(join(sandboxBase(), SANDBOX_PREFIX));
    this.#onExit = () => {
      try {
        rmSync(this.dir, { recursive: true, force: true });
      } catch {
        // the exit goes on; nothing else can be done here
      }
    };
    process.once('exit', this.#onExit);
    const path = (...parts: string[]) => join(this.dir, ...parts);
    for (const sub of ['root', 'run', 'tmp', 'libpod', 'certs']) mkdirSync(path(sub), { mode: 0o700 });
    const toml = (value: string) => JSON.stringify(value);
    writeFileSync(
      path('containers.conf'),
      [
        '[engine]',
        'cgroup_manager = "cgroupfs"',
        'events_logger = "file"',
        `events_logfile_path = ${toml(path('events.log'))}`,
        `image_copy_tmp_dir = ${toml(path('tmp'))}`,
        '',
      ].join('\n'),
    );
    writeFileSync(
      path('registries.conf'),
      [
        'unqualified-search-registries = []',
        ...options.insecureHosts.flatMap((host) => [
          '[[registry]]',
          `location = ${toml(host)}`,
          'insecure = true',
        ]),
        '',
      ].join('\n'),
    );
    writeFileSync(
      path('storage.conf'),
      `[storage]\ndriver = "vfs"\nrunroot = ${toml(path('run'))}\ngraphroot = ${toml(path('root'))}\n`,
    );
    this.authFile = path('auth.json');
    writeFileSync(this.authFile, '{"auths":{}}\n', { mode: 0o600, flag: 'wx' });
    this.#env = childEnv(options.env, {
      CONTAINERS_CONF: path('containers.conf'),
      CONTAINERS_REGISTRIES_CONF: path('registries.conf'),
      CONTAINERS_STORAGE_CONF: path('storage.conf'),
      REGISTRY_AUTH_FILE: this.authFile,
      TMPDIR: path('tmp'),
    });
    this.#global = [
      '--root',
      path('root'),
      '--runroot',
      path('run'),
      '--tmpdir',
      path('libpod'),
      '--storage-driver',
      'vfs',
      '--cgroup-manager',
      'cgroupfs',
      '--events-backend',
      'file',
    ];
  }

  /** A folder holding only `ca.crt` (a copy of `caBundle`), for `--cert-dir` (local-infra.md §1b pitfall). */
  certDir(caBundle: string): string {
    this.#certDirs += 1;
    const dir = join(this.dir, 'certs', String(this.#certDirs));
    mkdirSync(dir, { mode: 0o700 });
    copyFileSync(caBundle, join(dir, 'ca.crt'));
    return dir;
  }

  /** `podman <global storage flags> <args>`; `input` (a password) goes to stdin, else stdin is closed. */
  async run(args: readonly string[], options: { input?: string } = {}): Promise<PodmanResult> {
    if (this.#removed) throw new Error('podman sandbox: already removed');
    const stdio = options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input };
    return toResult(
      await execa(this.binary, [...this.#global, ...args], {
        env: this.#env,
        extendEnv: false,
        reject: false,
        ...stdio,
      }),
    );
  }

  /**
   * Deletes the folder (storage, logins, configuration). A rootless podman's storage can hold files owned
   * by sub-UIDs the user cannot delete; those are removed through `podman unshare`.
   */
  async remove(): Promise<void> {
    if (this.#removed) return;
    this.#removed = true;
    try {
      rmSync(this.dir, { recursive: true, force: true });
    } catch (error) {
      if (process.getuid?.() === 0) throw error;
      await execa(this.binary, [...this.#global, 'unshare', 'rm', '-rf', this.dir], {
        env: this.#env,
        extendEnv: false,
        reject: false,
        stdin: 'ignore',
      });
      rmSync(this.dir, { recursive: true, force: true });
    } finally {
      process.off('exit', this.#onExit);
    }
  }
}

function childEnv(env: NodeJS.ProcessEnv, overrides: Record<string, string>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env, ...overrides };
  for (const name of DROPPED_ENV) delete out[name];
  return out;
}

interface ExecaOutcome {
  exitCode?: number;
  stdout?: unknown;
  stderr?: unknown;
  failed: boolean;
  code?: string;
  message?: string;
}

function toResult(result: ExecaOutcome): PodmanResult {
  const out: PodmanResult = {
    exitCode: result.exitCode,
    stdout: typeof result.stdout === 'string' ? result.stdout : '',
    stderr: typeof result.stderr === 'string' ? result.stderr : '',
  };
  if (result.exitCode === undefined && result.failed) {
    out.spawnError = { code: result.code, message: result.message ?? 'podman did not start' };
  }
  return out;
}

/** `podman <what> failed (exit N): <the last lines podman wrote>`, for reports and logs (redact it). */
export function failureText(what: string, result: PodmanResult): string {
  if (result.spawnError) return `podman ${what} did not run: ${result.spawnError.message}`;
  const lines = `${result.stderr}\n${result.stdout}`
    .split('\n')
    .map((line) => line.trim())
    .filter(
      (line) =>
        line !== '' &&
        !/^(Trying to pull|Getting image source signatures|Copying |Writing manifest|Storing signatures)/.test(
          line,
        ),
    );
  const tail = lines.slice(-3).join(' | ');
  return `podman ${what} failed (exit ${result.exitCode})${tail ? `: ${tail}` : ''}`;
}
