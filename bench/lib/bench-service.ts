import { ChallengeService, type ChallengeServiceOptions } from '../../src/challenge/challenge-service.ts';
import { silentLogger } from '../../src/log/logger.ts';
import type { ChallengeStore } from '../../src/store/store.ts';

/**
 * Builds a ChallengeService on `store` for the in-process benchmarks: no logging, no outbound
 * requests, and limits high enough that no create is rejected. `overrides` replaces any option.
 */
export function benchService(store: ChallengeStore, overrides: Partial<ChallengeServiceOptions> = {}): ChallengeService {
  return new ChallengeService({
    store,
    secret: 'bench-secret-'.padEnd(48, 's'),
    logger: silentLogger,
    defaultExpiresInSeconds: 300,
    defaultValidationUrl: null,
    validationUrlHosts: [],
    validationTimeoutMs: 5000,
    defaultWhatsappDigits: null,
    returnUrlHosts: [],
    signingSecrets: () => [],
    createLimits: { maxPendingTotal: 100_000_000, maxPendingPerClient: 1 },
    defaultWebhookUrl: null,
    clientFailures: { max: 100, windowSeconds: 900 },
    allowPrivateOutbound: false,
    ...overrides,
  });
}
