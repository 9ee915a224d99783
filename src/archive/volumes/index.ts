// STUB until the volumes branch lands (replaced by it).
export interface PackResult {
  volumes: string[];
  bytes: number;
  unchanged: boolean;
  parts: number;
}
export interface ExtractResult {
  set: string;
  volumes: number;
  written: number;
  present: number;
  bytes: number;
  skipped: boolean;
}
export async function packVolumes(_options: {
  layoutDir: string;
  volumesDir: string;
  maxVolumeSize: number;
  blobs: readonly string[];
  files: readonly string[];
}): Promise<PackResult> {
  throw new Error('volumes: not yet');
}
export async function extractVolumes(_options: {
  volumesDir: string;
  layoutDir: string;
  archive?: string;
}): Promise<ExtractResult> {
  throw new Error('volumes: not yet');
}
