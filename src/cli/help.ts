import type { FlagSpec } from './flags.js';
import { COMMON_FLAGS } from './flags.js';

export function renderHelp(definition: {
  name: string;
  summary: string;
  description: string;
  usage?: string;
  flags: readonly FlagSpec[];
  results?: readonly { name: string; description: string }[];
}): string {
  const own = definition.flags.filter((f) => !f.original);
  const original = [...definition.flags, ...COMMON_FLAGS].filter((f) => f.original);
  const common = COMMON_FLAGS.filter((f) => !f.original);
  const lines = [
    `${definition.name} — ${definition.summary}`,
    '',
    `Usage: ${definition.name} [flags]${definition.usage ? ` ${definition.usage}` : ''}`,
    `       quay-tasks ${definition.name} [flags]${definition.usage ? ` ${definition.usage}` : ''}`,
    '',
    definition.description.trim(),
    '',
  ];
  if (own.length > 0) lines.push('Flags:', ...own.map(renderFlag), '');
  lines.push('Common flags:', ...common.map(renderFlag), '');
  if (original.length > 0)
    lines.push(
      'Flags of the original quay_guides tools (accepted as they were):',
      ...original.map(renderFlag),
      '',
    );
  const results = [
    { name: 'ok', description: 'true or false' },
    { name: 'changed', description: 'number of items changed' },
    { name: 'failed', description: 'number of items failed' },
    { name: 'summary', description: 'one-line summary' },
    ...(definition.results ?? []),
  ];
  lines.push(
    'Results (Tekton results, GitHub outputs):',
    ...results.map((r) => `  ${r.name.padEnd(30)} ${r.description}`),
    '',
  );
  lines.push(
    'Exit codes: 0 success, 1 an operation failed, 2 usage or config error.',
    'Secrets in config: a literal, {env: NAME} or {file: PATH}. Under GitHub Actions, inputs come from INPUT_<FLAG-NAME>.',
  );
  return `${lines.join('\n')}\n`;
}

function renderFlag(flag: FlagSpec): string {
  const names = [flag.name, ...(flag.aliases ?? [])]
    .map((n) => (n.length === 1 ? `-${n}` : `--${n}`))
    .join(', ');
  const value = flag.type === 'boolean' ? '' : ` ${flag.valueName ?? 'VALUE'}`;
  const left = `  ${names}${value}`;
  return `${left.padEnd(32)} ${flag.description}`;
}
