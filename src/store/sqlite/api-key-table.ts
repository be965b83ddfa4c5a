import type { Database, Statement } from 'bun:sqlite';
import type { ApiKeyRecord } from '../store.ts';
import { apiKeyFromRow, apiKeyToRow, type ApiKeyRow } from './rows.ts';

/** Statements on the `api_keys` table, which stores key hashes, never keys. */
export class ApiKeyTable {
  private readonly saveStatement: Statement<unknown, [ApiKeyRow]>;
  private readonly findByHashStatement: Statement<ApiKeyRow, [{ key_hash: string }]>;
  private readonly listAllStatement: Statement<ApiKeyRow, []>;
  private readonly listOfTenantStatement: Statement<ApiKeyRow, [{ tenant_id: string }]>;
  private readonly revokeStatement: Statement<unknown, [{ id: string; now: number }]>;

  constructor(db: Database) {
    this.saveStatement = db.prepare(`
      INSERT INTO api_keys (id, tenant_id, key_hash, prefix, created_at, revoked_at)
      VALUES ($id, $tenant_id, $key_hash, $prefix, $created_at, $revoked_at)
      ON CONFLICT (id) DO UPDATE SET
        tenant_id = excluded.tenant_id, key_hash = excluded.key_hash, prefix = excluded.prefix,
        created_at = excluded.created_at, revoked_at = excluded.revoked_at`);
    this.findByHashStatement = db.prepare('SELECT * FROM api_keys WHERE key_hash = $key_hash');
    this.listAllStatement = db.prepare('SELECT * FROM api_keys ORDER BY created_at, rowid');
    this.listOfTenantStatement = db.prepare('SELECT * FROM api_keys WHERE tenant_id = $tenant_id ORDER BY created_at, rowid');
    // A key revoked twice keeps its first revocation time.
    this.revokeStatement = db.prepare('UPDATE api_keys SET revoked_at = coalesce(revoked_at, $now) WHERE id = $id');
  }

  /** Inserts the key, or replaces the stored key with the same id. */
  save(record: ApiKeyRecord): void {
    this.saveStatement.run(apiKeyToRow(record));
  }

  findByHash(keyHash: string): ApiKeyRecord | null {
    const row = this.findByHashStatement.get({ key_hash: keyHash });
    return row === null ? null : apiKeyFromRow(row);
  }

  list(tenantId: string | null): ApiKeyRecord[] {
    const rows = tenantId === null ? this.listAllStatement.all() : this.listOfTenantStatement.all({ tenant_id: tenantId });
    return rows.map(apiKeyFromRow);
  }

  /** Returns false when no key has this id. */
  revoke(id: string, now: number): boolean {
    return this.revokeStatement.run({ id, now }).changes > 0;
  }
}
