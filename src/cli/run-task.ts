import { documentSchema, type SectionName, toJsonSchema } from '../config/document.js';
import { ConfigError, type ConfigIssue } from '../config/errors.js';
import { loadConfig } from '../config/load.js';
import { jsonReportPieces } from '../report/json-report.js';
import { LOG_LEVELS, Logger, type LogLevel } from '../report/logger.js';
import {
  appendGitHubOutputs,
  appendStepSummary,
  isGitHubActions,
  maskCommands,
  renderStepSummary,
} from '../report/outputs/github-actions.js';
import { resolveResultsDir, writeTektonResults } from '../report/outputs/tekton-results.js';
import { Report, type ReportDocument } from '../report/report.js';
import { message, Redactor, verbatim } from '../secrets/redactor.js';
import { packageVersion } from '../version.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError } from './errors.js';
import { COMMON_FLAGS, type FlagSpec, type FlagValues } from './flags.js';
import { renderHelp } from './help.js';
import { type ParsedArgs, parseArgs } from './parse-args.js';
import type { TaskContext, TaskDefinition } from './task.js';

export interface RunIo {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Where SIGTERM/SIGINT come from (the process, for a real run); omitted: never interrupted. */
  signals?: NodeJS.EventEmitter;
}

/** Exit codes of a run stopped by a signal (128 + the signal number, as shells report them). */
export const EXIT_INTERRUPTED_INT = 130;
export const EXIT_INTERRUPTED_TERM = 143;

async function untilDoneOrSignalled(
  work: Promise<void>,
  signals: NodeJS.EventEmitter | undefined,
): Promise<string | undefined> {
  if (!signals) {
    await work;
    return undefined;
  }
  let stop: ((signal: string) => void) | undefined;
  const signalled = new Promise<string>((resolve) => {
    stop = resolve;
  });
  const onTerm = () => stop?.('SIGTERM');
  const onInt = () => stop?.('SIGINT');
  // `on`, not `once`: execa's child cleanup (signal-exit) re-raises a signal that finds no listener but its
  // own, which would kill the process before the report is written; ours stays until the run is over.
  signals.on('SIGTERM', onTerm);
  signals.on('SIGINT', onInt);
  try {
    return await Promise.race([work.then(() => undefined), signalled]);
  } finally {
    signals.off('SIGTERM', onTerm);
    signals.off('SIGINT', onInt);
  }
}

/**
 * The life of every task: parse flags, load and validate config (exit 2 before any action on a problem),
 * run the operation, then publish the report (stderr summary, --output json on stdout, Tekton results,
 * GitHub outputs and step summary). Returns the exit code.
 */
