import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  compileJsonPath,
  evaluateJsonPath,
  JsonPathError,
  jsonPathText,
} from '../../../../src/cluster/readiness/index.js';

const object = {
  metadata: { name: 'central', annotations: { 'example.com/ready': 'yes', plain: 'p' } },
  status: {
    phase: 'Ready',
    replicas: 3,
    empty: '',
    nothing: null,
    conditions: [
      { type: 'Available', status: 'True', observedGeneration: 2 },
      { type: 'Ready', status: 'False', reason: 'Waiting' },
      { type: 'Degraded', status: 'False' },
    ],
    containerStatuses: [
      { name: 'a', ready: true },
      { name: 'b', ready: false },
    ],
  },
};

test('field access with and without braces and $', () => {
  assert.deepEqual(evaluateJsonPath('{.status.phase}', object), ['Ready']);
  assert.deepEqual(evaluateJsonPath('.status.phase', object), ['Ready']);
  assert.deepEqual(evaluateJsonPath('{$.status.replicas}', object), [3]);
  assert.deepEqual(evaluateJsonPath('{.status.empty}', object), ['']);
  assert.deepEqual(evaluateJsonPath('{.status.nothing}', object), [null]);
});

test('a missing field yields nothing, not undefined', () => {
  assert.deepEqual(evaluateJsonPath('{.status.missing}', object), []);
  assert.deepEqual(evaluateJsonPath('{.status.phase.deeper}', object), []);
  assert.deepEqual(evaluateJsonPath('{.status.conditions[7].type}', object), []);
  assert.deepEqual(evaluateJsonPath('{.status}', {}), []);
});

test('filter by condition type', () => {
  assert.deepEqual(evaluateJsonPath('{.status.conditions[?(@.type=="Ready")].status}', object), ['False']);
  assert.deepEqual(evaluateJsonPath("{.status.conditions[?(@.type == 'Available')].status}", object), [
    'True',
  ]);
  assert.deepEqual(evaluateJsonPath('{.status.conditions[?(@.status!="False")].type}', object), [
    'Available',
  ]);
  assert.deepEqual(evaluateJsonPath('{.status.conditions[?(@.observedGeneration==2)].type}', object), [
    'Available',
  ]);
  assert.deepEqual(evaluateJsonPath('{.status.conditions[?(@.reason)].type}', object), ['Ready']);
  assert.deepEqual(evaluateJsonPath('{.status.conditions[?(@.type=="Missing")].status}', object), []);
  assert.deepEqual(evaluateJsonPath('{.status.containerStatuses[?(@.ready==false)].name}', object), ['b']);
});

test('indexes, negative indexes and wildcards', () => {
  assert.deepEqual(evaluateJsonPath('{.status.conditions[0].type}', object), ['Available']);
  assert.deepEqual(evaluateJsonPath('{.status.conditions[-1].type}', object), ['Degraded']);
  assert.deepEqual(evaluateJsonPath('{.status.conditions[*].type}', object), [
    'Available',
    'Ready',
    'Degraded',
  ]);
  assert.deepEqual(evaluateJsonPath('{.metadata.annotations.*}', object), ['yes', 'p']);
});

test('keys with dots: escaped or bracket-quoted', () => {
  assert.deepEqual(evaluateJsonPath('{.metadata.annotations.example\\.com/ready}', object), ['yes']);
  assert.deepEqual(evaluateJsonPath("{.metadata.annotations['example.com/ready']}", object), ['yes']);
  assert.deepEqual(evaluateJsonPath('{.metadata.annotations["plain"]}', object), ['p']);
});

test('unsupported or malformed expressions throw JsonPathError with the expression', () => {
  for (const bad of [
    '{..status}',
    '{.status.conditions[0:2]}',
    '{.status.conditions[0,1]}',
    '{.status.phase',
    '{.a} {.b}',
    '{.status.conditions[?(@.type=~"R")]}',
    '{.status.conditions[?(@.type==Ready)]}',
    'status.phase',
    '{.status[abc]}',
  ]) {
    assert.throws(() => compileJsonPath(bad), JsonPathError, bad);
  }
  assert.throws(() => compileJsonPath('{..status}'), /recursive descent/);
});

test('compiled once, evaluated many times; results print as kubectl prints them', () => {
  const path = compileJsonPath('{.status.phase}');
  assert.equal(path.source, '{.status.phase}');
  assert.deepEqual(path.evaluate({ status: { phase: 'A' } }), ['A']);
  assert.deepEqual(path.evaluate({ status: { phase: 'B' } }), ['B']);
  assert.deepEqual(['Ready', 3, true, null, { a: 1 }].map(jsonPathText), [
    'Ready',
    '3',
    'true',
    'null',
    '{"a":1}',
  ]);
});
