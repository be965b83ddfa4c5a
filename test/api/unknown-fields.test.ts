import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { sampleChallenge, startAskgate, type Askgate } from '../support/harness.ts';

describe('POST /v1/challenges unknown fields', () => {
  let askgate: Askgate;
  beforeAll(async () => {
    askgate = await startAskgate();
  });
  afterAll(() => askgate.stop());

  const cases: [string, Record<string, unknown>, string][] = [
    ['top-level field', sampleChallenge({ foo: 1 }), 'body'],
    ['type beside question', sampleChallenge({ type: 'date' }), 'body'],
    ['field in return', sampleChallenge({ return: { channel: 'whatsapp', phone: '+5491122334455', colour: 'red' } }), 'return'],
    [
      'field in a question',
      sampleChallenge({ question: undefined, answer: undefined, questions: [{ id: 'q1', prompt: 'City?', answer: 'Lima', hint: 'x' }] }),
      'questions.0',
    ],
  ];

  for (const [name, body, field] of cases) {
    test(`rejects ${name}`, async () => {
      const response = await askgate.api('/v1/challenges', { body });
      expect(response.status).toBe(400);
      const problem = await response.json();
      expect(problem.code).toBe('validation_failed');
      expect(problem.errors.map((error: { field: string }) => error.field)).toContain(field);
      expect(JSON.stringify(problem)).not.toContain('colour');
      expect(JSON.stringify(problem)).not.toContain('hint');
    });
  }
});
