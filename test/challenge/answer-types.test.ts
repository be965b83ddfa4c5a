import { describe, expect, test } from 'bun:test';
import { normaliseChoice, randomBelow, shuffleChoices, type ChoiceOption } from '../../src/challenge/answer-types/choice.ts';
import { normaliseDate, parseIsoDate } from '../../src/challenge/answer-types/date.ts';
import { toAsciiDigits } from '../../src/challenge/answer-types/digits.ts';
import { normaliseExpectedAnswer, normaliseSubmittedAnswer } from '../../src/challenge/answer-types/index.ts';
import { normaliseNumber } from '../../src/challenge/answer-types/number.ts';
import { normalisePin } from '../../src/challenge/answer-types/pin.ts';
import { normaliseText } from '../../src/challenge/answer-types/text.ts';
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

describe('toAsciiDigits', () => {
  const cases: [name: string, input: string, expected: string][] = [
    ['ASCII digits unchanged', '0123456789', '0123456789'],
    ['Arabic-Indic digits', '٠١٢٣٤٥٦٧٨٩', '0123456789'],
    ['Persian digits', '۰۱۲۳۴۵۶۷۸۹', '0123456789'],
    ['Devanagari digits', '०१२३४५६७८९', '0123456789'],
    ['Bengali digits', '০১২৩৪৫৬৭৮৯', '0123456789'],
    ['full-width digits', '０１２３４５６７８９', '0123456789'],
    ['mathematical bold digits', '𝟎𝟏𝟐𝟗', '0129'],
    ['letters kept', 'a٣b', 'a3b'],
  ];

  for (const [name, input, expected] of cases) {
    test(name, () => {
      expect(toAsciiDigits(input)).toBe(expected);
    });
  }
});

describe('normaliseNumber', () => {
  const cases: [name: string, input: string, expected: string | null][] = [
    ['plain digits', '12345', '12345'],
    ['leading zeros kept', '0042', '0042'],
    ['spaces dropped', ' 12 34 ', '1234'],
    ['hyphens dropped', '12-34-56', '123456'],
    ['dots and commas dropped', '1.234,56', '123456'],
    ['Arabic-Indic digits', '٠٠٤٢', '0042'],
    ['full-width digits', '４２', '42'],
    ['letter rejected', '12a4', null],
    ['plus sign rejected', '+1234', null],
    ['slash rejected', '12/34', null],
    ['separators only rejected', ' - . ', null],
    ['empty rejected', '', null],
    ['30 digits accepted', '1'.repeat(30), '1'.repeat(30)],
    ['31 digits rejected', '1'.repeat(31), null],
  ];

  for (const [name, input, expected] of cases) {
    test(name, () => {
      expect(normaliseNumber(input)).toBe(expected);
    });
  }
});

describe('normalisePin', () => {
  const cases: [name: string, input: string, expected: string | null][] = [
    ['four digits', '1234', '1234'],
    ['leading zero kept', '0070', '0070'],
    ['spaces dropped', '12 34', '1234'],
    ['Arabic-Indic digits', '١٢٣٤', '1234'],
    ['twelve digits', '123456789012', '123456789012'],
    ['three digits rejected', '123', null],
    ['thirteen digits rejected', '1234567890123', null],
    ['hyphen rejected', '12-34', null],
    ['letter rejected', '12a4', null],
    ['empty rejected', '', null],
  ];

  for (const [name, input, expected] of cases) {
    test(name, () => {
      expect(normalisePin(input)).toBe(expected);
    });
  }
});

