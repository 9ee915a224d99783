import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RepositoryNotification } from '../../../src/quay/api/notifications.js';
import { diffNotifications, notificationIdentity, webhookUrl } from '../../../src/quay/notification-diff.js';

const existing = (uuid: string, title: string, url: string): RepositoryNotification => ({
  uuid,
  title,
  event: 'repo_push',
  method: 'webhook',
  config: { url },
  eventConfig: {},
  numberOfFailures: 0,
});
const wanted = (title: string, url: string) => ({
  title,
  event: 'repo_push',
  method: 'webhook',
  config: { url },
  eventConfig: {},
});

describe('diffNotifications', () => {
  test('identity is event, method and title; same config is unchanged, another is a replace', () => {
    const diff = diffNotifications(
      [existing('1', 'CI', 'https://a.example/x'), existing('2', 'Mirror', 'https://b.example/old')],
      [
        wanted('CI', 'https://a.example/x'),
        wanted('Mirror', 'https://b.example/new'),
        wanted('New', 'https://c.example/'),
      ],
      { exclusive: false },
    );
    assert.deepEqual(
      diff.unchanged.map((n) => n.uuid),
      ['1'],
    );
    assert.deepEqual(
      diff.replace.map((r) => [r.current.uuid, r.wanted.config.url]),
      [['2', 'https://b.example/new']],
    );
    assert.deepEqual(
      diff.create.map((n) => n.title),
      ['New'],
    );
    assert.deepEqual(diff.remove, []);
  });

  test('exclusive removes the undeclared and duplicates, and only what it owns', () => {
    const current = [
      existing('1', 'Mirror', 'https://b.example/'),
      existing('2', 'Mirror', 'https://b.example/'),
      existing('3', 'Someone else', 'https://z.example/'),
      existing('4', 'Stale', 'https://y.example/'),
    ];
    const all = diffNotifications(current, [wanted('Mirror', 'https://b.example/')], { exclusive: true });
    assert.deepEqual(all.remove.map((n) => n.uuid).sort(), ['2', '3', '4']);
    const owned = diffNotifications(current, [wanted('Mirror', 'https://b.example/')], {
      exclusive: true,
      owned: (n) => n.title === 'Mirror' || n.title === 'Stale',
    });
    assert.deepEqual(owned.remove.map((n) => n.uuid).sort(), ['2', '4']);
  });

  test('an event config difference is a replace too', () => {
    const current = [
      {
        ...existing('1', 'Vulns', 'https://a.example/'),
        event: 'vulnerability_found',
        eventConfig: { level: 5 },
      },
    ];
    const diff = diffNotifications(
      current,
      [{ ...wanted('Vulns', 'https://a.example/'), event: 'vulnerability_found', eventConfig: { level: 3 } }],
      { exclusive: false },
    );
    assert.equal(diff.replace.length, 1);
  });

  test('identity words and the token as ?token= (kept stable for comparison)', () => {
    assert.equal(
      notificationIdentity({ event: 'repo_push', method: 'webhook', title: 'CI' }),
      'repo_push webhook "CI"',
    );
    assert.equal(webhookUrl('https://el.example.com', 's3cr3t'), 'https://el.example.com/?token=s3cr3t');
    assert.equal(
      webhookUrl('https://el.example.com/hook?x=1', 'a b'),
      'https://el.example.com/hook?x=1&token=a+b',
    );
    assert.equal(webhookUrl('https://el.example.com', undefined), 'https://el.example.com');
  });
});
