import type { Subprocess } from 'bun';
import { availableParallelism } from 'node:os';

/** CPU placement: the server under test on one CPU, the load generator on another. */
export interface CpuPlan {
  serverCpu: number | null;
  loadCpu: number | null;
  /** Why no pinning happens, when it does not. */
  note: string | null;
}

export function planCpus(): CpuPlan {
  if (Bun.which('taskset') === null) return { serverCpu: null, loadCpu: null, note: 'taskset not found: processes are not pinned' };
  if (availableParallelism() < 2) return { serverCpu: null, loadCpu: null, note: 'fewer than 2 CPUs: processes are not pinned' };
  return { serverCpu: 0, loadCpu: 1, note: null };
}

/** Prefixes `command` with `taskset -c <cpu>` when `cpu` is given; taskset execs, so the PID stays. */
export function pinned(cpu: number | null, command: string[]): string[] {
  return cpu === null ? command : ['taskset', '-c', String(cpu), ...command];
}

const children = new Set<Subprocess>();
const cleanups = new Set<() => Promise<void>>();

/**
 * Registers work that must also run when the harness is interrupted, such as deleting a store's
 * data; returns the function that unregisters it.
 */
export function registerCleanup(cleanup: () => Promise<void>): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

type SpawnOptions = NonNullable<Parameters<typeof Bun.spawn>[1]>;

/** The signal that started the shutdown, once the harness was interrupted. */
let interruptedBy: NodeJS.Signals | null = null;

/** Thrown by spawnChild after an interruption, so that the harness starts nothing new while it stops. */
class InterruptedError extends Error {}

/**
 * Starts a child process that stopChildren() ends, also when the harness is interrupted.
 * Throws InterruptedError once a signal has started the shutdown.
 */
export function spawnChild(command: string[], options: SpawnOptions): Subprocess {
  if (interruptedBy !== null) throw new InterruptedError(`not starting ${command.join(' ')}: ${interruptedBy} received`);
  const child = Bun.spawn(command, options);
  children.add(child);
  void child.exited.then(() => children.delete(child));
  return child;
}

/** Sends SIGTERM to `child` by PID, then SIGKILL when it has not exited after `graceMs`. */
export async function stopChild(child: Subprocess, graceMs = 2000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const exited = await Promise.race([child.exited.then(() => true), Bun.sleep(graceMs).then(() => false)]);
  if (!exited) {
    child.kill('SIGKILL');
    await child.exited;
  }
  children.delete(child);
}

export async function stopChildren(): Promise<void> {
  await Promise.all([...children].map((child) => stopChild(child)));
}

/**
 * Waits for `child` to exit and returns its standard output; kills it after `timeoutMs`. Throws
 * when it exits with a non-zero code, with the end of its standard error in the message.
 */
export async function collectOutput(child: Subprocess, timeoutMs: number, what: string): Promise<string> {
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    const [stdout, stderr, code] = await Promise.all([
      new Response(child.stdout as ReadableStream).text(),
      child.stderr instanceof ReadableStream ? new Response(child.stderr).text() : Promise.resolve(''),
      child.exited,
    ]);
    if (code !== 0) {
      const killed = child.signalCode === 'SIGKILL' ? ` (killed after ${timeoutMs} ms)` : '';
      throw new Error(`${what} exited with code ${code}${killed}: ${stderr.trim().slice(-2000) || stdout.trim().slice(-2000)}`);
    }
    return stdout;
  } finally {
    clearTimeout(timer);
  }
}

/** Shutdown that a signal started. It ends in process.exit, so awaiting it never returns. */
let shutdown: Promise<void> | null = null;

/**
 * Stops every child on Ctrl-C or SIGTERM and runs the registered cleanups, then exits with 130
 * or 143. A second signal during that shutdown exits at once without the cleanups, and the exit
 * handler kills the children with SIGKILL.
 * On a normal exit, any child still running gets SIGKILL.
 */
export function installSignalHandlers(): void {
  const onSignal = (signal: NodeJS.Signals, exitCode: number) => {
    if (interruptedBy !== null) {
      console.error(`\n${signal} received again: killing ${children.size} child process(es) and exiting without cleanup.`);
      process.exit(exitCode);
    }
    interruptedBy = signal;
    console.error(`\n${signal} received: stopping ${children.size} child process(es).`);
    shutdown = stopChildren()
      .then(async () => {
        await Promise.allSettled([...cleanups].map((cleanup) => cleanup()));
      })
      .finally(() => process.exit(exitCode));
  };
  process.on('SIGINT', () => onSignal('SIGINT', 130));
  process.on('SIGTERM', () => onSignal('SIGTERM', 143));
  process.on('exit', () => {
    for (const child of children) child.kill('SIGKILL');
  });
}

/**
 * Waits for the shutdown that a signal started, which ends the process. Returns at once when no
 * signal arrived. The harness calls it before it reports an error or writes results,
 * because after a signal both would come from a measurement cut short.
 */
export async function waitForSignalShutdown(): Promise<void> {
  if (shutdown !== null) await shutdown;
}
