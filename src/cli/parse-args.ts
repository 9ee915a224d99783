import minimist from 'minimist';
import { UsageError } from './errors.js';
import type { FlagSpec, FlagValue, FlagValues } from './flags.js';

export interface ParsedArgs {
  flags: FlagValues;
  positionals: string[];
}

/**
 * Parses argv against the task's flags. Unknown flags and bad values are usage errors naming the flag.
 * Under GitHub Actions, `INPUT_<NAME>` variables (hyphens kept, upper-cased) fill flags not given on argv.
 */
export function parseArgs(
  argv: readonly string[],
  specs: readonly FlagSpec[],
  env: NodeJS.ProcessEnv = {},
): ParsedArgs {
  const byName = new Map<string, FlagSpec>();
  for (const spec of specs) {
    byName.set(spec.name, spec);
    for (const alias of spec.aliases ?? []) byName.set(alias, spec);
  }
  const unknown: string[] = [];
  const alias: Record<string, string[]> = {};
  for (const spec of specs) if (spec.aliases?.length) alias[spec.name] = [...spec.aliases];
  const parsed = minimist([...argv], {
    boolean: specs.filter((s) => s.type === 'boolean').map((s) => s.name),
    string: specs.filter((s) => s.type !== 'boolean').map((s) => s.name),
    // minimist fills a flag and its aliases alike, repeated values in argv order.
    alias,
    // A flag value that starts with '-' would be read as a flag; `--flag=value` is the way for those.
    unknown: (arg) => {
      if (arg.startsWith('-')) unknown.push(arg.replace(/=.*$/, ''));
      return !arg.startsWith('-');
    },
    '--': true,
  });
  if (unknown.length > 0) {
    throw new UsageError(`unknown flag ${unknown.join(', ')} (see --help)`);
  }

  const flags: Record<string, FlagValue | undefined> = {};
  const givenOnArgv = new Set<string>();
  for (const spec of specs) {
    const names = [spec.name, ...(spec.aliases ?? [])];
    const shownNames = names.map((n) => (n.length === 1 ? `-${n}` : `--${n}`));
    const given = shownNames.find((shown, i) =>
      argv.some(
        (a) =>
          a === shown || a.startsWith(`${shown}=`) || (spec.type === 'boolean' && a === `--no-${names[i]}`),
      ),
    );
    if (given === undefined) continue;
    givenOnArgv.add(spec.name);
    if (spec.type !== 'boolean' && isOnlyEmptyAssignments(argv, names)) continue;
    flags[spec.name] = normalise(spec, `flag ${given}`, parsed[spec.name] as unknown);
  }
  if (env.GITHUB_ACTIONS === 'true') {
    for (const spec of specs) {
      if (givenOnArgv.has(spec.name) || spec.original) continue;
      const raw = env[`INPUT_${spec.name.toUpperCase()}`];
      if (raw === undefined || raw.trim() === '') continue;
      flags[spec.name] = fromInput(spec, raw);
    }
  }
  const positionals = [...parsed._, ...((parsed['--'] as string[] | undefined) ?? [])].map(String);
  return { flags, positionals };
}

/**
 * `--flag=` with nothing after the `=` means "not set": a Tekton param or CI variable that defaults to
 * empty must be able to leave the config in charge. A bare `--flag` with no value stays an error.
 */
function isOnlyEmptyAssignments(argv: readonly string[], names: readonly string[]): boolean {
  const shown = names.map((n) => (n.length === 1 ? `-${n}` : `--${n}`));
  const uses = argv.filter((a) => shown.some((s) => a === s || a.startsWith(`${s}=`)));
  return uses.length > 0 && uses.every((a) => shown.some((s) => a === `${s}=`));
}

/** `label` names where the value came from in messages: `flag --name` or `input name`. */
function normalise(spec: FlagSpec, label: string, value: unknown): FlagValue {
  if (spec.type === 'boolean') {
    if (Array.isArray(value)) return Boolean(value.at(-1));
    return Boolean(value);
  }
  const values = (Array.isArray(value) ? value : [value]).map((v) =>
    v === undefined || v === null ? '' : String(v),
  );
  for (const v of values) {
    if (v === '')
      throw new UsageError(`${label} needs a value${spec.valueName ? ` (${spec.valueName})` : ''}`);
    if (spec.choices && !spec.choices.includes(v)) {
      throw new UsageError(`${label}: "${v}" is not one of ${spec.choices.join(', ')}`);
    }
  }
  if (spec.type === 'list') return values;
  if (values.length > 1) throw new UsageError(`${label} given more than once`);
  return values[0] ?? '';
}

function fromInput(spec: FlagSpec, raw: string): FlagValue {
  const shown = `input ${spec.name}`;
  if (spec.type === 'boolean') {
    const v = raw.trim().toLowerCase();
    if (v === 'true') return true;
    if (v === 'false') return false;
    throw new UsageError(`${shown}: "${raw}" is not true or false`);
  }
  if (spec.type === 'list') {
    // One value per line, as GitHub multi-line inputs are written.
    return normalise(
      spec,
      shown,
      raw
        .split(/\r?\n/)
        .map((s) => s.trim())
        .filter(Boolean),
    );
  }
  return normalise(spec, shown, raw.trim());
}
