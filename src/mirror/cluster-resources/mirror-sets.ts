/**
 * The generator: which repository went where (source pull name → mirror pull names) in, the
 * ImageDigestMirrorSet / ImageTagMirrorSet manifests out, as exact YAML bytes. Pure and stable: rules
 * sorted by source (code-point order, not the locale's), mirrors in destination (config) order, no
 * timestamps, so the same mirror gives the same bytes and a GitOps diff stays quiet. What is emitted is
 * checked against the API's own rules (api-rules.ts) first.
 */
import { dump } from 'js-yaml';
import { type MirrorRule, type MirrorSourcePolicy, nameProblems, ruleProblems } from './api-rules.js';

/** One mirrored repository: the name it is pulled by at the source, and where copies of it now live. */
export interface MirrorMapping {
  /** host[:port]/path as clients pull it (for an archive source: the registry it was made from). */
  source: string;
  /** host[:port]/path at each destination, in the order the destinations are configured. */
  mirrors: readonly string[];
}

export type MirrorSetKind = 'ImageDigestMirrorSet' | 'ImageTagMirrorSet';

export interface MirrorSetOptions {
  name: string;
  kinds: readonly MirrorSetKind[];
  mirrorSourcePolicy?: MirrorSourcePolicy;
  labels?: Readonly<Record<string, string>>;
}

export interface MirrorSetManifest {
  kind: MirrorSetKind;
  /** `idms-<name>.yaml` / `itms-<name>.yaml`, as oc-mirror names its cluster resources. */
  fileName: string;
  object: Record<string, unknown>;
  /** The file's exact bytes. */
  yaml: string;
}

/** What would be emitted breaks the openshift/api rules (a prefix or rename the API cannot take). */
export class MirrorSetError extends Error {
  override readonly name = 'MirrorSetError';
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`cluster resources not written, they would be rejected:\n  ${problems.join('\n  ')}`);
    this.problems = problems;
  }
}

const SPEC_FIELD: Record<MirrorSetKind, string> = {
  ImageDigestMirrorSet: 'imageDigestMirrors',
  ImageTagMirrorSet: 'imageTagMirrors',
};
const FILE_PREFIX: Record<MirrorSetKind, string> = {
  ImageDigestMirrorSet: 'idms',
  ImageTagMirrorSet: 'itms',
};
const MANAGED_BY = 'quay-tasks';

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** One rule per source, sorted; a source given twice keeps its mirrors in first-seen order, once each. */
export function mirrorRules(
  mappings: readonly MirrorMapping[],
  mirrorSourcePolicy?: MirrorSourcePolicy,
): MirrorRule[] {
  const bySource = new Map<string, string[]>();
  for (const mapping of mappings) {
    const mirrors = bySource.get(mapping.source) ?? [];
    for (const mirror of mapping.mirrors) if (!mirrors.includes(mirror)) mirrors.push(mirror);
    bySource.set(mapping.source, mirrors);
  }
  return [...bySource.entries()]
    .filter(([, mirrors]) => mirrors.length > 0)
    .sort(([a], [b]) => byCodePoint(a, b))
    .map(([source, mirrors]) => ({ source, mirrors, ...(mirrorSourcePolicy ? { mirrorSourcePolicy } : {}) }));
}

/** The manifests of `options.kinds`, checked; throws MirrorSetError naming every rule the API would reject. */
export function mirrorSets(
  mappings: readonly MirrorMapping[],
  options: MirrorSetOptions,
): MirrorSetManifest[] {
  const rules = mirrorRules(mappings, options.mirrorSourcePolicy);
  const kinds = [...new Set(options.kinds)].sort(byCodePoint);
  const problems = [
    ...nameProblems(options.name),
    ...rules.flatMap((rule, i) => ruleProblems(rule, `spec.*Mirrors[${i}]`)),
  ];
  if (problems.length > 0) throw new MirrorSetError(problems);
  const labels = Object.fromEntries(
    Object.entries({ ...options.labels, 'app.kubernetes.io/managed-by': MANAGED_BY }).sort(([a], [b]) =>
      byCodePoint(a, b),
    ),
  );
  return kinds.map((kind) => {
    const object = {
      apiVersion: 'config.openshift.io/v1',
      kind,
      metadata: { name: options.name, labels },
      spec: { [SPEC_FIELD[kind]]: rules.map((rule) => ({ ...rule, mirrors: [...rule.mirrors] })) },
    };
    const header =
      `# ${kind} of the repositories quay-tasks mirror-repos mirrored (source → destinations).\n` +
      '# Generated: edit the mirror-repos config instead; the next run writes the same bytes for the same mirror.\n';
    return {
      kind,
      fileName: `${FILE_PREFIX[kind]}-${options.name}.yaml`,
      object,
      yaml: header + dump(object, { lineWidth: -1, noRefs: true }),
    };
  });
}
