/**
 * Everything the entries of a layout need, found by walking their manifests in the layout: an index's
 * children, an image's config and layers. Each digest comes with what first needed it (`layer of acme/app:v1`)
 * for messages. A manifest that is not in the layout ends its branch: `absent` lists it.
 */
import { blobsOf, childManifests, type Manifest, parseManifest } from '../../registry/index.js';
import type { LayoutEntry } from './index-entries.js';
import { type LayoutDir, MAX_MANIFEST_BYTES } from './layout-dir.js';

export interface Needed {
  size: number;
  /** e.g. `layer of acme/app:v1`. */
  of: string;
}

export interface Reachable {
  /** Manifests found in the layout. */
  manifests: Map<string, Needed>;
  /** Configs and layers of those manifests. */
  blobs: Map<string, Needed>;
  /** Manifests the entries (or an index) name that the layout does not hold. */
  absent: Map<string, Needed>;
}

export async function reachableFrom(layout: LayoutDir, entries: Iterable<LayoutEntry>): Promise<Reachable> {
  const found: Reachable = { manifests: new Map(), blobs: new Map(), absent: new Map() };
  const walk = async (digest: string, size: number, mediaType: string, of: string): Promise<void> => {
    if (found.manifests.has(digest) || found.absent.has(digest)) return;
    if ((await layout.blobSize(digest)) === undefined) {
      found.absent.set(digest, { size, of });
      return;
    }
    found.manifests.set(digest, { size, of });
    let manifest: Manifest;
    try {
      manifest = parseManifest(await layout.readBlob(digest, MAX_MANIFEST_BYTES), {
        contentType: mediaType,
        expectedDigest: digest,
      });
    } catch {
      return; // verify.ts hashes every manifest file and names the bad one
    }
    for (const child of childManifests(manifest)) {
      await walk(child.digest, child.size, child.mediaType, `child ${child.digest.slice(7, 19)} of ${of}`);
    }
    if (manifest.kind === 'image') {
      for (const blob of blobsOf(manifest)) {
        const what = blob.digest === manifest.config.digest ? 'config' : 'layer';
        if (!found.blobs.has(blob.digest))
          found.blobs.set(blob.digest, { size: blob.size, of: `${what} of ${of}` });
      }
    }
  };
  for (const entry of entries) {
    const of =
      entry.tag === undefined ? `${entry.repository}@${entry.digest}` : `${entry.repository}:${entry.tag}`;
    await walk(entry.digest, entry.size, entry.mediaType, of);
  }
  return found;
}
