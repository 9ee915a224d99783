/**
 * Runs Quay emulators as an outside service, for a program that treats them as it would a real Quay and so
 * does not load the emulator's code (the demo):
 *
 *   node dist/test/support/quay-emulator/serve.js [SPEC.json]   (no file: the spec is stdin's first line)
 *
 * Starts and seeds every instance of the spec (serve-spec.ts), then prints ONE JSON line on stdout,
 *   {"instances": {"west": {"url": "http://127.0.0.1:4711", "host": "127.0.0.1:4711",
 *                           "tokens": {"admin": "…"}}}}
 * and serves until SIGTERM, SIGINT or the end of stdin. Stdin is the lifeline: whoever started the program
 * holds it open, and when that process ends, however it ends, the emulators stop with it. A bad spec exits 2
 * naming the problem on stderr; an instance that cannot start exits 1.
 */
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { type QuayEmulator, startQuayEmulator } from './index.js';
import { parseServeSpec, ServeSpecError, seedInstance, startOptions } from './serve-spec.js';

const PROGRAM = 'quay-emulator serve';

interface ServedInstance {
  url: string;
  host: string;
  tokens: Record<string, string>;
}

async function serve(argv: readonly string[]): Promise<void> {
  const stdin = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  const firstLine = new Promise<string | undefined>((resolve) => {
    stdin.once('line', resolve);
    stdin.once('close', () => resolve(undefined));
  });
  const stopped = new Promise<void>((resolve) => {
    stdin.once('close', resolve);
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  const started: QuayEmulator[] = [];
  try {
    if (argv.length > 1) throw new ServeSpecError(`one argument at most (a spec file), got ${argv.length}`);
    const file = argv[0];
    const text = file === undefined ? await firstLine : await readSpecFile(file);
    if (text === undefined)
      throw new ServeSpecError('stdin closed before a spec line came (give a spec file, or one JSON line)');
    const spec = parseServeSpec(text, file ?? 'stdin');
    const instances: Record<string, ServedInstance> = {};
    for (const [name, instance] of Object.entries(spec.instances)) {
      const quay = await startQuayEmulator(startOptions(instance));
      started.push(quay);
      instances[name] = { url: quay.url, host: quay.host, tokens: await seedInstance(quay, instance) };
    }
    process.stdout.write(`${JSON.stringify({ instances })}\n`);
    await stopped;
  } finally {
    stdin.close();
    await Promise.all(started.map((quay) => quay.close()));
  }
}

async function readSpecFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new ServeSpecError(`${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? error})`);
  }
}

serve(process.argv.slice(2)).then(
  () => process.stdout.write('', () => process.exit(0)),
  (error: unknown) => {
    const bad = error instanceof ServeSpecError;
    const text = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${PROGRAM}: ${bad ? 'bad spec: ' : ''}${text}\n`, () => process.exit(bad ? 2 : 1));
  },
);
