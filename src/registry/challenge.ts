/**
 * `WWW-Authenticate` challenges (RFC 9110 §11.6.1) and registry token scopes (distribution "Token
 * Authentication Specification", "Token Scope Documentation"). Pure parsing, no I/O.
 */

export interface AuthChallengeParams {
  /** Lower-case scheme: `bearer`, `basic`, ... */
  scheme: string;
  /** Parameters with lower-case names (`realm`, `service`, `scope`, `error`). */
  params: Record<string, string>;
}

const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;

/**
 * Every challenge in one or more `WWW-Authenticate` values, e.g.
 * `Bearer realm="https://q/v2/auth",service="q",scope="repository:a/b:pull"`. A token68 form
 * (`Negotiate abc==`) is skipped: registries do not use it.
 */
export function parseWwwAuthenticate(values: string | readonly string[] | undefined): AuthChallengeParams[] {
  if (values === undefined) return [];
  const list = typeof values === 'string' ? [values] : values;
  return list.flatMap((value) => parseOne(value));
}

function parseOne(text: string): AuthChallengeParams[] {
  const out: AuthChallengeParams[] = [];
  let pos = 0;
  const skip = (chars: RegExp) => {
    while (pos < text.length && chars.test(text.charAt(pos))) pos += 1;
  };
  const token = (): string | undefined => {
    TOKEN.lastIndex = pos;
    const match = TOKEN.exec(text);
    if (!match) return undefined;
    pos = TOKEN.lastIndex;
    return match[0];
  };
  const quoted = (): string => {
    pos += 1; // opening quote
    let value = '';
    while (pos < text.length && text.charAt(pos) !== '"') {
      if (text.charAt(pos) === '\\' && pos + 1 < text.length) pos += 1;
      value += text.charAt(pos);
      pos += 1;
    }
    pos += 1; // closing quote
    return value;
  };

  while (pos < text.length) {
    skip(/[\s,]/);
    const scheme = token();
    if (scheme === undefined) {
      pos += 1;
      continue;
    }
    const challenge: AuthChallengeParams = { scheme: scheme.toLowerCase(), params: {} };
    out.push(challenge);
    for (;;) {
      skip(/\s/);
      const start = pos;
      const name = token();
      skip(/\s/);
      if (name === undefined || text.charAt(pos) !== '=') {
        pos = start; // a new scheme (or token68): the next round of the outer loop reads it
        break;
      }
      pos += 1;
      skip(/\s/);
      const value = text.charAt(pos) === '"' ? quoted() : (token() ?? '');
      challenge.params[name.toLowerCase()] = value;
      skip(/\s/);
      if (text.charAt(pos) !== ',') break;
      pos += 1;
    }
  }
  return out;
}

/** One scope `type:name:actions`; the name may hold colons (`repository:host:5000/a/b:pull`). */
export interface Scope {
  type: string;
  name: string;
  actions: string[];
}

export function parseScope(scope: string): Scope | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first <= 0 || last === first) return undefined;
  const actions = scope
    .slice(last + 1)
    .split(',')
    .filter((action) => action !== '');
  return { type: scope.slice(0, first), name: scope.slice(first + 1, last), actions };
}

/** `repository:<name>:<actions>` for a repository operation. */
export function repositoryScope(repository: string, actions: readonly ('pull' | 'push' | 'delete' | '*')[]) {
  return `repository:${repository}:${actions.join(',')}`;
}

/**
 * Merges scope lists (each may be a space-separated `scope` parameter) into one canonical, sorted list with
 * the actions of each resource united, so that equal needs give equal token cache keys.
 */
export function mergeScopes(...lists: readonly (string | undefined)[][]): string[] {
  const byResource = new Map<string, Set<string>>();
  const opaque = new Set<string>();
  for (const list of lists) {
    for (const entry of list) {
      for (const scope of (entry ?? '').split(' ')) {
        if (scope === '') continue;
        const parsed = parseScope(scope);
        if (!parsed) {
          opaque.add(scope);
          continue;
        }
        const key = `${parsed.type}:${parsed.name}`;
        const actions = byResource.get(key) ?? new Set<string>();
        for (const action of parsed.actions) actions.add(action);
        byResource.set(key, actions);
      }
    }
  }
  const merged = [...byResource].map(([resource, actions]) => `${resource}:${[...actions].sort().join(',')}`);
  return [...merged, ...opaque].sort();
}

/** Whether a token asked for with `have` was asked for everything in `want` (same resources, more actions). */
export function scopesCover(have: readonly string[], want: readonly string[]): boolean {
  return want.every((wanted) => {
    const w = parseScope(wanted);
    if (!w) return have.includes(wanted);
    return have.some((held) => {
      const h = parseScope(held);
      if (!h || h.type !== w.type || h.name !== w.name) return false;
      return h.actions.includes('*') || w.actions.every((action) => h.actions.includes(action));
    });
  });
}
