import * as z from 'zod';
import { secretValue } from '../secret.js';
import { byteSize, instanceName, namespaceName, presence, webhookUrlSchema } from '../values.js';
import { repositoryRole } from './create-robots.js';

/**
 * A list that is either written plainly (the declared items are made so, others are left alone) or as
 * `{exclusive: true, items: [...]}` (then items that are not declared are removed and reported).
 */
function declaredList<T extends z.ZodType>(item: T, description: string) {
  return z
    .union([
      z.array(item),
      z.strictObject({
        exclusive: z
          .boolean()
          .default(false)
          .meta({ description: 'Remove what exists and is not declared here' }),
        items: z.array(item).default([]),
      }),
    ])
    .default([])
    .meta({ description: `${description} — a list, or {exclusive: true, items: [...]}` })
    .transform((value) =>
      Array.isArray(value)
        ? { exclusive: false, items: value as z.output<T>[], written: 'list' as const }
        : { exclusive: value.exclusive, items: value.items as z.output<T>[], written: 'object' as const },
    );
}

export type DeclaredList<T> = { exclusive: boolean; items: T[]; written: 'list' | 'object' };

/** The key path of an item as the user wrote the list: `members[2]` or `members.items[2]`. */
export function declaredItemPath(listPath: string, list: DeclaredList<unknown>, index: number): string {
  return list.written === 'list' ? `${listPath}[${index}]` : `${listPath}.items[${index}]`;
}

const userName = z
  .string()
  .regex(/^[a-z0-9][._a-z0-9-]{1,254}$/, 'a Quay user name')
  .meta({ examples: ['alice'] });
const robotName = z
  .string()
  .regex(/^[a-z0-9][._a-z0-9-]{1,254}\+[a-z][a-z0-9_]{1,254}$/, 'a robot full name, namespace+name')
  .meta({ examples: ['platform-team+deployer'] });
const teamName = z
  .string()
  .regex(
    /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/,
    "a team name (Quay's rule, data/model/team.py: lower-case letters and digits, single . _ - between them)",
  )
  .min(2)
  .max(255)
  .meta({ examples: ['builders'] });

const holderKeys = {
  user: userName.optional(),
  robot: robotName.optional(),
  team: teamName.optional(),
};

/** Exactly one of user, robot or team: who a permission is for. */
function oneHolder(p: { user?: string; robot?: string; team?: string }): boolean {
  return [p.user, p.robot, p.team].filter((v) => v !== undefined).length === 1;
}
const ONE_HOLDER = { message: 'set exactly one of user, robot or team' };

const member = z
  .string()
  .regex(
    /^[a-z0-9][._a-z0-9-]{1,254}(\+[a-z][a-z0-9_]{1,254})?$/,
    'a user name or a robot full name (namespace+name)',
  )
  .meta({ examples: ['alice', 'platform-team+ci'] });

const team = z
  .strictObject({
    name: teamName,
    role: z
      .enum(['member', 'creator', 'admin'])
      .default('member')
      .meta({
        description:
          'member: read what the team is granted; creator: also create repositories; admin: the organization',
        examples: ['creator'],
      }),
    description: z
      .string()
      .default('')
      .meta({ examples: ['Builds and pushes the images'] }),
    members: declaredList(
      member,
      'Users and robots in the team (users outside the organization may get an invitation)',
    ),
    state: presence,
  })
  .meta({ examples: [{ name: 'builders', role: 'creator', members: ['alice', 'platform-team+ci'] }] });

const defaultPermission = z
  .strictObject({
    ...holderKeys,
    role: repositoryRole,
    activatingUser: userName.optional().meta({
      description: 'Only for repositories this user creates (default: every new repository)',
    }),
  })
  .refine(oneHolder, ONE_HOLDER)
  .meta({ examples: [{ team: 'builders', role: 'write' }] });

const repositoryPermission = z
  .strictObject({ ...holderKeys, role: repositoryRole })
  .refine(oneHolder, ONE_HOLDER)
  .meta({
    examples: [{ team: 'builders', role: 'write' }],
  });

/** Quay's notification events (notifications/notificationevent.py) and methods (notificationmethod.py). */
export const NOTIFICATION_EVENTS = [
  'repo_push',
  'repo_mirror_sync_started',
  'repo_mirror_sync_success',
  'repo_mirror_sync_failed',
  'vulnerability_found',
  'build_queued',
  'build_start',
  'build_success',
  'build_failure',
  'build_cancelled',
  'repo_image_expiry',
] as const;

