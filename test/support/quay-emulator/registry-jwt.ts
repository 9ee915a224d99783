/**
 * Registry bearer tokens (quay-api.md §11.1). Same claims as Quay's (`iss`, `aud` = the requested `service`,
 * `nbf`, `iat`, `exp` = +3600 s, `sub`, `access`, `context`), signed with a per-instance key.
 * Simplification: ES256 instead of RS256 (an RSA key costs ~300 ms per start); clients do not verify it.
 */
import { generateKeyPairSync, type KeyObject, randomUUID, sign, verify } from 'node:crypto';
import type { Clock } from './clock.js';

export const REGISTRY_TOKEN_LIFETIME_S = 3600;

export interface RegistryAccess {
  type: 'repository';
  name: string;
  actions: string[];
}

export interface RegistryTokenContext {
  kind: 'user' | 'robot' | 'oauth' | 'anonymous';
  user: string | null;
}

export interface RegistryClaims {
  iss: string;
  aud: string;
  nbf: number;
  iat: number;
  exp: number;
  sub: string;
  jti: string;
  access: RegistryAccess[];
  context: RegistryTokenContext;
}

export type VerifyResult = { ok: true; claims: RegistryClaims } | { ok: false; reason: string };

const ISSUER = 'quay';

function b64json(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export class RegistryJwt {
  readonly #privateKey: KeyObject;
  readonly #publicKey: KeyObject;

  constructor(private readonly clock: Clock) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.#privateKey = privateKey;
    this.#publicKey = publicKey;
  }

  issue(aud: string, sub: string, access: RegistryAccess[], context: RegistryTokenContext): string {
    const now = this.clock.nowSeconds();
    const claims: RegistryClaims = {
      iss: ISSUER,
      aud,
      nbf: now,
      iat: now,
      exp: now + REGISTRY_TOKEN_LIFETIME_S,
      sub,
      jti: randomUUID(),
      access,
      context,
    };
    const signingInput = `${b64json({ typ: 'JWT', alg: 'ES256' })}.${b64json(claims)}`;
    const signature = sign('sha256', Buffer.from(signingInput), {
      key: this.#privateKey,
      dsaEncoding: 'ieee-p1363',
    });
    return `${signingInput}.${signature.toString('base64url')}`;
  }

  verify(token: string, audience: string): VerifyResult {
    const parts = token.split('.');
    if (parts.length !== 3) return { ok: false, reason: 'Invalid bearer token: not a JWT' };
    const [header = '', payload = '', signature = ''] = parts;
    const valid = verify(
      'sha256',
      Buffer.from(`${header}.${payload}`),
      { key: this.#publicKey, dsaEncoding: 'ieee-p1363' },
      Buffer.from(signature, 'base64url'),
    );
    if (!valid) return { ok: false, reason: 'Invalid bearer token: Signature verification failed' };
    let claims: RegistryClaims;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as RegistryClaims;
    } catch {
      return { ok: false, reason: 'Invalid bearer token: malformed payload' };
    }
    const now = this.clock.nowSeconds();
    if (claims.aud !== audience) return { ok: false, reason: 'Invalid bearer token: Invalid audience' };
    if (claims.iss !== ISSUER) return { ok: false, reason: 'Invalid bearer token: Invalid issuer' };
    if (now >= claims.exp) return { ok: false, reason: 'Invalid bearer token: Signature has expired' };
    if (now < claims.nbf)
      return { ok: false, reason: 'Invalid bearer token: The token is not yet valid (nbf)' };
    return { ok: true, claims };
  }
}

/** True when `token` has the three base64url parts of a JWT with a decodable header. */
export function looksLikeJwt(token: string): boolean {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[0]) return false;
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as unknown;
    return typeof header === 'object' && header !== null;
  } catch {
    return false;
  }
}
