/**
 * Minimal DER (X.690 Distinguished Encoding Rules) encoder for the ASN.1 types an X.509
 * certificate needs. Each function returns one complete tag-length-value element.
 */

const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  objectIdentifier: 0x06,
  utf8String: 0x0c,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const;

/** Encodes a DER length as one byte below 128, otherwise as a length-of-length byte followed by big-endian octets. */
function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);

  const octets: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) {
    octets.unshift(rest % 256);
  }
  return Uint8Array.of(0x80 | octets.length, ...octets);
}

/** Encodes one element from its identifier octet and content octets. */
export function element(tag: number, content: Uint8Array): Uint8Array {
  return Buffer.concat([Uint8Array.of(tag), encodeLength(content.length), content]);
}

/** Encodes a SEQUENCE of already-encoded elements, in the given order. */
export function sequence(...elements: Uint8Array[]): Uint8Array {
  return element(TAG.sequence, Buffer.concat(elements));
}

/**
 * Encodes a SET of already-encoded elements. DER requires the elements sorted by their
 * encoding, so callers must pass them sorted. This function does not sort them.
 */
export function set(...elements: Uint8Array[]): Uint8Array {
  return element(TAG.set, Buffer.concat(elements));
}

/** Encodes a BOOLEAN. DER fixes TRUE as 0xff. */
export function boolean(value: boolean): Uint8Array {
  return element(TAG.boolean, Uint8Array.of(value ? 0xff : 0x00));
}

/**
 * Encodes a non-negative INTEGER given as a safe integer or as unsigned big-endian bytes.
 * Leading zero bytes are dropped, and one zero byte is added when the high bit is set,
 * so the two's-complement value stays positive.
 */
export function integer(value: number | Uint8Array): Uint8Array {
  let bytes: Uint8Array;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`DER integer must be a non-negative safe integer, got ${value}`);
    }
    const octets: number[] = [];
    for (let rest = value; rest > 0; rest = Math.floor(rest / 256)) {
      octets.unshift(rest % 256);
    }
    bytes = Uint8Array.from(octets);
  } else {
    bytes = value;
  }

  let start = 0;
  while (start < bytes.length && bytes[start] === 0) start++;
  const magnitude = bytes.subarray(start);

  if (magnitude.length === 0) return element(TAG.integer, Uint8Array.of(0));
  if (magnitude[0]! & 0x80) return element(TAG.integer, Buffer.concat([Uint8Array.of(0), magnitude]));
  return element(TAG.integer, magnitude);
}

/** Encodes an OBJECT IDENTIFIER given in dotted form, such as "2.5.4.3". */
export function objectIdentifier(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(Number);
  const [first, second, ...rest] = arcs;
  const valid = arcs.every((arc) => Number.isSafeInteger(arc) && arc >= 0);
  if (!valid || first === undefined || second === undefined || first > 2 || (first < 2 && second > 39)) {
    throw new RangeError(`invalid object identifier "${dotted}"`);
  }

  const octets: number[] = [];
  for (const arc of [first * 40 + second, ...rest]) {
    // Base-128 digits, most significant first. Every digit except the last has the high bit set.
    const digits = [arc % 128];
    for (let high = Math.floor(arc / 128); high > 0; high = Math.floor(high / 128)) {
      digits.unshift(0x80 | (high % 128));
    }
    octets.push(...digits);
  }
  return element(TAG.objectIdentifier, Uint8Array.from(octets));
}

/**
 * Encodes a BIT STRING. `unusedBits` counts the padding bits at the end of the last byte,
 * and those bits must be zero.
 */
export function bitString(bytes: Uint8Array, unusedBits = 0): Uint8Array {
  if (!Number.isInteger(unusedBits) || unusedBits < 0 || unusedBits > 7 || (bytes.length === 0 && unusedBits !== 0)) {
    throw new RangeError(`invalid unused bit count ${unusedBits} for a ${bytes.length}-byte BIT STRING`);
  }
  return element(TAG.bitString, Buffer.concat([Uint8Array.of(unusedBits), bytes]));
}

/** Encodes an OCTET STRING. */
export function octetString(bytes: Uint8Array): Uint8Array {
  return element(TAG.octetString, bytes);
}

/** Encodes a UTF8String. */
export function utf8String(text: string): Uint8Array {
  return element(TAG.utf8String, Buffer.from(text, 'utf8'));
}

/** Formats `date` in UTC as YYYYMMDDHHMMSS, dropping milliseconds. */
function formatUtcDigits(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return (
    String(date.getUTCFullYear()).padStart(4, '0') +
    pad(date.getUTCMonth() + 1) +
    pad(date.getUTCDate()) +
    pad(date.getUTCHours()) +
    pad(date.getUTCMinutes()) +
    pad(date.getUTCSeconds())
  );
}

/** Encodes a UTCTime (YYMMDDHHMMSSZ). Two-digit years only cover 1950 through 2049. */
export function utcTime(date: Date): Uint8Array {
  const year = date.getUTCFullYear();
  if (!(year >= 1950 && year <= 2049)) {
    throw new RangeError(`UTCTime covers 1950 through 2049, got ${date.toISOString()}`);
  }
  return element(TAG.utcTime, Buffer.from(`${formatUtcDigits(date).slice(2)}Z`, 'ascii'));
}

/** Encodes a GeneralizedTime (YYYYMMDDHHMMSSZ) without fractional seconds. */
export function generalizedTime(date: Date): Uint8Array {
  const year = date.getUTCFullYear();
  if (!(year >= 0 && year <= 9999)) {
    throw new RangeError(`GeneralizedTime covers years 0 through 9999, got ${String(date)}`);
  }
  return element(TAG.generalizedTime, Buffer.from(`${formatUtcDigits(date)}Z`, 'ascii'));
}

/** Checks that a context-specific tag number fits the one-byte identifier form (0 through 30). */
function checkTagNumber(tagNumber: number): void {
  if (!Number.isInteger(tagNumber) || tagNumber < 0 || tagNumber > 30) {
    throw new RangeError(`context-specific tag number must be 0 through 30, got ${tagNumber}`);
  }
}

/** Wraps one encoded element in a constructed context-specific tag `[tagNumber] EXPLICIT`. */
export function explicit(tagNumber: number, inner: Uint8Array): Uint8Array {
  checkTagNumber(tagNumber);
  return element(0xa0 | tagNumber, inner);
}

/** Encodes primitive content under a context-specific tag `[tagNumber] IMPLICIT`. */
export function implicit(tagNumber: number, content: Uint8Array): Uint8Array {
  checkTagNumber(tagNumber);
  return element(0x80 | tagNumber, content);
}
