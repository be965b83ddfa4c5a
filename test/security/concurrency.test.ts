import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { csrfFrom, sampleChallenge, startAskgate, type Askgate } from '../support/harness.ts';

let askgate: Askgate;

beforeAll(async () => {
  // The per-client failure limit is raised, so that it cannot be what turns the racers away.
  askgate = await startAskgate({ ASKGATE_CLIENT_FAILURES_MAX: '100' });
});

afterAll(async () => {
  await askgate.stop();
});

describe('concurrent right answers', () => {
  test('50 racers, one success', async () => {
    const created = await askgate.createChallenge(sampleChallenge());
    const csrf = csrfFrom(await (await fetch(created.url)).text());
    const body = new URLSearchParams({ csrf, answer: '1990-04-12' }).toString();

    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        fetch(created.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }),
      ),
    );
    const pages = await Promise.all(responses.map(async (response) => ({ status: response.status, html: await response.text() })));

    const successes = pages.filter((page) => page.html.includes('id="return-link"'));
    expect(successes).toHaveLength(1);
    expect(successes[0]?.status).toBe(200);
    expect(pages.filter((page) => page.status === 410)).toHaveLength(49);

    const events = await askgate.store.listEvents('default', { challengeId: created.id, limit: 100 });
    expect(events.filter((event) => event.type === 'challenge.passed')).toHaveLength(1);
    expect(events).toHaveLength(1);

    const view = await (await askgate.api(`/v1/challenges/${created.id}`)).json();
    expect(view.status).toBe('passed');
    expect(view.attempts).toBe(1);
  });

  test('50 wrong racers use max_attempts', async () => {
    const created = await askgate.createChallenge(sampleChallenge({ max_attempts: 3 }));
    const csrf = csrfFrom(await (await fetch(created.url)).text());

    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        fetch(created.url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ csrf, answer: `wrong ${index}` }).toString(),
        }),
      ),
    );
    await Promise.all(responses.map((response) => response.text()));

    const view = await (await askgate.api(`/v1/challenges/${created.id}`)).json();
    expect(view.status).toBe('failed');
    expect(view.attempts).toBe(3);
    const events = await askgate.store.listEvents('default', { challengeId: created.id, limit: 100 });
    expect(events.map((event) => event.type)).toEqual(['challenge.failed']);
  });
});
