import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type CustomReadinessRule,
  checkCustomRules,
  evaluateReadiness,
  FAILED_WHEN_ANNOTATION,
  parseClauses,
  READY_WHEN_ANNOTATION,
  ReadyWhenSyntaxError,
  ruleFor,
} from '../../../../src/cluster/readiness/index.js';
import { applyOrderedSchema } from '../../../../src/config/sections/apply-ordered.js';
import {
  customResource,
  emptyStatusCustomResource,
  freshCustomResource,
  syncedCustomResource,
} from '../../../fixtures/readiness/custom.js';
import { quayRegistryAvailable } from '../../../fixtures/readiness/quay.js';

const synced: CustomReadinessRule = { kind: 'Widget', condition: { type: 'Synced', status: 'True' } };

function annotated(annotations: Record<string, string>, status: Record<string, unknown> | undefined) {
  return customResource(status, { annotations });
}

test('rules parsed by the apply-ordered config schema are used as they are (status defaults to True)', () => {
  const config = applyOrderedSchema.parse({
    rules: [{ apiVersion: 'example.com/v1', kind: 'Widget', condition: { type: 'Synced' } }],
  });
  const verdict = evaluateReadiness(syncedCustomResource, { customRules: config.rules });
  assert.deepEqual([verdict.state, verdict.reason], ['ready', 'condition Synced=True']);
});

test('config condition rule decides instead of the generic Ready condition', () => {
  assert.equal(evaluateReadiness(syncedCustomResource).state, 'progressing', 'generic: Ready=False');
  const verdict = evaluateReadiness(syncedCustomResource, { customRules: [synced] });
  assert.deepEqual([verdict.state, verdict.reason], ['ready', 'condition Synced=True']);
});

test('config rules match kind and API group, not version; others are ignored', () => {
  const otherVersion = { ...synced, apiVersion: 'example.com/v1beta2' };
  assert.equal(evaluateReadiness(syncedCustomResource, { customRules: [otherVersion] }).state, 'ready');
  const otherGroup = { ...synced, apiVersion: 'other.io/v1' };
  assert.equal(evaluateReadiness(syncedCustomResource, { customRules: [otherGroup] }).state, 'progressing');
  const otherKind = { ...synced, kind: 'Gadget' };
  assert.equal(evaluateReadiness(syncedCustomResource, { customRules: [otherKind] }).state, 'progressing');
});

test('config jsonPath + value; several matching rules must all hold', () => {
  const running: CustomReadinessRule = { kind: 'Widget', jsonPath: '{.status.phase}', value: 'Running' };
  assert.equal(evaluateReadiness(syncedCustomResource, { customRules: [running] }).state, 'ready');
  const installed: CustomReadinessRule = { kind: 'Widget', jsonPath: '{.status.phase}', value: 'Installed' };
  const verdict = evaluateReadiness(syncedCustomResource, { customRules: [synced, installed] });
  assert.deepEqual(
    [verdict.state, verdict.reason],
    ['progressing', 'waiting for {.status.phase}=Installed (now Running)'],
  );
});

test('config rules override a built-in rule (QuayRegistry here)', () => {
  const custom: CustomReadinessRule = {
    apiVersion: 'quay.redhat.com/v1',
    kind: 'QuayRegistry',
    jsonPath: '{.status.currentVersion}',
    value: '3.13.0',
  };
  assert.equal(evaluateReadiness(quayRegistryAvailable).state, 'ready');
  assert.equal(evaluateReadiness(quayRegistryAvailable, { customRules: [custom] }).state, 'progressing');
});

test('a custom rule on a fresh object with no status is NOT ready ("all of none" is not true)', () => {
  const rules: CustomReadinessRule[] = [
    { kind: 'Widget', jsonPath: '{.status.conditions[*].status}', value: 'True' },
    { kind: 'Widget', jsonPath: '{.status.endpoint}' },
  ];
  for (const rule of rules) {
    for (const object of [freshCustomResource, emptyStatusCustomResource]) {
      assert.equal(evaluateReadiness(object, { customRules: [rule] }).state, 'progressing');
    }
  }
  const emptyConditions = customResource({ conditions: [] });
  assert.equal(evaluateReadiness(emptyConditions, { customRules: [rules[0]!] }).state, 'progressing');
});

test('jsonPath without value: present and not empty', () => {
  const rule: CustomReadinessRule = { kind: 'Widget', jsonPath: '{.status.endpoint}' };
  assert.equal(
    evaluateReadiness(customResource({ endpoint: '' }), { customRules: [rule] }).state,
    'progressing',
  );
  assert.equal(
    evaluateReadiness(customResource({ endpoint: null }), { customRules: [rule] }).state,
    'progressing',
  );
  assert.equal(
    evaluateReadiness(customResource({ endpoint: 'https://x' }), { customRules: [rule] }).state,
    'ready',
  );
});

test('a custom rule waits while the controller has not observed the new generation', () => {
  const stale = customResource(
    { observedGeneration: 1, conditions: [{ type: 'Synced', status: 'True' }] },
    { generation: 2 },
  );
  assert.equal(evaluateReadiness(stale, { customRules: [synced] }).state, 'progressing');
});

