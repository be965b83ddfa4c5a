import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { makeChallenge } from './contract.ts';
import { makeTempDatabaseDir, type TempDatabaseDir } from './sqlite-temp.ts';

const retention = { retentionSeconds: 3600, eventRetentionSeconds: 3600, sweepIntervalMs: 3_600_000 };
const roomy = { maxPendingTotal: 1_000_000, maxPendingPerClient: 100 };
const writerScript = join(import.meta.dir, 'fixtures', 'sqlite-writer.ts');

interface Acknowledged {
  id: string;
  attempts: number;
  status: string;
}

/**
 * Reads complete lines from the writer until at least `count` arrived, the stream ended or
 * `timeoutMs` passed. The last chunk read may carry more than `count` lines, and all are returned.
 */
async function readAcknowledged(stream: ReadableStream<Uint8Array>, count: number, timeoutMs: number): Promise<Acknowledged[]> {
  const acknowledged: Acknowledged[] = [];
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  const deadline = Date.now() + timeoutMs;
  let buffered = '';
  while (acknowledged.length < count && Date.now() < deadline) {
    const chunk = await Promise.race([reader.read(), Bun.sleep(deadline - Date.now()).then(() => null)]);
    if (chunk === null || chunk.done) break;
    buffered += decoder.decode(chunk.value, { stream: true });
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const [id, attempts, status] = line.split(' ');
      acknowledged.push({ id: id ?? '', attempts: Number(attempts), status: status ?? '' });
    }
  }
  reader.releaseLock();
  return acknowledged;
}

describe('sqlite durability', () => {
  let dir: TempDatabaseDir;
  beforeEach(() => {
    dir = makeTempDatabaseDir();
  });
  afterEach(() => {
    dir.remove();
  });

  test('data survives close and reopen', async () => {
    const first = openSqliteStore(dir.file(), retention);
    const counted = makeChallenge({ maxAttempts: 3 });
    const failed = makeChallenge({ maxAttempts: 1 });
    await first.createChallenge(counted, roomy, Date.now());
    await first.createChallenge(failed, roomy, Date.now());
    await first.recordAttempt(counted.id, 'wrong', Date.now());
    await first.recordAttempt(failed.id, 'wrong', Date.now());
    const key = { id: 'key_durable', tenantId: 'tenant-a', keyHash: 'hash-durable', prefix: 'ak_dura', createdAt: Date.now(), revokedAt: null };
    await first.saveApiKey(key);
    await first.close();
    expect(existsSync(dir.file() + '-wal')).toBe(false);

    const second = openSqliteStore(dir.file(), retention);
    const reread = await second.findChallenge('tenant-a', counted.id);
    expect(reread?.attempts).toBe(1);
    expect(reread?.status).toBe('pending');
    expect(reread?.questions).toEqual(counted.questions);
    expect(reread?.returnTarget).toEqual(counted.returnTarget);
    expect(reread?.metadata).toEqual(counted.metadata);
    expect((await second.findChallengeByToken(failed.tokenHash))?.status).toBe('failed');
    expect(await second.countPending()).toBe(1);
    const leased = await second.leaseDueEvents(Date.now() + 1000, 100, 30_000);
    expect(leased.map((event) => event.challengeId)).toEqual([failed.id]);
    expect(leased[0]?.type).toBe('challenge.failed');
    expect(await second.findApiKeyByHash('hash-durable')).toEqual(key);
    await second.close();
  });

  test('acknowledged writes survive SIGKILL', async () => {
    const path = dir.file();
    const writer = Bun.spawn(['bun', writerScript, path, '100000', '20000'], { stdout: 'pipe', stderr: 'pipe' });
    let acknowledged: Acknowledged[];
    try {
      acknowledged = await readAcknowledged(writer.stdout, 200, 15_000);
    } finally {
      writer.kill('SIGKILL');
      await writer.exited;
    }
    expect(writer.signalCode).toBe('SIGKILL');
    expect(acknowledged.length).toBeGreaterThanOrEqual(200);
    // The killed process had no chance to checkpoint, so reopening must recover from the WAL.
    expect(existsSync(path + '-wal')).toBe(true);

    const store = openSqliteStore(path, retention);
    try {
      const missing: string[] = [];
      const wrong: string[] = [];
      for (const entry of acknowledged) {
        const stored = await store.findChallenge('tenant-a', entry.id);
        if (!stored) missing.push(entry.id);
        else if (stored.attempts !== entry.attempts || stored.status !== entry.status) wrong.push(entry.id);
      }
      expect(missing).toEqual([]);
      expect(wrong).toEqual([]);

      const failedIds = acknowledged.filter((entry) => entry.status === 'failed').map((entry) => entry.id);
      expect(failedIds.length).toBeGreaterThan(20);
      const leased = await store.leaseDueEvents(Date.now() + 1000, 100_000, 30_000);
      const leasedIds = new Set(leased.map((event) => event.challengeId));
      expect(failedIds.filter((id) => !leasedIds.has(id))).toEqual([]);
      expect(leased.every((event) => event.type === 'challenge.failed')).toBe(true);
    } finally {
      await store.close();
    }
  }, 30_000);
});
