/** The kubeconfig a test hands to kubectl: one cluster, one token user, namespace `default`. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function writeKubeconfig(dir: string, server: string, token: string, caPem?: string): string {
  const cluster: Record<string, string> = { server };
  if (caPem) cluster['certificate-authority-data'] = Buffer.from(caPem).toString('base64');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'kube-emulator', cluster }],
    users: [{ name: 'kube-emulator', user: { token } }],
    contexts: [
      {
        name: 'kube-emulator',
        context: { cluster: 'kube-emulator', user: 'kube-emulator', namespace: 'default' },
      },
    ],
    'current-context': 'kube-emulator',
  };
  const path = join(dir, 'kubeconfig');
  // JSON is YAML; 0600 because it holds the token.
  writeFileSync(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  return path;
}
