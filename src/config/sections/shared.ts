import * as z from 'zod';
import { secretValue } from '../secret.js';
import { byteSize, filePath, httpUrl, instanceName } from '../values.js';

/** One Quay instance (or, with `type: registry`, a plain OCI registry without Quay's API). */
export const quayInstanceSchema = z
  .strictObject({
    type: z.enum(['quay', 'registry']).default('quay').meta({
      description:
        'quay: Red Hat Quay (API and registry); registry: a plain OCI registry; oci-layout: an OCI image-layout folder or its tar volumes (mirror-repos only)',
    }),
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

/** The smallest tar volume: room for index.json of a few thousand tags and the volume's own description. */
export const MIN_ARCHIVE_SIZE = 2 ** 20;

/**
 * An OCI image-layout folder (src/archive/): a mirror-repos destination (mirror to disk) or source (disk to
 * mirror), optionally as tar volumes of at most `maxArchiveSize` bytes to carry on disks.
 */
export const ociLayoutInstanceSchema = z
  .strictObject({
    type: z.literal('oci-layout').meta({
      description:
        'oci-layout: an OCI image-layout folder (or its tar volumes) that mirror-repos writes and reads',
    }),
    path: filePath.meta({
      description:
        'The layout folder; with maxArchiveSize, the folder of its tar volumes (created when missing)',
      examples: ['/workspace/archive'],
    }),
    maxArchiveSize: byteSize({
      description:
        'Write the archive as tar volumes of at most this size (bytes, or a size like 4GiB for FAT)',
      examples: ['4GiB', 4294967295],
    })
      .refine((bytes) => bytes >= MIN_ARCHIVE_SIZE, { message: 'at least 1MiB' })
      .optional(),
    workDir: filePath.optional().meta({
      description:
        'With maxArchiveSize: where the layout is assembled (export) or extracted (import); default <path>.work',
      examples: ['/workspace/archive-work'],
    }),
    receipt: filePath.optional().meta({
      description:
        "As a destination: the far side's receipt, whose blobs and tags the export leaves out. As a source: where the import writes its receipt (default <path>/quay-tasks-receipt.json)",
      examples: ['/workspace/receipts/site-b.json'],
    }),
  })
  .meta({ description: 'An OCI image-layout archive' });

export type OciLayoutInstanceConfig = z.output<typeof ociLayoutInstanceSchema>;

export const instanceSchema = z.discriminatedUnion('type', [quayInstanceSchema, ociLayoutInstanceSchema]);

/** An entry of the `quay` section: a Quay, a plain registry, or an oci-layout archive. */
export type InstanceConfig = QuayInstanceConfig | OciLayoutInstanceConfig;

export const quayInstancesSchema = z.record(instanceName, instanceSchema).meta({
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
