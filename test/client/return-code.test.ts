import { describe, expect, test } from 'bun:test';
import { generateReturnCode } from '../../src/challenge/return-code.ts';
import { findReturnCode, findReturnCodes } from '../../src/client/return-code.ts';

describe('findReturnCode', () => {
  const cases: { text: string; expected: string | null }[] = [
    { text: 'Back from verification K7P2QXA', expected: 'K7P2QXA' },
    { text: 'K7P2QXA', expected: 'K7P2QXA' },
    { text: 'back from verification k7p2qxa', expected: 'K7P2QXA' },
    { text: 'code: k7P2qXa!', expected: 'K7P2QXA' },
    { text: '(K7P2QXA)', expected: 'K7P2QXA' },
    { text: 'Volví de la verificación K7P2QXA', expected: 'K7P2QXA' },
    { text: 'Voltei: K7P2QXA.', expected: 'K7P2QXA' },
    { text: 'Payment K7P2QXA', expected: 'K7P2QXA' },
    { text: 'K7P2QXA8', expected: null },
    { text: 'xK7P2QXA', expected: null },
    { text: 'éK7P2QXA', expected: null },
    { text: 'K7P2QX0', expected: null },
    { text: 'K7P2QXI', expected: null },
    { text: 'K7P2QXL', expected: null },
    { text: 'K7P2QX', expected: null },
    { text: '', expected: null },
    { text: 'hello there, all good?', expected: null },
    { text: 'Payment sent', expected: 'PAYMENT' },
  ];

  for (const { text, expected } of cases) {
    test(`finds ${expected ?? 'nothing'} in ${JSON.stringify(text)}`, () => {
      expect(findReturnCode(text)).toBe(expected);
    });
  }

  test('finds generated codes in any case', () => {
    for (let index = 0; index < 200; index += 1) {
      const code = generateReturnCode();
      expect(findReturnCode(`Back from verification ${code}`)).toBe(code);
      expect(findReturnCode(`back from verification ${code.toLowerCase()}`)).toBe(code);
    }
  });
});

describe('findReturnCodes', () => {
  test('returns every distinct candidate in order', () => {
    expect(findReturnCodes('Payment K7P2QXA, again k7p2qxa and HJKMNPQ')).toEqual(['PAYMENT', 'K7P2QXA', 'HJKMNPQ']);
  });

  test('returns empty list without candidates', () => {
    expect(findReturnCodes('no code here')).toEqual([]);
  });
});
