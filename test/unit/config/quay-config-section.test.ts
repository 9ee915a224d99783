import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { declaredItemPath, quayConfigSchema } from '../../../src/config/sections/quay-config.js';
import { parseByteSize } from '../../../src/config/values.js';

describe('quay-config section', () => {
  test('a list is plain or {exclusive, items}, and item paths follow what was written', () => {
    const parsed = quayConfigSchema.parse({
      organizations: [
        {
          name: 'acme',
          teams: [
            { name: 'aa', members: ['alice'] },
            { name: 'bb', members: { exclusive: true, items: ['bob'] } },
          ],
        },
      ],
    });
    const [a, b] = parsed.organizations[0]?.teams ?? [];
    assert.deepEqual(a?.members, { exclusive: false, items: ['alice'], written: 'list' });
    assert.deepEqual(b?.members, { exclusive: true, items: ['bob'], written: 'object' });
    assert.equal(
      declaredItemPath('x.members', a?.members ?? { exclusive: false, items: [], written: 'list' }, 0),
      'x.members[0]',
    );
    assert.equal(
      declaredItemPath('x.members', b?.members ?? { exclusive: false, items: [], written: 'list' }, 0),
      'x.members.items[0]',
    );
  });

  test('refusals with their key: two holders, a method without its target, a host Quay refuses, quota without limit', () => {
    const issues = (value: unknown) =>
      quayConfigSchema.safeParse(value).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
    const org = (extra: Record<string, unknown>) => ({ organizations: [{ name: 'acme', ...extra }] });
    assert.deepEqual(issues(org({ defaultPermissions: [{ user: 'a1', team: 'tt', role: 'read' }] })), [
      'organizations.0.defaultPermissions.0: set exactly one of user, robot or team',
    ]);
    assert.deepEqual(
      issues(
        org({
          repositories: [
            { name: 'web', notifications: [{ event: 'repo_push', method: 'webhook', title: 'T' }] },
          ],
        }),
      ),
      ['organizations.0.repositories.0.notifications.0.url: method webhook needs url'],
    );
    const refused = issues(
      org({
        repositories: [
          {
            name: 'web',
            notifications: [
              { event: 'repo_push', method: 'webhook', title: 'T', url: 'http://localhost:8080/x' },
            ],
          },
        ],
      }),
    );
    assert.equal(refused.length, 1);
    assert.match(
      refused[0] ?? '',
      /^organizations\.0\.repositories\.0\.notifications\.0\.url: Quay refuses webhook hosts localhost/,
    );
    assert.deepEqual(issues(org({ quota: { limits: [] } })), [
      'organizations.0.quota.limit: limit is required unless state is absent',
    ]);
    assert.deepEqual(issues(org({ teams: [{ name: 'Bad Name' }] })).length, 1);
  });

  test('sizes: bytes, decimal and binary units', () => {
    assert.equal(parseByteSize('500MB'), 500_000_000);
    assert.equal(parseByteSize('4GiB'), 4 * 2 ** 30);
    assert.equal(parseByteSize('1.5 TiB'), 1.5 * 2 ** 40);
    assert.equal(parseByteSize('1024'), 1024);
    assert.throws(() => parseByteSize('4 gigs'));
  });
});
