/**
 * The push trigger end to end, on loopback: mirror-repos' full run (the quay-mirror Pipeline's plan task)
 * registers a repo_push webhook on every source repository it selects; a push to the source makes the Quay
 * emulator POST Quay's repo_push payload to that URL; an EventListener stand-in hands the request to the
 * EventListener, TriggerBinding and TriggerTemplate of tekton/ evaluated as Triggers does (tekton-triggers.ts);
 * the PipelineRun it produces runs the quay-mirror Pipeline as Tekton would (tekton-pipeline.ts), and exactly
 * the pushed tag lands at the destination. A repository created later is registered by the next full run.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RegistryClient } from '../../src/registry/index.js';
import { startServer, type TestServer } from '../support/http-servers.js';
import { type MirrorQuay, quayTags, startMirrorQuay } from '../support/mirror-fixture.js';
import { imageOf, layer } from '../support/mirror-images.js';
import { pushImage } from '../support/registry-images.js';
import { resourcesOfKind, type TektonResource, workspace } from '../support/tekton.js';
import {
  type PipelineRunBinding,
  type PipelineRunOutcome,
  pipelineNamed,
  runPipelineAsTekton,
} from '../support/tekton-pipeline.js';
import { handleEvent, type IncomingRequest } from '../support/tekton-triggers.js';

const PIPELINE = pipelineNamed('quay-mirror');
const only = (kind: string): TektonResource => {
  const all = resourcesOfKind(kind);
  assert.equal(all.length, 1, `one ${kind} in tekton/`);
  return (all[0] as [string, TektonResource])[1];
};
const EVENT_LISTENER = only('EventListener');
const TRIGGERS = [EVENT_LISTENER, only('TriggerBinding'), only('TriggerTemplate')];
const WEBHOOK_TOKEN = '7c1e0b9a5d3f4e2a8b6c0d1e2f3a4b5c';

interface PipelineRunDoc {
  spec: { params?: { name: string; value: string | string[] }[] };
}

/** Service el-quay: records what Quay POSTs, answers 202 as an EventListener does. */
async function startEventListener(): Promise<{
  server: TestServer;
  url: string;
  received: IncomingRequest[];
}> {
  const received: IncomingRequest[] = [];
  // Quay refuses webhooks to localhost and 127.0.0.1 (notificationmethod.py HOSTNAME_BLACKLIST): 127.0.0.2
  // is loopback too.
  const server = await startServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const header: Record<string, string[]> = {};
      for (const [name, value] of Object.entries(request.headersDistinct)) if (value) header[name] = value;
      received.push({ requestURI: request.url ?? '/', header, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(202, { 'content-type': 'application/json' }).end('{}');
    });
  }, '127.0.0.2');
  return { server, url: server.origin, received };
}

