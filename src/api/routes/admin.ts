import { Elysia, t } from 'elysia';
import { AppError } from '../../errors/app-error.ts';
import type { Logger } from '../../log/logger.ts';
import { createApiKey, listApiKeys, revokeApiKey, tenantIdPattern } from '../../security/api-keys.ts';
import type { ChallengeStore } from '../../store/store.ts';
import { problemModel } from '../models.ts';

export interface AdminRoutesOptions {
  store: ChallengeStore;
  logger: Logger;
}

const tenantField = t.String({
  pattern: tenantIdPattern.source,
  description: 'Tenant id: 1 to 64 characters from A-Z, a-z, 0-9, _ and -. The bootstrap key belongs to "default".',
  examples: ['acme-bank'],
});

export const createKeyBody = t.Object({ tenant: tenantField }, { additionalProperties: false });
export const listKeysQuery = t.Object({ tenant: t.Optional(tenantField) });
export const keyIdParams = t.Object({ id: t.String({ maxLength: 64, description: 'Key id (key_…).' }) });

const keyView = t.Object({
  id: t.String({ description: 'Key id (key_…), for listings and revocation.' }),
  tenant: t.String(),
  prefix: t.String({ description: 'The first characters of the key, to tell keys apart.' }),
  created_at: t.String({ format: 'date-time' }),
  revoked_at: t.Union([t.String({ format: 'date-time' }), t.Null()]),
});

const createdKey = t.Object({
  ...keyView.properties,
  key: t.String({ description: 'The API key. Shown only in this reply; askgate keeps only its SHA-256.' }),
});

const problems = { 400: problemModel, 401: problemModel, 404: problemModel, 413: problemModel };

/**
 * Builds the admin API for API keys. It exists only when ASKGATE_ADMIN_KEY is set, and app.ts
 * checks the admin key before these handlers run.
 */
export function adminRoutes(options: AdminRoutesOptions) {
  const { store, logger } = options;
  const detail = (summary: string, description: string) => ({ summary, description, tags: ['admin'], security: [{ admin: [] }] });

  return new Elysia({ name: 'askgate-admin' })
    .post(
      '/admin/v1/keys',
      async ({ body, set }) => {
        const { key, view } = await createApiKey(store, body.tenant);
        logger.info('API key created', { key_id: view.id, tenant: view.tenant });
        set.status = 201;
        return { ...view, key };
      },
      {
        body: createKeyBody,
        response: { 201: createdKey, ...problems },
        detail: detail('Create an API key', 'Creates a key for a tenant and returns it once. Challenges created with it belong to that tenant; other tenants can neither see nor change them.'),
      },
    )
    .get('/admin/v1/keys', async ({ query }) => ({ keys: await listApiKeys(store, query.tenant ?? null) }), {
      query: listKeysQuery,
      response: { 200: t.Object({ keys: t.Array(keyView) }), ...problems },
      detail: detail('List API keys', 'Lists the keys of one tenant, or of all tenants, oldest first: id, tenant, prefix and dates, never the key.'),
    })
    .delete(
      '/admin/v1/keys/:id',
      async ({ params }) => {
        const view = await revokeApiKey(store, params.id);
        if (view === null) throw new AppError('not_found', 'No API key with this id exists.');
        logger.info('API key revoked', { key_id: view.id, tenant: view.tenant });
        return view;
      },
      {
        params: keyIdParams,
        response: { 200: keyView, ...problems },
        detail: detail('Revoke an API key', 'Revokes a key at once; requests with it get 401 from then on. Revoking twice keeps the first revocation time.'),
      },
    );
}
