/**
 * The walls of the house (../shared/docs/house.md, src/README.md): imports only point down the floors of
 * scripts/import-graph.mjs, no engine imports another engine or src/cli/, and there is no import circle.
 * `node scripts/import-graph.mjs` prints the same graph with room sizes.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../support/paths.js';
import { tempDir } from '../support/temp.js';

interface WallBreak {
  file: string;
  target: string;
  why: string;
}
interface ImportGraphModule {
  importGraph(root?: string): Map<string, string[]>;
  circles(edges: Map<string, string[]>): string[][];
  wallBreaks(edges: Map<string, string[]>): WallBreak[];
}

const graph = (await import(
  pathToFileURL(join(REPO_ROOT, 'scripts', 'import-graph.mjs')).href
)) as ImportGraphModule;

describe('import walls', () => {
  test('no import circle anywhere in src/ or tasks/', () => {
    const found = graph.circles(graph.importGraph());
    assert.deepEqual(
      found.map((circle) => circle.join(' -> ')),
      [],
    );
  });

  test('imports point down the floors; engines import neither each other nor cli/', () => {
    const breaks = graph.wallBreaks(graph.importGraph()).map((b) => `${b.why} (${b.file} -> ${b.target})`);
    assert.deepEqual(breaks, []);
  });

  test('the checks catch each kind of break in a tree made to break them', () => {
    const root = tempDir('import-walls-');
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    };
    write('src/cli/task.ts', 'export type X = 1;\n');
    write('src/mirror/run.ts', "import type { X } from '../cli/task.js';\nexport const a = 1;\n");
    write('src/apply/run.ts', "import { a } from '../mirror/run.js';\nexport const b = a;\n");
    write('src/config/load.ts', "export { c } from '../quay/client.js';\n");
    write('src/quay/client.ts', 'export const c = 1;\n');
    write('src/robots/one.ts', "import { two } from './two.js';\nexport const one = two;\n");
    write('src/robots/two.ts', "import { one } from './one.js';\nexport const two = one;\n");
    write('tasks/t.ts', "import { b } from '../src/apply/run.js';\nexport const t = b;\n");
    write('src/mirror/native/copy.ts', 'export type N = 1;\n');
    write('src/mirror/podman/copy.ts', "import type { N } from '../native/copy.js';\nexport type P = N;\n");
    write('src/mirror/plan/collect.ts', "import type { P } from '../podman/copy.js';\nexport type C = P;\n");
    const edges = graph.importGraph(root);
    assert.deepEqual(
      graph.circles(edges).map((c) => c.join(' -> ')),
      ['src/robots/one.ts -> src/robots/two.ts -> src/robots/one.ts'],
    );
    assert.deepEqual(
      graph
        .wallBreaks(edges)
        .map((b) => b.why)
        .sort(),
      [
        'apply -> mirror: an engine imports another engine',
        'config -> quay: climbs from floor 1 to 3',
        'mirror -> cli: climbs from floor 5 to 6',
        'mirror/plan -> mirror/podman: climbs from floor 2 to 4',
        'mirror/podman -> mirror/native: an engine imports another engine',
      ],
    );
  });
});
