/**
 * Calls of test/quay-emulator/CONTRACT.md in one order, each with the answer real Quay gave it
 * (vendor/quay at ffba0c70, captured by test/real-quay/emulator-vs-real.test.ts, which also checks that
 * real Quay still gives it). test/quay-emulator/contract-walk.test.ts checks the emulator against the same
 * answers in every `npm test`, so the table, the emulator and real Quay cannot drift apart unseen.
 */
import type { QuayEmulatorOptions } from './quay-emulator/options.js';

/** The emulator configured as test/real-quay/config.yaml.in configures real Quay. */
export const CONTRACT_EMULATOR_OPTIONS: QuayEmulatorOptions = {
  features: {
    userInitialize: true,
    proxyCache: true,
    mailing: false,
    requireTeamInvite: false,
    quotaManagement: true,
    superusersFullAccess: true,
    immutableTags: true,
  },
  superUsers: ['admin'],
  ssrfAllowedHosts: ['127.0.0.0/8'],
};

export interface ContractCall {
  row: number;
  what: string;
  method: string;
  path: string;
  body?: unknown;
  /** Sent without the token. */
  anonymous?: boolean;
  /** What real Quay answered. */
  expect: Answer;
}

export interface Answer {
  status: number;
  kind: 'json' | 'html' | 'empty' | 'other';
  message?: string;
}

