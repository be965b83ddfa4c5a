import type { Database, Statement } from 'bun:sqlite';
import type { Challenge, ChallengeStatus } from '../../challenge/challenge.ts';
import { challengeFromRow, challengeToRow, type ChallengeRow } from './rows.ts';

type TerminalStatus = Exclude<ChallengeStatus, 'pending'>;

/**
 * Statements on the `challenges` table. Every state change is a conditional UPDATE on
 * `status = 'pending'` that returns the changed row, so a row that already ended is never
 * changed again, whichever connection tries. The caller runs them inside a write transaction
 * together with the event insert.
 */
export class ChallengeTable {
  private readonly insertStatement: Statement<ChallengeRow, [ChallengeRow]>;
  private readonly findByIdStatement: Statement<ChallengeRow, [{ id: string }]>;
  private readonly findByTokenStatement: Statement<ChallengeRow, [{ token_hash: string }]>;
  private readonly pendingIdsOfClientStatement: Statement<{ id: string }, [{ tenant_id: string; client_id: string }]>;
  private readonly pendingCountStatement: Statement<{ value: number }, []>;
  private readonly returnCodeTakenStatement: Statement<{ found: number }, [{ return_code: string }]>;
  private readonly finishStatement: Statement<ChallengeRow, [{ id: string; tenant_id: string | null; status: TerminalStatus; completed_at: number }]>;
  private readonly countWrongStatement: Statement<ChallengeRow, [{ id: string; now: number }]>;
  private readonly passStatement: Statement<ChallengeRow, [{ id: string; now: number; return_code: string }]>;
  private readonly confirmStatement: Statement<ChallengeRow, [{ id: string; now: number }]>;
  private readonly expireBatchStatement: Statement<ChallengeRow, [{ now: number; limit: number }]>;
  private readonly purgeBatchStatement: Statement<unknown, [{ cutoff: number; limit: number }]>;

  constructor(db: Database) {
    this.insertStatement = db.prepare(`
      INSERT INTO challenges (id, tenant_id, client_id, token_hash, questions, verifier, return_target, locale,
        metadata, status, attempts, max_attempts, created_at, expires_at, completed_at, return_code, confirmed_at, webhook_url)
      VALUES ($id, $tenant_id, $client_id, $token_hash, $questions, $verifier, $return_target, $locale,
        $metadata, $status, $attempts, $max_attempts, $created_at, $expires_at, $completed_at, $return_code, $confirmed_at, $webhook_url)`);

    this.findByIdStatement = db.prepare('SELECT * FROM challenges WHERE id = $id');
    this.findByTokenStatement = db.prepare('SELECT * FROM challenges WHERE token_hash = $token_hash');

    // Oldest first. rowid breaks ties of created_at because a new row gets a rowid above all others.
    this.pendingIdsOfClientStatement = db.prepare(`
      SELECT id FROM challenges
      WHERE tenant_id = $tenant_id AND client_id = $client_id AND status = 'pending'
      ORDER BY created_at, rowid`);
    this.pendingCountStatement = db.prepare("SELECT value FROM counters WHERE name = 'pending_challenges'");
    this.returnCodeTakenStatement = db.prepare('SELECT 1 AS found FROM challenges WHERE return_code = $return_code');

    this.finishStatement = db.prepare(`
      UPDATE challenges SET status = $status, completed_at = $completed_at
      WHERE id = $id AND ($tenant_id IS NULL OR tenant_id = $tenant_id) AND status = 'pending'
      RETURNING *`);
    // Every right-hand side reads the row as it was before the UPDATE.
    this.countWrongStatement = db.prepare(`
      UPDATE challenges SET
        attempts = attempts + 1,
        status = CASE WHEN attempts + 1 >= max_attempts THEN 'failed' ELSE status END,
        completed_at = CASE WHEN attempts + 1 >= max_attempts THEN $now ELSE completed_at END
      WHERE id = $id AND status = 'pending' AND expires_at > $now
      RETURNING *`);
    this.passStatement = db.prepare(`
      UPDATE challenges SET attempts = attempts + 1, status = 'passed', completed_at = $now, return_code = $return_code
      WHERE id = $id AND status = 'pending' AND expires_at > $now
      RETURNING *`);
    this.confirmStatement = db.prepare(`
      UPDATE challenges SET confirmed_at = $now
      WHERE id = $id AND status = 'passed' AND confirmed_at IS NULL
      RETURNING *`);

    // An expired challenge ends at its deadline, not when the sweep noticed it.
    this.expireBatchStatement = db.prepare(`
      UPDATE challenges SET status = 'expired', completed_at = expires_at
      WHERE id IN (
        SELECT id FROM challenges WHERE status = 'pending' AND expires_at <= $now ORDER BY expires_at LIMIT $limit
      )
      RETURNING *`);
    this.purgeBatchStatement = db.prepare(`
      DELETE FROM challenges WHERE rowid IN (
        SELECT rowid FROM challenges WHERE completed_at IS NOT NULL AND completed_at <= $cutoff LIMIT $limit
      )`);
  }

  insert(challenge: Challenge): void {
    this.insertStatement.run(challengeToRow(challenge));
  }

  findById(id: string): Challenge | null {
    return mapRow(this.findByIdStatement.get({ id }));
  }

  findByToken(tokenHash: string): Challenge | null {
    return mapRow(this.findByTokenStatement.get({ token_hash: tokenHash }));
  }

  listPendingIdsOfClient(tenantId: string, clientId: string): string[] {
    return this.pendingIdsOfClientStatement.all({ tenant_id: tenantId, client_id: clientId }).map((row) => row.id);
  }

  countPending(): number {
    return this.pendingCountStatement.get()?.value ?? 0;
  }

  isReturnCodeTaken(code: string): boolean {
    return this.returnCodeTakenStatement.get({ return_code: code }) !== null;
  }

  /** Ends a pending challenge, of any tenant when `tenantId` is null. Returns null when it was not pending. */
  finish(id: string, tenantId: string | null, status: TerminalStatus, completedAt: number): Challenge | null {
    return mapRow(this.finishStatement.get({ id, tenant_id: tenantId, status, completed_at: completedAt }));
  }

  /** Counts a wrong attempt and fails the challenge at max_attempts. Returns null when the attempt no longer counts. */
  countWrongAttempt(id: string, now: number): Challenge | null {
    return mapRow(this.countWrongStatement.get({ id, now }));
  }

  /** Counts a right attempt and passes the challenge with `returnCode`. Returns null when the attempt no longer counts. */
  pass(id: string, returnCode: string, now: number): Challenge | null {
    return mapRow(this.passStatement.get({ id, now, return_code: returnCode }));
  }

  /** Sets `confirmedAt` on a passed challenge. Returns null when it is not passed or already confirmed. */
  confirm(id: string, now: number): Challenge | null {
    return mapRow(this.confirmStatement.get({ id, now }));
  }

  /** Expires up to `limit` pending challenges whose deadline is at or before `now`. */
  expireBatch(now: number, limit: number): Challenge[] {
    return this.expireBatchStatement.all({ now, limit }).map(challengeFromRow);
  }

  /** Deletes up to `limit` challenges that ended at or before `cutoff` and returns how many it deleted. */
  purgeBatch(cutoff: number, limit: number): number {
    return this.purgeBatchStatement.run({ cutoff, limit }).changes;
  }
}

function mapRow(row: ChallengeRow | null): Challenge | null {
  return row === null ? null : challengeFromRow(row);
}
