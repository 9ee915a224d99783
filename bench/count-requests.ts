/**
 * Preloaded into a benchmarked process (`node --import <this> …`): counts the HTTP requests undici makes
 * (the `undici:request:create` diagnostics channel, retries included) and writes `{"requests": N}` to
 * `$BENCH_REQUESTS_FILE` when the process exits.
 */
import diagnostics from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_REQUESTS_FILE;
if (file) {
  let requests = 0;
  diagnostics.subscribe('undici:request:create', () => {
    requests++;
  });
  process.once('exit', () => writeFileSync(file, JSON.stringify({ requests })));
}
