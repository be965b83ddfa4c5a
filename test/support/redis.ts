import { RedisClient, type Subprocess } from 'bun';
import { randomBase64Url } from '../../src/security/random.ts';

/** The shared Redis of the test machine. Tests use their own key prefix and delete their keys. */
export const localRedisUrl = 'redis://127.0.0.1:6379/0';

/** Generates a key prefix for one test. Base64url has no glob characters, so SCAN MATCH can use it. */
export function uniquePrefix(): string {
  return `askgate-test:${randomBase64Url(9)}:`;
}

/**
 * Opens a plain client on the local Redis for checks and clean-up. Throws with a clear message
 * when Redis is not running, because the Redis tests must fail then, not skip.
 */
export async function connectLocalRedis(): Promise<RedisClient> {
  const client = new RedisClient(localRedisUrl, { autoReconnect: false, enableOfflineQueue: false, connectionTimeout: 2000 });
  try {
    await client.connect();
    await client.send('PING', []);
  } catch (error) {
    client.close();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`The Redis tests need a Redis server at 127.0.0.1:6379, which is not reachable (${reason}). Start redis-server; these tests do not skip.`);
  }
  return client;
}

/** Deletes every key that starts with `prefix`, in batches through SCAN. */
export async function deleteKeys(client: RedisClient, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = (await client.send('SCAN', [cursor, 'MATCH', prefix + '*', 'COUNT', '1000'])) as [string, string[]];
    cursor = next;
    if (keys.length > 0) deleted += Number(await client.send('UNLINK', keys));
  } while (cursor !== '0');
  return deleted;
}

/** Returns a loopback TCP port that was free a moment ago. */
export function freePort(): number {
  const listener = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });
  const port = listener.port;
  listener.stop(true);
  return port;
}

/** A redis-server started by a test, without persistence, stopped by PID. */
export class OwnRedisServer {
  private process: Subprocess | null = null;

  constructor(
    readonly port: number,
    private readonly extraArgs: string[] = [],
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  get pid(): number | null {
    return this.process?.pid ?? null;
  }

  /** Starts redis-server and waits until it accepts TCP connections (at most 5 s). */
  async start(): Promise<void> {
    this.process = Bun.spawn(
      ['redis-server', '--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', ...this.extraArgs],
      { stdout: 'ignore', stderr: 'ignore' },
    );
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      if (this.process.exitCode !== null) throw new Error(`redis-server on port ${this.port} exited with code ${this.process.exitCode}`);
      if (await this.acceptsConnections()) return;
      await Bun.sleep(50);
    }
    throw new Error(`redis-server on port ${this.port} did not accept connections within 5 s`);
  }

  /** Kills the server by PID and waits for it to exit. */
  async stop(): Promise<void> {
    const process = this.process;
    if (process === null) return;
    this.process = null;
    process.kill('SIGKILL');
    await process.exited;
  }

  /** Sends a signal such as SIGSTOP or SIGCONT to the server. */
  signal(signal: NodeJS.Signals): void {
    this.process?.kill(signal);
  }

  private async acceptsConnections(): Promise<boolean> {
    const socket = await Bun.connect({ hostname: '127.0.0.1', port: this.port, socket: { data() {} } }).catch(() => null);
    if (socket === null) return false;
    socket.end();
    return true;
  }
}
