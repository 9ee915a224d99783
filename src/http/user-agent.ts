import { PACKAGE_NAME, packageVersion } from '../version.js';

/** `quay-tasks/<version>`. */
export function defaultUserAgent(): string {
  return `${PACKAGE_NAME}/${packageVersion()}`;
}
