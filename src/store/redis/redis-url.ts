/** Where and how to connect, read from a `redis://` or `rediss://` URL. */
export interface RedisUrlSettings {
  /** The URL handed to Bun's RedisClient, password included. Never log it. */
  clientUrl: string;
  /** The URL with its password replaced by `***`, for messages and logs. */
  maskedUrl: string;
  tls: boolean;
  host: string;
  port: number;
  database: number;
  username: string | null;
  hasPassword: boolean;
}

/** A Redis URL that cannot be used. The message masks the password. */
export class InvalidRedisUrlError extends Error {
  constructor(maskedUrl: string, problem: string) {
    super(`Invalid Redis URL "${maskedUrl}": ${problem}`);
    this.name = 'InvalidRedisUrlError';
  }
}

const defaultPort = 6379;
const maxDatabase = 2_147_483_647;

/**
 * Parses `redis://[[user]:password@]host[:port][/db]`, or `rediss://…` for TLS. The password and
 * user name may be percent-encoded; the port defaults to 6379 and the database to 0.
 *
 * @example parseRedisUrl('redis://:s3cret@127.0.0.1:6379/2').database // 2
 * @throws InvalidRedisUrlError naming the masked URL and the problem.
 */
export function parseRedisUrl(input: string): RedisUrlSettings {
  const maskedUrl = maskRedisUrl(input);
  const fail = (problem: string): never => {
    throw new InvalidRedisUrlError(maskedUrl, problem);
  };

  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return fail('it is not a valid URL. Use redis://[:password@]host:port/db or rediss://… for TLS.');
  }

  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    fail(`the scheme "${url.protocol.slice(0, -1)}" is not supported. Use redis:// or rediss:// (TLS).`);
  }
  if (url.hostname === '') fail('the host is missing.');
  if (url.search !== '' || url.hash !== '') {
    fail('query strings and fragments are not supported. Put the database number in the path, as in redis://host:6379/2.');
  }

  const port = url.port === '' ? defaultPort : Number(url.port);
  if (port < 1) fail('the port must be between 1 and 65535.');

  const database = parseDatabase(url.pathname, fail);
  const username = decodePart(url.username, 'user name', fail);
  const password = decodePart(url.password, 'password', fail);

  let userInfo = '';
  if (username !== '' || password !== '') {
    userInfo = encodeURIComponent(username) + (password === '' ? '' : ':' + encodeURIComponent(password)) + '@';
  }
  const clientUrl = `${url.protocol}//${userInfo}${url.hostname}:${port}/${database}`;

  return {
    clientUrl,
    maskedUrl: maskRedisUrl(clientUrl),
    tls: url.protocol === 'rediss:',
    host: url.hostname,
    port,
    database,
    username: username === '' ? null : username,
    hasPassword: password !== '',
  };
}

/**
 * Replaces the password in a Redis URL with `***`, also when the URL is malformed. Everything
 * between `://` and the last `@` counts as user information; when it has no `:`, all of it is
 * masked, because some clients read a lone user-information part as the password.
 */
export function maskRedisUrl(input: string): string {
  const at = input.lastIndexOf('@');
  if (at === -1) return input;

  const schemeEnd = input.indexOf('://');
  const start = schemeEnd !== -1 && schemeEnd < at ? schemeEnd + 3 : 0;
  const userInfo = input.slice(start, at);
  const colon = userInfo.indexOf(':');
  const masked = colon === -1 ? '***' : userInfo.slice(0, colon) + ':***';
  return input.slice(0, start) + masked + input.slice(at);
}

function parseDatabase(pathname: string, fail: (problem: string) => never): number {
  if (pathname === '' || pathname === '/') return 0;

  const match = /^\/(\d{1,10})$/.exec(pathname);
  const database = match ? Number(match[1]) : NaN;
  if (!(database <= maxDatabase)) {
    // The path is not echoed: an unencoded "/" in a password would put part of it there.
    fail('the path must be a database number such as /0 or /2.');
  }
  return database;
}

function decodePart(raw: string, name: string, fail: (problem: string) => never): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return fail(`the ${name} has an invalid percent-encoding.`);
  }
}
