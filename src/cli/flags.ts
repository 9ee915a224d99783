/** A command-line flag of a task. Names are kebab-case, as Tekton params and GitHub inputs are. */
export interface FlagSpec {
  name: string;
  type: 'boolean' | 'string' | 'list';
  description: string;
  /** Placeholder in --help, e.g. FILE. */
  valueName?: string;
  choices?: readonly string[];
  /** Other spellings: the original tool's flags that mean exactly this one. */
  aliases?: readonly string[];
  /** A flag of the original Python tool, listed apart in --help. */
  original?: boolean;
  /** Changes the merged config document before validation (flags override config files). */
  override?: (document: Record<string, unknown>, value: FlagValue) => void;
  /** When the flag is given: a usage problem with the other flags given (e.g. two that contradict), or undefined. */
  conflict?: (flags: FlagValues) => string | undefined;
  /** Given, the run is a dry run (a task's own word for --dry-run, e.g. quay-config's --plan). */
  dryRun?: boolean;
}

export type FlagValue = boolean | string | string[];
export type FlagValues = Readonly<Record<string, FlagValue | undefined>>;

export const COMMON_FLAGS: readonly FlagSpec[] = [
  {
    name: 'config',
    type: 'list',
    valueName: 'FILE',
    description: 'Config file (repeatable; later files override earlier ones)',
    aliases: ['config-file'],
  },
  { name: 'dry-run', type: 'boolean', description: 'Print the plan and change nothing' },
  {
    name: 'output',
    type: 'string',
    valueName: 'FORMAT',
    choices: ['text', 'json'],
    description: 'text, or json: one JSON report on stdout',
  },
  {
    name: 'log-level',
    type: 'string',
    valueName: 'LEVEL',
    choices: ['error', 'warn', 'info', 'debug'],
    description: 'Progress detail on stderr (default info)',
  },
  {
    name: 'results-dir',
    type: 'string',
    valueName: 'DIR',
    description: 'Write Tekton results here (default /tekton/results when it exists)',
  },
  {
    name: 'validate-config',
    type: 'boolean',
    description: 'Check the configuration, then stop (exit 0 or 2); contacts nothing',
  },
  { name: 'help', type: 'boolean', description: 'Show this help', aliases: ['h'] },
  { name: 'version', type: 'boolean', description: 'Show the version' },
  {
    name: 'print-schema',
    type: 'boolean',
    description: "Print the JSON Schema of this task's config (for editors)",
  },
  {
    name: 'skip-tls-verify',
    type: 'boolean',
    original: true,
    description:
      'Skip TLS verification for every Quay instance and the cluster (applies to API and registry traffic alike)',
    override: (document) => {
      const quay = document.quay;
      if (quay && typeof quay === 'object') {
        for (const entry of Object.values(quay))
          if (entry && typeof entry === 'object') Object.assign(entry, { insecureSkipTlsVerify: true });
      }
      document.cluster = { ...(document.cluster as object | undefined), insecureSkipTlsVerify: true };
    },
  },
  {
    name: 'debug',
    type: 'boolean',
    original: true,
    description: 'Same as --log-level debug (secrets stay masked)',
  },
];

/**
 * Sets `document[section][key] = value`, creating the section; a dotted key (`discovery.enabled`) sets
 * inside the nested object, keeping its other keys.
 */
export function setInSection(
  document: Record<string, unknown>,
  section: string,
  key: string,
  value: unknown,
): void {
  const path = [section, ...key.split('.')];
  const last = path.pop() as string;
  let target = document;
  for (const name of path) {
    const current = target[name];
    const next =
      current && typeof current === 'object' && !Array.isArray(current)
        ? (current as Record<string, unknown>)
        : {};
    target[name] = next;
    target = next;
  }
  target[last] = value;
}
