// biome-ignore-all lint/suspicious/noTemplateCurlyInString: manifest text uses ${VAR} placeholders
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readManifestFiles } from '../../../src/apply/manifest-files.js';
import { INFRA_ID, substitute, variablesUsed } from '../../../src/apply/substitute.js';
import { buildWaves } from '../../../src/apply/waves.js';
import { fixture } from '../../support/paths.js';
import { tempDir, writeFile } from '../../support/temp.js';

test("the original ODF + Quay folder: waves in string order of the prefix, so every ODF file comes before Quay's", () => {
  const { files, issues } = readManifestFiles(fixture('original', 'samples', 'odf_quay_manifests'));
  assert.deepEqual(issues, []);
  const used = new Set(files.flatMap((f) => [...variablesUsed(f.text)]));
  assert.deepEqual([...used], [INFRA_ID], 'the MachineSet uses <INFRAID>');
  const { waves, issues: waveIssues } = buildWaves(files, new Map([[INFRA_ID, 'mycluster-x7k2p']]));
  assert.deepEqual(waveIssues, []);
  assert.deepEqual(
    waves.map((w) => w.prefix),
    ['0001', '0002', '0003', '0004', '0006', '0007', '001', '002', '003'],
  );
  assert.deepEqual(waves.find((w) => w.prefix === '0003')?.files, ['0003-odf_og.yaml', '0003-odf_sub.yaml']);
  assert.deepEqual(
    waves.find((w) => w.prefix === '002')?.documents.map((d) => `${d.object.kind}/${d.object.metadata.name}`),
    ['OperatorGroup/quay-operator-group', 'Subscription/quay-operator'],
  );
  const machineSet = waves[0]?.documents[0]?.object as unknown as {
    spec: { selector: { matchLabels: Record<string, string> } };
  };
  assert.equal(
    machineSet.spec.selector.matchLabels['machine.openshift.io/cluster-api-cluster'],
    'mycluster-x7k2p',
  );
});

test('multi-document files, ${VAR} and <INFRAID> substitution, $${ as a literal', () => {
  assert.equal(
    substitute(
      'a: ${X}\nb: <INFRAID>\nc: $${X}',
      new Map([
        ['X', '1'],
        [INFRA_ID, 'id'],
      ]),
    ),
    'a: 1\nb: id\nc: ${X}',
  );
  assert.throws(() => substitute('a: ${MISSING}', new Map()), /variable MISSING is not defined/);
  const dir = tempDir();
  writeFile(
    dir,
    '01-multi.yaml',
    'apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n---\n',
  );
  const { files } = readManifestFiles(dir);
  const { waves } = buildWaves(files, new Map());
  assert.deepEqual(
    waves[0]?.documents.map((d) => [d.object.metadata.name, d.index]),
    [
      ['a', 0],
      ['b', 1],
    ],
  );
});

test('every problem at once, each naming the file (and document): no prefix, invalid YAML, missing fields, undefined variable', () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'sub'));
  writeFile(dir, 'README.md', 'not a manifest');
  writeFile(dir, 'operator.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n');
  writeFile(dir, '01-bad.yaml', 'a: [1\n');
  writeFile(
    dir,
    '02-nokind.yaml',
    'apiVersion: v1\nkind: Namespace\nmetadata: {name: ok}\n---\napiVersion: v1\nmetadata: {name: y}\n',
  );
  writeFile(dir, '03-var.yaml', 'apiVersion: v1\nkind: Namespace\nmetadata: {name: ${NS_NAME}}\n');
  const read = readManifestFiles(dir);
  const built = buildWaves(read.files, new Map());
  const all = [...read.issues, ...built.issues].map(
    (i) => `${i.file?.split('/').pop()} ${i.path}: ${i.message}`,
  );
  assert.deepEqual(all.sort(), [
    '01-bad.yaml : invalid YAML at line 2: deficient indentation',
    '02-nokind.yaml document 1: missing kind',
    '03-var.yaml : variable NS_NAME is not defined',
    'operator.yaml : operator.yaml has no numeric prefix, so its wave is unknown',
  ]);
});
