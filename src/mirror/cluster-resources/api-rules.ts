/**
 * The validation rules of config.openshift.io/v1 ImageDigestMirrorSet and ImageTagMirrorSet, as the API
 * server enforces them from the CRD schema generated out of openshift/api `config/v1/types_image_digest_mirror_set.go`
 * and `config/v1/types_image_tag_mirror_set.go` (kubebuilder markers on `ImageMirror`, `ImageDigestMirrors.Source`,
 * `MirrorSourcePolicy`; `mirrors` is `+listType=set`). Pure: checked before anything is written, so a bad
 * prefix or rename fails here, naming the entry, rather than at the API server.
 */

/** `ImageMirror`'s `+kubebuilder:validation:Pattern`: host[:port][/namespace…][/repo], no tag, no digest. */
export const IMAGE_MIRROR_PATTERN =
  /^((?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))+)?(?::[0-9]+)?)(?:(?:\/[a-z0-9]+(?:(?:(?:[._]|__|[-]*)[a-z0-9]+)+)?)+)?$/;

/** `Source`'s pattern: the mirror pattern, or a `*.`-wildcard host (the one wildcard the API allows). */
export const SOURCE_PATTERN =
  /^\*(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))+$|^((?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))+)?(?::[0-9]+)?)(?:(?:\/[a-z0-9]+(?:(?:(?:[._]|__|[-]*)[a-z0-9]+)+)?)+)?$/;

export const MIRROR_SOURCE_POLICIES = ['AllowContactingSource', 'NeverContactSource'] as const;
export type MirrorSourcePolicy = (typeof MIRROR_SOURCE_POLICIES)[number];

/** metadata.name of a cluster-scoped object: a DNS subdomain (RFC 1123), at most 253 characters. */
const OBJECT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** One entry of spec.imageDigestMirrors / spec.imageTagMirrors (the two types share the shape). */
export interface MirrorRule {
  source: string;
  mirrors: string[];
  mirrorSourcePolicy?: MirrorSourcePolicy;
}

/** Every way `rule` breaks the API's rules, each naming the field as the API server would; empty: valid. */
export function ruleProblems(rule: MirrorRule, field: string): string[] {
  const problems: string[] = [];
  if (!SOURCE_PATTERN.test(rule.source))
    problems.push(
      `${field}.source: "${rule.source}" is not host[:port][/namespace…][/repo] (no tag, no digest, lower-case path)`,
    );
  const seen = new Set<string>();
  rule.mirrors.forEach((mirror, i) => {
    if (!IMAGE_MIRROR_PATTERN.test(mirror))
      problems.push(
        `${field}.mirrors[${i}]: "${mirror}" is not host[:port][/namespace…][/repo] (no tag, no digest, no wildcard, lower-case path)`,
      );
    if (seen.has(mirror)) problems.push(`${field}.mirrors[${i}]: duplicate value "${mirror}" (a set)`);
    seen.add(mirror);
  });
  if (rule.mirrorSourcePolicy !== undefined) {
    if (!MIRROR_SOURCE_POLICIES.includes(rule.mirrorSourcePolicy))
      problems.push(
        `${field}.mirrorSourcePolicy: "${rule.mirrorSourcePolicy}" is not one of ${MIRROR_SOURCE_POLICIES.join(', ')}`,
      );
    // "sourcePolicy is valid configuration only when one or more mirrors are in the mirror list."
    if (rule.mirrors.length === 0) problems.push(`${field}.mirrorSourcePolicy: set without any mirror`);
  }
  return problems;
}

export function nameProblems(name: string): string[] {
  return OBJECT_NAME.test(name) && name.length <= 253
    ? []
    : [`metadata.name: "${name}" is not a lower-case DNS subdomain of at most 253 characters`];
}
