import type { Redactor } from '../secrets/redactor.js';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  level: LogLevel;
  redactor: Redactor;
  /** Emit GitHub Actions workflow commands (::error::, ::group::). */
  github: boolean;
  write?: (line: string) => void;
}

/**
 * Human progress on stderr (stdout is kept for the JSON report). Every line passes the redactor.
 * Under GitHub Actions, errors and warnings become annotations and groups fold long steps.
 */
export class Logger {
  readonly level: LogLevel;
  readonly #redactor: Redactor;
  readonly #github: boolean;
  readonly #write: (line: string) => void;

  constructor(options: LoggerOptions) {
    this.level = options.level;
    this.#redactor = options.redactor;
    this.#github = options.github;
    this.#write = options.write ?? ((line) => process.stderr.write(`${line}\n`));
  }

  enabled(level: LogLevel): boolean {
    return LOG_LEVELS.indexOf(level) <= LOG_LEVELS.indexOf(this.level);
  }

  error(message: string): void {
    if (!this.enabled('error')) return;
    this.#emit(this.#github ? `::error::${escapeData(message)}` : `error: ${message}`);
  }

  warn(message: string): void {
    if (!this.enabled('warn')) return;
    this.#emit(this.#github ? `::warning::${escapeData(message)}` : `warning: ${message}`);
  }

  /** A progress line: one per step. */
  info(message: string): void {
    if (this.enabled('info')) this.#emit(message);
  }

  debug(message: string): void {
    if (this.enabled('debug'))
      this.#emit(this.#github ? `::debug::${escapeData(message)}` : `debug: ${message}`);
  }

  /** Folds the lines of a long step under a title in the GitHub Actions log; elsewhere just runs it. */
  async group<T>(title: string, body: () => Promise<T>): Promise<T> {
    if (!this.#github) return body();
    this.#emit(`::group::${title}`);
    try {
      return await body();
    } finally {
      this.#emit('::endgroup::');
    }
  }

  #emit(line: string): void {
    this.#write(this.#redactor.redact(line));
  }
}

/** Workflow-command data escaping, as @actions/core does it (% CR LF). */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
