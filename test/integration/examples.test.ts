import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { execa } from 'execa';
import { load } from 'js-yaml';
import { REPO_ROOT, taskScript } from '../support/paths.js';
import { runCli } from '../support/run-cli.js';
import { tempDir, writeFile } from '../support/temp.js';

const EXAMPLES = join(REPO_ROOT, 'examples');
const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml'));

test('there are examples to check', () => {
  assert.ok(files.length >= 3);
});

test('quay-tasks --print-schema validates every example config', async () => {
  const printed = await execa('node', [taskScript('quay-tasks'), '--print-schema']);
  const schema = JSON.parse(String(printed.stdout)) as object;
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
  for (const file of files) {
    const doc = load(readFileSync(join(EXAMPLES, file), 'utf8'));
    assert.ok(validate(doc), `${file}: ${JSON.stringify(validate.errors)}`);
  }
  // The schema rejects what the loader rejects: an unknown key and a wrong type.
  assert.equal(validate({ 'mirror-repo': {} }), false);
  assert.equal(validate({ 'mirror-repos': { concurrency: 'eight' } }), false);
});

test("each task's --print-schema accepts every example too (other sections pass unchecked)", async () => {
  for (const task of ['apply-ordered', 'quay-init', 'create-robots', 'proxycache', 'mirror-repos']) {
    const printed = await runCli(task, ['--print-schema']);
    const validate = new Ajv2020({ strict: false }).compile(JSON.parse(printed.stdout) as object);
    for (const file of files) {
      assert.ok(
        validate(load(readFileSync(join(EXAMPLES, file), 'utf8'))),
        `${task} schema, ${file}: ${JSON.stringify(validate.errors)}`,
      );
    }
  }
});

test('every example passes the loader of every task that has a section in it (--validate-config)', async () => {
  const env = {
    QUAY_WEST_TOKEN: 'west-token',
    QUAY_WEST_PASSWORD: 'west-password',
    QUAY_ADMIN_PASSWORD: 'admin-password',
    DOCKERHUB_USER: 'hubuser',
    DOCKERHUB_TOKEN: 'hub-token',
    QUAY_HUB_TOKEN: 'hub-api-token',
    QUAY_HUB_ROBOT_TOKEN: 'hub-robot-token',
    QUAY_SITE_A_TOKEN: 'site-a-token',
    QUAY_TOKEN: 'quay-token',
  };
  const dir = tempDir();
  for (const file of files) {
    // Secrets by {file} point into Tekton workspaces: give them files under a temporary /workspace.
    const text = readFileSync(join(EXAMPLES, file), 'utf8').replaceAll('/workspace/', `${dir}/workspace/`);
    for (const match of text.matchAll(/\{\s*file:\s*(\/[^}\s]+)\s*\}/g)) {
      const path = match[1] ?? '';
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, 'secret-from-a-workspace-file\n');
    }
    const config = writeFile(dir, file, text);
    const doc = load(text) as Record<string, unknown>;
    const tasks = ['apply-ordered', 'quay-init', 'create-robots', 'proxycache', 'mirror-repos'].filter(
      (t) => t in doc,
    );
    assert.ok(tasks.length > 0, `${file} has a task section`);
    for (const task of tasks) {
      const result = await runCli(task, ['--config', config, '--validate-config'], { env });
      assert.equal(result.exitCode, 0, `${task} on ${file}: ${result.stderr}`);
    }
  }
});
