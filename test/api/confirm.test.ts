import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { sampleChallenge, startAskgate, submitAnswer, type Askgate } from '../support/harness.ts';

let askgate: Askgate;

beforeAll(async () => {
  askgate = await startAskgate({});
});

afterAll(async () => {
  await askgate.stop();
});

/** Creates a challenge, passes it on the page and returns its id and return code. */
async function passedChallenge(server: Askgate = askgate): Promise<{ id: string; code: string }> {
  const created = await server.createChallenge(sampleChallenge());
  const page = await submitAnswer(created.url, { answer: '1990-04-12' });
  expect(page.status).toBe(200);
  const view = await (await server.api(`/v1/challenges/${created.id}`)).json();
  return { id: created.id, code: view.return_code };
}

function confirm(id: string, body: unknown, server: Askgate = askgate): Promise<Response> {
  return server.api(`/v1/challenges/${id}/confirm`, { body });
}

/** Returns a code from the alphabet that differs from `code`. */
function otherCode(code: string): string {
  return code.startsWith('A') ? 'B' + code.slice(1) : 'A' + code.slice(1);
}

describe('POST /v1/challenges/{id}/confirm', () => {
  test('right code confirms', async () => {
    const { id, code } = await passedChallenge();
    const before = await (await askgate.api(`/v1/challenges/${id}`)).json();
    expect('confirmed_at' in before).toBe(false);

    const response = await confirm(id, { code });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.confirmed).toBe(true);
    expect(body.challenge.id).toBe(id);
    expect(body.challenge.status).toBe('passed');
    expect(Date.parse(body.challenge.confirmed_at)).toBeGreaterThan(Date.now() - 5000);
    const after = await (await askgate.api(`/v1/challenges/${id}`)).json();
    expect(after.confirmed_at).toBe(body.challenge.confirmed_at);
  });

  test('lower-case code with spaces confirms', async () => {
    const { id, code } = await passedChallenge();
    const retyped = `  ${code.slice(0, 3).toLowerCase()} ${code.slice(3).toLowerCase()} \n`;
    const response = await confirm(id, { code: retyped });

    expect(response.status).toBe(200);
    expect((await response.json()).confirmed).toBe(true);
  });

  test('wrong code is 422', async () => {
    const { id, code } = await passedChallenge();
    const response = await confirm(id, { code: otherCode(code) });

    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toStartWith('application/problem+json');
    const problem = await response.json();
    expect(problem.code).toBe('return_code_mismatch');
    expect(problem.detail).not.toContain(code);
    const view = await (await askgate.api(`/v1/challenges/${id}`)).json();
    expect('confirmed_at' in view).toBe(false);
  });

  test('reused code is 409', async () => {
    const { id, code } = await passedChallenge();
    expect((await confirm(id, { code })).status).toBe(200);
    const again = await confirm(id, { code });

    expect(again.status).toBe(409);
    expect((await again.json()).code).toBe('already_confirmed');
  });

  test('pending challenge is 409', async () => {
    const created = await askgate.createChallenge(sampleChallenge());
    const response = await confirm(created.id, { code: 'ABCDEFG' });

    expect(response.status).toBe(409);
    expect((await response.json()).code).toBe('challenge_not_passed');
  });

  test('canceled challenge is 409', async () => {
    const created = await askgate.createChallenge(sampleChallenge());
    expect((await askgate.api(`/v1/challenges/${created.id}`, { method: 'DELETE' })).status).toBe(200);
    const response = await confirm(created.id, { code: 'ABCDEFG' });

    expect(response.status).toBe(409);
    expect((await response.json()).code).toBe('challenge_not_passed');
  });

  test('unknown challenge is 404', async () => {
    const response = await confirm('chl_doesNotExist', { code: 'ABCDEFG' });

    expect(response.status).toBe(404);
    expect((await response.json()).code).toBe('not_found');
  });

  test('invalid body names the field', async () => {
    const { id } = await passedChallenge();
    const cases: [unknown, string][] = [
      [{}, 'code'],
      [{ code: '' }, 'code'],
      [{ code: 'x'.repeat(65) }, 'code'],
      [['ABCDEFG'], 'body'],
    ];
    for (const [body, field] of cases) {
      const response = await confirm(id, body);
      expect(response.status).toBe(400);
      const problem = await response.json();
      expect(problem.errors.map((error: { field: string }) => error.field)).toContain(field);
    }
  });

  test('sixth try is rate-limited', async () => {
    const { id, code } = await passedChallenge();
    for (let index = 0; index < 5; index += 1) {
      const response = await confirm(id, { code: otherCode(code) });
      expect(response.status).toBe(422);
    }
    // Even the right code is refused now, so the limit cannot be probed.
    const limited = await confirm(id, { code });

    expect(limited.status).toBe(429);
    expect((await limited.json()).code).toBe('rate_limited');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(900);
  });

  test('other challenge keeps its own limit', async () => {
    const first = await passedChallenge();
    const second = await passedChallenge();
    for (let index = 0; index < 6; index += 1) await confirm(first.id, { code: otherCode(first.code) });

    expect((await confirm(second.id, { code: second.code })).status).toBe(200);
  });
});

describe('confirm window', () => {
  test('closed window is 410', async () => {
    const server = await startAskgate({ ASKGATE_CONFIRM_WINDOW: '1' });
    try {
      const { id, code } = await passedChallenge(server);
      await Bun.sleep(1200);
      const response = await confirm(id, { code }, server);

      expect(response.status).toBe(410);
      expect((await response.json()).code).toBe('confirm_window_closed');
    } finally {
      await server.stop();
    }
  }, 15_000);
});
