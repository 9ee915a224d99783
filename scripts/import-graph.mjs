#!/usr/bin/env node
// The import graph of src/ (and tasks/): files, folder-level arrows, circles and arrows that climb.
// `node scripts/import-graph.mjs` prints it; test/unit/import-walls.test.ts keeps the walls with it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Floors of src/, bottom first: a folder may import its own floor's folders only where SAME_FLOOR_ALLOWED
 * says so, and any lower floor. The engines never import each other, cli/ or tasks/. credentials/ (auth.json
 * read and write, and the registry host normalizer its lookup needs) sits below registry/, whose auth takes
 * its credential type.
 */
export const FLOORS = [
  ['version.ts', 'secrets', 'concurrency'],
  ['http', 'config', 'report'],
  ['credentials'],
  ['registry', 'quay'],
  ['cluster'],
  ['apply', 'mirror', 'quay-init', 'robots', 'proxycache'],
  ['cli'],
];
export const ENGINES = FLOORS.find((floor) => floor.includes('mirror'));
/** Same-floor arrows that are part of the design: none today. */
export const SAME_FLOOR_ALLOWED = new Set([]);

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return walk(path);
    return /\.ts$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every relative import (static, `export … from`, dynamic) of every .ts file under src/ and tasks/. */
export function importGraph(root = ROOT) {
  const files = [...walk(join(root, 'src')), ...walk(join(root, 'tasks'))];
  const edges = new Map();
  const pattern = /(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g;
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const targets = new Set();
    for (const match of text.matchAll(pattern)) {
      const target = resolve(dirname(file), match[1]).replace(/\.js$/, '.ts');
      targets.add(relative(root, target));
    }
    edges.set(relative(root, file), [...targets].sort());
  }
  return edges;
}

/** src/mirror/plan/x.ts → "mirror"; src/version.ts → "version.ts"; tasks/x.ts → "tasks". */
export function roomOf(file) {
  const parts = file.split('/');
  if (parts[0] === 'tasks') return 'tasks';
  return parts[1];
}

export function floorOf(room) {
  if (room === 'tasks') return FLOORS.length;
  const index = FLOORS.findIndex((floor) => floor.includes(room));
  return index === -1 ? undefined : index;
}

/** Import circles between files, each as a path that starts and ends at the same file. */
export function circles(edges) {
  const found = [];
  const state = new Map();
  const stack = [];
  const visit = (file) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of edges.get(file) ?? []) {
      if (!edges.has(next)) continue;
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...edges.keys()].sort()) if (!state.has(file)) visit(file);
  return found;
}

/** Arrows between rooms that break the floors: upward, across engines, or into cli/ or tasks/ from below. */
export function wallBreaks(edges) {
  const breaks = [];
  for (const [file, targets] of edges) {
    const from = roomOf(file);
    for (const target of targets) {
      const to = roomOf(target);
      if (from === to) continue;
      const a = floorOf(from);
      const b = floorOf(to);
      const arrow = `${from} -> ${to}`;
      if (a === undefined || b === undefined)
        breaks.push({ file, target, why: `${arrow}: a room without a floor` });
      else if (b > a) breaks.push({ file, target, why: `${arrow}: climbs from floor ${a} to ${b}` });
      else if (a === b && !SAME_FLOOR_ALLOWED.has(arrow))
        breaks.push({
          file,
          target,
          why: ENGINES.includes(from) ? `${arrow}: an engine imports another engine` : `${arrow}: same floor`,
        });
    }
  }
  return breaks;
}

function summary(edges) {
  const rooms = new Map();
  for (const [file] of edges) {
    const room = roomOf(file);
    const lines = readFileSync(join(ROOT, file), 'utf8').split('\n').length;
    const entry = rooms.get(room) ?? { files: 0, lines: 0, largest: ['', 0] };
    entry.files++;
    entry.lines += lines;
    if (lines > entry.largest[1]) entry.largest = [file, lines];
    rooms.set(room, entry);
  }
  return rooms;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const edges = importGraph();
  for (const [room, { files, lines, largest }] of [...summary(edges)].sort(
    (a, b) => (floorOf(a[0]) ?? 99) - (floorOf(b[0]) ?? 99),
  ))
    console.log(
      `floor ${floorOf(room) ?? '?'}  ${room.padEnd(12)} ${String(files).padStart(3)} files ${String(lines).padStart(6)} lines; largest ${largest[0]} (${largest[1]})`,
    );
  const found = circles(edges);
  console.log(`\ncircles: ${found.length}`);
  for (const circle of found) console.log(`  ${circle.join(' -> ')}`);
  const breaks = wallBreaks(edges);
  console.log(`arrows against the floors: ${breaks.length}`);
  for (const b of breaks) console.log(`  ${b.why}  (${b.file} -> ${b.target})`);
}
