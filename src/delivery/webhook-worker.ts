import type { DeliveryAttempt, EventRecord } from '../events/event.ts';
import type { Logger } from '../log/logger.ts';
import { checkOutboundUrl } from '../security/outbound-guard.ts';
import type { ChallengeStore, DeliveryOutcome } from '../store/store.ts';
import { countTrailingFailures, nextAttemptAt } from './retry-schedule.ts';
import { sendWebhook } from './webhook-sender.ts';

export interface WebhookWorkerOptions {
  store: ChallengeStore;
  logger: Logger;
  /** Secrets that sign a try started now; read on every try so that a rotation window can end. */
  signingSecrets: () => readonly string[];
  timeoutMs: number;
  /** Delays in seconds before each retry; after the last one the event is dead. */
  retryScheduleSeconds: readonly number[];
  /** How often the store is asked for due events (default 300 ms). */
  pollIntervalMs?: number;
  /** Events leased per store call (default 20). */
  batchSize?: number;
  /** Deliveries in flight at once (default 16), so that a few slow receivers cannot hold every slot. */
  maxConcurrent?: number;
  now?: () => number;
  /** Source of jitter, in [0, 1). */
  random?: () => number;
  /**
   * Destinations that deliveries may reach (see `checkOutboundUrl`). The operator's default URL
   * may use any host, and a per-challenge URL only a host on `allowHosts`. Without this option,
   * no URL is checked.
   */
  outbound?: { defaultUrl: string | null; allowHosts: readonly string[]; allowPrivate: boolean };
}

interface Delivery {
  promise: Promise<void>;
  controller: AbortController;
}

/**
 * Delivers stored events to their webhook URLs in the background. It leases due events from the
 * store, so several askgate processes sharing a store never send the same try twice, and
 * records every try. Timers are unref'd: the worker never keeps the process alive by itself.
 */
export class WebhookWorker {
  private readonly store: ChallengeStore;
  private readonly logger: Logger;
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly maxConcurrent: number;
  /** Long enough for the request and the store write; a lease that lapses makes the event due again. */
  private readonly leaseMs: number;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly inFlight = new Map<string, Delivery>();
  private state: 'idle' | 'running' | 'stopping' | 'stopped' = 'idle';
  private interval: ReturnType<typeof setInterval> | null = null;
  private nudgeScheduled = false;
  private polling: Promise<void> | null = null;
  private pollAgain = false;
  /** Consecutive failed store calls, so that an outage is logged once rather than every poll. */
  private leaseFailures = 0;

  constructor(private readonly options: WebhookWorkerOptions) {
    this.store = options.store;
    this.logger = options.logger;
    this.pollIntervalMs = options.pollIntervalMs ?? 300;
    this.batchSize = options.batchSize ?? 20;
    this.maxConcurrent = options.maxConcurrent ?? 16;
    this.leaseMs = options.timeoutMs + 15_000;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  /** Deliveries currently waiting for a receiver. */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Starts polling the store for due events. */
  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'running';
    this.interval = setInterval(() => void this.poll(), this.pollIntervalMs);
    this.interval.unref();
    this.nudge();
  }

  /**
   * Asks the store for due events at once instead of at the next poll. The service calls it
   * right after a state change, so that delivery does not wait for the interval. Calls made in
   * the same turn of the event loop share one store call.
   */
  nudge(): void {
    if (this.state !== 'running' || this.nudgeScheduled) return;
    this.nudgeScheduled = true;
    const timer = setTimeout(() => {
      this.nudgeScheduled = false;
      void this.poll();
    }, 0);
    timer.unref();
  }

  /**
   * Stops leasing events and waits up to `graceMs` for deliveries in flight. Deliveries still
   * running after that are aborted without recording a try: their lease lapses and the event
   * is tried again by whichever process next polls the store.
   */
  async stop(graceMs: number): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    this.state = 'stopping';
    if (this.interval !== null) clearInterval(this.interval);
    await this.polling;

