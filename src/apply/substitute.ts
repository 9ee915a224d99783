/**
 * `${NAME}` placeholders in manifest text, and the original tool's `<INFRAID>` (the same as
 * `${INFRA_ID}`). `$${` writes a literal `${`. Substitution is strict: an undefined name is an error.
 */
const PLACEHOLDER = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|<INFRAID>/g;

export const INFRA_ID = 'INFRA_ID';

/** The names a text uses. */
export function variablesUsed(text: string): Set<string> {
  const names = new Set<string>();
  for (const match of text.matchAll(PLACEHOLDER)) {
    if (match[0] === '$${') continue;
    names.add(match[1] ?? INFRA_ID);
  }
  return names;
}

/** Replaces every placeholder; throws naming the first undefined variable. */
export function substitute(text: string, values: ReadonlyMap<string, string>): string {
  return text.replace(PLACEHOLDER, (whole, name: string | undefined) => {
    if (whole === '$${') return '${';
    const key = name ?? INFRA_ID;
    const value = values.get(key);
    if (value === undefined) throw new Error(`variable ${key} is not defined`);
    return value;
  });
}