const notification = z
  .strictObject({
    event: z.enum(NOTIFICATION_EVENTS).meta({ examples: ['repo_push'] }),
    method: z
      .enum(['webhook', 'slack', 'email', 'quay_notification'])
      .meta({ description: 'How Quay notifies', examples: ['webhook'] }),
    title: z
      .string()
      .min(1)
      .meta({
        description: 'The notification title; together with event and method, what identifies it',
        examples: ['CI on push'],
      }),
    url: webhookUrlSchema({
      description: 'webhook and slack: where Quay POSTs (Quay refuses localhost and 127.0.0.1)',
      examples: ['https://ci.example.com/quay'],
    }).optional(),
    token: secretValue('webhook: a shared token, sent as ?token= on the URL', 'WEBHOOK_TOKEN').optional(),
    email: z
      .email()
      .optional()
      .meta({
        description: 'email: the address (Quay requires it to be authorized for the repository)',
        examples: ['team@example.com'],
      }),
    target: z
      .strictObject({
        kind: z.enum(['user', 'team', 'org']),
        name: z.string().min(1),
      })
      .optional()
      .meta({
        description: 'quay_notification: who sees it in Quay',
        examples: [{ kind: 'team', name: 'builders' }],
      }),
    eventConfig: z
      .record(z.string(), z.unknown())
      .default({})
      .meta({
        description:
          "The event's own settings, as Quay takes them (e.g. {level: 'critical'} for vulnerability_found, {days: 7} for repo_image_expiry)",
        examples: [{}],
      }),
  })
  .superRefine((n, context) => {
    const need = { webhook: 'url', slack: 'url', email: 'email', quay_notification: 'target' } as const;
    const key = need[n.method];
    if (n[key] === undefined)
      context.addIssue({ code: 'custom', path: [key], message: `method ${n.method} needs ${key}` });
    if (n.token !== undefined && n.method !== 'webhook')
      context.addIssue({ code: 'custom', path: ['token'], message: 'token is for method webhook only' });
  })
  .meta({
    examples: [
      {
        event: 'repo_push',
        method: 'webhook',
        title: 'CI on push',
        url: 'https://ci.example.com/quay',
        token: { env: 'WEBHOOK_TOKEN' },
      },
    ],
  });

const repository = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z0-9][._a-z0-9-]*(\/[a-z0-9][._a-z0-9-]*)*$/, 'a repository name inside the organization')
      .max(255)
      .meta({ examples: ['web'] }),
    visibility: z
      .enum(['private', 'public'])
      .optional()
      .meta({
        description: 'Made so when set; a new repository is private unless this says public',
        examples: ['private'],
      }),
    description: z
      .string()
      .optional()
      .meta({ description: 'Made so when set', examples: ['The web front end'] }),
    permissions: declaredList(repositoryPermission, 'Direct permissions of users, robots and teams'),
    notifications: declaredList(notification, 'Repository notifications'),
    state: presence.meta({ description: 'absent deletes the repository and every image in it' }),
  })
  .meta({
    examples: [{ name: 'web', visibility: 'private', permissions: [{ team: 'builders', role: 'write' }] }],
  });

const quotaLimit = z.strictObject({
  type: z.enum(['Warning', 'Reject']).meta({ examples: ['Warning'] }),
  thresholdPercent: z
    .number()
    .int()
    .min(1)
    .max(100)
    .meta({ examples: [80] }),
});

const quota = z
  .strictObject({
    limit: byteSize({
      description: 'Storage the organization may use',
      examples: ['50GiB', 53687091200],
    }).optional(),
    limits: z
      .array(quotaLimit)
      .default([])
      .meta({ description: 'Warning and reject thresholds, exactly these (others are removed)' }),
    state: presence,
  })
  .refine((q) => q.state === 'absent' || q.limit !== undefined, {
    message: 'limit is required unless state is absent',
    path: ['limit'],
  })
  .meta({
    description:
      'The organization storage quota (needs FEATURE_QUOTA_MANAGEMENT and a superuser token with FEATURE_SUPERUSERS_FULL_ACCESS)',
    examples: [
      {
        limit: '50GiB',
        limits: [
          { type: 'Warning', thresholdPercent: 80 },
          { type: 'Reject', thresholdPercent: 100 },
        ],
      },
    ],
  });

const organization = z
  .strictObject({
    name: namespaceName,
    teams: z.array(team).default([]).meta({ description: 'Teams with their role, description and members' }),
    defaultPermissions: declaredList(
      defaultPermission,
      "What every new repository grants, and to whom (Quay's default permissions)",
    ),
    repositories: z
      .array(repository)
      .default([])
      .meta({ description: 'Repositories, created ahead of pushes, with permissions and notifications' }),
    quota: quota.optional(),
  })
  .meta({
    examples: [{ name: 'platform-team', teams: [{ name: 'builders', role: 'creator', members: ['alice'] }] }],
  });

export const quayConfigSchema = z
  .strictObject({
    instance: instanceName.default('primary').meta({ description: 'Which entry of `quay` to configure' }),
    organizations: z
      .array(organization)
      .default([])
      .meta({ description: 'Organizations (existing: quay-init creates them) and what they hold' }),
  })
  .meta({
    description:
      'quay-config: teams, default permissions, repositories, notifications and quota of organizations',
  });

export type QuayConfigSection = z.output<typeof quayConfigSchema>;
export type OrganizationSpec = QuayConfigSection['organizations'][number];
