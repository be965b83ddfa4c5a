import type { Database, Statement } from 'bun:sqlite';
import type { IdempotencyClaim, IdempotentReply } from '../store.ts';
import { runInWriteTransaction } from './transaction.ts';

interface IdempotencyRow {
  fingerprint: string;
  reply_status: number | null;
  reply_body: string | null;
  expires_at: number;
}

type KeyParams = { tenant_id: string; key: string };

/** Statements on the `idempotency_keys` table. */
export class IdempotencyTable {
  private readonly findStatement: Statement<IdempotencyRow, [KeyParams]>;
  private readonly claimStatement: Statement<unknown, [KeyParams & { fingerprint: string; expires_at: number }]>;
  private readonly completeStatement: Statement<unknown, [KeyParams & { reply_status: number; reply_body: string }]>;
  private readonly releaseStatement: Statement<unknown, [KeyParams]>;
  private readonly purgeBatchStatement: Statement<unknown, [{ now: number; limit: number }]>;

  constructor(private readonly db: Database) {
    this.findStatement = db.prepare(`
      SELECT fingerprint, reply_status, reply_body, expires_at FROM idempotency_keys
      WHERE tenant_id = $tenant_id AND key = $key`);
    // Replaces a lapsed claim of the same key, which the caller has checked.
    this.claimStatement = db.prepare(`
      INSERT INTO idempotency_keys (tenant_id, key, fingerprint, reply_status, reply_body, expires_at)
      VALUES ($tenant_id, $key, $fingerprint, NULL, NULL, $expires_at)
      ON CONFLICT (tenant_id, key) DO UPDATE SET
        fingerprint = excluded.fingerprint, reply_status = NULL, reply_body = NULL, expires_at = excluded.expires_at`);
    this.completeStatement = db.prepare(`
      UPDATE idempotency_keys SET reply_status = $reply_status, reply_body = $reply_body
      WHERE tenant_id = $tenant_id AND key = $key`);
    this.releaseStatement = db.prepare('DELETE FROM idempotency_keys WHERE tenant_id = $tenant_id AND key = $key');
    this.purgeBatchStatement = db.prepare(`
      DELETE FROM idempotency_keys WHERE (tenant_id, key) IN (
        SELECT tenant_id, key FROM idempotency_keys WHERE expires_at <= $now LIMIT $limit
      )`);
  }

  claim(tenantId: string, key: string, fingerprint: string, ttlSeconds: number, now: number): IdempotencyClaim {
    return runInWriteTransaction(this.db, () => {
      const existing = this.findStatement.get({ tenant_id: tenantId, key });
      if (existing !== null && existing.expires_at > now) return describeExisting(existing, fingerprint);

      this.claimStatement.run({ tenant_id: tenantId, key, fingerprint, expires_at: now + ttlSeconds * 1000 });
      return { state: 'claimed' };
    });
  }

  complete(tenantId: string, key: string, reply: IdempotentReply): void {
    this.completeStatement.run({ tenant_id: tenantId, key, reply_status: reply.status, reply_body: reply.body });
  }

  release(tenantId: string, key: string): void {
    this.releaseStatement.run({ tenant_id: tenantId, key });
  }

  /** Deletes up to `limit` claims that lapsed at or before `now` and returns how many. */
  purgeBatch(now: number, limit: number): number {
    return this.purgeBatchStatement.run({ now, limit }).changes;
  }
}

function describeExisting(row: IdempotencyRow, fingerprint: string): IdempotencyClaim {
  if (row.fingerprint !== fingerprint) return { state: 'mismatch' };
  if (row.reply_status === null || row.reply_body === null) return { state: 'in_progress' };
  return { state: 'replay', reply: { status: row.reply_status, body: row.reply_body } };
}
