// Kept with ConfigError (both: bad input, exit 2, nothing done) so that engines can raise it without cli/.
export { UsageError } from '../config/errors.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
