import * as z from 'zod';
import { secretValue } from '../secret.js';
import { duration, instanceName, kubernetesName, webhookUrlSchema } from '../values.js';

/** `org/repo:tag`, `org/repo@sha256:…` or `org/repo` (every tag, then filtered by `tags`). */
const repositoryReference = z
  .string()
  .regex(
    /^[a-z0-9][._a-z0-9-]*(\/[a-z0-9][._a-z0-9-]*)+(:[\w][\w.-]{0,127}|@sha256:[a-f0-9]{64})?$/,
    'org/repo, org/repo:tag or org/repo@sha256:<digest>',
  )
  .meta({ examples: ['team-alpha/web:1.4.2'] });

const tagFilter = z
  .strictObject({
    include: z
      .array(z.string().min(1))
      .default([])
      .meta({ description: 'Glob patterns (*, ?) a tag must match one of', examples: [['v*']] }),
    exclude: z
      .array(z.string().min(1))
      .default([])
      .meta({ description: 'Glob patterns of tags to leave out', examples: [['*-rc*']] }),
    regex: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'A regular expression a tag must match', examples: ['^v\\d+\\.\\d+\\.\\d+$'] }),
    semver: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'A semver range tags must satisfy', examples: ['>=1.2.0 <2'] }),
    latest: z
      .number()
      .int()
      .positive()
      .optional()
      .meta({ description: 'Keep only the newest N tags (by time)', examples: [5] }),
  })
  .meta({ description: 'Which tags of a repository to mirror' });

const repositoryEntry = z.union([
  repositoryReference,
  z.strictObject({ repository: repositoryReference, tags: tagFilter.optional() }),
]);

const patterns = (one: string, many: string) =>
  z.strictObject({
    include: z
      .array(z.string().min(1))
      .default(['*'])
      .meta({ description: `Glob patterns (*, ?) ${one} must match one of`, examples: [['team-*']] }),
    exclude: z
      .array(z.string().min(1))
      .default([])
      .meta({ description: `Glob patterns of ${many} to leave out`, examples: [['*-scratch']] }),
  });

const destination = z.union([
  instanceName,
  z.strictObject({
    instance: instanceName,
    prefix: z
      .string()
      .optional()
      .meta({ description: 'Prefix put before every repository path', examples: ['mirror/'] }),
    rename: z
      .record(z.string().min(1), z.string().min(1))
      .default({})
      .meta({
        description: 'Source org (or org/repo) → destination name',
        examples: [{ 'team-alpha': 'alpha' }],
      }),
  }),
]);

/**
 * Where the ImageDigestMirrorSet / ImageTagMirrorSet of a run go (src/mirror/cluster-resources/). A plain
 * string is the folder; the object form says more. Field names follow config.openshift.io/v1.
 */
const clusterResources = z.union([
  z
    .string()
    .min(1)
    .meta({
      description: 'The folder to write the two manifests to',
      examples: ['/workspace/cluster-resources'],
    }),
  z.strictObject({
    dir: z
      .string()
      .min(1)
      .meta({
        description: 'The folder to write the manifests to (created when missing)',
        examples: ['/workspace/cluster-resources'],
      }),
    name: kubernetesName.default('quay-tasks-mirror').meta({
      description: 'metadata.name of both objects (and the file names)',
      examples: ['quay-tasks-mirror'],
    }),
    kinds: z
      .array(z.enum(['ImageDigestMirrorSet', 'ImageTagMirrorSet']))
      .min(1)
      .default(['ImageDigestMirrorSet', 'ImageTagMirrorSet'])
      .meta({
        description:
          'Which of the two to write: pulls by tag may give other images than the source (openshift/api)',
        examples: [['ImageDigestMirrorSet']],
      }),
    mirrorSourcePolicy: z
      .enum(['AllowContactingSource', 'NeverContactSource'])
      .optional()
      .meta({
        description:
          'spec.*Mirrors[].mirrorSourcePolicy of every entry; unset: the source may be contacted when every mirror fails',
        examples: ['NeverContactSource'],
      }),
    labels: z
      .record(z.string().min(1), z.string())
      .default({})
      .meta({
        description: 'Extra metadata.labels (app.kubernetes.io/managed-by: quay-tasks is always set)',
        examples: [{ team: 'platform' }],
      }),
    apply: z.boolean().default(false).meta({
      description: 'Also apply them to the cluster (server-side apply with oc/kubectl, the cluster section)',
    }),
  }),
]);

