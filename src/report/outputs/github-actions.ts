import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import type { ReportDocument } from '../report.js';

/** GitHub Actions sets GITHUB_ACTIONS=true in every step, container actions included. */
export function isGitHubActions(env: NodeJS.ProcessEnv): boolean {
  return env.GITHUB_ACTIONS === 'true';
}

/**
 * Appends outputs to $GITHUB_OUTPUT; multi-line values use the `name<<DELIMITER` form with a random
 * delimiter (GitHub's workflow-commands docs). Returns an error text when the file cannot be written
 * (on a self-hosted runner with another UID, the file may not be writable by the container user).
 */
/**
 * The `::add-mask::` commands that hide a secret from the runner's log. A command ends at the line break, so
 * a multi-line secret (a key file, a JSON credential) is masked line by line, as GitHub's docs ask (lines shorter than 4 characters left out); each line
 * is escaped as the runner unescapes command data (`%` → `%25`).
 */
export function maskCommands(secret: string): string {
  const escapeData = (v: string) => v.replace(/%/g, '%25');
  // Lines of punctuation (`{`, `}`) hide nothing and would star out every brace in the log.
  const lines = secret.split(/\r?\n/).filter((line) => line.trim().length >= 4);
  return [...new Set(lines)].map((line) => `::add-mask::${escapeData(line)}\n`).join('');
}

export function appendGitHubOutputs(
  file: string,
  outputs: ReadonlyArray<[string, string]>,
): string | undefined {
  const lines: string[] = [];
  for (const [name, value] of outputs) {
    if (value.includes('\n') || value.includes('\r')) {
      const delimiter = `ghadelimiter_${randomBytes(12).toString('hex')}`;
      lines.push(`${name}<<${delimiter}`, value, delimiter);
    } else {
      lines.push(`${name}=${value}`);
    }
  }
  return appendOrError(file, `${lines.join('\n')}\n`);
}

const SUMMARY_ITEM_ROWS = 100;

/** A Markdown job summary: the counts, then the items (capped), failures first. */
export function renderStepSummary(report: ReportDocument): string {
  const status = report.ok ? '✅' : '❌';
  const mode = report.dryRun ? ' (dry run)' : '';
  const lines = [
    `### ${status} ${report.task}${mode}`,
    '',
    `${report.changed} changed, ${report.failed} failed, ${report.items.length} items in ${(report.durationMs / 1000).toFixed(1)} s`,
    '',
  ];
  if (report.error) lines.push(`**Error:** ${cell(report.error)}`, '');
  if (report.items.length > 0) {
    const ordered = [...report.items].sort(
      (a, b) => Number(b.action === 'failed') - Number(a.action === 'failed'),
    );
    lines.push('| item | action | detail |', '| --- | --- | --- |');
    for (const item of ordered.slice(0, SUMMARY_ITEM_ROWS)) {
      lines.push(`| ${cell(item.ref)} | ${item.action} | ${cell(item.error ?? item.detail ?? '')} |`);
    }
    if (ordered.length > SUMMARY_ITEM_ROWS)
      lines.push('', `… and ${ordered.length - SUMMARY_ITEM_ROWS} more (see the JSON report)`);
  }
  return `${lines.join('\n')}\n`;
}

export function appendStepSummary(file: string, markdown: string): string | undefined {
  return appendOrError(file, markdown);
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function appendOrError(file: string, text: string): string | undefined {
  try {
    appendFileSync(file, text);
    return undefined;
  } catch (error) {
    return `cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
  }
}
