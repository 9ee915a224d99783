import { fileURLToPath } from 'node:url';

/** Tests run from dist/test/…; the repository root is three levels up from dist/test/support. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const DIST_TASKS = fileURLToPath(new URL('../../tasks/', import.meta.url));

export function fixture(...parts: string[]): string {
  return `${REPO_ROOT}test/fixtures/${parts.join('/')}`;
}

export function taskScript(name: string): string {
  return `${DIST_TASKS}${name}.js`;
}
