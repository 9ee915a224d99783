import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { copyImages } from './copy-images.js';
import { type Emulators, startEmulators } from './emulators.js';
import { countOnQuay } from './quay-counts.js';

/**
 * `npm run demo`: two emulated Quay instances and an upstream registry on loopback, then the real
 * entrypoints against them: quay-init, create-robots and proxycache, the same again (no change), a
 * mirror plan, and what a config mistake looks like. No external service is contacted. The emulators
 * run as a service of their own (emulators.ts): the demo reaches them over HTTP only, as it would a
 * real Quay.
 */
const TASKS_DIR = fileURLToPath(new URL('../bin/', import.meta.url));
/** Pushed to east before the first mirror run, from the upstream registry (where the emulator has them). */
const IMAGES: { repository: string; tags: string[]; index?: boolean }[] = [
  { repository: 'team-alpha/web', tags: ['1.4.2', 'latest'] },
  { repository: 'team-alpha/api', tags: ['2.0'], index: true },
  { repository: 'team-beta/tools', tags: ['1'] },
];
const bold = (text: string) => (process.stdout.isTTY ? `\u001b[1m${text}\u001b[0m` : text);

interface Step {
  title: string;
  task: string;
  args: string[];
  expectExit?: number;
  /** Work done before the step (pushing images to the source). */
  before?: () => Promise<void>;
}

async function run(step: Step, env: NodeJS.ProcessEnv): Promise<{ ok: boolean; stdout: string }> {
  await step.before?.();
  process.stdout.write(`\n${bold(`▶ ${step.title}`)}\n  $ ${step.task} ${step.args.join(' ')}\n`);
  const result = await execa('node', [join(TASKS_DIR, `${step.task}.js`), ...step.args], {
    env,
    reject: false,
    stderr: 'inherit',
  });
  const expected = step.expectExit ?? 0;
  process.stdout.write(
    `  → exit ${result.exitCode}${result.exitCode === expected ? '' : ` (expected ${expected})`}\n`,
  );
  return { ok: result.exitCode === expected, stdout: String(result.stdout) };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'quay-tasks-demo-'));
  let emulators: Emulators<'east' | 'west' | 'upstream'> | undefined;
  try {
    emulators = await startEmulators({
      east: {
        features: { userInitialize: true, proxyCache: true },
        superUsers: ['quayadmin'],
        ssrfAllowedHosts: ['127.0.0.1'],
      },
      west: { superUsers: ['admin'], users: [{ username: 'admin' }] },
      // The images the demo pushes to east once quay-init has made their organizations.
      upstream: {
        repositories: IMAGES.map(({ repository, tags, index }) => ({
          path: repository,
          tags,
          ...(index ? { platforms: [{ architecture: 'amd64' }, { architecture: 'arm64' }] } : {}),
          public: true,
        })),
      },
    });
    const { east, west, upstream } = emulators.instances;
    const westToken = west.tokens.admin ?? '';
    process.stdout.write(
      `Emulated Quay instances: east ${east.url} (empty), west ${west.url}, upstream registry ${upstream.url}\n`,
    );

    const tokenFile = join(dir, 'east-token');
    const base = join(dir, 'quay-tasks.yaml');
    const withToken = join(dir, 'east-token.yaml');
    writeFileSync(
      base,
      `quay:
  east: {url: ${east.url}}
  west: {url: ${west.url}, token: {env: DEMO_WEST_TOKEN}}
quay-init:
  instance: east
  initialUser: {username: quayadmin, password: {env: DEMO_ADMIN_PASSWORD}, email: admin@example.com}
  tokenOutput: {file: ${tokenFile}}
  adminOrganization: admin-org
  organizations: [{name: team-alpha}, {name: team-beta}]
create-robots:
  instance: east
  robots:
    - {name: deployer, organization: team-alpha, description: Pulls for prod, authFile: ${join(dir, 'auth.json')}}
    - {name: builder, organization: team-beta}
proxycache:
  instance: east
  caches: [{organization: cache-upstream, upstreamRegistry: "${upstream.host}", insecure: true}]
mirror-repos:
  source: east
  destinations: [west]
  discovery: {enabled: true, organizations: {include: ['team-*']}}
`,
    );
    // A second file adds the token the first quay-init run hands on: later files override earlier ones.
    writeFileSync(withToken, `quay:\n  east: {token: {file: ${tokenFile}}}\n`);
    const broken = join(dir, 'broken.yaml');
    writeFileSync(
      broken,
      'quay:\n  east: {url: quay-east.example.com, tokn: abc}\nmirror-repos:\n  concurrency: eight\n',
    );

    const env = { ...process.env, DEMO_ADMIN_PASSWORD: 'demo-admin-password', DEMO_WEST_TOKEN: westToken };
    const both = ['--config', base, '--config', withToken];
    const steps: Step[] = [
      {
        title: 'quay-init: first user (token handed on to a file), organizations',
        task: 'quay-init',
        args: ['--config', base],
      },
      { title: 'create-robots: robots with an auth.json', task: 'create-robots', args: both },
      { title: 'proxycache: validated against the upstream, then created', task: 'proxycache', args: both },
      { title: 'quay-init again: no change', task: 'quay-init', args: both },
      { title: 'create-robots again: no change', task: 'create-robots', args: both },
      { title: 'proxycache again: no change', task: 'proxycache', args: both },
      {
        title: 'mirror-repos: every team-* repository of east to west (discovery), multi-arch included',
        task: 'mirror-repos',
        args: both,
        before: async () => {
          process.stdout.write(
            '\n(images pushed to east: team-alpha/web 1.4.2 and latest, team-alpha/api 2.0 as a two-platform index, team-beta/tools 1)\n',
          );
          const credentials = { username: '$oauthtoken', password: readFileSync(tokenFile, 'utf8').trim() };
          await copyImages(upstream, { url: east.url, credentials }, IMAGES);
        },
      },
      { title: 'mirror-repos again: no change, no blob moved', task: 'mirror-repos', args: both },
      {
        title: 'a config with mistakes: every problem at once, exit 2, nothing contacted',
        task: 'mirror-repos',
        args: ['--config', broken],
        expectExit: 2,
      },
    ];
    const failures: string[] = [];
    for (const step of steps) {
      const { ok } = await run(step, env);
      if (!ok) failures.push(step.title);
    }
    const json = await run(
      {
        title: 'the JSON report machines read',
        task: 'create-robots',
        args: [...both, '--output', 'json', '--log-level', 'error'],
      },
      env,
    );
    process.stdout.write(`${json.stdout}\n`);
    if (failures.length === 0) {
      const [onEast, onWest] = await Promise.all([
        countOnQuay(east.url, readFileSync(tokenFile, 'utf8').trim()),
        countOnQuay(west.url, westToken),
      ]);
      process.stdout.write(
        `\nDemo finished: Quay east has ${onEast.organizations} organizations and ${onEast.robots} robots, west has ${onWest.repositories} mirrored repositories; the second runs changed nothing.\n`,
      );
    } else {
      process.stdout.write(`\nDemo FAILED: ${failures.join('; ')}\n`);
    }
    process.exitCode = failures.length === 0 ? 0 : 1;
  } finally {
    await emulators?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
