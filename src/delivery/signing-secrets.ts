/** The secrets that sign outgoing requests, and until when a retired one still signs. */
export interface SigningSecretSet {
  current: string;
  /** The secret being rotated out; null when no rotation is under way. */
  previous: string | null;
  /** Epoch milliseconds after which `previous` no longer signs. */
  previousUntil: number | null;
}

/**
 * Returns the secrets that sign a request made at `now`: the current one, and during a
 * rotation window also the previous one, so that receivers holding either secret can verify.
 * Receivers see both signatures space-separated in `webhook-signature`.
 */
export function activeSigningSecrets(set: SigningSecretSet, now: number): string[] {
  const rotating = set.previous !== null && set.previousUntil !== null && now < set.previousUntil;
  return rotating ? [set.current, set.previous as string] : [set.current];
}
