/**
 * The key layout of the Redis store. Every key starts with a configurable prefix; the segment
 * after it names the kind of key. The Lua scripts build the same names from this table (see
 * `luaKeyFunctions`), so the layout is written down once.
 */
export const keySegments = {
  /** Hash per challenge id: the creation document plus the fields that change. */
  challenge: 'chl:',
  /** String per page-token hash: the challenge id. */
  token: 'tok:',
  /** String per return code: the id of the live challenge that uses it. */
  returnCode: 'code:',
  /** Sorted set of pending challenge ids, scored by `expiresAt`. Its size is the pending count. */
  deadlines: 'deadlines',
  /** Counter that orders challenges by creation within a client's pending set. */
  sequence: 'sequence',
  /** Sorted set per (tenant, client id) of pending challenge ids, scored by creation order. */
  clientPending: 'client-pending:',
  /** Hash per event id. */
  event: 'evt:',
  /** String per challenge id: the id of its event. */
  challengeEvent: 'chl-evt:',
  /** Sorted set per tenant of event ids, scored by `createdAt`. */
  tenantEvents: 'tenant-evts:',
  /** Sorted set of pending event ids, scored by the next try or by the end of the current lease. */
  dueEvents: 'due-evts',
  /** Hash per (tenant, idempotency key): fingerprint and, once complete, the reply. */
  idempotency: 'idem:',
  /** Counter per rate-limit key and window. */
  rateLimit: 'rate:',
  /** Hash per API key id. */
  apiKey: 'apikey:',
  /** String per key hash: the API key id. */
  apiKeyHash: 'apikey-hash:',
  /** Sorted set of all API key ids, scored by `createdAt`. */
  apiKeys: 'apikeys',
  /** Sorted set per tenant of API key ids, scored by `createdAt`. */
  tenantApiKeys: 'tenant-apikeys:',
} as const;

export const defaultKeyPrefix = 'askgate:';

/**
 * Joins two free-form parts into one unambiguous key part: the byte length of the first part
 * comes first, so that a `:` inside a tenant id cannot make two pairs collide.
 */
function pair(first: string, second: string): string {
  return `${Buffer.byteLength(first)}:${first}:${second}`;
}

/** Builds the names of the store's keys under one prefix. */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  challenge(id: string): string {
    return this.prefix + keySegments.challenge + id;
  }

  token(tokenHash: string): string {
    return this.prefix + keySegments.token + tokenHash;
  }

  returnCode(code: string): string {
    return this.prefix + keySegments.returnCode + code;
  }

  deadlines(): string {
    return this.prefix + keySegments.deadlines;
  }

  clientPending(tenantId: string, clientId: string): string {
    return this.prefix + keySegments.clientPending + pair(tenantId, clientId);
  }

  event(id: string): string {
    return this.prefix + keySegments.event + id;
  }

  challengeEvent(challengeId: string): string {
    return this.prefix + keySegments.challengeEvent + challengeId;
  }

  tenantEvents(tenantId: string): string {
    return this.prefix + keySegments.tenantEvents + tenantId;
  }

  idempotency(tenantId: string, key: string): string {
    return this.prefix + keySegments.idempotency + pair(tenantId, key);
  }

  rateLimit(key: string): string {
    return this.prefix + keySegments.rateLimit + key;
  }

  apiKey(id: string): string {
    return this.prefix + keySegments.apiKey + id;
  }

  apiKeyHash(keyHash: string): string {
    return this.prefix + keySegments.apiKeyHash + keyHash;
  }

  apiKeys(): string {
    return this.prefix + keySegments.apiKeys;
  }

  tenantApiKeys(tenantId: string): string {
    return this.prefix + keySegments.tenantApiKeys + tenantId;
  }
}

/**
 * Lua functions `key_<kind>(suffix)` for every segment, reading the prefix from the global
 * `PREFIX` that each script sets first. Keys built from two parts (client pending sets,
 * idempotency keys) are built in TypeScript only and reach the scripts as arguments.
 */
export function luaKeyFunctions(): string {
  return Object.entries(keySegments)
    .map(([kind, segment]) => {
      const name = 'key_' + kind.replace(/[A-Z]/g, (letter) => '_' + letter.toLowerCase());
      return `local function ${name}(suffix) return PREFIX .. '${segment}' .. (suffix or '') end`;
    })
    .join('\n');
}