export const CONTRACT_CALLS: ContractCall[] = [
  {
    row: 2,
    what: 'the token user',
    method: 'GET',
    path: '/api/v1/user/',
    expect: { status: 200, kind: 'json' },
  },
  {
    row: 3,
    what: 'a missing organization',
    method: 'GET',
    path: '/api/v1/organization/acme',
    expect: { status: 404, kind: 'json', message: 'Not Found' },
  },
  {
    row: 4,
    what: 'create an organization',
    method: 'POST',
    path: '/api/v1/organization/',
    body: { name: 'acme' },
    expect: { status: 201, kind: 'json' },
  },
  {
    row: 4,
    what: 'create it again',
    method: 'POST',
    path: '/api/v1/organization/',
    body: { name: 'acme' },
    expect: { status: 400, kind: 'json', message: 'A user or organization with this name already exists' },
  },
  {
    row: 3,
    what: 'the organization',
    method: 'GET',
    path: '/api/v1/organization/acme',
    expect: { status: 200, kind: 'json' },
  },
  {
    row: 6,
    what: 'superuser organization list',
    method: 'GET',
    path: '/api/v1/superuser/organizations/?limit=100',
    expect: { status: 200, kind: 'json' },
  },
  {
    row: 6,
    what: 'a page limit over 100',
    method: 'GET',
    path: '/api/v1/superuser/organizations/?limit=101',
    expect: { status: 400, kind: 'json', message: 'Page limit cannot be above 100' },
  },
  {
    row: 7,
    what: 'robots of the organization',
    method: 'GET',
    path: '/api/v1/organization/acme/robots?permissions=true&token=false',
    expect: { status: 200, kind: 'json' },
  },
  {
    row: 9,
    what: 'a missing robot',
    method: 'GET',
    path: '/api/v1/organization/acme/robots/deployer',
    expect: { status: 400, kind: 'json', message: 'Could not find robot with specified username' },
  },
  {
    row: 10,
    what: 'create a robot',
    method: 'PUT',
    path: '/api/v1/organization/acme/robots/deployer',
    body: { description: 'd' },
    expect: { status: 201, kind: 'json' },
  },
  {
    row: 10,
    what: 'create it again',
    method: 'PUT',
    path: '/api/v1/organization/acme/robots/deployer',
    body: { description: 'd' },
    expect: { status: 400, kind: 'json', message: 'Existing robot with name: acme+deployer' },
  },
  {
    row: 12,
    what: "the robot's permissions",
    method: 'GET',
    path: '/api/v1/organization/acme/robots/deployer/permissions',
    expect: { status: 200, kind: 'json' },
  },
  {
    row: 18,
    what: 'create a repository',
    method: 'POST',
    path: '/api/v1/repository',
    body: {
      namespace: 'acme',
      repository: 'web',
      visibility: 'private',
      description: '',
      repo_kind: 'image',
    },
    expect: { status: 201, kind: 'json' },
  },
  {
    row: 18,
    what: 'create it again',
    method: 'POST',
    path: '/api/v1/repository',
    body: {
      namespace: 'acme',
      repository: 'web',
      visibility: 'private',
      description: '',
      repo_kind: 'image',
    },
    expect: { status: 400, kind: 'json', message: 'Repository already exists' },
  },
  {
    row: 13,
    what: 'grant the robot read',
    method: 'PUT',
    path: '/api/v1/repository/acme/web/permissions/user/acme+deployer',
    body: { role: 'read' },
    expect: { status: 200, kind: 'json' },
  },
  {
    row: 13,
    what: 'grant on a missing repository',
    method: 'PUT',
    path: '/api/v1/repository/acme/nope/permissions/user/acme+deployer',
    body: { role: 'read' },
    expect: { status: 500, kind: 'html' },
  },
  {
    row: 13,
    what: 'grant an unknown user',
    method: 'PUT',
    path: '/api/v1/repository/acme/web/permissions/user/ghost',
    body: { role: 'read' },
    expect: { status: 400, kind: 'json', message: 'Invalid username: ghost' },
  },
  {
    row: 14,
    what: 'revoke it',
    method: 'DELETE',
    path: '/api/v1/repository/acme/web/permissions/user/acme+deployer',
    expect: { status: 204, kind: 'empty' },
  },
  {
    row: 14,
    what: 'revoke it again',
    method: 'DELETE',
    path: '/api/v1/repository/acme/web/permissions/user/acme+deployer',
    expect: { status: 400, kind: 'json', message: 'User does not have permission for repo.' },
  },
  {
    row: 17,
    what: 'repositories of the organization',
    method: 'GET',
    path: '/api/v1/repository?namespace=acme',
    expect: { status: 200, kind: 'json' },
  },
  {
    row: 19,
    what: 'active tags of an empty repository',
    method: 'GET',
    path: '/api/v1/repository/acme/web/tag/?onlyActiveTags=true&limit=100&page=1',
    expect: { status: 200, kind: 'json' },
  },
  {
    row: 19,
    what: 'tags of a missing repository',
    method: 'GET',
    path: '/api/v1/repository/acme/nope/tag/?onlyActiveTags=true&limit=100&page=1',
    expect: { status: 404, kind: 'json', message: 'Not Found' },
  },
  {
    row: 20,
    what: 'delete a missing tag',
    method: 'DELETE',
    path: '/api/v1/repository/acme/web/tag/v1',
    expect: { status: 404, kind: 'json', message: 'Not Found' },
  },
  {
    row: 15,
    what: 'members of team owners',
    method: 'GET',
    path: '/api/v1/organization/acme/team/owners/members?includePending=false',
    expect: { status: 200, kind: 'json' },
  },
  {
    row: 16,
    what: 'add the robot to owners',
    method: 'PUT',
    path: '/api/v1/organization/acme/team/owners/members/acme+deployer',
    expect: { status: 200, kind: 'json' },
  },
  {
    row: 16,
    what: 'add it again',
    method: 'PUT',
    path: '/api/v1/organization/acme/team/owners/members/acme+deployer',
    expect: { status: 400, kind: 'json', message: 'User acme+deployer is already a member of team owners' },
  },
  {
    row: 16,
    what: 'add an unknown user',
    method: 'PUT',
    path: '/api/v1/organization/acme/team/owners/members/ghost',
    expect: { status: 400, kind: 'json', message: 'Unknown user' },
  },
  {
    row: 16,
    what: 'remove the robot',
    method: 'DELETE',
    path: '/api/v1/organization/acme/team/owners/members/acme+deployer',
    expect: { status: 204, kind: 'empty' },
  },
  {
    row: 21,
    what: 'proxy cache of an organization without one',
    method: 'GET',
    path: '/api/v1/organization/acme/proxycache',
    expect: { status: 200, kind: 'json' },
  },
  {
    row: 11,
    what: 'delete the robot',
    method: 'DELETE',
    path: '/api/v1/organization/acme/robots/deployer',
    expect: { status: 204, kind: 'empty' },
  },
  {
    row: 11,
    what: 'delete it again',
    method: 'DELETE',
    path: '/api/v1/organization/acme/robots/deployer',
    expect: { status: 400, kind: 'json', message: 'Could not find robot with specified username' },
  },
  {
    row: 23,
    what: 'the registry base without a token',
    method: 'GET',
    path: '/v2/',
    anonymous: true,
    expect: { status: 401, kind: 'html' },
  },
  // quay-config's calls (rows 35–50), on organization acme.
  {
    row: 36,
    what: 'create a team',
    method: 'PUT',
    path: '/api/v1/organization/acme/team/builders',
    body: { role: 'creator', description: 'Builds' },
    expect: { status: 200, kind: 'json' },
  },
  {
    row: 36,
    what: 'change its role',
    method: 'PUT',
    path: '/api/v1/organization/acme/team/builders',
    body: { role: 'member', description: 'Builds' },
    expect: { status: 200, kind: 'json' },
  },
  {
    row: 37,
    what: 'a default permission for the team',
    method: 'POST',
    path: '/api/v1/organization/acme/prototypes',
    body: { role: 'read', delegate: { kind: 'team', name: 'builders' } },
    expect: { status: 200, kind: 'json' },
  },
  {
    row: 37,
    what: 'a default permission for a missing team',
    method: 'POST',
    path: '/api/v1/organization/acme/prototypes',
    body: { role: 'read', delegate: { kind: 'team', name: 'ghosts' } },
    expect: { status: 400, kind: 'json', message: "('Team does not exist: %s/%s', 'acme', 'ghosts')" },
  },
  {
    row: 37,
    what: 'a default permission for an unknown activating user',
    method: 'POST',
    path: '/api/v1/organization/acme/prototypes',
    body: { role: 'read', delegate: { kind: 'team', name: 'builders' }, activating_user: { name: 'ghost' } },
    expect: { status: 400, kind: 'json', message: 'Unknown activating user' },
  },
  {
    row: 37,
    what: 'the default permissions',
    method: 'GET',
    path: '/api/v1/organization/acme/prototypes',
    expect: { status: 200, kind: 'json' },
  },
  {
    row: 42,
    what: 'a public repository with a description',
    method: 'POST',
    path: '/api/v1/repository',
    body: {
      namespace: 'acme',
      repository: 'cfg',
      visibility: 'public',
      description: 'x',
      repo_kind: 'image',
    },
    expect: { status: 201, kind: 'json' },
  },
  {
    row: 39,
    what: 'the repository',
    method: 'GET',
    path: '/api/v1/repository/acme/cfg',
    expect: { status: 200, kind: 'json' },
  },
  {
    row: 41,
    what: 'make it private',
    method: 'POST',
    path: '/api/v1/repository/acme/cfg/changevisibility',
    body: { visibility: 'private' },
    expect: { status: 200, kind: 'json' },
  },
  {
    row: 40,
    what: 'change its description',
    method: 'PUT',
    path: '/api/v1/repository/acme/cfg',
    body: { description: 'y' },
    expect: { status: 200, kind: 'json' },
  },
  {
    row: 44,
    what: 'grant the team',
    method: 'PUT',
    path: '/api/v1/repository/acme/cfg/permissions/team/builders',
    body: { role: 'write' },
    expect: { status: 200, kind: 'json' },
  },
  {
    row: 43,
    what: 'the team permissions',
    method: 'GET',
    path: '/api/v1/repository/acme/cfg/permissions/team/',
    expect: { status: 200, kind: 'json' },
  },
  {
    row: 43,
    what: 'the user permissions',
    method: 'GET',
    path: '/api/v1/repository/acme/cfg/permissions/user/',
    expect: { status: 200, kind: 'json' },
  },
  {
    row: 44,
    what: 'take the grant back',
    method: 'DELETE',
    path: '/api/v1/repository/acme/cfg/permissions/team/builders',
    expect: { status: 204, kind: 'empty' },
  },
  {
    row: 45,
    what: 'a webhook notification',
    method: 'POST',
    path: '/api/v1/repository/acme/cfg/notification/',
    body: {
      event: 'repo_push',
      method: 'webhook',
      config: { url: 'http://ci.example.invalid/x' },
      eventConfig: {},
      title: 'CI',
    },
    expect: { status: 201, kind: 'json' },
  },
  {
    row: 45,
    what: 'a webhook to localhost',
    method: 'POST',
    path: '/api/v1/repository/acme/cfg/notification/',
    body: { event: 'repo_push', method: 'webhook', config: { url: 'http://localhost/x' }, eventConfig: {} },
    expect: { status: 400, kind: 'json', message: 'Invalid webhook URL' },
  },
  {
    row: 45,
    what: 'the notifications',
    method: 'GET',
    path: '/api/v1/repository/acme/cfg/notification/',
    expect: { status: 200, kind: 'json' },
  },
  {
    row: 46,
    what: 'delete an unknown notification',
    method: 'DELETE',
    path: '/api/v1/repository/acme/cfg/notification/nope',
    expect: { status: 400, kind: 'json', message: 'No repository notification found for: acme, cfg, nope' },
  },
  {
    row: 48,
    what: 'an organization quota',
    method: 'POST',
    path: '/api/v1/organization/acme/quota',
    body: { limit_bytes: 1073741824 },
    expect: { status: 201, kind: 'json' },
  },
  {
    row: 48,
    what: 'a second quota',
    method: 'POST',
    path: '/api/v1/organization/acme/quota',
    body: { limit_bytes: 2147483648 },
    expect: { status: 400, kind: 'json', message: "Organization quota for 'acme' already exists" },
  },
  {
    row: 48,
    what: 'the quotas',
    method: 'GET',
    path: '/api/v1/organization/acme/quota',
    expect: { status: 200, kind: 'json' },
  },
  {
    row: 36,
    what: 'delete the team',
    method: 'DELETE',
    path: '/api/v1/organization/acme/team/builders',
    expect: { status: 204, kind: 'empty' },
  },
  {
    row: 5,
    what: 'delete the organization',
    method: 'DELETE',
    path: '/api/v1/organization/acme',
    expect: { status: 204, kind: 'empty' },
  },
  {
    row: 3,
    what: 'the deleted organization',
    method: 'GET',
    path: '/api/v1/organization/acme',
    expect: { status: 404, kind: 'json', message: 'Not Found' },
  },
];

/** What kind of body an answer has: Quay's JSON, werkzeug's HTML page, nothing, or something else. */
export function bodyKind(contentType: string, text: string): Answer['kind'] {
  if (text === '') return 'empty';
  if (contentType.includes('json')) return 'json';
  return contentType.includes('html') ? 'html' : 'other';
}

export async function answer(url: string, token: string, step: ContractCall): Promise<Answer> {
  const headers: Record<string, string> = step.anonymous ? {} : { authorization: `Bearer ${token}` };
  if (step.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${url}${step.path}`, {
    method: step.method,
    headers,
    body: step.body === undefined ? undefined : JSON.stringify(step.body),
    redirect: 'manual',
  });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  const kind = bodyKind(type, text);
  let message: string | undefined;
  if (response.status >= 400 && kind === 'json') {
    const body = JSON.parse(text) as { error_message?: string; message?: string; detail?: string };
    message = body.error_message ?? body.message ?? body.detail;
  }
  return { status: response.status, kind, message };
}
