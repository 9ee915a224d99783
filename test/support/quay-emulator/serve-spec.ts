/**
 * The JSON spec serve.ts reads: which emulators to start, with which options, and what to put in them before
 * anyone connects. Validated once here, so a typo (`proxyCach`) stops the program with the key's path instead
 * of starting an emulator that quietly lacks the feature.
 *
 *   {"instances": {
 *     "east": {"features": {"userInitialize": true}, "superUsers": ["quayadmin"],
 *              "ssrfAllowedHosts": ["127.0.0.1"]},
 *     "west": {"superUsers": ["admin"], "users": [{"username": "admin"}]},
 *     "upstream": {"repositories": [
 *       {"path": "team-alpha/web", "tags": ["1.4.2", "latest"], "public": true},
 *       {"path": "team-alpha/api", "tags": ["2.0"], "public": true,
 *        "platforms": [{"architecture": "amd64"}, {"architecture": "arm64"}]}
 *     ]}
 *   }}
 *
 * A user gets a token with every scope (its value is in serve.ts's output line); a repository gets one small
 * image under its tags, or with `platforms` a multi-platform index per tag, as `seed.pushImage` and
 * `seed.pushIndex` build them.
 */
import * as z from 'zod';
import type { QuayEmulator } from './index.js';
import { DEFAULT_FEATURES, type QuayEmulatorOptions, type QuayFeatures } from './options.js';

const name = z.string().min(1);

const features = z.strictObject(
  Object.fromEntries(Object.keys(DEFAULT_FEATURES).map((key) => [key, z.boolean().optional()])) as Record<
    keyof QuayFeatures,
    z.ZodOptional<z.ZodBoolean>
  >,
);

const user = z.strictObject({ username: name, superUser: z.boolean().optional() });

const repository = z.strictObject({
  /** `namespace/name`. */
  path: z.string().regex(/^[^/]+\/.+$/, 'expected namespace/name'),
  tags: z.array(name).min(1),
  platforms: z
    .array(z.strictObject({ architecture: name, os: name.optional() }))
    .min(1)
    .optional(),
  public: z.boolean().optional(),
});

const instance = z.strictObject({
  features: features.optional(),
  superUsers: z.array(name).optional(),
  ssrfAllowedHosts: z.array(name).optional(),
  users: z.array(user).optional(),
  repositories: z.array(repository).optional(),
});

const serveSpec = z.strictObject({
  instances: z
    .record(name, instance)
    .refine((all) => Object.keys(all).length > 0, 'name at least one instance'),
});

export type ServeSpec = z.infer<typeof serveSpec>;
export type InstanceSpec = z.infer<typeof instance>;

export class ServeSpecError extends Error {}

/** Parses and validates a spec; ServeSpecError names every problem with its path in the JSON. */
export function parseServeSpec(text: string, source: string): ServeSpec {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ServeSpecError(`${source}: not JSON (${(error as Error).message})`);
  }
  const parsed = serveSpec.safeParse(json);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const at =
      issue.path
        .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i > 0 ? '.' : ''}${String(key)}`))
        .join('') || '(top level)';
    return `${at}: ${issue.message}`;
  });
  throw new ServeSpecError(`${source}: ${problems.join('; ')}`);
}

/** The start options of one instance (loopback, any free port). */
export function startOptions(spec: InstanceSpec): QuayEmulatorOptions {
  return { features: spec.features, superUsers: spec.superUsers, ssrfAllowedHosts: spec.ssrfAllowedHosts };
}

/** Puts the spec's users and images into a started instance; returns each user's token. */
export async function seedInstance(quay: QuayEmulator, spec: InstanceSpec): Promise<Record<string, string>> {
  const tokens: Record<string, string> = {};
  for (const u of spec.users ?? [])
    tokens[u.username] = quay.seed.userWithToken(u.username, { superUser: u.superUser }).token;
  for (const repo of spec.repositories ?? []) {
    if (repo.public !== undefined) quay.seed.repo(repo.path, { public: repo.public });
    if (repo.platforms === undefined) await quay.seed.pushImage(repo.path, repo.tags);
    else for (const tag of repo.tags) await quay.seed.pushIndex(repo.path, tag, repo.platforms);
  }
  return tokens;
}
