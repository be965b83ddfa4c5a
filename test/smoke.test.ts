import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { sampleChallenge, startAskgate, submitAnswer, type Askgate } from './support/harness.ts';

describe('harness', () => {
  let askgate: Askgate;
  beforeAll(async () => {
    askgate = await startAskgate();
  });
  afterAll(() => askgate.stop());

  test('creates and passes a challenge', async () => {
    const created = await askgate.createChallenge(sampleChallenge());
    expect(created.url.startsWith(askgate.publicUrl + '/c/')).toBe(true);
    const response = await submitAnswer(created.url, { answer: '1990-04-12' });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('id="return-link"');
  });
});
