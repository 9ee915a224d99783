import { randomBytes } from 'node:crypto';

/**
 * The one redaction layer: every log line, error message, report and result passes through a Redactor.
 * A value registered here (it came from a secret field) is replaced by `***` where it appears as a value,
 * also in the encodings it commonly travels in (base64, as in a dockerconfigjson `auth`, and URL-encoding).
 *
 * Masking touches values, never the structure of a message. Two rules make that so:
 *
 * 1. Text of our own making — key paths, flag names, task names, the wording of a message — is marked
 *    with `verbatim()` or written with the `message` template tag (its literal parts are wording, its
 *    interpolations are values). `redact()` leaves marked spans as they are and removes the marks; it
 *    masks only the unmarked text: interpolated values and text from outside (a server's reply, a
 *    program's stderr). The marks carry a per-process random nonce, so outside text cannot forge them.
 * 2. In unmarked text, a secret that is a plain word (letters only, or digits only: `password`, `quay`,
 *    `true`) is masked only where it stands as a whole token, not where it is part of a longer name
 *    (`quay-init`, `quay.primary.password`, `primary_quay_password`, `quayadmin`). Any other secret
 *    (mixed letters, digits, signs — every generated token) is masked wherever it occurs, even glued to
 *    other characters: such a value never collides with a word, and a partial match would be a leak.
 *
 * JSON keys are structure: `redactDeep` masks the string values of a document, not its keys.
 */
export const MASK = '***';

/** Values shorter than this are not masked: masking "a" or "ok" would shred every line. */
const MIN_SECRET_LENGTH = 4;

const NONCE = randomBytes(6).toString('hex');
const OPEN = `\u{E000}${NONCE}\u{E001}`;
const CLOSE = `\u{E001}${NONCE}\u{E000}`;

/** Marks text of our own making (wording, a key path, a flag name): `redact()` keeps it as it is. */
export function verbatim(text: string): string {
  const bare = plain(text);
  return bare === '' ? '' : `${OPEN}${bare}${CLOSE}`;
}

/**
 * A message whose literal parts are our wording (kept) and whose interpolations are values (masked where
 * they hold a secret). An interpolation that is itself marked (a `verbatim` key path, a nested `message`)
 * keeps its marks.
 */
export function message(strings: TemplateStringsArray, ...values: readonly unknown[]): string {
  let out = verbatim(strings[0] ?? '');
  for (const [i, value] of values.entries()) out += String(value) + verbatim(strings[i + 1] ?? '');
  return out;
}

/** The text without its marks, for an exception's `message` and anything not printed through a Redactor. */
export function plain(text: string): string {
  if (!text.includes(NONCE)) return text;
  return text.split(OPEN).join('').split(CLOSE).join('');
}

export type SecretListener = (value: string) => void;

interface Pattern {
  value: string;
  /** Masked only as a whole token (a plain-word secret). */
  wholeToken: boolean;
}

export class Redactor {
  readonly #values = new Set<string>();
  readonly #listeners: SecretListener[] = [];
  #ordered: Pattern[] = [];

  /** Registers a secret value (and its common encodings). Returns the value for chaining. */
  add(value: string): string {
    for (const variant of variantsOf(value)) {
      if (variant.length < MIN_SECRET_LENGTH || this.#values.has(variant)) continue;
      this.#values.add(variant);
      for (const listener of this.#listeners) listener(variant);
    }
    // Longest first, so a secret that contains another is masked whole.
    this.#ordered = [...this.#values]
      .sort((a, b) => b.length - a.length)
      .map((v) => ({ value: v, wholeToken: isPlainWord(v) }));
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

  /** Masks the secrets in the unmarked parts of `text` and returns it without marks. */
  redact(text: string): string {
    if (!text.includes(NONCE)) return this.#mask(text);
    let out = '';
    let rest = text;
    while (rest !== '') {
      const open = rest.indexOf(OPEN);
      if (open < 0) {
        out += this.#mask(plain(rest));
        break;
      }
      out += this.#mask(plain(rest.slice(0, open)));
      const body = rest.slice(open + OPEN.length);
      const close = body.indexOf(CLOSE);
      if (close < 0) {
        // An unbalanced mark (a cut-off text): what follows is treated as a value.
        out += this.#mask(plain(body));
        break;
      }
      out += body.slice(0, close);
      rest = body.slice(close + CLOSE.length);
    }
    return out;
  }

  /** Redacts every string value inside a JSON-like value, returning a copy; keys are structure and stay. */
  redactDeep<T>(value: T): T {
    return this.#deep(value) as T;
  }

  #deep(value: unknown): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (Array.isArray(value)) return value.map((v) => this.#deep(v));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[plain(k)] = this.#deep(v);
      return out;
    }
    return value;
  }

  #mask(text: string): string {
    let out = text;
    for (const pattern of this.#ordered) {
      if (!out.includes(pattern.value)) continue;
      out = pattern.wholeToken ? maskWholeTokens(out, pattern.value) : out.split(pattern.value).join(MASK);
    }
    return out;
  }
}

/** Letters only or digits only: a value that can also be a word of a name or of a sentence. */
function isPlainWord(value: string): boolean {
  return /^[A-Za-z]+$/.test(value) || /^[0-9]+$/.test(value);
}

const WORD = /[A-Za-z0-9_]/;
/** Characters that join words into one name: `quay-init`, `quay.primary.password`. */
const JOINER = /[-.]/;

function isWord(char: string | undefined): boolean {
  return char !== undefined && WORD.test(char);
}

/** Masks the occurrences of `value` that stand alone, not those inside a longer name. */
function maskWholeTokens(text: string, value: string): string {
  let out = '';
  let from = 0;
  for (let at = text.indexOf(value); at >= 0; at = text.indexOf(value, at + 1)) {
    if (at < from) continue;
    const end = at + value.length;
    const before = text[at - 1];
    const after = text[end];
    const gluedBefore =
      isWord(before) || (before !== undefined && JOINER.test(before) && isWord(text[at - 2]));
    const gluedAfter = isWord(after) || (after !== undefined && JOINER.test(after) && isWord(text[end + 1]));
    if (gluedBefore || gluedAfter) continue;
    out += text.slice(from, at) + MASK;
    from = end;
  }
  return out + text.slice(from);
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