describe('normaliseDate', () => {
  const cases: [name: string, input: string, order: 'dmy' | 'mdy', expected: string | null][] = [
    ['ISO form', '1990-04-12', 'dmy', '1990-04-12'],
    ['ISO form in mdy', '1990-04-12', 'mdy', '1990-04-12'],
    ['ISO with spaces around', ' 1990-04-12 ', 'dmy', '1990-04-12'],
    ['day first with slashes', '12/04/1990', 'dmy', '1990-04-12'],
    ['month first with slashes', '04/12/1990', 'mdy', '1990-04-12'],
    ['day first with dots', '12.04.1990', 'dmy', '1990-04-12'],
    ['day first with hyphens', '12-04-1990', 'dmy', '1990-04-12'],
    ['day first with spaces', '12 04 1990', 'dmy', '1990-04-12'],
    ['one-digit day and month', '2/4/1990', 'dmy', '1990-04-02'],
    ['one-digit month first', '4/2/1990', 'mdy', '1990-04-02'],
    ['eight digits day first', '12041990', 'dmy', '1990-04-12'],
    ['eight digits month first', '04121990', 'mdy', '1990-04-12'],
    ['Arabic-Indic digits', '١٢/٠٤/١٩٩٠', 'dmy', '1990-04-12'],
    ['leap day', '29/02/2000', 'dmy', '2000-02-29'],
    ['leap day in common year', '29/02/1999', 'dmy', null],
    ['day 31 in April', '31/04/1990', 'dmy', null],
    ['month 13', '12/13/1990', 'dmy', null],
    ['day first read as month first', '31/12/1990', 'mdy', null],
    ['two-digit year', '12/04/90', 'dmy', null],
    ['ISO with impossible date', '1990-02-30', 'dmy', null],
    ['ISO without zero padding', '1990-4-12', 'dmy', null],
    ['year before 1000', '12/04/0999', 'dmy', null],
    ['words', 'twelfth of April', 'dmy', null],
    ['empty', '', 'dmy', null],
  ];

  for (const [name, input, order, expected] of cases) {
    test(name, () => {
      expect(normaliseDate(input, order)).toBe(expected);
    });
  }

  test('parseIsoDate accepts only ISO', () => {
    expect(parseIsoDate('1990-04-12')).toBe('1990-04-12');
    expect(parseIsoDate('12/04/1990')).toBeNull();
    expect(parseIsoDate('19900412')).toBeNull();
    expect(parseIsoDate('2001-02-29')).toBeNull();
  });
});

describe('normaliseChoice', () => {
  const options: ChoiceOption[] = [
    { id: 'ba', label: 'Buenos Aires' },
    { id: 'ros', label: 'Rosario' },
    { id: 'cba', label: 'Córdoba' },
  ];
  const cases: [name: string, input: string, expected: string | null][] = [
    ['option id', 'ros', 'ros'],
    ['id with spaces around', ' ros ', 'ros'],
    ['label rejected', 'Rosario', null],
    ['other case rejected', 'ROS', null],
    ['unknown id rejected', 'mdz', null],
    ['empty rejected', '', null],
  ];

  for (const [name, input, expected] of cases) {
    test(name, () => {
      expect(normaliseChoice(input, options)).toBe(expected);
    });
  }

  test('shuffle keeps every option', () => {
    const shuffled = shuffleChoices(options);
    expect(shuffled.map((option) => option.id).sort()).toEqual(['ba', 'cba', 'ros']);
    expect(shuffled.find((option) => option.id === 'cba')?.label).toBe('Córdoba');
  });

  test('shuffle reaches every order', () => {
    const seen = new Set<string>();
    for (let round = 0; round < 600 && seen.size < 6; round++) {
      seen.add(shuffleChoices(options).map((option) => option.id).join(','));
    }
    expect(seen.size).toBe(6);
  });

  test('randomBelow stays in range', () => {
    const counts = [0, 0, 0];
    for (let round = 0; round < 3000; round++) counts[randomBelow(3)]! += 1;
    for (const count of counts) {
      expect(count).toBeGreaterThan(800);
      expect(count).toBeLessThan(1200);
    }
  });
});

describe('normaliseSubmittedAnswer', () => {
  const choices: ChoiceOption[] = [
    { id: 'a', label: 'A' },
    { id: 'b', label: 'B' },
  ];
  const cases: [type: 'text' | 'number' | 'pin' | 'date' | 'choice', input: string, expected: string | null][] = [
    ['text', '  José ', 'jose'],
    ['text', '   ', null],
    ['number', '00 42', '0042'],
    ['pin', '١٢٣٤', '1234'],
    ['date', '12/04/1990', '1990-04-12'],
    ['choice', 'b', 'b'],
    ['choice', 'B', null],
  ];

  for (const [type, input, expected] of cases) {
    test(`${type} ${JSON.stringify(input)}`, () => {
      expect(normaliseSubmittedAnswer({ type, choices }, input, 'dmy')).toBe(expected);
    });
  }
});

