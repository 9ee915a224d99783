/**
 * Cosign's tag schema: signatures, attestations and SBOMs of `sha256:<hex>` are stored as ordinary tags
 * `sha256-<hex>.sig|.att|.sbom` in the same repository (sigstore/cosign "Registry Details"), so a mirror
 * that copies only the image tags leaves them behind.
 */

const SUFFIXES = ['sig', 'att', 'sbom'] as const;
const SIGNATURE_TAG = /^sha256-[a-f0-9]{64}\.(?:sig|att|sbom)$/;

/** The cosign tag names that would belong to this manifest digest. */
export function signatureTagsOf(digest: string): string[] {
  const match = /^sha256:([a-f0-9]{64})$/.exec(digest);
  if (!match) return [];
  return SUFFIXES.map((suffix) => `sha256-${match[1]}.${suffix}`);
}

export function isSignatureTag(tag: string): boolean {
  return SIGNATURE_TAG.test(tag);
}
