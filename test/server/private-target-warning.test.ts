import { describe, expect, test } from 'bun:test';
import { startAskgate } from '../support/harness.ts';

describe('private target warning', () => {
  test('warns about a loopback webhook URL', async () => {
    const askgate = await startAskgate({ ASKGATE_ALLOW_PRIVATE_OUTBOUND: 'false', ASKGATE_WEBHOOK_URL: 'http://127.0.0.1:9/askgate' });
    try {
      const deadline = Date.now() + 2000;
      const warned = () => askgate.logs.some((line) => line.includes('ASKGATE_WEBHOOK_URL points to a loopback'));
      while (!warned() && Date.now() < deadline) await Bun.sleep(20);
      expect(warned()).toBe(true);
    } finally {
      await askgate.stop();
    }
  });

  test('stays quiet when private targets are allowed', async () => {
    const askgate = await startAskgate({ ASKGATE_ALLOW_PRIVATE_OUTBOUND: 'true', ASKGATE_WEBHOOK_URL: 'http://127.0.0.1:9/askgate' });
    try {
      await Bun.sleep(200);
      expect(askgate.logs.some((line) => line.includes('points to a loopback'))).toBe(false);
    } finally {
      await askgate.stop();
    }
  });
});