describe('normaliseExpectedAnswer', () => {
  const choices: ChoiceOption[] = [
    { id: 'a', label: 'A' },
    { id: 'b', label: 'B' },
  ];

  test('date must be ISO', () => {
    expect(normaliseExpectedAnswer({ type: 'date' }, '1990-04-12')).toEqual({ value: '1990-04-12' });
    expect('problem' in normaliseExpectedAnswer({ type: 'date' }, '12/04/1990')).toBe(true);
    expect('problem' in normaliseExpectedAnswer({ type: 'date' }, '1990-02-30')).toBe(true);
  });

  test('choice must be an option id', () => {
    expect(normaliseExpectedAnswer({ type: 'choice', choices }, 'a')).toEqual({ value: 'a' });
    expect('problem' in normaliseExpectedAnswer({ type: 'choice', choices }, 'c')).toBe(true);
  });

  test('pin and number must be digits', () => {
    expect(normaliseExpectedAnswer({ type: 'pin' }, '0070')).toEqual({ value: '0070' });
    expect('problem' in normaliseExpectedAnswer({ type: 'pin' }, '12')).toBe(true);
    expect(normaliseExpectedAnswer({ type: 'number' }, '1 234')).toEqual({ value: '1234' });
    expect('problem' in normaliseExpectedAnswer({ type: 'number' }, 'forty')).toBe(true);
  });

  test('text must not normalise to empty', () => {
    expect(normaliseExpectedAnswer({ type: 'text' }, 'Rex')).toEqual({ value: 'rex' });
    expect('problem' in normaliseExpectedAnswer({ type: 'text' }, '\u0301')).toBe(true);
  });
});

describe('hashAnswer', () => {
  const challengeId = 'ch_normalise_1';
  const questionId = 'q1';
  const stored = hashAnswer(secret, challengeId, questionId, normaliseText('São Paulo'));
  const matchesText = (form: string, id = challengeId, question = questionId, key = secret) =>
    matchesAnswerHash(key, id, question, normaliseText(form), stored);

  test('equivalent forms match', () => {
    for (const form of ['São Paulo', 'sao paulo', '  SAO   PAULO ', 'São\tPaulo\n', 'ＳＡＯ ＰＡＵＬＯ']) {
      expect(matchesText(form)).toBe(true);
    }
  });

  test('different answer does not match', () => {
    expect(matchesText('Rio de Janeiro')).toBe(false);
    expect(matchesText('SaoPaulo')).toBe(false);
    expect(matchesText('')).toBe(false);
  });

  test('other challenge id does not match', () => {
    expect(matchesText('São Paulo', 'ch_normalise_2')).toBe(false);
  });

  test('other question id does not match', () => {
    expect(matchesText('São Paulo', challengeId, 'q2')).toBe(false);
  });

  test('other secret does not match', () => {
    const otherSecret = 'another-secret-'.padEnd(48, 'y');
    expect(matchesText('São Paulo', challengeId, questionId, otherSecret)).toBe(false);
  });

  test('text hash keeps the v1 message', () => {
    // Hashes stored before typed questions existed were computed over the normalised text.
    const v1 = new Bun.CryptoHasher('sha256', secret).update(`askgate answer v1\n${challengeId}\n${questionId}\nsao paulo`).digest('base64url');
    expect(stored).toBe(v1);
  });

  test('date forms share one hash', () => {
    const dateHash = hashAnswer(secret, challengeId, 'dob', '1990-04-12');
    for (const [form, order] of [['12/04/1990', 'dmy'], ['04/12/1990', 'mdy'], ['1990-04-12', 'dmy'], ['١٢.٠٤.١٩٩٠', 'dmy']] as const) {
      const normalised = normaliseDate(form, order) ?? '';
      expect(matchesAnswerHash(secret, challengeId, 'dob', normalised, dateHash)).toBe(true);
    }
  });
});
