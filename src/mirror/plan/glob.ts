/** Shell-style patterns for tag, organization and repository names: `*` any run, `?` one character. */
export function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (const char of pattern) {
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else source += char.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** Matches when any pattern matches (an empty list matches nothing). */
export function matchesAny(name: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => globToRegExp(p).test(name));
}

/** Include/exclude selection: included by any include pattern (all when none), and by no exclude pattern. */
export function selectedBy(name: string, include: readonly string[], exclude: readonly string[]): boolean {
  return (include.length === 0 || matchesAny(name, include)) && !matchesAny(name, exclude);
}
