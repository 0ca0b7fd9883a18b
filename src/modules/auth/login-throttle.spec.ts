import Redis from 'ioredis';
import { LoginThrottle } from './login-throttle';

describe('login throttle without Redis', () => {
  // Nothing listens on port 1: every Redis call fails at once (no offline queue, no reconnects).
  const dead = new Redis('redis://127.0.0.1:1', {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  afterAll(() => dead.disconnect());
  const limit = (key: string) => ({ key, max: 10, windowMs: 15 * 60 * 1000 });

  it('keeps counting in the process, so logins stay throttled and are not refused or hung', async () => {
    const t = new LoginThrottle(dead, 'spec');
    for (let i = 0; i < 10; i++) {
      await expect(t.check([limit('u:alice')])).resolves.toBeUndefined();
      await t.record([limit('u:alice')]);
    }
    await expect(t.check([limit('u:alice')])).rejects.toMatchObject({
      extensions: { code: 'LIMIT_EXCEEDED', retryAfterSeconds: 15 * 60 },
    });
    await expect(t.check([limit('u:bob')])).resolves.toBeUndefined();
    await t.clear(['u:alice']);
    await expect(t.check([limit('u:alice')])).resolves.toBeUndefined();
  });
});
