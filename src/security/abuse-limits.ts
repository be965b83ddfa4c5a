import type { Config } from '../config/config.ts';
import { sha256 } from './digest.ts';
import type { IpRange } from './ip-address.ts';

/** The abuse limits and network trust settings that the API, the page and the service share. */
export interface AbuseLimits {
  /** Challenges one API key may create per minute. */
  createPerMinute: number;
  /** Wrong answers per (tenant, client_id) within the window before its pages reject answers. */
  clientFailuresMax: number;
  /** Fixed window of the failure count; a lock ends when it does. */
  clientFailuresWindowSeconds: number;
  /** Page submissions per client IP address per minute. */
  pageSubmissionsPerMinute: number;
  /** Peers whose X-Forwarded-For header is believed. */
  trustedProxies: readonly IpRange[];
  /** Whether outbound requests may reach loopback, private, link-local and metadata addresses. */
  allowPrivateOutbound: boolean;
}

export function abuseLimitsFrom(config: Config): AbuseLimits {
  return {
    createPerMinute: config.createRatePerMinute,
    clientFailuresMax: config.clientFailuresMax,
    clientFailuresWindowSeconds: config.clientFailuresWindowSeconds,
    pageSubmissionsPerMinute: config.pageRatePerMinute,
    trustedProxies: config.trustedProxies,
    allowPrivateOutbound: config.allowPrivateOutbound,
  };
}

/**
 * Keys of the rate-limit counters in the store. The client key is a hash, so that client ids
 * (often phone numbers or customer numbers) do not appear in the store's key space.
 */
export const rateLimitKeys = {
  creation: (apiKeyId: string) => `create:${apiKeyId}`,
  clientFailures: (tenantId: string, clientId: string) => `client-failures:${sha256(`${tenantId}\n${clientId}`)}`,
  pageSubmissions: (address: string) => `page:${address}`,
};

/** Whole minutes to show for a wait of `seconds`, never less than one. */
export function minutesToWait(seconds: number): number {
  return Math.max(1, Math.ceil(seconds / 60));
}
