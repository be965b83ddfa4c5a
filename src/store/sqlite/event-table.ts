import type { Database, Statement } from 'bun:sqlite';
import type { DeliveryAttempt, DeliveryStatus, EventRecord } from '../../events/event.ts';
import type { DeliveryOutcome, EventFilter } from '../store.ts';
import { eventFromRow, eventToRow, type EventRow } from './rows.ts';

/**
 * Statements on the `events` table. Leasing, recording a delivery and redelivering are each a
 * single UPDATE. SQLite takes the write lock before such a statement reads, so each is atomic
 * across connections without an explicit transaction.
 */
export class EventTable {
  private readonly insertStatement: Statement<unknown, [EventRow]>;
  private readonly listStatement: Statement<EventRow, [{ tenant_id: string; challenge_id: string | null; status: DeliveryStatus | null; limit: number }]>;
  private readonly findStatement: Statement<EventRow, [{ tenant_id: string; id: string }]>;
  private readonly leaseStatement: Statement<EventRow, [{ now: number; limit: number; lease_until: number }]>;
  private readonly recordDeliveryStatement: Statement<unknown, [{ id: string; attempt: string; status: DeliveryStatus; next_attempt_at: number | null }]>;
  private readonly redeliverStatement: Statement<EventRow, [{ tenant_id: string; id: string; now: number }]>;
  private readonly purgeBatchStatement: Statement<unknown, [{ cutoff: number; limit: number }]>;

  constructor(db: Database) {
    this.insertStatement = db.prepare(`
      INSERT INTO events (id, tenant_id, challenge_id, type, created_at, body, webhook_url, status, attempts, next_attempt_at, lease_until)
      VALUES ($id, $tenant_id, $challenge_id, $type, $created_at, $body, $webhook_url, $status, $attempts, $next_attempt_at, $lease_until)`);
    this.listStatement = db.prepare(`
      SELECT * FROM events
      WHERE tenant_id = $tenant_id
        AND ($challenge_id IS NULL OR challenge_id = $challenge_id)
        AND ($status IS NULL OR status = $status)
      ORDER BY created_at DESC, rowid DESC
      LIMIT $limit`);
    this.findStatement = db.prepare('SELECT * FROM events WHERE id = $id AND tenant_id = $tenant_id');
    // A lease whose time has passed counts as released, so a crashed worker's events become due again.
    this.leaseStatement = db.prepare(`
      UPDATE events SET lease_until = $lease_until
      WHERE id IN (
        SELECT id FROM events
        WHERE status = 'pending' AND next_attempt_at <= $now AND (lease_until IS NULL OR lease_until <= $now)
        ORDER BY next_attempt_at
        LIMIT $limit
      )
      RETURNING *`);
    this.recordDeliveryStatement = db.prepare(`
      UPDATE events SET
        attempts = json_insert(attempts, '$[#]', json($attempt)),
        status = $status,
        next_attempt_at = $next_attempt_at,
        lease_until = NULL
      WHERE id = $id`);
    // An event without a webhook URL has nowhere to go, so it keeps its state.
    this.redeliverStatement = db.prepare(`
      UPDATE events SET
        status = CASE WHEN webhook_url IS NULL THEN status ELSE 'pending' END,
        next_attempt_at = CASE WHEN webhook_url IS NULL THEN next_attempt_at ELSE $now END,
        lease_until = CASE WHEN webhook_url IS NULL THEN lease_until ELSE NULL END
      WHERE id = $id AND tenant_id = $tenant_id
      RETURNING *`);
    // Events still waiting for delivery are kept past retention until they are delivered or dead.
    this.purgeBatchStatement = db.prepare(`
      DELETE FROM events WHERE rowid IN (
        SELECT rowid FROM events WHERE created_at <= $cutoff AND status <> 'pending' LIMIT $limit
      )`);
  }

  insert(event: EventRecord): void {
    this.insertStatement.run(eventToRow(event));
  }

  list(tenantId: string, filter: EventFilter): EventRecord[] {
    const rows = this.listStatement.all({
      tenant_id: tenantId,
      challenge_id: filter.challengeId ?? null,
      status: filter.status ?? null,
      limit: filter.limit,
    });
    return rows.map(eventFromRow);
  }

  find(tenantId: string, id: string): EventRecord | null {
    const row = this.findStatement.get({ tenant_id: tenantId, id });
    return row === null ? null : eventFromRow(row);
  }

  lease(now: number, limit: number, leaseMs: number): EventRecord[] {
    return this.leaseStatement.all({ now, limit, lease_until: now + leaseMs }).map(eventFromRow);
  }

  recordDelivery(id: string, attempt: DeliveryAttempt, outcome: DeliveryOutcome): void {
    this.recordDeliveryStatement.run({
      id,
      attempt: JSON.stringify(attempt),
      status: outcome.status,
      next_attempt_at: outcome.status === 'pending' ? outcome.nextAttemptAt : null,
    });
  }

  redeliver(tenantId: string, id: string, now: number): EventRecord | null {
    const row = this.redeliverStatement.get({ tenant_id: tenantId, id, now });
    return row === null ? null : eventFromRow(row);
  }

  /** Deletes up to `limit` events created at or before `cutoff` and no longer pending, and returns how many. */
  purgeBatch(cutoff: number, limit: number): number {
    return this.purgeBatchStatement.run({ cutoff, limit }).changes;
  }
}
