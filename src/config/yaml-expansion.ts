/**
 * YAML aliases let a few hundred bytes stand for billions of values ("billion laughs"): js-yaml shares
 * the aliased object, so parsing is cheap, but everything that walks the result afterwards (merging,
 * validation, substitution, printing) pays for every copy. This counts the values a document stands
 * for, each shared object once (memoised by identity), and refuses one whose aliases multiply it.
 */
const ALWAYS_ALLOWED = 100_000;
const MAX_RATIO = 10;

export function aliasExpansionProblem(document: unknown): string | undefined {
  const expandedSize = new Map<object, number>();
  let distinct = 0;
  const sizeOf = (value: unknown): number => {
    if (value === null || typeof value !== 'object') return 1;
    const known = expandedSize.get(value);
    if (known !== undefined) return known;
    distinct++;
    expandedSize.set(value, 1); // a cycle (an alias inside its own anchor) counts once
    let size = 1;
    for (const child of Object.values(value)) size += sizeOf(child);
    expandedSize.set(value, size);
    return size;
  };
  const expanded = sizeOf(document);
  if (expanded > ALWAYS_ALLOWED && expanded > MAX_RATIO * Math.max(distinct, 1))
    return `its aliases (*name) expand it to ${expanded.toExponential(1)} values from ${distinct} written; expected a document without an alias bomb`;
  return undefined;
}
