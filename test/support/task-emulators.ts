/**
 * The emulators every task runs against when the Tekton Tasks or the GitHub Actions are run one by one:
 * a Quay with an admin token and proxy caching (upstreams on loopback allowed), its organization
 * team-alpha with repository web; a fresh Quay that accepts its first user; a source and a destination
 * Quay for mirroring; and a Kubernetes API with the namespaces default and apps.
 */
import { after, before } from 'node:test';
import { type KubeEmulator, startKubeEmulator } from './kube-emulator/index.js';
import { type MirrorQuay, startMirrorQuay } from './mirror-fixture.js';
import { type QuayEmulator, startQuayEmulator } from './quay-emulator/index.js';
import { type QuayFixture, quayFixture } from './quay-fixture.js';

export interface TaskEmulators {
  fx: QuayFixture;
  fresh: QuayEmulator;
  src: MirrorQuay;
  dst: MirrorQuay;
  kube: KubeEmulator;
}

/**
 * Starts the emulators before the tests of the calling suite and closes them after. The fields of the
 * returned object are set once the suite's before hook has run.
 */
export function useTaskEmulators(): TaskEmulators {
  const emulators = {} as TaskEmulators;
  before(async () => {
    [emulators.fx, emulators.fresh, emulators.src, emulators.dst, emulators.kube] = await Promise.all([
      quayFixture({ features: { proxyCache: true }, ssrfAllowedHosts: ['127.0.0.1'] }),
      startQuayEmulator({ features: { userInitialize: true } }),
      startMirrorQuay(),
      startMirrorQuay(),
      startKubeEmulator({ namespaces: ['default', 'apps'] }),
    ]);
    emulators.fx.quay.seed.org('team-alpha', { owner: 'admin' });
    emulators.fx.quay.seed.repo('team-alpha/web');
  });
  after(async () => {
    const { fx, fresh, src, dst, kube } = emulators;
    await Promise.all([fx.quay.close(), fresh.close(), src.quay.close(), dst.quay.close(), kube.close()]);
  });
  return emulators;
}
