import { type QuayEmulator, type QuayEmulatorOptions, startQuayEmulator } from './quay-emulator/index.js';
import { type CliResult, runCli } from './run-cli.js';
import { tempDir, writeFile } from './temp.js';

export interface QuayFixture {
  quay: QuayEmulator;
  /** Superuser `admin` with an all-scope token. */
  adminToken: string;
  dir: string;
  /** Writes a config whose `quay.primary` points at the emulator with the admin token (from env). */
  config(body: string, name?: string): string;
  /** Runs a task with QT_TOKEN = the admin token (override with env). */
  run(task: string, args: string[], env?: Record<string, string>): Promise<CliResult>;
}

/**
 * An emulated Quay with a superuser `admin`. Call it from a suite's `before` and close `fx.quay` in that
 * suite's `after` (node:test runs an `after` registered inside a hook as soon as that hook ends).
 */
export async function quayFixture(options: QuayEmulatorOptions = {}): Promise<QuayFixture> {
  const quay = await startQuayEmulator({ superUsers: ['admin'], ...options });
  const admin = quay.seed.userWithToken('admin');
  const dir = tempDir();
  return {
    quay,
    adminToken: admin.token,
    dir,
    config: (body, name = `config-${Math.random().toString(36).slice(2)}.yaml`) =>
      writeFile(dir, name, `quay:\n  primary: {url: ${quay.url}, token: {env: QT_TOKEN}}\n${body}`),
    run: (task, args, env = {}) => runCli(task, args, { env: { QT_TOKEN: admin.token, ...env } }),
  };
}

export interface JsonReport {
  task: string;
  ok: boolean;
  dryRun: boolean;
  changed: number;
  failed: number;
  items: { ref: string; action: string; detail?: string; error?: string }[];
  error?: string;
}

export function reportOf(result: CliResult): JsonReport {
  return JSON.parse(result.stdout) as JsonReport;
}

export function actions(report: JsonReport): Record<string, string> {
  return Object.fromEntries(report.items.map((i) => [i.ref, i.action]));
}
