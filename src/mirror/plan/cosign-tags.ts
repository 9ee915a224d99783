/**
 * Tags that carry what is attached to a manifest `sha256:<hex>`, stored as ordinary tags in the same
 * repository, so a mirror that copies only the image tags leaves them behind:
 * - cosign's tag schema: signatures, attestations and SBOMs as `sha256-<hex>.sig|.att|.sbom`
 *   (sigstore/cosign "Registry Details");
 * - the OCI referrers tag schema `sha256-<hex>`: on a registry without the referrers API (distribution
 *   2.8) clients such as oras and notation keep an index of the manifest's referrers under that tag
 *   (distribution-spec v1.1 "Referrers Tag Schema"). Copying the tag copies the index and, as children,
 *   the referrers themselves.
 */

const SUFFIXES = ['.sig', '.att', '.sbom'] as const;
const SIGNATURE_TAG = /^sha256-[a-f0-9]{64}(?:\.(?:sig|att|sbom))?$/;

/** The tag names that would belong to this manifest digest: the cosign tags, then the referrers tag. */
export function signatureTagsOf(digest: string): string[] {
  const match = /^sha256:([a-f0-9]{64})$/.exec(digest);
  if (!match) return [];
  const base = `sha256-${match[1]}`;
  return [...SUFFIXES.map((suffix) => `${base}${suffix}`), base];
}

export function isSignatureTag(tag: string): boolean {
  return SIGNATURE_TAG.test(tag);
}
