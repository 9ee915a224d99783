export { type ExtractOptions, type ExtractResult, extractVolumes } from './extract.js';
export { type PackOptions, type PackResult, packVolumes } from './pack.js';
export { MIN_VOLUME_SIZE } from './plan-volumes.js';
