/** Wire formats Quay's Python side produces: JSON spacing, dates, avatars, random ids (quay-api.md §0). */
import { createHash, randomBytes, randomUUID } from 'node:crypto';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

function pyString(value: string): string {
  // Python's json.dumps uses ensure_ascii=True: every non-ASCII code unit becomes \uXXXX.
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** `json.dumps(value)` with Python's default separators (`", "`, `": "`), as Flask-RESTful writes. */
export function pyJson(value: JsonValue | undefined): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return pyString(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `[${value.map((v) => pyJson(v)).join(', ')}]`;
  const parts: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    parts.push(`${pyString(k)}: ${pyJson(v)}`);
  }
  return `{${parts.join(', ')}}`;
}

/** Python truthiness of a decoded JSON value (used for `access_token` in §2). */
export function pyTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/** `util/parsing.py::truthy_bool` for query strings (§0). */
export function truthyQuery(value: string | null): boolean {
  if (value === null) return false;
  return !['false', 'False', 'FALSE', '0', '', 'null'].includes(value);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `email.utils.formatdate(ts, localtime=False)`, e.g. `Fri, 21 Aug 2026 16:02:54 -0000` (§0). */
export function rfc2822(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number): string => String(n).padStart(2, '0');
  return (
    `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} -0000`
  );
}

/** ISO `YYYY-MM-DDTHH:MM:SSZ`, used by the org-token API (§1.6). */
export function isoSeconds(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19)}Z`;
}

export type AvatarKind = 'user' | 'robot' | 'org' | 'team';

export interface Avatar {
  [key: string]: JsonValue;
  name: string;
  hash: string;
  color: string;
  kind: AvatarKind;
}

const AVATAR_COLORS = [
  '#969696',
  '#aec7e8',
  '#ff7f0e',
  '#ffbb78',
  '#2ca02c',
  '#98df8a',
  '#d62728',
  '#1f77b4',
];

/** Avatar object used everywhere (§0): hash is sha256 hex of email-or-name. */
export function avatar(name: string, kind: AvatarKind, email?: string | null): Avatar {
  const hash = createHash('sha256')
    .update(email || name)
    .digest('hex');
  const color = AVATAR_COLORS[Number.parseInt(hash.slice(0, 8), 16) % AVATAR_COLORS.length] ?? '#969696';
  return { name, hash, color, kind };
}

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** `random_string_generator`: `[A-Z0-9]` of the given length (40 for OAuth tokens, 64 for robots; §1.1, §5.1). */
export function randomUpperAlnum(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += UPPER_ALNUM[b % UPPER_ALNUM.length];
  return out;
}

export function uuid(): string {
  return randomUUID();
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
