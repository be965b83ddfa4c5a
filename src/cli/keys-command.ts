import { loadConfig } from '../config/config.ts';
import { silentLogger } from '../log/logger.ts';
import { createApiKey, listApiKeys, revokeApiKey, tenantIdPattern, type ApiKeyView } from '../security/api-keys.ts';
import { describeStore, openStore } from '../store/open-store.ts';
import { parseConfigFlags } from './config-flags.ts';
import { keysHelp } from './help.ts';

const actions = ['create', 'list', 'revoke'] as const;
type Action = (typeof actions)[number];

/**
 * `askgate keys create|list|revoke`: manages tenant API keys in the configured store. A created
 * key is printed once and stored only as its SHA-256. Returns the exit code.
 */
export async function runKeys(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action === undefined || action === '--help' || action === '-h') {
    console.log(keysHelp());
    return action === undefined ? 2 : 0;
  }
  if (!(actions as readonly string[]).includes(action)) {
    console.error(`Unknown keys action "${action}". Use create, list or revoke. Run askgate keys --help for details.`);
    return 2;
  }

  const parsed = parseConfigFlags(rest, `keys ${action}`, keysHelp, { tenant: { type: 'string' }, id: { type: 'string' } });
  if (parsed.kind === 'exit') return parsed.exitCode;
  const tenant = typeof parsed.extra.tenant === 'string' ? parsed.extra.tenant : null;
  const id = typeof parsed.extra.id === 'string' ? parsed.extra.id : null;

  const problem = checkArguments(action as Action, tenant, id);
  if (problem !== null) {
    console.error(problem);
    return 2;
  }

  const config = loadConfig(process.env, parsed.flags);
  if (config.store === 'memory') {
    console.error(
      'askgate keys needs a durable store: with ASKGATE_STORE=memory a key would vanish when this command exits. Set ASKGATE_STORE to sqlite:<path> or redis://… (the same value the server uses), or create keys on a running server through the admin API (ASKGATE_ADMIN_KEY).',
    );
    return 2;
  }

  const store = await openStore(config, silentLogger);
  try {
    switch (action as Action) {
      case 'create': {
        const created = await createApiKey(store, tenant as string);
        // Only the key goes to standard output, so that KEY=$(askgate keys create …) works.
        console.error(`Created API key ${created.view.id} for tenant ${created.view.tenant} in ${describeStore(config.store)}.`);
        console.error('The key is shown only now, on standard output, because askgate keeps only its SHA-256.');
        console.log(created.key);
        return 0;
      }
      case 'list': {
        printKeys(await listApiKeys(store, tenant), tenant);
        return 0;
      }
      case 'revoke': {
        const existing = (await listApiKeys(store, null)).find((key) => key.id === id);
        if (existing?.revoked_at) {
          console.log(`API key ${existing.id} of tenant ${existing.tenant} was already revoked at ${existing.revoked_at}. Nothing changed.`);
          return 0;
        }
        const revoked = await revokeApiKey(store, id as string);
        if (revoked === null) {
          console.error(`No API key with id ${id} exists in ${describeStore(config.store)}. Run askgate keys list to see the ids.`);
          return 1;
        }
        console.log(`Revoked API key ${revoked.id} of tenant ${revoked.tenant}. Requests with it now get 401.`);
        return 0;
      }
    }
  } finally {
    await store.close();
  }
}

function checkArguments(action: Action, tenant: string | null, id: string | null): string | null {
  if (action === 'create' && tenant === null) return 'askgate keys create needs --tenant <name>.';
  if (tenant !== null && !tenantIdPattern.test(tenant)) {
    return `--tenant "${tenant}" is not valid. Use 1 to 64 characters from A-Z, a-z, 0-9, _ and -.`;
  }
  if (action === 'revoke' && id === null) return 'askgate keys revoke needs --id <key id>; askgate keys list shows the ids.';
  return null;
}

function printKeys(keys: ApiKeyView[], tenant: string | null): void {
  if (keys.length === 0) {
    console.log(tenant === null ? 'No API keys stored.' : `No API keys stored for tenant ${tenant}.`);
    return;
  }
  const rows = keys.map((key) => [key.id, key.tenant, key.prefix + '…', key.created_at, key.revoked_at ?? '-']);
  const header = ['id', 'tenant', 'prefix', 'created', 'revoked'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  for (const row of [header, ...rows]) console.log(row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd());
}
