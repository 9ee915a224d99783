import { loadAll, YAMLException } from 'js-yaml';
import type { ConfigIssue } from '../config/errors.js';
import { aliasExpansionProblem } from '../config/yaml-expansion.js';
import type { ManifestFile } from './manifest-files.js';
import { substitute } from './substitute.js';

export interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export interface ManifestDocument {
  file: string;
  /** 0-based position of the document in its file. */
  index: number;
  object: ManifestObject;
}

export interface Wave {
  prefix: string;
  files: string[];
  documents: ManifestDocument[];
}

/**
 * Groups files into waves by prefix, in ascending **string** order of the prefix, alphabetical inside.
 * String order is what the original's sorted paths gave: with mixed widths, `0001-…` … `0007-…` (ODF)
 * all come before `001-…` (Quay), because `000` < `001`; numeric order would interleave them.
 */
export function buildWaves(
  files: readonly ManifestFile[],
  values: ReadonlyMap<string, string>,
): { waves: Wave[]; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const byPrefix = new Map<string, Wave>();
  for (const file of [...files].sort((a, b) =>
    a.prefix === b.prefix ? compare(a.name, b.name) : compare(a.prefix, b.prefix),
  )) {
    let text: string;
    try {
      text = substitute(file.text, values);
    } catch (error) {
      issues.push({ path: '', message: (error as Error).message, file: file.path });
      continue;
    }
    let docs: unknown[];
    try {
      docs = loadAll(text, { filename: file.path });
    } catch (error) {
      const where = error instanceof YAMLException && error.mark ? ` at line ${error.mark.line + 1}` : '';
      issues.push({
        path: '',
        message: `invalid YAML${where}: ${(error as YAMLException).reason ?? String(error)}`,
        file: file.path,
      });
      continue;
    }
    const wave = byPrefix.get(file.prefix) ?? { prefix: file.prefix, files: [], documents: [] };
    byPrefix.set(file.prefix, wave);
    wave.files.push(file.name);
    docs.forEach((doc, index) => {
      if (doc === null || doc === undefined) return;
      const problem = aliasExpansionProblem(doc) ?? objectProblem(doc);
      if (problem) issues.push({ path: `document ${index}`, message: problem, file: file.path });
      else wave.documents.push({ file: file.name, index, object: doc as ManifestObject });
    });
  }
  return { waves: [...byPrefix.values()], issues };
}

function objectProblem(doc: unknown): string | undefined {
  if (typeof doc !== 'object' || Array.isArray(doc)) return 'not a Kubernetes object (a mapping)';
  const record = doc as Record<string, unknown>;
  const missing: string[] = [];
  if (typeof record.apiVersion !== 'string' || record.apiVersion === '') missing.push('apiVersion');
  if (typeof record.kind !== 'string' || record.kind === '') missing.push('kind');
  const metadata = record.metadata as Record<string, unknown> | undefined;
  if (typeof metadata?.name !== 'string' || metadata.name === '') missing.push('metadata.name');
  return missing.length > 0 ? `missing ${missing.join(', ')}` : undefined;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
