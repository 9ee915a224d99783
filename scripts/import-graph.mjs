#!/usr/bin/env node
// The import graph of src/ (and tasks/): files, folder-level arrows, circles and arrows that climb.
// `node scripts/import-graph.mjs` prints it; test/project/import-walls.test.ts keeps the walls with it.
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
  ['cluster', 'archive'],
  ['apply', 'mirror', 'quay-init', 'robots', 'proxycache', 'quay-config'],
  ['cli'],
];
export const ENGINES = FLOORS.find((floor) => floor.includes('mirror'));
/**
 * Rooms inside a big room, floors again bottom first (a file directly in the room is a room of its own,
 * named with `.ts`). `engines` never import each other.
 */
export const INNER_FLOORS = {
  mirror: {
    floors: [
      ['shard', 'limits.ts', 'mirror-run.ts'],
      ['sides'],
      ['plan'],
      ['destination', 'outcome', 'engine.ts', 'trigger', 'cluster-resources', 'archives'],
      ['native', 'podman'],
      ['plan-shards.ts', 'check-config.ts', 'request.ts'],
      ['run.ts'],
      ['index.ts'],
    ],
    engines: ['native', 'podman'],
  },
};
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

/** src/mirror/plan/x.ts → "plan"; src/mirror/run.ts → "run.ts" (only for rooms with INNER_FLOORS). */
export function innerRoomOf(file) {
  return file.split('/')[2];
}

function innerBreak(room, file, target) {
  const { floors, engines } = INNER_FLOORS[room];
  const from = innerRoomOf(file);
  const to = innerRoomOf(target);
  if (from === to) return undefined;
  const a = floors.findIndex((floor) => floor.includes(from));
  const b = floors.findIndex((floor) => floor.includes(to));
  const arrow = `${room}/${from} -> ${room}/${to}`;
  if (a === -1 || b === -1) return `${arrow}: a room without a floor`;
  if (b > a) return `${arrow}: climbs from floor ${a} to ${b}`;
  if (a === b && engines.includes(from) && engines.includes(to))
    return `${arrow}: an engine imports another engine`;
  if (a === b) return `${arrow}: same floor`;
  return undefined;
}

/**
 * Arrows between rooms that break the floors: upward, across engines, or into cli/ or tasks/ from below;
 * inside a room with INNER_FLOORS, the same between its inner rooms.
 */
export function wallBreaks(edges) {
  const breaks = [];
  for (const [file, targets] of edges) {
    const from = roomOf(file);
    for (const target of targets) {
      const to = roomOf(target);
      if (from === to) {
        const why = INNER_FLOORS[from] ? innerBreak(from, file, target) : undefined;
        if (why) breaks.push({ file, target, why });
        continue;
      }
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
    const top = roomOf(file);
    const room = INNER_FLOORS[top] ? `${top}/${innerRoomOf(file)}` : top;
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
  const floorText = (room) => {
    const [top, inner] = room.split('/');
    const floor = floorOf(top) ?? '?';
    if (inner === undefined) return `${floor}`;
    return `${floor}.${INNER_FLOORS[top].floors.findIndex((f) => f.includes(inner))}`;
  };
  for (const [room, { files, lines, largest }] of [...summary(edges)].sort(
    (a, b) =>
      floorText(a[0]).localeCompare(floorText(b[0]), 'en', { numeric: true }) || a[0].localeCompare(b[0]),
  ))
    console.log(
      `floor ${floorText(room).padEnd(4)} ${room.padEnd(26)} ${String(files).padStart(3)} files ${String(lines).padStart(6)} lines; largest ${largest[0]} (${largest[1]})`,
    );
  const found = circles(edges);
  console.log(`\ncircles: ${found.length}`);
  for (const circle of found) console.log(`  ${circle.join(' -> ')}`);
  const breaks = wallBreaks(edges);
  console.log(`arrows against the floors: ${breaks.length}`);
  for (const b of breaks) console.log(`  ${b.why}  (${b.file} -> ${b.target})`);
}
