/**
 * serve.js, the emulators as an outside service (what the demo starts): a bad spec stops it with a message
 * naming the problem, a good one gets one JSON line with working URLs and tokens, and the end of stdin or a
 * SIGTERM stops it.
 */
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import test from 'node:test';
import { fileURLToPath } from 'node:url';

const SERVE = fileURLToPath(new URL('../support/quay-emulator/serve.js', import.meta.url));

interface ServeLine {
  instances: Record<string, { url: string; host: string; tokens: Record<string, string> }>;
}

function startServe(args: string[] = []): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, [SERVE, ...args], { stdio: 'pipe' });
  child.stderr.setEncoding('utf8');
  return child;
}

/** Exit code and stderr once the child has ended. */
async function ended(
  child: ChildProcessWithoutNullStreams,
): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stderr };
}

async function firstLine(child: ChildProcessWithoutNullStreams): Promise<ServeLine> {
  const [line] = (await once(createInterface({ input: child.stdout }), 'line', {
    signal: AbortSignal.timeout(20_000),
  })) as [string];
  return JSON.parse(line) as ServeLine;
}

test('serve: a bad spec exits 2 naming each problem with its path, and starts nothing', async () => {
  const child = startServe();
  const done = ended(child);
  child.stdin.end(
    `${JSON.stringify({ instances: { east: { features: { proxyCach: true }, users: [{ name: 'admin' }] } } })}\n`,
  );
  const { code, stderr } = await done;
  assert.equal(code, 2, stderr);
  assert.match(stderr, /^quay-emulator serve: bad spec: stdin: /);
  assert.match(stderr, /instances\.east\.features: Unrecognized key: "proxyCach"/);
  assert.match(stderr, /instances\.east\.users\[0\]: Unrecognized key: "name"/);
});

test('serve: no spec at all (stdin closed, no file) and an unreadable file exit 2 saying so', async () => {
  const noSpec = startServe();
  const noSpecDone = ended(noSpec);
  noSpec.stdin.end();
  const first = await noSpecDone;
  assert.equal(first.code, 2);
  assert.match(first.stderr, /bad spec: stdin closed before a spec line came/);

  const missing = startServe(['/nonexistent/spec.json']);
  const missingDone = ended(missing);
  const second = await missingDone;
  assert.equal(second.code, 2);
  assert.match(second.stderr, /bad spec: \/nonexistent\/spec\.json: cannot read it \(ENOENT\)/);
});

test('serve: prints one line with each URL and token, serves the seeded content, stops when stdin closes', async () => {
  const child = startServe();
  const done = ended(child);
  try {
    child.stdin.write(
      `${JSON.stringify({
        instances: {
          west: { superUsers: ['admin'], users: [{ username: 'admin' }] },
          upstream: {
            repositories: [
              { path: 'team-alpha/web', tags: ['1.4.2', 'latest'], public: true },
              { path: 'team-alpha/api', tags: ['2.0'], platforms: [{ architecture: 'amd64' }], public: true },
            ],
          },
        },
      })}\n`,
    );
    const { instances } = await firstLine(child);
    assert.deepEqual(Object.keys(instances).sort(), ['upstream', 'west']);
    const west = instances.west!;
    const upstream = instances.upstream!;
    assert.match(west.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(west.url, `http://${west.host}`);
    assert.deepEqual(upstream.tokens, {});

    const me = await fetch(`${west.url}/api/v1/user/`, {
      headers: { authorization: `Bearer ${west.tokens.admin}` },
    });
    assert.equal(me.status, 200);
    const user = (await me.json()) as { username: string; super_user: boolean };
    assert.deepEqual([user.username, user.super_user], ['admin', true]);

    const auth = await fetch(
      `${upstream.url}/v2/auth?service=${upstream.host}&scope=repository:team-alpha/api:pull&scope=repository:team-alpha/web:pull`,
    );
    const { token } = (await auth.json()) as { token: string };
    const headers = { authorization: `Bearer ${token}` };
    const tags = await fetch(`${upstream.url}/v2/team-alpha/web/tags/list`, { headers });
    assert.deepEqual(((await tags.json()) as { tags: string[] }).tags.sort(), ['1.4.2', 'latest']);
    const index = await fetch(`${upstream.url}/v2/team-alpha/api/manifests/2.0`, {
      headers: { ...headers, accept: 'application/vnd.docker.distribution.manifest.list.v2+json' },
    });
    assert.equal(index.status, 200);
    assert.equal(((await index.json()) as { manifests: unknown[] }).manifests.length, 1);

    child.stdin.end();
    const { code, stderr } = await done;
    assert.equal(code, 0, stderr);
    await assert.rejects(fetch(`${west.url}/v2/`), 'west is closed');
  } finally {
    child.kill('SIGKILL');
  }
});

test('serve: a spec file, and SIGTERM stops it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'quay-serve-'));
  const spec = join(dir, 'spec.json');
  writeFileSync(
    spec,
    JSON.stringify({ instances: { east: { features: { userInitialize: true } } } }, null, 2),
  );
  const child = startServe([spec]);
  const done = ended(child);
  try {
    const { instances } = await firstLine(child);
    const ping = await fetch(`${instances.east!.url}/v2/`);
    assert.equal(ping.status, 401);
    await ping.arrayBuffer();
    child.kill('SIGTERM');
    const { code, stderr } = await done;
    assert.equal(code, 0, stderr);
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
