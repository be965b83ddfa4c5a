import { describe, expect, test } from 'bun:test';
import { normaliseText } from '../../src/challenge/normalise.ts';
import { hashAnswer, matchesAnswerHash } from '../../src/challenge/verifier/hash-verifier.ts';

const secret = 'normalise-test-secret-'.padEnd(48, 'x');

describe('normaliseText', () => {
  const cases: [name: string, input: string, expected: string][] = [
    ['acute accent', 'José', 'jose'],
    ['tilde in two words', 'São Paulo', 'sao paulo'],
    ['eñe and acute', 'Ñandú', 'nandu'],
    ['cedilla', 'Conceição', 'conceicao'],
    ['full-width letters and digits', 'ＡＢＣ１２３', 'abc123'],
    ['mixed case', 'HeLLo WoRLD', 'hello world'],
    ['leading and trailing spaces', '   rex   ', 'rex'],
    ['inner runs of spaces', 'buenos    aires', 'buenos aires'],
    ['tabs and newlines', '\tbuenos\n\naires\r\n', 'buenos aires'],
    ['no-break and ideographic spaces', 'a\u00a0b\u3000c', 'a b c'],
    ['ligature', 'ﬁdo', 'fido'],
    ['emoji kept', '🐶 Rex', '🐶 rex'],
    ['skin tone emoji kept', '👍🏽 OK', '👍🏽 ok'],
    ['empty string', '', ''],
    ['whitespace only', ' \t\n ', ''],
    // ß is not expanded: "Straße" keeps ß, so it does not match "STRASSE".
    ['sharp s kept', 'Straße', 'straße'],
    ['double s kept', 'STRASSE', 'strasse'],
    ['capital sharp s lowered', 'STRAẞE', 'straße'],
  ];

  for (const [name, input, expected] of cases) {
    test(name, () => {
      expect(normaliseText(input)).toBe(expected);
    });
  }

  test('sharp s differs from ss', () => {
    expect(normaliseText('Straße')).not.toBe(normaliseText('STRASSE'));
  });

  test('output is idempotent', () => {
    for (const [, input] of cases) {
      const once = normaliseText(input);
      expect(normaliseText(once)).toBe(once);
    }
  });
});

describe('hashAnswer', () => {
  const challengeId = 'ch_normalise_1';
  const questionId = 'q1';
  const stored = hashAnswer(secret, challengeId, questionId, 'São Paulo');

  test('equivalent forms match', () => {
    for (const form of ['São Paulo', 'sao paulo', '  SAO   PAULO ', 'São\tPaulo\n', 'ＳＡＯ ＰＡＵＬＯ']) {
      expect(matchesAnswerHash(secret, challengeId, questionId, form, stored)).toBe(true);
    }
  });

  test('different answer does not match', () => {
    expect(matchesAnswerHash(secret, challengeId, questionId, 'Rio de Janeiro', stored)).toBe(false);
    expect(matchesAnswerHash(secret, challengeId, questionId, 'SaoPaulo', stored)).toBe(false);
    expect(matchesAnswerHash(secret, challengeId, questionId, '', stored)).toBe(false);
  });

  test('other challenge id does not match', () => {
    expect(matchesAnswerHash(secret, 'ch_normalise_2', questionId, 'São Paulo', stored)).toBe(false);
    expect(hashAnswer(secret, 'ch_normalise_2', questionId, 'São Paulo')).not.toBe(stored);
  });

  test('other question id does not match', () => {
    expect(matchesAnswerHash(secret, challengeId, 'q2', 'São Paulo', stored)).toBe(false);
  });

  test('other secret does not match', () => {
    const otherSecret = 'another-secret-'.padEnd(48, 'y');
    expect(matchesAnswerHash(otherSecret, challengeId, questionId, 'São Paulo', stored)).toBe(false);
  });

  test('emoji answer matches itself', () => {
    const emojiHash = hashAnswer(secret, challengeId, questionId, '🐶 Rex');
    expect(matchesAnswerHash(secret, challengeId, questionId, '🐶  rex', emojiHash)).toBe(true);
    expect(matchesAnswerHash(secret, challengeId, questionId, 'Rex', emojiHash)).toBe(false);
  });
});
