import { accessSync, constants, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { dump } from 'js-yaml';
import type { ClusterConfig } from '../config/sections/shared.js';
import type { Logger } from '../report/logger.js';
import type { Redactor } from '../secrets/redactor.js';

export type ClusterProgram = 'oc' | 'kubectl';

export interface ClusterCliOptions {
  cluster: ClusterConfig;
  redactor: Redactor;
  log: Logger;
  env: NodeJS.ProcessEnv;
}

export interface CliOutcome {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** A failed oc/kubectl call: the command (no secrets: they never go on argv) and what it printed. */
export class ClusterCommandError extends Error {
  override readonly name = 'ClusterCommandError';
  readonly exitCode: number;
  readonly stderr: string;

  constructor(command: string, outcome: CliOutcome, redactor: Redactor) {
    const said = redactor
      .redact(outcome.stderr.trim() || outcome.stdout.trim())
      .split('\n')
      .slice(0, 6)
      .join('\n');
    super(redactor.redact(`${command} failed (exit ${outcome.exitCode})${said ? `: ${said}` : ''}`));
    this.exitCode = outcome.exitCode;
    this.stderr = redactor.redact(outcome.stderr);
  }
}

/**
 * Runs oc or kubectl. Auth, in this order: a server URL with a token (written to a private temporary
 * kubeconfig, never on argv), `oc login` with username and password (the password through stdin), a
 * kubeconfig file, else the current kubeconfig or the in-cluster service account.
 */
export class ClusterCli {
  readonly program: ClusterProgram;
  readonly #base: string[];
  readonly #options: ClusterCliOptions;
  readonly #tempDir: string | undefined;

  private constructor(
    program: ClusterProgram,
    base: string[],
    options: ClusterCliOptions,
    tempDir: string | undefined,
  ) {
    this.program = program;
    this.#base = base;
    this.#options = options;
    this.#tempDir = tempDir;
  }

  static async open(options: ClusterCliOptions): Promise<ClusterCli> {
    const { cluster, env } = options;
    const program = cluster.cli ?? (onPath('oc', env) ? 'oc' : 'kubectl');
    const base: string[] = [];
    let tempDir: string | undefined;
    let kubeconfig = cluster.kubeconfig;
    if (cluster.server && (cluster.token || cluster.password)) {
      tempDir = mkdtempSync(join(tmpdir(), 'quay-tasks-kube-'));
      removeOnExit(tempDir);
      kubeconfig = join(tempDir, 'kubeconfig');
      if (cluster.token) writePrivate(kubeconfig, tokenKubeconfig(cluster, cluster.token.reveal()));
    }
    if (kubeconfig) base.push(`--kubeconfig=${kubeconfig}`);
    if (cluster.context) base.push(`--context=${cluster.context}`);
    if (cluster.insecureSkipTlsVerify && !tempDir) base.push('--insecure-skip-tls-verify=true');
    const cli = new ClusterCli(program, base, options, tempDir);
    if (cluster.server && !cluster.token && cluster.password) await cli.#login();
    return cli;
  }

  /** `oc login` reads the password from stdin when it is not a terminal; it never appears on argv. */
  async #login(): Promise<void> {
    const { cluster, redactor } = this.#options;
    if (this.program !== 'oc')
      throw new Error('cluster.username/password need oc (kubectl has no login); give cluster.token instead');
    const args = ['login', cluster.server ?? '', `--username=${cluster.username ?? ''}`];
    if (cluster.insecureSkipTlsVerify) args.push('--insecure-skip-tls-verify=true');
    if (cluster.caBundle) args.push(`--certificate-authority=${cluster.caBundle}`);
    const outcome = await this.run(args, { input: `${cluster.password?.reveal() ?? ''}\n` });
    if (outcome.exitCode !== 0)
      throw new ClusterCommandError(`oc login ${cluster.server}`, outcome, redactor);
  }

  /** Runs the program with the connection flags; never throws on a non-zero exit. */
  async run(args: readonly string[], options: { input?: string } = {}): Promise<CliOutcome> {
    const all = [...this.#base, ...args];
    this.#options.log.debug(`${this.program} ${args.join(' ')}`);
    const result = await execa(this.program, all, {
      reject: false,
      input: options.input ?? '',
      env: this.#options.env,
      extendEnv: false,
      stripFinalNewline: false,
    });
    if (result.failed && result.exitCode === undefined) {
      throw new Error(
        `cannot run ${this.program}: ${result.shortMessage ?? 'not found'} (set cluster.cli or put it on PATH)`,
      );
    }
    return { exitCode: result.exitCode ?? 1, stdout: String(result.stdout), stderr: String(result.stderr) };
  }

  /** Starts a long-running command (a watch); the caller reads its stdout and kills it. */
  spawn(args: readonly string[]): ResultPromise {
    this.#options.log.debug(`${this.program} ${args.join(' ')} (streaming)`);
    return execa(this.program, [...this.#base, ...args], {
      reject: false,
      buffer: false,
      env: this.#options.env,
      extendEnv: false,
      stdin: 'ignore',
    });
  }

  /** Runs and throws ClusterCommandError on a non-zero exit. */
  async runOrThrow(args: readonly string[], options: { input?: string } = {}): Promise<string> {
    const outcome = await this.run(args, options);
    if (outcome.exitCode !== 0)
      throw new ClusterCommandError(`${this.program} ${args.join(' ')}`, outcome, this.#options.redactor);
    return outcome.stdout;
  }

  /** One object as JSON, or undefined when it does not exist. */
  async get(kind: string, name: string, namespace?: string): Promise<Record<string, unknown> | undefined> {
    const args = ['get', kind, name, '-o', 'json', ...(namespace ? ['-n', namespace] : [])];
    const outcome = await this.run(args);
    if (outcome.exitCode !== 0) {
      if (/NotFound|not found/.test(outcome.stderr)) return undefined;
      throw new ClusterCommandError(`${this.program} ${args.join(' ')}`, outcome, this.#options.redactor);
    }
    return JSON.parse(outcome.stdout) as Record<string, unknown>;
  }

  /**
   * Server-side apply of one object through stdin (so Secret data never reaches argv), field manager
   * quay-tasks. Fields other managers own (other keys of a Secret) are kept.
   */
  async apply(
    object: Record<string, unknown>,
    options: { dryRun?: boolean; forceConflicts?: boolean } = {},
  ): Promise<void> {
    const args = ['apply', '--server-side', '--field-manager=quay-tasks', '-o', 'name', '-f', '-'];
    if (options.forceConflicts) args.push('--force-conflicts');
    if (options.dryRun) args.push('--dry-run=server');
    await this.runOrThrow(args, { input: JSON.stringify(object) });
  }

  /**
   * Fails fast, naming the cluster and the cause, when the API server cannot be reached: a missing
   * kubeconfig, connection refused, no answer within `timeoutSeconds` (a black-holed address).
   */
  async checkReachable(timeoutSeconds = 10): Promise<void> {
    const { cluster, env } = this.#options;
    const kubeconfig = this.#tempDir ? undefined : cluster.kubeconfig;
    if (kubeconfig !== undefined && !existsSync(kubeconfig))
      throw new Error(`cluster unreachable: the kubeconfig file ${kubeconfig} does not exist`);
    const outcome = await this.run(['get', '--raw', '/version', `--request-timeout=${timeoutSeconds}s`]);
    if (outcome.exitCode === 0) return;
    // Without any kubeconfig kubectl tries localhost:8080: say what is really missing.
    if (!this.#tempDir && kubeconfig === undefined && !cluster.server) {
      const fromEnv = (env.KUBECONFIG ?? '').split(delimiter).filter((p) => p !== '');
      const candidates = fromEnv.length > 0 ? fromEnv : [join(env.HOME ?? homedir(), '.kube', 'config')];
      if (!candidates.some((p) => existsSync(p)) && !env.KUBERNETES_SERVICE_HOST)
        throw new Error(
          `cluster unreachable: no kubeconfig (${candidates.join(', ')} missing, KUBECONFIG ${fromEnv.length > 0 ? 'names no existing file' : 'not set'}) and not running in a cluster; set cluster.server and cluster.token or cluster.kubeconfig`,
        );
    }
    const said = this.#options.redactor.redact(outcome.stderr.trim() || outcome.stdout.trim());
    const cause = /refused/i.test(said)
      ? 'connection refused'
      : /timeout|timed out|deadline exceeded|Client\.Timeout/i.test(said)
        ? `no answer within ${timeoutSeconds}s (timeout)`
        : /network is unreachable|no route to host/i.test(said)
          ? 'network unreachable'
          : /NotFound|could not find the requested resource/i.test(said)
            ? 'it answered, but not as a Kubernetes API server (no /version)'
            : /no such host/i.test(said)
              ? 'unknown host'
              : /no such file or directory/i.test(said)
                ? 'kubeconfig file missing'
                : 'error';
    const target = await this.#describeTarget();
    throw new Error(`cluster unreachable: ${target}: ${cause}: ${said.split('\n').slice(0, 3).join('\n')}`);
  }

  /** The server URL and context the CLI talks to, for error messages. */
  async #describeTarget(): Promise<string> {
    const { cluster } = this.#options;
    let server = cluster.server;
    if (!server) {
      const view = await this.run([
        'config',
        'view',
        '--minify',
        '-o',
        'jsonpath={.clusters[0].cluster.server}',
      ]);
      if (view.exitCode === 0 && view.stdout.trim() !== '') server = view.stdout.trim();
    }
    const parts = [`server ${server ?? '(unknown)'}`];
    if (cluster.context) parts.push(`context ${cluster.context}`);
    if (cluster.kubeconfig) parts.push(`kubeconfig ${cluster.kubeconfig}`);
    return parts.join(', ');
  }

  async close(): Promise<void> {
    if (this.#tempDir) {
      rmSync(this.#tempDir, { recursive: true, force: true });
      forgetOnExit(this.#tempDir);
    }
  }
}

/**
 * Temporary folders (they hold the token's kubeconfig) removed when the process exits, also when a
 * signal stops the run before close() (run-task exits with 143 at once after SIGTERM).
 */
const pendingRemoval = new Set<string>();
let exitHookInstalled = false;

function removeOnExit(dir: string): void {
  pendingRemoval.add(dir);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const pending of pendingRemoval) rmSync(pending, { recursive: true, force: true });
  });
}

function forgetOnExit(dir: string): void {
  pendingRemoval.delete(dir);
}

function tokenKubeconfig(cluster: ClusterConfig, token: string): string {
  const clusterEntry: Record<string, unknown> = { server: cluster.server };
  if (cluster.insecureSkipTlsVerify) clusterEntry['insecure-skip-tls-verify'] = true;
  if (cluster.caBundle) clusterEntry['certificate-authority'] = cluster.caBundle;
  return dump({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'cluster', cluster: clusterEntry }],
    users: [{ name: 'quay-tasks', user: { token } }],
    contexts: [{ name: 'quay-tasks', context: { cluster: 'cluster', user: 'quay-tasks' } }],
    'current-context': 'quay-tasks',
  });
}

function writePrivate(path: string, content: string): void {
  writeFileSync(path, content, { mode: 0o600 });
}

function onPath(program: string, env: NodeJS.ProcessEnv): boolean {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, program), constants.X_OK);
      return true;
    } catch {
      // not in this folder
    }
  }
  return false;
}
