import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

/**
 * `npm run demo`: runs the built entrypoints on an embedded config, with no external service.
 * Until the Quay client and emulator land, every task plans (--dry-run); the demo also shows what a
 * config mistake looks like and the JSON report machines read.
 */
const TASKS_DIR = fileURLToPath(new URL('../tasks/', import.meta.url));

const CONFIG = `# The embedded demo config: two Quay sites, one file for every task.
quay:
  east:
    url: https://quay-east.example.com
    token: {env: DEMO_EAST_TOKEN}
  west:
    url: https://quay-west.example.com
    token: {env: DEMO_WEST_TOKEN}
quay-init:
  instance: east
  initialUser: {username: quayadmin, password: {env: DEMO_ADMIN_PASSWORD}, email: admin@example.com}
  organizations: [{name: team-alpha}, {name: team-beta}, {name: legacy, state: absent}]
create-robots:
  instance: east
  robots:
    - {name: deployer, organization: team-alpha, permissions: [{repository: web, role: read}]}
proxycache:
  instance: east
  caches: [{organization: cache-dockerhub, upstreamRegistry: docker.io}]
mirror-repos:
  source: east
  destinations: [west]
  repositories: [team-alpha/web:1.4.2, team-alpha/api]
  discovery: {enabled: true, organizations: {include: ['team-*']}}
`;

const BROKEN = `quay:
  east: {url: quay-east.example.com, tokn: abc}
mirror-repos:
  concurrency: eight
`;

const env = {
  ...process.env,
  DEMO_EAST_TOKEN: 'demo-east-token-0000000000000000000000',
  DEMO_WEST_TOKEN: 'demo-west-token-0000000000000000000000',
  DEMO_ADMIN_PASSWORD: 'demo-admin-password',
};

async function step(
  title: string,
  task: string,
  args: string[],
): Promise<{ exitCode: number; stdout: string }> {
  process.stdout.write(`\n\u001b[1m▶ ${title}\u001b[0m\n  $ ${task} ${args.join(' ')}\n`);
  const result = await execa('node', [join(TASKS_DIR, `${task}.js`), ...args], {
    env,
    reject: false,
    stderr: 'inherit',
  });
  process.stdout.write(`  → exit ${result.exitCode}\n`);
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout) };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'quay-tasks-demo-'));
  try {
    const config = join(dir, 'quay-tasks.yaml');
    const broken = join(dir, 'broken.yaml');
    writeFileSync(config, CONFIG);
    writeFileSync(broken, BROKEN);
    const failures: string[] = [];
    for (const task of ['quay-init', 'create-robots', 'proxycache', 'mirror-repos']) {
      const { exitCode } = await step(`${task}: plan from the shared config`, task, [
        '--config',
        config,
        '--dry-run',
      ]);
      if (exitCode !== 0) failures.push(task);
    }
    const bad = await step(
      'a config with mistakes: every problem at once, exit 2, nothing contacted',
      'mirror-repos',
      ['--config', broken],
    );
    if (bad.exitCode !== 2) failures.push('broken config');
    const json = await step('the JSON report machines read', 'mirror-repos', [
      '--config',
      config,
      '--dry-run',
      '--output',
      'json',
      '--log-level',
      'error',
    ]);
    process.stdout.write(`${json.stdout}\n`);
    process.stdout.write(
      failures.length === 0
        ? '\nDemo finished: every task planned from one config; secrets stayed masked.\n'
        : `\nDemo FAILED: ${failures.join(', ')}\n`,
    );
    process.exitCode = failures.length === 0 ? 0 : 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