    const deliveries = [...this.inFlight.values()];
    if (deliveries.length > 0) {
      this.logger.info('waiting for event deliveries in flight', { deliveries: deliveries.length, grace_ms: graceMs });
      const finished = await settleWithin(deliveries.map((delivery) => delivery.promise), graceMs);
      if (!finished) {
        this.logger.warn('shutdown grace period ended with deliveries in flight; they are retried when their lease lapses', {
          deliveries: this.inFlight.size,
          lease_ms: this.leaseMs,
        });
        for (const delivery of this.inFlight.values()) delivery.controller.abort();
        await Promise.allSettled(deliveries.map((delivery) => delivery.promise));
      }
    }
    this.state = 'stopped';
  }

  private poll(): Promise<void> {
    if (this.state !== 'running') return Promise.resolve();
    if (this.polling !== null) {
      this.pollAgain = true;
      return this.polling;
    }
    this.polling = this.leaseAndSend().finally(() => {
      this.polling = null;
    });
    return this.polling;
  }

  private async leaseAndSend(): Promise<void> {
    do {
      this.pollAgain = false;
      const free = this.maxConcurrent - this.inFlight.size;
      if (free <= 0) return;

      const limit = Math.min(this.batchSize, free);
      let events: EventRecord[];
      try {
        events = await this.store.leaseDueEvents(this.now(), limit, this.leaseMs);
      } catch (error) {
        this.leaseFailures += 1;
        if (this.leaseFailures === 1) this.logger.error('could not lease due events; retrying at every poll', { error: describeError(error) });
        return;
      }
      if (this.leaseFailures > 0) {
        this.logger.info('leasing due events works again', { failed_polls: this.leaseFailures });
        this.leaseFailures = 0;
      }

      for (const event of events) this.startDelivery(event);
      // A full batch suggests that more events are due.
      if (events.length === limit) this.pollAgain = true;
    } while (this.pollAgain && this.state === 'running');
  }

  private startDelivery(event: EventRecord): void {
    const controller = new AbortController();
    const promise = this.deliver(event, controller.signal).finally(() => {
      this.inFlight.delete(event.id);
      this.nudge();
    });
    this.inFlight.set(event.id, { promise, controller });
  }

  /**
   * Returns a failed try when the outbound guard rejects `url`, or null when it may be sent. The
   * stored error names only the reason, because the URL can hold a token of the receiver.
   */
  private async checkDestination(url: string, log: Logger): Promise<DeliveryAttempt | null> {
    const outbound = this.options.outbound;
    if (outbound === undefined) return null;

    const allowHosts = url === outbound.defaultUrl ? null : outbound.allowHosts;
    const decision = await checkOutboundUrl(url, { allowHosts, allowPrivate: outbound.allowPrivate });
    if (decision.allowed) return null;
    log.error('webhook request rejected by the outbound guard', { reason: decision.reason, detail: decision.detail });
    return { at: this.now(), status: null, error: `rejected by the outbound guard (${decision.reason})`, durationMs: 0 };
  }

  private async deliver(event: EventRecord, shutdown: AbortSignal): Promise<void> {
    // Stores lease only events that have a webhook URL.
    if (event.webhookUrl === null) return;
    const log = this.logger.child({ event_id: event.id, challenge_id: event.challengeId, tenant: event.tenantId });
    const tryNumber = event.attempts.length + 1;

    const blocked = await this.checkDestination(event.webhookUrl, log);
    const attempt =
      blocked ??
      (await sendWebhook(event.webhookUrl, event.id, event.body, {
        secrets: this.options.signingSecrets(),
        timeoutMs: this.options.timeoutMs,
        signal: shutdown,
        now: this.now,
      }));
    if (shutdown.aborted) return;

    let outcome: DeliveryOutcome;
    if (attempt.error === null) {
      outcome = { status: 'delivered' };
    } else {
      const failures = countTrailingFailures([...event.attempts, attempt]);
      const next = nextAttemptAt(failures, this.options.retryScheduleSeconds, this.now(), this.random);
      outcome = next === null ? { status: 'dead' } : { status: 'pending', nextAttemptAt: next };
    }

    try {
      await this.store.recordDelivery(event.id, attempt, outcome);
    } catch (error) {
      log.error('could not record a delivery try; the event is tried again when its lease lapses', { error: describeError(error), try: tryNumber });
      return;
    }

    switch (outcome.status) {
      case 'delivered':
        log.info('event delivered', { type: event.type, status: attempt.status, try: tryNumber, duration_ms: attempt.durationMs });
        return;
      case 'pending':
        log.warn('event delivery failed; retry scheduled', {
          status: attempt.status,
          error: attempt.error,
          try: tryNumber,
          retry_in_s: Math.round((outcome.nextAttemptAt - this.now()) / 1000),
        });
        return;
      case 'dead':
        log.warn('event delivery failed', { status: attempt.status, error: attempt.error, try: tryNumber });
        log.error('event dead: every retry failed; redeliver it through POST /v1/events/{id}/redeliver', { type: event.type, tries: tryNumber });
        return;
    }
  }
}

/** Resolves true when every promise settled within `ms`, false when the time ran out first. */
async function settleWithin(promises: Promise<unknown>[], ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([Promise.allSettled(promises).then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Formats a store error for the log: its class and message. */
function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
