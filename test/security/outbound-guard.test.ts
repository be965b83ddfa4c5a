import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { checkOutboundUrl, forbiddenRangeOf, isForbiddenAddress, type OutboundRefusal } from '../../src/security/outbound-guard.ts';
import { sampleChallenge, startAskgate, submitAnswer } from '../support/harness.ts';

// Every address below is only classified, never contacted: the decision function is pure, and
// checkOutboundUrl is given IP literals (no DNS query) or a fake resolver.

describe('isForbiddenAddress()', () => {
  const forbidden: [string, string][] = [
    ['0.0.0.0', 'this network'],
    ['10.1.2.3', 'private network'],
    ['100.64.0.1', 'shared address space (CGNAT)'],
    ['100.100.100.200', 'shared address space (CGNAT)'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['172.16.0.1', 'private network'],
    ['172.31.255.255', 'private network'],
    ['192.0.0.192', 'IETF protocol assignments'],
    ['192.168.1.1', 'private network'],
    ['198.18.0.1', 'benchmarking'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['::', 'unspecified, loopback or IPv4-compatible'],
    ['::1', 'unspecified, loopback or IPv4-compatible'],
    ['fc00::1', 'unique-local'],
    ['fd00:ec2::254', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:a9fe:a9fe', 'IPv4-mapped link-local (cloud metadata)'],
    ['64:ff9b::10.0.0.1', 'NAT64 private network'],
    ['2002:c0a8:0101::1', '6to4 private network'],
  ];
  for (const [address, range] of forbidden) {
    test(`rejects ${address}`, () => {
      expect(isForbiddenAddress(address)).toBe(true);
      expect(forbiddenRangeOf(address)).toBe(range);
    });
  }

  const allowed = ['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '192.169.0.1', '2606:4700::1111', '::ffff:8.8.8.8', '64:ff9b::8.8.8.8', '2002:0808:0808::1'];
  for (const address of allowed) {
    test(`allows ${address}`, () => {
      expect(isForbiddenAddress(address)).toBe(false);
      expect(forbiddenRangeOf(address)).toBeNull();
    });
  }

  test('rejects text that is not an address', () => {
    for (const text of ['', 'localhost', '127.1', '0x7f.0.0.1', '1.2.3.4.5', '::g']) {
      expect({ text, forbidden: isForbiddenAddress(text) }).toEqual({ text, forbidden: true });
    }
  });
});

describe('checkOutboundUrl()', () => {
  const open = { allowHosts: null, allowPrivate: false };

  test('rejects loopback literal by default', async () => {
    const decision = await checkOutboundUrl('http://127.0.0.1:9/check', open);
    expect(decision.allowed).toBe(false);
    expect(decision.allowed ? null : decision.reason).toBe('forbidden_address');
  });

  test('allows loopback when private allowed', async () => {
    const decision = await checkOutboundUrl('http://127.0.0.1:9/check', { allowHosts: null, allowPrivate: true });
    expect(decision).toEqual({ allowed: true, hostname: '127.0.0.1', addresses: ['127.0.0.1'] });
  });

  test('rejects IPv6 loopback literal', async () => {
    const decision = await checkOutboundUrl('http://[::1]:9/', open);
    expect(decision.allowed ? null : decision.reason).toBe('forbidden_address');
  });

  test('rejects URL spellings of loopback', async () => {
    // The URL parser turns these into 127.0.0.1 before the check runs.
    for (const url of ['http://2130706433/', 'http://0x7f.1/', 'http://127.1/']) {
      const decision = await checkOutboundUrl(url, open);
      expect({ url, reason: decision.allowed ? null : decision.reason }).toEqual({ url, reason: 'forbidden_address' });
    }
  });

  test('rejects host off the allow-list', async () => {
    const decision = await checkOutboundUrl('http://127.0.0.1:9/', { allowHosts: ['bot.example.com'], allowPrivate: true });
    expect(decision.allowed ? null : decision.reason).toBe('host_not_allowed');
  });

  test('allows host on the allow-list', async () => {
    const decision = await checkOutboundUrl('http://127.0.0.1:9/', { allowHosts: ['127.0.0.1'], allowPrivate: true });
    expect(decision.allowed).toBe(true);
  });

  test('rejects name resolving to metadata', async () => {
    const decision = await checkOutboundUrl('https://bot.example.com/check', {
      allowHosts: ['bot.example.com'],
      allowPrivate: false,
      resolve: async () => ['203.0.114.7', '169.254.169.254'],
    });
    expect(decision.allowed).toBe(false);
    expect(decision.allowed ? '' : decision.detail).toContain('169.254.169.254');
  });

  test('allows name resolving to public addresses', async () => {
    const decision = await checkOutboundUrl('https://BOT.example.com/check', {
      allowHosts: ['bot.example.com'],
      allowPrivate: false,
      resolve: async () => ['203.0.114.7'],
    });
    expect(decision).toEqual({ allowed: true, hostname: 'bot.example.com', addresses: ['203.0.114.7'] });
  });

  test('reports failed resolution', async () => {
    const decision = await checkOutboundUrl('https://bot.example.com/', {
      allowHosts: null,
      allowPrivate: false,
      resolve: async () => {
        throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
      },
    });
    expect(decision.allowed ? null : decision.reason).toBe('resolution_failed');
    expect(decision.allowed ? '' : decision.detail).toContain('ENOTFOUND');
  });

  test('rejects other schemes and credentials', async () => {
    const cases: [string, OutboundRefusal][] = [
      ['ftp://127.0.0.1/', 'unsupported_scheme'],
      ['file:///etc/passwd', 'unsupported_scheme'],
      ['http://user:pass@127.0.0.1/', 'credentials_in_url'],
      ['not a url', 'invalid_url'],
    ];
    for (const [url, reason] of cases) {
      const decision = await checkOutboundUrl(url, { allowHosts: null, allowPrivate: true });
      expect({ url, reason: decision.allowed ? null : decision.reason }).toEqual({ url, reason });
    }
  });
});

describe('outbound guard in the callback verifier', () => {
  let receiver: ReturnType<typeof Bun.serve>;
  let received = 0;
  const paths: string[] = [];

  beforeAll(() => {
    receiver = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch: (request) => {
        received += 1;
        const path = new URL(request.url).pathname;
        paths.push(path);
        if (path === '/redirect') return new Response(null, { status: 307, headers: { location: '/target' } });
        return Response.json({ valid: true });
      },
    });
  });

  afterAll(() => {
    receiver.stop(true);
  });

  test('rejected URL gets no request', async () => {
    const askgate = await startAskgate({
      ASKGATE_ALLOW_PRIVATE_OUTBOUND: 'false',
      ASKGATE_VALIDATION_URL_HOSTS: '127.0.0.1',
    });
    try {
      const created = await askgate.createChallenge(
        sampleChallenge({ answer: undefined, validation_url: `http://127.0.0.1:${receiver.port}/check` }),
      );
      const page = await submitAnswer(created.url, { answer: 'April 12' });
      const html = await page.text();

      expect(page.status).toBe(503);
      expect(html).toContain('We could not check your answer right now.');
      expect(received).toBe(0);
      expect(askgate.logs.some((line) => line.includes('rejected by the outbound guard') && line.includes('forbidden_address'))).toBe(true);
      const view = await (await askgate.api(`/v1/challenges/${created.id}`)).json();
      expect(view.attempts).toBe(0);
    } finally {
      await askgate.stop();
    }
  });

  test('allowed URL gets the request', async () => {
    const askgate = await startAskgate({
      ASKGATE_ALLOW_PRIVATE_OUTBOUND: 'true',
      ASKGATE_VALIDATION_URL_HOSTS: '127.0.0.1',
    });
    try {
      const created = await askgate.createChallenge(
        sampleChallenge({ answer: undefined, validation_url: `http://127.0.0.1:${receiver.port}/check` }),
      );
      const before = received;
      const page = await submitAnswer(created.url, { answer: 'April 12' });
      await page.text();

      expect(page.status).toBe(200);
      expect(received).toBe(before + 1);
    } finally {
      await askgate.stop();
    }
  });

  test('redirect is not followed', async () => {
    const askgate = await startAskgate({ ASKGATE_VALIDATION_URL_HOSTS: '127.0.0.1' });
    try {
      const created = await askgate.createChallenge(
        sampleChallenge({ answer: undefined, validation_url: `http://127.0.0.1:${receiver.port}/redirect` }),
      );
      const page = await submitAnswer(created.url, { answer: 'April 12' });
      await page.text();

      expect(page.status).toBe(503);
      expect(paths).toContain('/redirect');
      expect(paths).not.toContain('/target');
    } finally {
      await askgate.stop();
    }
  });
});

describe('outbound guard in webhook delivery', () => {
  let receiver: ReturnType<typeof Bun.serve>;
  let received = 0;

  beforeAll(() => {
    receiver = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch: () => {
        received += 1;
        return new Response(null, { status: 204 });
      },
    });
  });

  afterAll(() => {
    receiver.stop(true);
  });

  /** Waits until the event of `challengeId` has at least one delivery try, and returns it. */
  async function firstTry(askgate: Awaited<ReturnType<typeof startAskgate>>, challengeId: string) {
    const deadline = Date.now() + 5000;
    for (;;) {
      const [event] = await askgate.store.listEvents('default', { challengeId, limit: 5 });
      if (event !== undefined && event.attempts.length > 0) return event;
      if (Date.now() > deadline) throw new Error('no delivery try within 5 s');
      await Bun.sleep(50);
    }
  }

  test('rejected webhook URL gets no request', async () => {
    const askgate = await startAskgate({
      ASKGATE_ALLOW_PRIVATE_OUTBOUND: 'false',
      ASKGATE_WEBHOOK_URL: `http://127.0.0.1:${receiver.port}/events`,
    });
    try {
      const created = await askgate.createChallenge(sampleChallenge());
      await (await submitAnswer(created.url, { answer: '1990-04-12' })).text();
      const event = await firstTry(askgate, created.id);

      expect(event.attempts[0]?.error).toBe('rejected by the outbound guard (forbidden_address)');
      expect(event.attempts[0]?.status).toBeNull();
      expect(received).toBe(0);
      expect(askgate.logs.some((line) => line.includes('webhook request rejected by the outbound guard'))).toBe(true);
    } finally {
      await askgate.stop();
    }
  });

  test('allowed webhook URL gets the event', async () => {
    const askgate = await startAskgate({
      ASKGATE_ALLOW_PRIVATE_OUTBOUND: 'true',
      ASKGATE_WEBHOOK_URL: `http://127.0.0.1:${receiver.port}/events`,
    });
    try {
      const created = await askgate.createChallenge(sampleChallenge());
      await (await submitAnswer(created.url, { answer: '1990-04-12' })).text();
      const event = await firstTry(askgate, created.id);

      expect(event.attempts[0]?.error).toBeNull();
      expect(event.attempts[0]?.status).toBe(204);
      expect(received).toBe(1);
    } finally {
      await askgate.stop();
    }
  });
});
