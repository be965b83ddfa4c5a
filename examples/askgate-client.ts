/**
 * The two askgate calls a chat bot needs: create a challenge, and read its result. Shared by the
 * WhatsApp Cloud API, Twilio and Telegram examples.
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
  /** Present once the challenge passed: the code the customer's return message must carry. */
  return_code?: string;
}

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
  };
}

export type AskgateClient = ReturnType<typeof createAskgateClient>;

/** Return codes are 7 upper-case characters from askgate's alphabet (no 0, O, 1, I or L). */
export const returnCodePattern = /\b[A-HJKMNP-Z2-9]{7}\b/g;

/**
 * Checks that a customer's message back in the chat carries the return code of their challenge,
 * and that the challenge passed. The code ties the chat message to the page visit, so a customer
 * who passed on someone else's link is not taken for the owner of this chat.
 */
export async function checkReturn(askgate: AskgateClient, challengeId: string, text: string): Promise<'verified' | 'pending' | 'rejected'> {
  const result = await askgate.getChallenge(challengeId);
  if (result.status === 'pending') return 'pending';
  // Any 7-letter upper-case word matches the pattern, so every candidate in the message is compared.
  const candidates = text.match(returnCodePattern) ?? [];
  if (result.status === 'passed' && candidates.some((code) => code === result.return_code)) return 'verified';
  return 'rejected';
}
