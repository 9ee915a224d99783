/** Shared helpers for the kube-emulator tests: an emulator per test, raw HTTP calls, kubectl runs. */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { Agent, fetch as undiciFetch } from 'undici';
import {
  type KubectlResult,
  type KubeEmulator,
  type KubeEmulatorOptions,
  kubectl,
  type ObjectRef,
  startKubeEmulator,
} from '../support/kube-emulator/index.js';
import { EMULATOR_TLS_CERT } from '../support/kube-emulator/tls-fixture.js';

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

export interface CallOptions {
  /** JSON-encoded unless it is a string. */
  body?: unknown;
  contentType?: string;
  accept?: string;
  /** Default: the emulator's token; null sends none. */
  token?: string | null;
}

export interface Harness {
  kube: KubeEmulator;
  call(method: string, path: string, opts?: CallOptions): Promise<Reply>;
  /** Runs /usr/bin/kubectl with the emulator's kubeconfig. */
  kubectl(args: readonly string[], input?: string): Promise<KubectlResult>;
}

/** An emulator closed when the test ends; the test fails if a handler or hook threw. */
export async function harness(t: TestContext, opts: KubeEmulatorOptions = {}): Promise<Harness> {
  const kube = await startKubeEmulator(opts);
  const agent = new Agent({ connect: { ca: EMULATOR_TLS_CERT } });
  t.after(async () => {
    await kube.close();
    await agent.close();
    assert.deepEqual(kube.internalErrors, [], 'the emulator raised unexpected errors');
  });
  return {
    kube,
    async call(method, path, o = {}) {
      const headers: Record<string, string> = {};
      const token = o.token === undefined ? kube.token : o.token;
      if (token !== null) headers.authorization = `Bearer ${token}`;
      if (o.accept) headers.accept = o.accept;
      let body: string | undefined;
      if (o.body !== undefined) {
        body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
        headers['content-type'] = o.contentType ?? 'application/json';
      }
      const res = await undiciFetch(`${kube.url}${path}`, { method, headers, body, dispatcher: agent });
      const text = await res.text();
      let json: unknown;
      try {
        json = text === '' ? undefined : JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, headers: res.headers as unknown as Headers, text, json };
    },
    kubectl: (args, input) => kubectl(kube, args, { input }),
  };
}

export const SSA = ['apply', '--server-side', '--field-manager=quay-tasks', '-f', '-'];

export function namespaceDoc(name: string): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

export function deploymentDoc(namespace: string, name: string, replicas = 1): string {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }] },
      },
    },
  });
}

export const deploymentRef = (namespace: string, name: string): ObjectRef => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  namespace,
  name,
});

/** The value at a path of plain objects (`at(obj, 'spec', 'replicas')`), undefined when any step is missing. */
export function at(value: unknown, ...path: string[]): unknown {
  let node = value;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** The JSON values of `kubectl get -w -o json` output: pretty-printed objects, one after another. */
export function jsonDocuments(text: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (ch === '}') {
      depth--;
      if (depth === 0) out.push(JSON.parse(text.slice(start, i + 1)));
    }
  }
  return out;
}
