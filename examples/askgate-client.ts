/**
 * The three askgate calls a chat bot needs: create a challenge, read its status, and confirm the
 * return code that the customer's message carries. Shared by the WhatsApp Cloud API, Twilio and
 * Telegram examples.
 */

export interface AskgateClientOptions {
  /** Base URL of askgate's API port, such as http://127.0.0.1:8000. */
  apiUrl: string;
  apiKey: string;
}

export interface CreatedChallenge {
  id: string;
  /** The one-time page link to send to the customer. */
  url: string;
}

export interface ChallengeResult {
  id: string;
  status: 'pending' | 'passed' | 'failed' | 'expired' | 'canceled';
}

/**
 * Result of POST /v1/challenges/{id}/confirm: `mismatch` for a code that is not this
 * challenge's, `closed` when no code can confirm it any more (already confirmed, not passed,
 * confirmation window closed, or too many tries).
 */
export type ConfirmOutcome = 'confirmed' | 'mismatch' | 'closed';

/** Problem codes after which no code confirms the challenge, at least until the rate limit resets. */
const closedProblemCodes = new Set(['already_confirmed', 'challenge_not_passed', 'confirm_window_closed', 'rate_limited']);

export function createAskgateClient(options: AskgateClientOptions) {
  const headers = { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json' };

  return {
    /** Creates a challenge; `idempotencyKey` makes a retried request return the same challenge. */
    async createChallenge(body: Record<string, unknown>, idempotencyKey: string): Promise<CreatedChallenge> {
      const response = await fetch(`${options.apiUrl}/v1/challenges`, {
        method: 'POST',
        headers: { ...headers, 'idempotency-key': idempotencyKey },
        body: JSON.stringify(body),
      });
      if (response.status !== 201) throw new Error(`askgate rejected the challenge: ${response.status} ${await response.text()}`);
      return (await response.json()) as CreatedChallenge;
    },

    async getChallenge(id: string): Promise<ChallengeResult> {
      const response = await fetch(`${options.apiUrl}/v1/challenges/${encodeURIComponent(id)}`, { headers });
      if (response.status !== 200) throw new Error(`askgate could not read challenge ${id}: ${response.status}`);
      return (await response.json()) as ChallengeResult;
    },

    /** Asks askgate whether `code` is the return code of challenge `id`, and marks it confirmed if so. */
    async confirmReturnCode(id: string, code: string): Promise<ConfirmOutcome> {
      const response = await fetch(`${options.apiUrl}/v1/challenges/${encodeURIComponent(id)}/confirm`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ code }),
      });
      if (response.status === 200) return 'confirmed';

      const problem = (await response.json().catch(() => null)) as { code?: string } | null;
      if (problem?.code === 'return_code_mismatch') return 'mismatch';
      if (problem?.code !== undefined && closedProblemCodes.has(problem.code)) return 'closed';
      throw new Error(`askgate could not confirm challenge ${id}: ${response.status} ${problem?.code ?? 'without a problem code'}`);
    },
  };
}

export type AskgateClient = ReturnType<typeof createAskgateClient>;

/**
 * A word of exactly 7 characters from askgate's return code alphabet (no 0, O, 1, I or L), in
 * any case, because a customer may retype the code and askgate ignores case.
 */
const codeCandidatePattern = /(?<![\p{L}\p{N}])[A-HJKMNP-Za-hjkmnp-z2-9]{7}(?![\p{L}\p{N}])/gu;

/**
 * Lists the words in `text` that could be a return code, distinct, with words in upper case (as
 * askgate writes the code) before the others.
 */
export function findCodeCandidates(text: string): string[] {
  const words = [...new Set(text.match(codeCandidatePattern) ?? [])];
  const upperCase = words.filter((word) => word === word.toUpperCase());
  return [...upperCase, ...words.filter((word) => word !== word.toUpperCase())];
}

/**
 * Checks that a customer's message back in the chat carries the return code of their passed
 * challenge, by confirming it through askgate. The code ties the chat message to the page visit,
 * so a customer who passed on someone else's link is not taken for the owner of this chat.
 */
export async function checkReturn(askgate: AskgateClient, challengeId: string, text: string): Promise<'verified' | 'pending' | 'rejected'> {
  // Reading the status first keeps a message sent before the customer answered from using up
  // one of the 5 confirmation tries that askgate allows per challenge in 15 minutes.
  const result = await askgate.getChallenge(challengeId);
  if (result.status === 'pending') return 'pending';
  if (result.status !== 'passed') return 'rejected';

  // Ordinary words can look like a code ("Payment" does), so each candidate is tried in turn.
  for (const code of findCodeCandidates(text)) {
    const outcome = await askgate.confirmReturnCode(challengeId, code);
    if (outcome === 'confirmed') return 'verified';
    if (outcome === 'closed') return 'rejected';
  }
  return 'rejected';
}
