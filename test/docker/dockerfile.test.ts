import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validate } from 'dockerfile-utils';
import packageJson from '../../package.json' with { type: 'json' };
import { compileFlags } from '../../scripts/build-all.ts';
import { repoRoot } from '../support/cli.ts';

// Docker cannot run on the test machine, so these checks read the files: a lint by
// dockerfile-utils (the validator behind VS Code's Dockerfile support) and the invariants the
// image must keep.

const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
const instructions = dockerfile
  .replace(/\\\n\s*/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));
const fromLines = instructions.filter((line) => /^FROM\s/i.test(line));
const finalStage = instructions.slice(instructions.lastIndexOf(fromLines.at(-1) as string));

describe('Dockerfile', () => {
  test('passes the dockerfile-utils lint', () => {
    expect(validate(dockerfile)).toEqual([]);
  });

  test('lint flags a broken file', () => {
    const broken = 'FROM oven/bun:1.4\nEXPOSE port-eight\nHEALTHCHECK --interval=abc CMD true\n';

    expect(validate(broken).length).toBeGreaterThan(0);
  });

  test('has a bun builder stage', () => {
    expect(fromLines.length).toBeGreaterThanOrEqual(2);
    expect(fromLines[0]).toBe('FROM oven/bun:1.4 AS builder');
  });

  test('final stage is distroless nonroot', () => {
    expect(fromLines.at(-1)).toBe('FROM gcr.io/distroless/base-debian12:nonroot');
    const users = finalStage.filter((line) => line.startsWith('USER '));
    expect(users).toEqual(['USER nonroot']);
  });

  test('compiles with the build flags', () => {
    const build = instructions.find((line) => line.startsWith('RUN bun build')) ?? '';
    for (const flag of compileFlags) {
      expect(build).toContain(` ${flag} `);
      expect(packageJson.scripts.build).toContain(` ${flag} `);
    }
    expect(build).toContain('src/main.ts');
  });

  test('installs from the lockfile', () => {
    expect(instructions).toContain('RUN bun install --frozen-lockfile --production');
  });

  test('exposes both ports', () => {
    expect(finalStage).toContain('EXPOSE 8000 8080');
  });

  test('binds all interfaces by environment', () => {
    const env = finalStage.filter((line) => line.startsWith('ENV ')).join(' ');
    expect(env).toContain('ASKGATE_HOST=0.0.0.0');
    expect(env).toContain('ASKGATE_API_PORT=8000');
    expect(env).toContain('ASKGATE_WEB_PORT=8080');
  });

  test('health check runs the binary', () => {
    const healthchecks = finalStage.filter((line) => line.startsWith('HEALTHCHECK '));
    expect(healthchecks).toHaveLength(1);
    expect(healthchecks[0]).toContain('CMD ["/usr/local/bin/askgate", "healthcheck"]');
  });

  test('entrypoint is the binary', () => {
    expect(finalStage).toContain('ENTRYPOINT ["/usr/local/bin/askgate"]');
    expect(finalStage).toContain('CMD ["serve"]');
  });
});

describe('.dockerignore', () => {
  const lines = readFileSync(join(repoRoot, '.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

  test('excludes everything by default', () => {
    expect(lines[0]).toBe('*');
  });

  test('lets in only build inputs', () => {
    expect(lines.slice(1).sort()).toEqual(['!bun.lock', '!package.json', '!src', '!tsconfig.json']);
  });
});

describe('compose.yaml', () => {
  const compose = Bun.YAML.parse(readFileSync(join(repoRoot, 'compose.yaml'), 'utf8')) as {
    services: Record<string, Record<string, unknown>>;
    volumes: Record<string, unknown>;
  };
  const askgate = compose.services.askgate ?? {};
  const redis = compose.services.redis ?? {};

  test('askgate uses redis store', () => {
    expect(askgate.environment).toEqual({ ASKGATE_STORE: 'redis://redis:6379/0' });
    expect(askgate.env_file).toBe('askgate.env');
    expect(askgate.depends_on).toEqual({ redis: { condition: 'service_healthy' } });
  });

  test('stop grace exceeds shutdown grace', () => {
    expect(askgate.stop_grace_period).toBe('20s');
  });

  test('API port stays on loopback', () => {
    expect(askgate.ports).toEqual(['127.0.0.1:8000:8000', '8080:8080']);
  });

  test('redis persists with append-only file', () => {
    expect(redis.image).toBe('redis:7');
    expect(redis.command).toEqual(['redis-server', '--appendonly', 'yes']);
    expect(redis.volumes).toEqual(['redis-data:/data']);
    expect(Object.keys(compose.volumes)).toEqual(['redis-data']);
  });

  test('env file stays out of git', () => {
    const ignored = readFileSync(join(repoRoot, '.gitignore'), 'utf8').split('\n');
    expect(ignored).toContain('askgate.env');
  });
});