export async function runTask<S extends SectionName, R>(
  definition: TaskDefinition<S, R>,
  io: RunIo,
): Promise<number> {
  const specs: FlagSpec[] = [...COMMON_FLAGS, ...definition.flags];
  let args: ParsedArgs;
  try {
    args = parseArgs(io.argv, specs, io.env);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`${definition.name}: usage error: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
  const { flags } = args;
  if (flags.help) {
    io.stdout(renderHelp(definition));
    return EXIT_OK;
  }
  if (flags.version) {
    io.stdout(`${definition.name} ${packageVersion()}\n`);
    return EXIT_OK;
  }
  if (flags['print-schema']) {
    const schema = toJsonSchema(
      documentSchema(definition.sections),
      `quay-tasks ${definition.name} configuration`,
    );
    io.stdout(`${JSON.stringify(schema, null, 2)}\n`);
    return EXIT_OK;
  }

  const started = Date.now();
  const github = isGitHubActions(io.env);
  const redactor = new Redactor();
  // The runner hides a value from the log only once told; so tell it before anything else is printed.
  if (github) redactor.onAdd((value) => io.stderr(maskCommands(value)));
  const log = new Logger({
    level: logLevelOf(flags),
    redactor,
    github,
    write: (line) => io.stderr(`${line}\n`),
  });
  const dryRun =
    flags['dry-run'] === true || definition.flags.some((f) => f.dryRun === true && flags[f.name] === true);
  const report = new Report(definition.name, dryRun);
  const results: TaskResult[] = [];
  const json = flags.output === 'json';

  let exitCode = EXIT_OK;
  let inUserWords: ((issues: readonly ConfigIssue[]) => ConfigIssue[]) | undefined;
  let request: R | undefined;
  try {
    const files = (flags.config as string[] | undefined) ?? configFromEnv(io.env);
    const loaded = loadConfig({
      files,
      sections: definition.sections,
      redactor,
      env: io.env,
      legacyRole: definition.legacyRole?.(flags),
      notice: (message) => log.info(message),
      detail: (message) => log.debug(message),
      overrides: (document) => {
        applyOverrides(document, specs, flags, args.positionals, definition);
        request = definition.request?.(flags);
      },
      instancesInUse: definition.instancesInUse,
    });
    const { config } = loaded;
    inUserWords = loaded.inUserWords;
    // The task's own sections, secrets as *** (Secret renders so); other sections are not in `config`.
    log.debug(`config: ${JSON.stringify(config)}`);
    definition.validate?.(config, io.env);
    const context: TaskContext<S> = {
      config,
      flags,
      positionals: args.positionals,
      dryRun,
      log,
      report,
      redactor,
      env: io.env,
      setResult: (name, value) => setResult(results, name, value, false),
      setSecretResult: (name, value) => {
        redactor.add(value);
        setResult(results, name, value, true);
      },
    };
    if (flags['validate-config']) log.info(verbatim(`${definition.name}: the configuration is valid`));
    else {
      const work = log.group(verbatim(`${definition.name}${dryRun ? ' (dry run)' : ''}`), () =>
        // `request` is set: the overrides ran (or loading threw).
        definition.run(context, request as R),
      );
      const signal = await untilDoneOrSignalled(work, io.signals);
      if (signal !== undefined) {
        // Tekton and GitHub stop a step with SIGTERM: report what was done so far, then stop.
        report.fail(verbatim(`interrupted by ${signal}: the items listed are what was done before it`));
        exitCode = signal === 'SIGINT' ? EXIT_INTERRUPTED_INT : EXIT_INTERRUPTED_TERM;
      }
    }
    if (report.error !== undefined) log.error(report.error);
    if (!report.ok && exitCode === EXIT_OK) exitCode = EXIT_FAILED;
  } catch (thrown) {
    // Our own errors carry their wording marked (kept by the redactor); any other error's text is masked.
    // A config problem found after loading is restated in the user's words (the original format's keys).
    const error =
      thrown instanceof ConfigError && inUserWords ? new ConfigError(inUserWords(thrown.issues)) : thrown;
    if (error instanceof ConfigError || error instanceof UsageError) {
      exitCode = EXIT_USAGE;
      log.error(error instanceof UsageError ? message`usage error: ${error.marked}` : error.marked);
      report.fail(error.marked);
    } else {
      const text = error instanceof Error ? error.message : String(error);
      exitCode = EXIT_FAILED;
      log.error(text);
      if (error instanceof Error && error.stack) log.debug(error.stack);
      report.fail(text);
    }
  }

  const document = redactReport(report.toDocument(Date.now() - started), redactor);
  const outcome = exitCode === EXIT_USAGE ? 'nothing was done' : report.summaryLine();
  log.info(
    verbatim(
      `${definition.name}: ${document.ok ? 'done' : 'FAILED'}${dryRun ? ' (dry run)' : ''}: ${outcome}`,
    ),
  );
  publish(document, results, flags, io, redactor, log);
  if (json)
    for (const piece of jsonReportPieces(document, (item) => redactor.redactDeep(item))) io.stdout(piece);
  return exitCode;
}

function publish(
  document: ReportDocument,
  taskResults: readonly TaskResult[],
  flags: FlagValues,
  io: RunIo,
  redactor: Redactor,
  log: Logger,
): void {
  const standard: [string, string][] = [
    ['ok', String(document.ok)],
    ['changed', String(document.changed)],
    ['failed', String(document.failed)],
    ['summary', summaryText(document)],
  ];
  // The standard results are counts and the summary of the (already redacted) report: nothing to mask.
  const all: [string, string][] = [
    ...standard,
    ...taskResults.map((r): [string, string] => [r.name, r.secret ? r.value : redactor.redact(r.value)]),
  ];
  const resultsDir = resolveResultsDir(flags['results-dir'] as string | undefined);
  if (resultsDir !== undefined) {
    try {
      const written = writeTektonResults(resultsDir, all);
      if (written.truncated.length > 0)
        log.warn(`results cut to fit Tekton's size limit: ${written.truncated.join(', ')}`);
    } catch (error) {
      log.warn(
        `cannot write results to ${resultsDir}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      );
    }
  }
  if (isGitHubActions(io.env)) {
    const outputFile = io.env.GITHUB_OUTPUT;
    if (outputFile) {
      const problem = appendGitHubOutputs(outputFile, all);
      if (problem) log.warn(problem);
    }
    const summaryFile = io.env.GITHUB_STEP_SUMMARY;
    if (summaryFile) {
      const problem = appendStepSummary(summaryFile, redactor.redact(renderStepSummary(document)));
      if (problem) log.warn(problem);
    }
  }
}

/**
 * The report with its error masked; each item is masked as it is written (`jsonReportPieces`), so a run of
 * 100k items makes no masked copy of them all. The task name, the flags and the counts are the report's
 * own structure (a secret `quay` must not turn `"task": "quay-init"` into `"***-init"`).
 */
function redactReport(document: ReportDocument, redactor: Redactor): ReportDocument {
  const out: ReportDocument = { ...document };
  if (document.error !== undefined) out.error = redactor.redact(document.error);
  return out;
}

interface TaskResult {
  name: string;
  value: string;
  /** Handed on unredacted (the user asked for this secret as a result). */
  secret: boolean;
}

function setResult(results: TaskResult[], name: string, value: string, secret: boolean): void {
  const existing = results.findIndex((r) => r.name === name);
  if (existing >= 0) results.splice(existing, 1);
  results.push({ name, value, secret });
}

function summaryText(document: ReportDocument): string {
  if (document.error) return `error: ${document.error.split('\n')[0]}`;
  const counts = new Map<string, number>();
  for (const item of document.items) counts.set(item.action, (counts.get(item.action) ?? 0) + 1);
  const parts = [...counts].map(([action, n]) => `${n} ${action}`);
  return parts.length > 0 ? parts.join(', ') : 'no change';
}

function logLevelOf(flags: FlagValues): LogLevel {
  const level = flags['log-level'];
  if (typeof level === 'string' && (LOG_LEVELS as readonly string[]).includes(level))
    return level as LogLevel;
  return flags.debug ? 'debug' : 'info';
}

/** QUAY_TASKS_CONFIG: one path, or several separated by the path delimiter (':'). */
function configFromEnv(env: NodeJS.ProcessEnv): string[] {
  const value = env.QUAY_TASKS_CONFIG;
  return value ? value.split(':').filter(Boolean) : [];
}

function applyOverrides<S extends SectionName, R>(
  document: Record<string, unknown>,
  specs: readonly FlagSpec[],
  flags: FlagValues,
  positionals: readonly string[],
  definition: TaskDefinition<S, R>,
): void {
  if (definition.positionals) definition.positionals(document, positionals);
  else if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]} (see --help)`);
  for (const spec of specs) {
    const value = flags[spec.name];
    const conflict = value !== undefined && value !== false ? spec.conflict?.(flags) : undefined;
    if (conflict !== undefined) throw new UsageError(conflict);
    if (spec.override && value !== undefined && value !== false) spec.override(document, value);
  }
}
