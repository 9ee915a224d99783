import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';

/**
 * A TCP listener that counts connections: point a config's URLs at it to prove a run contacted nothing.
 */
export async function startTcpTripwire(): Promise<{
  port: number;
  url: string;
  connections: () => number;
  close: () => Promise<void>;
}> {
  let count = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    count += 1;
    sockets.add(socket);
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    url: `https://127.0.0.1:${address.port}`,
    connections: () => count,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * Stand-ins for the programs a task may start (oc, kubectl, podman, skopeo): each records its argv
 * in a log. Put `binDir` first on PATH; `invocations()` lists what was started.
 */
export function fakePrograms(dir: string, names = ['oc', 'kubectl', 'podman', 'skopeo']) {
  const binDir = join(dir, 'bin');
  const log = join(dir, 'invocations.log');
  mkdirSync(binDir, { recursive: true });
  for (const name of names) {
    const script = join(binDir, name);
    writeFileSync(script, `#!/bin/sh\necho "${name} $*" >> "${log}"\nexit 0\n`);
    chmodSync(script, 0o755);
  }
  return {
    binDir,
    invocations: (): string[] =>
      existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [],
    record: (line: string) => appendFileSync(log, `${line}\n`),
  };
}