describe('push → Quay notification → Tekton trigger → mirror of that tag', () => {
  let src: MirrorQuay;
  let dst: MirrorQuay;
  let el: Awaited<ReturnType<typeof startEventListener>>;
  let config: string;
  const configText = (exclude: string[]) =>
    `quay:\n  src: {url: ${src.quay.url}, token: {file: ${credentials}/src}}\n` +
    `  dst: {url: ${dst.quay.url}, token: {file: ${credentials}/dst}}\n` +
    'mirror-repos:\n  source: src\n  destinations: [dst]\n' +
    `  discovery: {enabled: true, organizations: {include: [push]}, repositories: {exclude: [${exclude.join(', ')}]}}\n` +
    `  pushTrigger: {url: ${el.url}, token: {file: ${credentials}/webhook-token}}\n`;
  let credentials: string;
  let pusher: RegistryClient;

  const binding = (params: Record<string, string | string[]> = {}): PipelineRunBinding => ({
    params,
    workspaces: { config, 'quay-credentials': credentials },
  });
  const fullSync = () => runPipelineAsTekton(PIPELINE, binding());
  const notificationsOf = (path: string) =>
    (src.quay.state.getRepo('push', path)?.notifications ?? []).map((n) => ({
      event: n.event,
      method: n.method,
      title: n.title,
      url: String(n.config.url),
    }));
  const outputs = (run: PipelineRunOutcome) =>
    Object.values(run.tasks)
      .flatMap((t) => t.runs)
      .map((r) => `${r.args.join(' ')}\n${r.stderr}\n${JSON.stringify(r.results)}`)
      .join('\n');

  /** What Triggers makes of one delivered request: the PipelineRun's params, run as Tekton would. */
  async function trigger(request: IncomingRequest): Promise<PipelineRunOutcome> {
    const [outcome] = handleEvent(EVENT_LISTENER, TRIGGERS, request, {
      'quay-webhook': { token: WEBHOOK_TOKEN },
    });
    assert.ok(outcome?.accepted, JSON.stringify(outcome));
    const [run] = outcome.resources as PipelineRunDoc[];
    const params = Object.fromEntries((run?.spec.params ?? []).map((p) => [p.name, p.value]));
    return runPipelineAsTekton(PIPELINE, binding(params));
  }

  async function push(path: string, tag: string): Promise<string> {
    const image = imageOf(`${path}:${tag}`, [layer(`${path}:${tag}`)]);
    await pushImage(pusher, path, image, tag);
    return image.digest;
  }

  before(async () => {
    [src, dst] = await Promise.all([startMirrorQuay(), startMirrorQuay()]);
    el = await startEventListener();
    credentials = workspace({ src: src.token, dst: dst.token, 'webhook-token': WEBHOOK_TOKEN });
    config = workspace({ 'quay-tasks.yaml': configText(['scratch']) });
    src.quay.seed.org('push', { owner: 'admin' });
    dst.quay.seed.org('push', { owner: 'admin' });
    pusher = new RegistryClient({
      registry: src.quay.host,
      scheme: 'http',
      credentials: { username: '$oauthtoken', password: src.token },
    });
    await push('push/web', 'v1');
    await push('push/scratch', 'v1');
  });
  after(async () => {
    await pusher?.close();
    await el?.server.close();
    await Promise.all([src?.quay.close(), dst?.quay.close()]);
    assert.deepEqual([...(src?.quay.internalErrors ?? []), ...(dst?.quay.internalErrors ?? [])], []);
  });

  test('the full sync registers the webhook on the selected repository only, with the token masked', async () => {
    const run = await fullSync();
    assert.equal(run.status, 'Succeeded');
    assert.deepEqual(notificationsOf('web'), [
      {
        event: 'repo_push',
        method: 'webhook',
        title: 'quay-tasks mirror',
        url: `${el.url}/?token=${WEBHOOK_TOKEN}`,
      },
    ]);
    assert.deepEqual(notificationsOf('scratch'), [], 'not selected: no webhook');
    assert.ok(!outputs(run).includes(WEBHOOK_TOKEN), 'the token is in no log, report or result');
    await src.quay.notifications.settle();
    el.received.length = 0;
  });

  test('a push reaches the EventListener; its PipelineRun mirrors exactly that tag', async () => {
    const digest = await push('push/web', 'v2');
    await src.quay.notifications.settle();
    assert.equal(el.received.length, 1, 'one notification per push');
    const body = JSON.parse(el.received[0]?.body ?? '{}') as Record<string, unknown>;
    assert.equal(body.repository, 'push/web');
    assert.deepEqual(body.updated_tags, ['v2']);
    const run = await trigger(el.received[0] as IncomingRequest);
    assert.equal(run.status, 'Succeeded');
    assert.equal(run.results.copied, '1');
    assert.equal(quayTags(dst.quay, 'push/web').v2, digest);
    el.received.length = 0;
  });

  test('a repository created after the first sync: no webhook until the next full sync registers it', async () => {
    await push('push/api', 'v1');
    await src.quay.notifications.settle();
    assert.equal(el.received.length, 0, 'push/api has no notification yet');
    const sync = await fullSync();
    assert.equal(sync.status, 'Succeeded');
    assert.equal(notificationsOf('api').length, 1);
    assert.equal(notificationsOf('web').length, 1, 'web keeps exactly one');
    await src.quay.notifications.settle();
    el.received.length = 0;

    const digest = await push('push/api', 'v2');
    await src.quay.notifications.settle();
    assert.equal(el.received.length, 1);
    const run = await trigger(el.received[0] as IncomingRequest);
    assert.equal(run.status, 'Succeeded');
    assert.equal(quayTags(dst.quay, 'push/api').v2, digest);
  });

  test('a repository that leaves the selection loses the webhook (exclusive); the others keep theirs', async () => {
    writeFileSync(join(config, 'quay-tasks.yaml'), configText(['scratch', 'api']));
    const sync = await fullSync();
    assert.equal(sync.status, 'Succeeded');
    const plan = sync.tasks.plan?.runs[0];
    assert.match(plan?.stderr ?? '', /push-trigger\/push\/api: removed: no longer selected/);
    assert.deepEqual(notificationsOf('api'), []);
    assert.equal(notificationsOf('web').length, 1);
    assert.ok(!outputs(sync).includes(WEBHOOK_TOKEN));
    await src.quay.notifications.settle();
    el.received.length = 0;
    await push('push/api', 'v3');
    assert.deepEqual(
      await src.quay.notifications.settle(),
      [],
      'no delivery for a repository no longer mirrored',
    );
  });
});
