import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { checkDns, checkTcp, endpointOf } from '../../../src/http/index.js';
import { closedPort, startServer, type TestServer } from '../../support/http-servers.js';

describe('preflight', () => {
  const servers: TestServer[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  test('endpointOf: URL port, else 443 for https and 80 for http; IPv6 brackets removed', () => {
    assert.deepEqual(endpointOf('https://quay.example.com/api/v1/'), { host: 'quay.example.com', port: 443 });
    assert.deepEqual(endpointOf('http://quay.example.com'), { host: 'quay.example.com', port: 80 });
    assert.deepEqual(endpointOf('https://quay.example.com:8443'), { host: 'quay.example.com', port: 8443 });
    assert.deepEqual(endpointOf('https://[fd00::5]:5000/v2/'), { host: 'fd00::5', port: 5000 });
  });

  test('checkDns lists IPv4 and IPv6 addresses', async () => {
    const result = await checkDns('quay.example.com', {
      lookup: async () => [
        { address: '10.0.0.5', family: 4 },
        { address: 'fd00::5', family: 6 },
      ],
    });
    assert.equal(result.ok, true);
    assert.equal(result.message, 'quay.example.com resolves to 10.0.0.5, fd00::5 (IPv4 and IPv6)');
  });

  test('checkDns uses the system resolver by default', async () => {
    const result = await checkDns('127.0.0.1');
    assert.equal(result.ok, true);
    assert.deepEqual(result.addresses, [{ address: '127.0.0.1', family: 4 }]);
  });

  test('checkDns failure says which name and why', async () => {
    const result = await checkDns('quay.nowhere.invalid', {
      lookup: async () => {
        throw Object.assign(new Error('getaddrinfo ENOTFOUND quay.nowhere.invalid'), { code: 'ENOTFOUND' });
      },
    });
    assert.equal(result.ok, false);
    assert.equal(result.code, 'ENOTFOUND');
    assert.match(result.message, /^cannot resolve quay\.nowhere\.invalid \(ENOTFOUND\): no such host/);
  });

  test('checkTcp succeeds against a listening port', async () => {
    const server = await startServer((_req, res) => res.end());
    servers.push(server);
    const result = await checkTcp(`http://127.0.0.1:${server.port}/`, { timeoutMs: 2000 });
    assert.equal(result.ok, true);
    assert.equal(result.port, server.port);
    assert.equal(result.address, '127.0.0.1');
  });

  test('checkTcp reports a refused connection with advice', async () => {
    const port = await closedPort();
    const result = await checkTcp({ host: '127.0.0.1', port }, { timeoutMs: 2000 });
    assert.equal(result.ok, false);
    assert.equal(result.code, 'ECONNREFUSED');
    assert.equal(
      result.message,
      `TCP connect to 127.0.0.1:${port} failed (ECONNREFUSED): nothing is listening there; check the port and that the service is up`,
    );
  });
});
