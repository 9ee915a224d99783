/** Registry credentials in auth.json / .dockerconfigjson files: the one type, reading, writing. */
export { dockerConfigJson, type RegistryCredential, writeAuthFile } from './auth-file.js';
export {
  type CredentialLookupOptions,
  credentialFileCandidates,
  type FoundCredential,
  findRegistryCredentials,
} from './auth-lookup.js';
export { DOCKER_HUB, normalizeRegistry } from './registry-host.js';
