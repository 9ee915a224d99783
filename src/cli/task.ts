import type { ConfigFor, SectionName } from '../config/document.js';
import type { LegacyRole } from '../config/legacy.js';
import type { Logger } from '../report/logger.js';
import type { Report } from '../report/report.js';
import type { Redactor } from '../secrets/redactor.js';
import type { FlagSpec, FlagValues } from './flags.js';

/** Everything a task's operation gets: validated config, parsed flags, and where to report. */
export interface TaskContext<S extends SectionName> {
  config: ConfigFor<S>;
  flags: FlagValues;
  positionals: readonly string[];
  dryRun: boolean;
  log: Logger;
  report: Report;
  redactor: Redactor;
  env: NodeJS.ProcessEnv;
  /** A small named result for Tekton (a file in the results dir) and GitHub Actions (an output). */
  setResult(name: string, value: string): void;
  /**
   * A result that is itself a secret (a token the next Pipeline task needs): written unredacted to the
   * Tekton result and GitHub output, masked everywhere else. Only for values the user asked to hand on.
   */
  setSecretResult(name: string, value: string): void;
}

/**
 * Declares one task: what `tasks/<name>.ts` hands to the runner. `R`: what the task's flags ask of its
 * operation beyond the config (see `request`).
 */
export interface TaskDefinition<S extends SectionName, R = unknown> {
  name: string;
  summary: string;
  /** Extra help text: what the task does, in a few lines. */
  description: string;
  /** Positional arguments for --help, e.g. `[DIR]`. */
  usage?: string;
  /** Config sections the task validates (the shared ones it needs included). */
  sections: readonly S[];
  flags: readonly FlagSpec[];
  /** Results the task may set besides the standard ones (ok, changed, failed, summary). */
  results?: readonly { name: string; description: string }[];
  /** Turns positional arguments into config overrides, or throws UsageError. */
  positionals?: (document: Record<string, unknown>, positionals: readonly string[]) => void;
  legacyRole?: (flags: FlagValues) => LegacyRole;
  /**
   * The entries of `quay` the task works with (after flags): only their secrets are resolved and masked.
   * Omitted: every entry.
   */
  instancesInUse?: (config: ConfigFor<S>) => readonly string[];
  /**
   * Checks across sections (e.g. that named instances exist); throws ConfigError. Runs before `run` and
   * for --validate-config; `env` is the task's environment (variables a config may refer to).
   */
  validate?: (config: ConfigFor<S>, env: NodeJS.ProcessEnv) => void;
  /**
   * Flags that are not config keys, parsed once into what `run` is given (e.g. mirror-repos' --repository,
   * --tags, --shard): called after the flag overrides, before the config is checked; throws UsageError.
   */
  request?: (flags: FlagValues) => R;
  run(context: TaskContext<S>, request: R): Promise<void>;
}
