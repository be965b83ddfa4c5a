import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnAskgate, type ChildAskgate } from '../support/child-askgate.ts';
import { sampleChallenge } from '../support/harness.ts';
import { freePort } from '../support/redis.ts';
import { startReceiver, waitUntil, type Receiver } from '../support/receiver.ts';

// An askgate on a SQLite file is killed with SIGKILL while bots create and cancel challenges and
// while the webhook receiver is down. Every challenge it acknowledged must survive, and every
// queued event must reach the receiver once it is up (at least once: duplicates are allowed).
const loadClients = 8;
const loadMs = 2000;
/** Cancels start this long into the load, so that some run while the process is killed. */
const cancelStartMs = 800;
const cancelClients = 4;

interface Acknowledged {
  id: string;
  /** True once a DELETE returned 200, so the challenge must be canceled and have a stored event. */
  canceled: boolean;
}

describe('sqlite store after SIGKILL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'askgate-crash-'));
  // The load exceeds the default limit of 600 creates per minute and API key, which has its own tests.
  const storeEnv = { ASKGATE_STORE: `sqlite:${join(dir, 'askgate.db')}`, ASKGATE_CREATE_RATE_PER_MINUTE: '1000000' };
  // Nothing listens on this port until the receiver starts there after the crash.
  const receiverPort = freePort();
  const webhookEnv = {
    ASKGATE_WEBHOOK_URL: `http://127.0.0.1:${receiverPort}/ok`,
    ASKGATE_WEBHOOK_RETRY_SCHEDULE: '1,1,1,1,1,1,1,1,1,1',
    // A delivery lease lasts this timeout plus 15 s. A lease held by the killed process delays its event that long.
    ASKGATE_WEBHOOK_TIMEOUT_MS: '1000',
  };
  const acknowledged = new Map<string, Acknowledged>();
  /** Every third acknowledged challenge, in creation order: the ones the cancel workers pick. */
  const cancelCandidates: Acknowledged[] = [];
  /** Cancels whose reply never came because the process died: either state is correct for them. */
  const cancelsInFlight = new Set<string>();
  let firstRun: ChildAskgate;
  let secondRun: ChildAskgate | null = null;
  let receiver: Receiver | null = null;
  let createFailures = 0;
  let restartedAt = 0;

  beforeAll(async () => {
    firstRun = await spawnAskgate({ ...storeEnv, ...webhookEnv });
  });

  afterAll(async () => {
    await firstRun?.kill('SIGKILL');
    await secondRun?.kill('SIGKILL');
    receiver?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function createUntil(stopAt: number): Promise<void> {
    while (Date.now() < stopAt) {
      try {
        const response = await firstRun.api('/v1/challenges', { body: sampleChallenge() });
        if (response.status === 201) {
          const { id } = (await response.json()) as { id: string };
          const entry = { id, canceled: false };
          if (acknowledged.size % 3 === 0) cancelCandidates.push(entry);
          acknowledged.set(id, entry);
        } else {
          createFailures += 1;
        }
      } catch {
        // The connection broke because the process was killed: this create was never acknowledged.
        return;
      }
    }
  }

  async function cancelUntil(stopAt: number, worker: number): Promise<void> {
    let index = worker;
    while (Date.now() < stopAt) {
      const target = cancelCandidates[index];
      if (target === undefined) {
        await Bun.sleep(10);
        continue;
      }
      index += cancelClients;
      cancelsInFlight.add(target.id);
      try {
        const response = await firstRun.api(`/v1/challenges/${target.id}`, { method: 'DELETE' });
        cancelsInFlight.delete(target.id);
        if (response.status === 200) target.canceled = true;
      } catch {
        return;
      }
    }
  }

  test('kill during load keeps acknowledged state', async () => {
    const started = Date.now();
    const creators = Array.from({ length: loadClients }, () => createUntil(started + loadMs + 1000));
    await Bun.sleep(cancelStartMs);
    const cancelers = Array.from({ length: cancelClients }, (_, worker) => cancelUntil(started + loadMs + 1000, worker));
    await Bun.sleep(loadMs - cancelStartMs);

    await firstRun.kill('SIGKILL');
    await Promise.all([...creators, ...cancelers]);

    const canceled = [...acknowledged.values()].filter((entry) => entry.canceled);
    console.info(`acknowledged creates: ${acknowledged.size}, acknowledged cancels: ${canceled.length}, cancels cut by the kill: ${cancelsInFlight.size}, rejected creates: ${createFailures}`);
    expect(acknowledged.size).toBeGreaterThan(50);
    expect(canceled.length).toBeGreaterThan(10);
    expect(createFailures).toBe(0);

    receiver = startReceiver({ port: receiverPort });
    secondRun = await spawnAskgate({ ...storeEnv, ...webhookEnv });
    restartedAt = Date.now();

    const states = new Map<string, string>();
    const missing: string[] = [];
    const queue = [...acknowledged.keys()];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let id = queue.pop(); id !== undefined; id = queue.pop()) {
          const response = await (secondRun as ChildAskgate).api(`/v1/challenges/${id}`);
          if (response.status !== 200) missing.push(id);
          else states.set(id, ((await response.json()) as { status: string }).status);
        }
      }),
    );
    expect(missing).toEqual([]);
    for (const entry of acknowledged.values()) {
      let allowed = ['pending'];
      if (entry.canceled) allowed = ['canceled'];
      else if (cancelsInFlight.has(entry.id)) allowed = ['pending', 'canceled'];
      const state = states.get(entry.id) ?? 'not read';
      expect({ id: entry.id, state, allowed: allowed.includes(state) }).toEqual({ id: entry.id, state, allowed: true });
    }
  }, 30_000);

  test('queued cancel events arrive after restart', async () => {
    expect(secondRun).not.toBeNull();
    const restarted = secondRun as ChildAskgate;
    const activeReceiver = receiver as Receiver;
    const canceled = [...acknowledged.values()].filter((entry) => entry.canceled).map((entry) => entry.id);
    const canceledEvents = new Map<string, string>();
    for (const id of canceled) {
      const response = await restarted.api(`/v1/events?challenge_id=${id}`);
      const events = ((await response.json()) as { data: { id: string; type: string }[] }).data;
      expect({ id, types: events.map((event) => event.type) }).toEqual({ id, types: ['challenge.canceled'] });
      if (events[0] !== undefined) canceledEvents.set(id, events[0].id);
    }

    // Up to one lease (timeout plus 15 s) may pass before an event leased by the killed process is due again.
    await waitUntil(() => canceled.every((id) => activeReceiver.forChallenge(id).length > 0), 22_000, `events of all ${canceled.length} canceled challenges`);

    let duplicates = 0;
    for (const id of canceled) {
      const deliveries = activeReceiver.forChallenge(id);
      const webhookIds = new Set(deliveries.map((request) => request.headers.get('webhook-id')));
      expect({ id, webhookIds: [...webhookIds] }).toEqual({ id, webhookIds: [canceledEvents.get(id) ?? 'no event'] });
      duplicates += deliveries.length - 1;
    }
    const received = activeReceiver.received('/ok');
    const allEventIds = new Set(received.map((request) => request.headers.get('webhook-id')));
    const lastArrivalS = (Math.max(...received.map((request) => request.receivedAt)) - restartedAt) / 1000;
    console.info(
      `canceled-event deliveries: ${received.length} requests for ${allEventIds.size} event ids, ${duplicates} duplicates among the acknowledged cancels, last one ${lastArrivalS.toFixed(1)} s after the restart`,
    );
    expect(received.every((request) => request.body.includes('"type":"challenge.canceled"'))).toBe(true);
  }, 30_000);
});
