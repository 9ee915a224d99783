/** Small HTTP helpers for the emulator contract tests: plain fetch, no project client code. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { TestContext } from 'node:test';
import {
  type QuayEmulator,
  type QuayEmulatorOptions,
  startQuayEmulator,
} from '../support/quay-emulator/index.js';

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON body; undefined when the body is not JSON. */
  json: unknown;
}

export interface CallOptions {
  token?: string;
  /** `user:password` for a Basic header. */
  basic?: string;
  headers?: Record<string, string>;
  /** Sent as JSON with `Content-Type: application/json` unless `contentType` says otherwise. */
  body?: unknown;
  rawBody?: string | Buffer;
  contentType?: string;
}

/** Starts an emulator that the test closes when it ends; fails the test if any handler threw. */
export async function quayFor(t: TestContext, opts: QuayEmulatorOptions = {}): Promise<QuayEmulator> {
  const quay = await startQuayEmulator(opts);
  t.after(async () => {
    await quay.close();
    assert.deepEqual(quay.internalErrors, [], 'the emulator raised unexpected errors');
  });
  return quay;
}

export function basicHeader(credentials: string): string {
  return `Basic ${Buffer.from(credentials).toString('base64')}`;
}

export async function call(
  quay: QuayEmulator,
  method: string,
  path: string,
  opts: CallOptions = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.basic) headers.authorization = basicHeader(opts.basic);
  let body: string | Buffer | undefined;
  if (opts.rawBody !== undefined) body = opts.rawBody;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined) headers['content-type'] = opts.contentType ?? 'application/json';
  const res = await fetch(`${quay.url}${path}`, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Asserts a shape-A ApiException body (quay-api.md §1.3 A). */
export function assertShapeA(
  quay: QuayEmulator,
  reply: Reply,
  status: number,
  type: string,
  detail?: string,
): void {
  assert.equal(reply.status, status, reply.text);
  const body = reply.json as Record<string, unknown>;
  assert.equal(body.error_type, type);
  assert.equal(body.title, type);
  assert.equal(body.status, status);
  assert.equal(body.type, `${quay.url}/api/v1/error/${type}`);
  if (detail !== undefined) {
    assert.equal(body.detail, detail);
    assert.equal(body.error_message, detail);
  }
}

/** Asserts a registry error body `{"errors":[{code,...}]}` (§11.7). */
export function assertRegistryError(reply: Reply, status: number, code: string): void {
  assert.equal(reply.status, status, reply.text);
  const body = reply.json as { errors: { code: string; message: string; detail: unknown }[] };
  assert.equal(body.errors.length, 1);
  assert.equal(body.errors[0]?.code, code);
  assert.equal(typeof body.errors[0]?.message, 'string');
}

export function sha256(data: string | Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Runs the token flow at `/v2/auth` (§11.1) and returns the JWT. */
export async function registryToken(
  quay: QuayEmulator,
  credentials: string | undefined,
  scopes: string[],
  service = quay.serverHostname,
): Promise<string> {
  const q = new URLSearchParams({ service });
  for (const s of scopes) q.append('scope', s);
  const reply = await call(quay, 'GET', `/v2/auth?${q}`, credentials ? { basic: credentials } : {});
  assert.equal(reply.status, 200, reply.text);
  return (reply.json as { token: string }).token;
}

/** The claims of a registry JWT (payload only; the signature is the emulator's business). */
export function jwtClaims(token: string): {
  aud: string;
  sub: string;
  exp: number;
  iat: number;
  access: { type: string; name: string; actions: string[] }[];
} {
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
}
