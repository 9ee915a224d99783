import { readFileSync } from 'node:fs';
import * as tls from 'node:tls';
import { HttpConfigError } from './errors.js';

export interface TlsSettings {
  /** PEM file with one or more CA certificates, trusted in addition to the default roots. */
  caBundlePath?: string;
  /** Turns off certificate verification. Only for the client's own origin; redirect targets are still verified. */
  insecureSkipTlsVerify?: boolean;
}

/** The `tls.connect` options both verifying and non-verifying connectors share. */
export interface TlsConnectOptions {
  /** Absent when there is nothing to add: Node then uses its defaults (including NODE_EXTRA_CA_CERTS). */
  ca?: string[];
  rejectUnauthorized: boolean;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Reads the CA bundle once and builds the trust list: Node's default roots plus the bundle's certificates. */
export function tlsConnectOptions(settings: TlsSettings): TlsConnectOptions {
  const rejectUnauthorized = settings.insecureSkipTlsVerify !== true;
  if (settings.caBundlePath === undefined) return { rejectUnauthorized };
  return { ca: [...defaultRoots(), ...readCaBundle(settings.caBundlePath)], rejectUnauthorized };
}

export function readCaBundle(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new HttpConfigError(`CA bundle ${path} cannot be read (${code})`, { cause: error });
  }
  const certificates = text.match(PEM_CERTIFICATE) ?? [];
  if (certificates.length === 0) {
    throw new HttpConfigError(`CA bundle ${path} holds no PEM certificate ("-----BEGIN CERTIFICATE-----")`);
  }
  return certificates;
}

/**
 * Passing `ca` to tls.connect replaces Node's trust store, so the defaults are listed explicitly.
 * Node >= 22.15 exposes the effective default store (bundled roots + NODE_EXTRA_CA_CERTS + system CAs when
 * enabled); older Node only the bundled Mozilla roots, so NODE_EXTRA_CA_CERTS is read by hand there.
 */
function defaultRoots(): string[] {
  const withStore = tls as typeof tls & { getCACertificates?: (type?: 'default') => string[] };
  if (typeof withStore.getCACertificates === 'function') return withStore.getCACertificates('default');
  const roots = [...tls.rootCertificates];
  const extra = process.env.NODE_EXTRA_CA_CERTS;
  if (extra) {
    try {
      roots.push(...readCaBundle(extra));
    } catch {
      // Node itself only warns about an unreadable NODE_EXTRA_CA_CERTS; do the same by ignoring it.
    }
  }
  return roots;
}