test('a bad JSONPath in the config gives a rule that fails terminally, and checkCustomRules reports it', () => {
  const bad: CustomReadinessRule = { kind: 'Widget', jsonPath: '{..phase}', value: 'Ready' };
  const rule = ruleFor(syncedCustomResource, [bad]);
  assert.match(rule.describe, /^invalid rule: config rule for Widget: JSONPath/);
  const verdict = rule.evaluate(syncedCustomResource, {});
  assert.deepEqual([verdict.state, verdict.terminal], ['failed', true]);
  assert.deepEqual(checkCustomRules([synced, bad, { kind: 'Empty' }]), [
    'rules[1] (Widget): JSONPath "{..phase}": recursive descent ".." is not supported at "..phase"',
    'rules[2] (Empty): set condition or jsonPath',
  ]);
});

test(`annotation ${READY_WHEN_ANNOTATION}: condition, jsonpath, exists; it beats the config`, () => {
  const byCondition = annotated(
    { [READY_WHEN_ANNOTATION]: 'condition=Synced' },
    syncedCustomResource.status as never,
  );
  assert.equal(
    evaluateReadiness(byCondition, { customRules: [{ kind: 'Widget', jsonPath: '{.x}', value: 'y' }] }).state,
    'ready',
  );
  const byPath = annotated(
    {
      [READY_WHEN_ANNOTATION]:
        'jsonpath={.status.conditions[?(@.type=="Synced")].status}=True; condition=Ready=false',
    },
    syncedCustomResource.status as never,
  );
  const verdict = evaluateReadiness(byPath);
  assert.equal(verdict.state, 'ready', verdict.reason);
  const exists = annotated({ [READY_WHEN_ANNOTATION]: 'exists' }, undefined);
  assert.deepEqual([evaluateReadiness(exists).state, evaluateReadiness(exists).reason], ['ready', 'exists']);
});

test('annotation: kubectl-style shell quoting of the braces is accepted', () => {
  const quoted = annotated(
    { [READY_WHEN_ANNOTATION]: "jsonpath='{.status.phase}'=Running" },
    { phase: 'Running' },
  );
  assert.equal(evaluateReadiness(quoted).state, 'ready');
  const notYet = annotated(
    { [READY_WHEN_ANNOTATION]: "jsonpath='{.status.phase}'=Running" },
    { phase: 'Pending' },
  );
  assert.deepEqual(
    [evaluateReadiness(notYet).state, evaluateReadiness(notYet).reason],
    ['progressing', 'waiting for {.status.phase}=Running (now Pending)'],
  );
});

test(`annotation ${FAILED_WHEN_ANNOTATION}: any clause fails (with grace), alone or with ready-when`, () => {
  const alone = annotated(
    { [FAILED_WHEN_ANNOTATION]: 'jsonpath={.status.phase}=Error; condition=Failed' },
    { phase: 'Error', conditions: [{ type: 'Ready', status: 'True' }] },
  );
  const verdict = evaluateReadiness(alone);
  assert.deepEqual([verdict.state, verdict.terminal], ['failed', false]);
  assert.equal(verdict.reason, `${FAILED_WHEN_ANNOTATION}: {.status.phase}=Error (Error)`);
  const healthy = annotated(
    { [FAILED_WHEN_ANNOTATION]: 'condition=Failed' },
    { conditions: [{ type: 'Ready', status: 'True' }] },
  );
  assert.equal(evaluateReadiness(healthy).state, 'ready', 'falls back to the generic rule');
  const both = annotated(
    { [READY_WHEN_ANNOTATION]: 'condition=Synced', [FAILED_WHEN_ANNOTATION]: 'condition=Failed' },
    {
      conditions: [
        { type: 'Synced', status: 'True' },
        { type: 'Failed', status: 'True' },
      ],
    },
  );
  assert.equal(evaluateReadiness(both).state, 'failed');
});

test('annotation: invalid syntax makes a rule that fails terminally, naming the annotation', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ [READY_WHEN_ANNOTATION]: 'ready' }, /annotation quay-tasks\.io\/ready-when: "ready": expected exists/],
    [{ [READY_WHEN_ANNOTATION]: 'condition=Ready=Maybe' }, /condition=TYPE=True\|False\|Unknown/],
    [{ [READY_WHEN_ANNOTATION]: 'jsonpath=.status.phase' }, /expected jsonpath=\{PATH\}/],
    [{ [READY_WHEN_ANNOTATION]: 'jsonpath={..x}' }, /recursive descent/],
    [{ [READY_WHEN_ANNOTATION]: ' ; ' }, /no clause given/],
    [
      { [FAILED_WHEN_ANNOTATION]: 'exists' },
      /annotation quay-tasks\.io\/failed-when: "exists" cannot be a failure clause/,
    ],
  ];
  for (const [annotations, expected] of cases) {
    const verdict = evaluateReadiness(annotated(annotations, { phase: 'Ready' }));
    assert.equal(verdict.state, 'failed');
    assert.equal(verdict.terminal, true);
    assert.match(verdict.reason, expected);
  }
});

test('parseClauses: separators inside braces and quotes do not split clauses', () => {
  const clauses = parseClauses('jsonpath={.status.conditions[?(@.message=="a;b")].status}=True ; exists', {
    allowExists: true,
  });
  assert.equal(clauses.length, 2);
  assert.throws(() => parseClauses('jsonpath={.a}x', { allowExists: true }), ReadyWhenSyntaxError);
});
