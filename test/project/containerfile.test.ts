/**
 * Static checks of the Containerfile (the build itself and the image's behaviour are checked by .ci/image
 * with buildah): the defaults are the real images, pinned; the base and oc images are replaceable; the image
 * runs as a numeric non-root USER; every package.json bin is on PATH; the build context stays small.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { REPO_ROOT } from '../support/paths.js';

const TEXT = readFileSync(`${REPO_ROOT}Containerfile`, 'utf8');
/** Instructions with their continuation lines joined, comments dropped. */
const INSTRUCTIONS = TEXT.replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
/** `${NAME}` as the Containerfile writes a build argument's use. */
const use = (name: string) => `$${'{'}${name}}`;
const argDefault = (name: string) =>
  INSTRUCTIONS.find((l) => l.startsWith(`ARG ${name}=`))?.slice(`ARG ${name}=`.length);

test('base and oc images are build arguments defaulting to the real images, tagged, never latest', () => {
  assert.match(argDefault('BUILDER_IMAGE') ?? '', /^registry\.access\.redhat\.com\/ubi9\/nodejs-22:[\w.-]+$/);
  assert.match(argDefault('RUNTIME_IMAGE') ?? '', /^registry\.access\.redhat\.com\/ubi9\/nodejs-22-minimal:/);
  assert.match(argDefault('OC_IMAGE') ?? '', /^quay\.io\/openshift\/origin-cli:4\.\d+$/);
  for (const name of ['BUILDER_IMAGE', 'RUNTIME_IMAGE', 'OC_IMAGE'])
    assert.doesNotMatch(argDefault(name) ?? '', /:latest$/);
  const froms = INSTRUCTIONS.filter((l) => l.startsWith('FROM '));
  assert.deepEqual(froms, [
    `FROM ${use('OC_IMAGE')} AS oc`,
    `FROM ${use('BUILDER_IMAGE')} AS build`,
    `FROM ${use('RUNTIME_IMAGE')}`,
  ]);
});

test('oc goes to /usr/bin/oc with kubectl beside it, smoke-tested while building', () => {
  assert.ok(INSTRUCTIONS.includes('COPY --from=oc /usr/bin/oc /usr/bin/oc'));
  assert.ok(INSTRUCTIONS.some((l) => /ln -sf oc \/usr\/bin\/kubectl && oc version --client/.test(l)));
});

test('the runtime runs as a numeric non-root USER with an exec-form ENTRYPOINT and HOME set', () => {
  const runtime = INSTRUCTIONS.slice(INSTRUCTIONS.lastIndexOf(`FROM ${use('RUNTIME_IMAGE')}`));
  const users = runtime.filter((l) => l.startsWith('USER '));
  assert.equal(users.at(-1), 'USER 1001');
  assert.ok(runtime.indexOf('USER 1001') > runtime.findLastIndex((l) => l.startsWith('RUN ')));
  assert.ok(runtime.includes('ENTRYPOINT ["/usr/local/bin/quay-tasks"]'));
  assert.ok(runtime.some((l) => l.startsWith('ENV HOME=')));
  // Nothing in the application tree is writable by the group the arbitrary UID runs in.
  assert.ok(runtime.some((l) => l.includes('chmod -R u=rwX,go=rX /opt/quay-tasks')));
});

test('every package.json bin is linked onto PATH', () => {
  const bins = Object.keys(
    (JSON.parse(readFileSync(`${REPO_ROOT}package.json`, 'utf8')) as { bin: Record<string, string> }).bin,
  );
  const loop = /for task in ([\w -]+); do/.exec(TEXT)?.[1]?.trim().split(/\s+/);
  assert.deepEqual(loop?.sort(), bins.sort());
});

test('labels for OpenShift and OCI', () => {
  for (const label of [
    'io.k8s.display-name',
    'io.k8s.description',
    'io.openshift.tags',
    'org.opencontainers.image.source',
    'org.opencontainers.image.version',
    'org.opencontainers.image.revision',
    'org.opencontainers.image.licenses',
  ])
    assert.match(TEXT, new RegExp(`\\b${label.replace(/\./g, '\\.')}=`), label);
});

test('.containerignore keeps everything out but what the build copies', () => {
  const lines = readFileSync(`${REPO_ROOT}.containerignore`, 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'));
  assert.equal(lines[0], '*');
  const copied = INSTRUCTIONS.filter((l) => l.startsWith('COPY --chown=1001:0 ')).flatMap((l) =>
    l.split(/\s+/).slice(2, -1),
  );
  assert.deepEqual(
    lines
      .slice(1)
      .map((l) => l.replace(/^!/, '').replace(/\/$/, ''))
      .sort(),
    [...new Set(copied)].sort(),
  );
});