export const mirrorReposSchema = z
  .strictObject({
    source: instanceName.default('primary').meta({ description: 'Entry of `quay` to copy from' }),
    destinations: z
      .array(destination)
      .min(1)
      .default(['secondary'])
      .meta({ description: 'Entries of `quay` to copy to', examples: [['secondary']] }),
    repositories: z
      .array(repositoryEntry)
      .default([])
      .meta({
        description: 'Explicit list of repositories/tags to mirror',
        examples: [['team-alpha/web:1.4.2']],
      }),
    discovery: z
      .strictObject({
        enabled: z
          .boolean()
          .default(false)
          .meta({ description: 'Mirror every organization and repository found on the source' }),
        organizations: patterns('an organization', 'organizations')
          .optional()
          .meta({ description: 'Which organizations to look in (by name)' }),
        repositories: patterns('a repository', 'repositories').optional().meta({
          description:
            'Which repositories to mirror: patterns match the name in its organization, or org/repo when they contain a slash',
        }),
      })
      .optional()
      .meta({ description: 'Auto-discovery of organizations and repositories on the source' }),
    tags: tagFilter.optional(),
    createOrganizations: z
      .boolean()
      .default(true)
      .meta({ description: 'Create missing organizations at the destinations' }),
    keepGoing: z
      .boolean()
      .default(false)
      .meta({ description: 'Record a failed image and go on (the original --skip-broken-images)' }),
    failover: z.boolean().default(false).meta({ description: 'Swap source and the (single) destination' }),
    prune: z
      .boolean()
      .default(false)
      .meta({ description: 'Delete destination tags that are gone from the source' }),
    signatures: z
      .boolean()
      .default(true)
      .meta({ description: 'Also copy cosign tags and OCI referrers of copied images' }),
    concurrency: z
      .number()
      .int()
      .min(1)
      .max(64)
      .default(6)
      .meta({ description: 'Parallel transfers per registry host' }),
    preflight: z
      .strictObject({
        enabled: z.boolean().default(true),
        timeout: duration(5),
      })
      .optional()
      .meta({ description: 'DNS and TCP checks of every registry before any copy' }),
    pushTrigger: z
      .strictObject({
        url: webhookUrlSchema({
          description: "The EventListener's URL as Quay reaches it (the Route of Service el-quay)",
          examples: ['https://el-quay-quay-tasks.apps.example.com'],
        }),
        token: secretValue(
          'The shared token the EventListener compares (key token of Secret quay-webhook), sent as ?token=',
          'WEBHOOK_TOKEN',
        ),
        title: z
          .string()
          .min(1)
          .default('quay-tasks mirror')
          .meta({
            description: 'The title that marks the notifications this mirror owns',
            examples: ['quay-tasks mirror'],
          }),
        exclusive: z.boolean().default(true).meta({
          description:
            'Remove this notification (same title) from repositories of the selected organizations that the mirror no longer selects',
        }),
      })
      .optional()
      .meta({
        description:
          'A repo_push webhook notification on every source repository the mirror selects (discovered ones too), made on every full run: each push then starts the quay-mirror trigger',
      }),
    clusterResources: clusterResources.optional().meta({
      description:
        'Write ImageDigestMirrorSet and ImageTagMirrorSet manifests of the repositories this run mirrored (source → every destination), and optionally apply them',
      examples: [{ dir: '/workspace/cluster-resources', mirrorSourcePolicy: 'NeverContactSource' }],
    }),
    engine: z
      .enum(['native', 'podman'])
      .default('native')
      .meta({ description: 'native: registry-to-registry copy; podman: pull/tag/push' }),
  })
  .meta({ description: 'mirror-repos: copy repositories and tags from a source Quay to destinations' });

export type MirrorReposConfig = z.output<typeof mirrorReposSchema>;
export type ClusterResourcesConfig = Exclude<NonNullable<MirrorReposConfig['clusterResources']>, string>;
