/**
 * The one redaction layer: every log line, error message, report and result passes through a Redactor.
 * A value registered here (it came from a secret field) is replaced by `***` wherever it appears,
 * also in the encodings it commonly travels in (base64, as in a dockerconfigjson `auth`, and URL-encoding).
 */
export const MASK = '***';

/** Values shorter than this are not masked: masking "a" or "ok" would shred every line. */
const MIN_SECRET_LENGTH = 4;

export type SecretListener = (value: string) => void;

export class Redactor {
  readonly #values = new Set<string>();
  readonly #listeners: SecretListener[] = [];
  #ordered: string[] = [];

  /** Registers a secret value (and its common encodings). Returns the value for chaining. */
  add(value: string): string {
    for (const variant of variantsOf(value)) {
      if (variant.length < MIN_SECRET_LENGTH || this.#values.has(variant)) continue;
      this.#values.add(variant);
      for (const listener of this.#listeners) listener(variant);
    }
    // Longest first, so a secret that contains another is masked whole.
    this.#ordered = [...this.#values].sort((a, b) => b.length - a.length);
    return value;
  }

  /** Called for every value registered from now on, and at once for those registered before. */
  onAdd(listener: SecretListener): void {
    this.#listeners.push(listener);
    for (const value of this.#values) listener(value);
  }

  get size(): number {
    return this.#values.size;
  }

  redact(text: string): string {
    let out = text;
    for (const value of this.#ordered) {
      if (out.includes(value)) out = out.split(value).join(MASK);
    }
    return out;
  }

  /** Redacts every string inside a JSON-like value (keys included), returning a copy. */
  redactDeep<T>(value: T): T {
    return this.#deep(value) as T;
  }

  #deep(value: unknown): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (Array.isArray(value)) return value.map((v) => this.#deep(v));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[this.redact(k)] = this.#deep(v);
      return out;
    }
    return value;
  }
}

function variantsOf(value: string): string[] {
  const trimmed = value.trim();
  const variants = new Set([value, trimmed]);
  if (trimmed.length >= MIN_SECRET_LENGTH) {
    variants.add(encodeURIComponent(trimmed));
    variants.add(Buffer.from(trimmed).toString('base64').replace(/=+$/, ''));
  }
  return [...variants];
}
