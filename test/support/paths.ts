import { fileURLToPath } from 'node:url';

/** Tests run from dist/test/…; the repository root is three levels up from dist/test/support. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The bundled entrypoints (scripts/bundle.mjs), what the image and the package's bins run. */
export const DIST_BIN = fileURLToPath(new URL('../../bin/', import.meta.url));

export function fixture(...parts: string[]): string {
  return `${REPO_ROOT}test/fixtures/${parts.join('/')}`;
}

export function taskScript(name: string): string {
  return `${DIST_BIN}${name}.js`;
}
