import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { join } from 'node:path';
import { sampleChallenge, submitAnswer, testApiKey, testSecret } from '../support/harness.ts';
import { startReceiver, waitUntil, type Receiver } from '../support/receiver.ts';

const mainPath = join(import.meta.dir, '../../src/main.ts');
let receiver: Receiver;

beforeAll(() => {
  receiver = startReceiver({ slowMs: 1000 });
});

afterAll(() => {
  receiver.stop();
});

/** Reads the child's standard output until the API line shows its URL. */
async function readApiUrl(stdout: ReadableStream<Uint8Array>): Promise<string> {
  const decoder = new TextDecoder();
  const reader = stdout.getReader();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`the server exited before printing its URL: ${text}`);
    text += decoder.decode(value);
    const match = /askgate API listening on (http:\/\/\S+) /.exec(text);
    if (match) {
      reader.releaseLock();
      return match[1] as string;
    }
  }
}

describe('serve on SIGTERM', () => {
  test('finishes the delivery in flight and exits 0', async () => {
    const child = Bun.spawn(['bun', mainPath], {
      env: {
        ...process.env,
        ASKGATE_HOST: '127.0.0.1',
        ASKGATE_API_PORT: '0',
        ASKGATE_WEB_PORT: '0',
        ASKGATE_API_KEY: testApiKey,
        ASKGATE_SECRET: testSecret,
        ASKGATE_WEBHOOK_URL: receiver.url('/slow'),
        // The receiver listens on 127.0.0.1, which the outbound guard rejects by default.
        ASKGATE_ALLOW_PRIVATE_OUTBOUND: 'true',
        ASKGATE_SHUTDOWN_GRACE_MS: '5000',
        ASKGATE_LOG_FORMAT: 'json',
      },
      stdout: 'pipe',
      stderr: 'pipe',
    });
    try {
      const apiUrl = await readApiUrl(child.stdout);
      const response = await fetch(`${apiUrl}/v1/challenges`, {
        method: 'POST',
        headers: { authorization: `Bearer ${testApiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(sampleChallenge()),
      });
      expect(response.status).toBe(201);
      const created = await response.json();
      expect((await submitAnswer(created.url, { answer: '1990-04-12' })).status).toBe(200);
      await waitUntil(() => receiver.forChallenge(created.id).length === 1, 3000, 'the delivery to reach the receiver');
      expect(receiver.forChallenge(created.id)[0]!.answeredAt).toBeNull();

      child.kill('SIGTERM');
      const exitCode = await child.exited;

      expect(exitCode).toBe(0);
      const delivery = receiver.forChallenge(created.id)[0]!;
      expect(delivery.answeredAt).not.toBeNull();
      const logs = await new Response(child.stderr).text();
      expect(logs).toContain('waiting for event deliveries in flight');
      expect(logs).toContain('"msg":"event delivered"');
      expect(logs).not.toContain('shutdown grace period ended');
    } finally {
      child.kill('SIGKILL');
    }
  }, 20_000);
});
