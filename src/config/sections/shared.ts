import * as z from 'zod';
import { secretValue } from '../secret.js';
import { filePath, httpUrl, instanceName } from '../values.js';

/** One Quay instance (or, with `type: registry`, a plain OCI registry without Quay's API). */
export const quayInstanceSchema = z
  .strictObject({
    type: z
      .enum(['quay', 'registry'])
      .default('quay')
      .meta({ description: 'quay: Red Hat Quay (API and registry); registry: a plain OCI registry' }),
    url: httpUrl(
      {
        description: 'Base URL with scheme, e.g. https://quay.example.com (a trailing slash is ignored)',
        examples: ['https://quay.example.com'],
      },
      ['/api/v1', '/v2'],
    ),
    token: secretValue(
      'Quay API OAuth token (bearer); super-user rights for discovery and ownership',
    ).optional(),
    username: z
      .string()
      .min(1)
      .optional()
      .meta({
        description: 'Registry user (or robot, org+name) for image pulls and pushes',
        examples: ['mirrorbot'],
      }),
    password: secretValue('Registry password or robot token for `username`', 'QUAY_PASSWORD').optional(),
    caBundle: filePath.optional().meta({
      description: 'PEM file of CAs to trust in addition to the system roots',
      examples: ['/workspace/ca/ca.crt'],
    }),
    insecureSkipTlsVerify: z
      .boolean()
      .default(false)
      .meta({ description: 'Skip TLS verification (prefer caBundle)', examples: [false] }),
  })
  .meta({ description: 'A Quay instance' });

export type QuayInstanceConfig = z.output<typeof quayInstanceSchema>;

export const quayInstancesSchema = z.record(instanceName, quayInstanceSchema).meta({
  description: 'Named Quay instances, referred to by name from the task sections',
  examples: [{ primary: { url: 'https://quay.example.com', token: { env: 'QUAY_TOKEN' } } }],
});

/** How to reach the OpenShift / Kubernetes API. With nothing set: the current kubeconfig or in-cluster account. */
export const clusterSchema = z
  .strictObject({
    cli: z
      .enum(['oc', 'kubectl'])
      .optional()
      .meta({ description: 'Cluster CLI; default oc when on PATH, else kubectl', examples: ['oc'] }),
    kubeconfig: filePath
      .optional()
      .meta({ description: 'Path to a kubeconfig file', examples: ['/workspace/kubeconfig/kubeconfig'] }),
    context: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'kubeconfig context to use', examples: ['admin'] }),
    server: httpUrl({
      description: 'API server URL, used with token or username/password',
      examples: ['https://api.cluster.example.com:6443'],
    }).optional(),
    token: secretValue('Bearer token for the API server', 'KUBE_TOKEN').optional(),
    username: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'User for `oc login` (password through stdin)', examples: ['admin'] }),
    password: secretValue('Password for `oc login`', 'OPENSHIFT_PASSWORD').optional(),
    caBundle: filePath
      .optional()
      .meta({ description: 'PEM file of the API server CA', examples: ['/workspace/ca/api-ca.crt'] }),
    insecureSkipTlsVerify: z
      .boolean()
      .default(false)
      .meta({ description: 'Skip TLS verification of the API server' }),
  })
  .meta({
    description: 'How to reach the OpenShift/Kubernetes API (default: current kubeconfig or in-cluster)',
  });

export type ClusterConfig = z.output<typeof clusterSchema>;
