import * as z from 'zod';

export type RepositoryRole = 'read' | 'write' | 'admin';

/** Response shapes of the Quay API calls the project makes (quay-api.md). Unknown fields pass through. */

export const InitializedUser = z.looseObject({
  username: z.string(),
  email: z.string().nullable().optional(),
  encrypted_password: z.string().optional(),
  access_token: z.string().optional(),
});
export type InitializedUser = z.infer<typeof InitializedUser>;

export const CurrentUser = z.looseObject({
  username: z.string(),
  anonymous: z.boolean().optional(),
  super_user: z.boolean().optional(),
  organizations: z.array(z.looseObject({ name: z.string() })).optional(),
});
export type CurrentUser = z.infer<typeof CurrentUser>;

export const Organization = z.looseObject({
  name: z.string(),
  is_admin: z.boolean().optional(),
  is_member: z.boolean().optional(),
  teams: z
    .record(
      z.string(),
      z.looseObject({
        name: z.string(),
        role: z.string().optional(),
        description: z.string().nullable().optional(),
      }),
    )
    .optional(),
});
export type Organization = z.infer<typeof Organization>;

export const SuperuserOrganizations = z.looseObject({
  organizations: z.array(z.looseObject({ name: z.string() })),
  next_page: z.string().optional(),
});

export const Robot = z.looseObject({
  name: z.string(),
  description: z.string().optional().default(''),
  token: z.string().optional(),
  created: z.string().nullable().optional(),
  last_accessed: z.string().nullable().optional(),
});
export type Robot = z.infer<typeof Robot>;

export const RobotList = z.looseObject({
  robots: z.array(
    Robot.extend({
      teams: z.array(z.looseObject({ name: z.string() })).optional(),
      repositories: z.array(z.string()).optional(),
    }),
  ),
});

export const RobotPermissions = z.looseObject({
  permissions: z.array(z.looseObject({ repository: z.looseObject({ name: z.string() }), role: z.string() })),
});

export const RepositoryPermission = z.looseObject({ role: z.string(), name: z.string() });

export const TeamMembers = z.looseObject({
  name: z.string(),
  members: z.array(
    z.looseObject({
      name: z.string(),
      kind: z.string().optional(),
      is_robot: z.boolean().optional(),
      invited: z.boolean().optional(),
    }),
  ),
});

export const ProxyCacheConfig = z.looseObject({
  upstream_registry: z.string(),
  // Quay answers "" for both when no config exists (quay-api.md §8).
  expiration_s: z.union([z.number(), z.literal('')]),
  insecure: z.union([z.boolean(), z.literal('')]),
});

export const RepositoryList = z.looseObject({
  repositories: z.array(
    z.looseObject({
      namespace: z.string(),
      name: z.string(),
      is_public: z.boolean().optional(),
      state: z.string().optional(),
      kind: z.string().optional(),
    }),
  ),
  next_page: z.string().optional(),
});
export type RepositorySummary = z.infer<typeof RepositoryList>['repositories'][number];

export const TagPage = z.looseObject({
  tags: z.array(
    // z.object, not looseObject: the other fields (last_modified, reversion, child_manifests_presence, …)
    // are dropped at parse; a mirror of 100k tags held them all while it planned.
    z.object({
      name: z.string(),
      manifest_digest: z.string().optional(),
      start_ts: z.number().optional(),
      end_ts: z.number().optional(),
      is_manifest_list: z.boolean().optional(),
      size: z.number().nullable().optional(),
    }),
  ),
  page: z.number(),
  has_additional: z.boolean(),
});
export type Tag = z.infer<typeof TagPage>['tags'][number];
