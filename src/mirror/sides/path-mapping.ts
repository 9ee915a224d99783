/** How a source repository path is named at a destination: an optional rename, then an optional prefix. */
export interface PathMapping {
  prefix?: string;
  /** Source org (or org/repo) → destination name; the longest matching key wins. */
  rename: Readonly<Record<string, string>>;
}

export function destinationPath(sourcePath: string, mapping: PathMapping | undefined): string {
  if (!mapping) return sourcePath;
  let path = sourcePath;
  const keys = Object.keys(mapping.rename).sort((a, b) => b.length - a.length);
  for (const key of keys) {
    if (path === key || path.startsWith(`${key}/`)) {
      path = `${mapping.rename[key]}${path.slice(key.length)}`;
      break;
    }
  }
  const prefix = mapping.prefix ?? '';
  if (prefix === '') return path;
  return `${prefix.replace(/\/+$/, '')}/${path}`;
}
