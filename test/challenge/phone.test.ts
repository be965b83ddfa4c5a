import { describe, expect, test } from 'bun:test';
import { phoneToDigits } from '../../src/challenge/phone.ts';

describe('phoneToDigits', () => {
  const valid: [name: string, input: string, expected: string][] = [
    ['compact number', '+5491122334455', '5491122334455'],
    ['spaces', '+54 9 11 2233 4455', '5491122334455'],
    ['dashes', '+1-415-555-0123', '14155550123'],
    ['brackets', '+1 (415) 555 0123', '14155550123'],
    ['dots', '+44.20.7946.0958', '442079460958'],
    ['shortest length', '+1234567', '1234567'],
    ['longest length', '+123456789012345', '123456789012345'],
    ['surrounding whitespace', ' +34 600 123 456\n', '34600123456'],
  ];

  for (const [name, input, expected] of valid) {
    test(`accepts ${name}`, () => {
      expect(phoneToDigits(input)).toBe(expected);
    });
  }

  const invalid: [name: string, input: string][] = [
    ['missing plus', '5491122334455'],
    ['zero after plus', '+0491122334455'],
    ['too short', '+123456'],
    ['too long', '+1234567890123456'],
    ['letters', '+54911CALLME'],
    ['double plus', '++5491122334455'],
    ['plus in middle', '54+91122334455'],
    ['empty string', ''],
    ['plus only', '+'],
  ];

  for (const [name, input] of invalid) {
    test(`rejects ${name}`, () => {
      expect(phoneToDigits(input)).toBeNull();
    });
  }
});
