import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSelfSignedCertificate } from '../../src/security/self-signed-cert.ts';
import { csrfFrom, sampleChallenge, startAskgate, type Askgate } from '../support/harness.ts';

describe('TLS listeners', () => {
  const folder = mkdtempSync(join(tmpdir(), 'askgate-tls-'));
  const pair = createSelfSignedCertificate();
  let askgate: Askgate;

  beforeAll(async () => {
    writeFileSync(join(folder, 'cert.pem'), pair.certPem);
    writeFileSync(join(folder, 'key.pem'), pair.keyPem);
    askgate = await startAskgate({ ASKGATE_TLS_CERT: join(folder, 'cert.pem'), ASKGATE_TLS_KEY: join(folder, 'key.pem') });
  });
  afterAll(async () => {
    await askgate.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  const trusting = { tls: { ca: pair.certPem } };

  test('serves https on both ports', async () => {
    expect(askgate.apiUrl).toStartWith('https://');
    expect(askgate.webUrl).toStartWith('https://');
    expect(askgate.publicUrl).toStartWith('https://');
    const api = await fetch(askgate.apiUrl + '/healthz', trusting);
    expect(api.status).toBe(200);
    const web = await fetch(askgate.webUrl + '/healthz', trusting);
    expect(web.status).toBe(200);
  });

  test('sends HSTS for one year', async () => {
    // OWASP ASVS 5.0 (3.4.1) requires a year and, from level 2, subdomains too.
    const api = await fetch(askgate.apiUrl + '/healthz', trusting);
    expect(api.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    const page = await fetch(askgate.webUrl + '/c/unknown-token', trusting);
    expect(page.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  });

  test('completes a flow over https', async () => {
    const created = await fetch(askgate.apiUrl + '/v1/challenges', {
      ...trusting,
      method: 'POST',
      headers: { authorization: `Bearer ${askgate.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(sampleChallenge()),
    }).then((response) => response.json());
    expect(created.url).toStartWith('https://');

    const page = await fetch(created.url, trusting);
    const answer = await fetch(created.url, {
      ...trusting,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: csrfFrom(await page.text()), answer: '1990-04-12' }).toString(),
    });
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain('id="return-link"');
  });

  test('rejects plain http', async () => {
    const plain = askgate.apiUrl.replace('https://', 'http://') + '/healthz';
    const outcome = await fetch(plain).then((response) => response.status, () => 'failed');
    expect(outcome).not.toBe(200);
  });
});

describe('askgate cert', () => {
  const folder = mkdtempSync(join(tmpdir(), 'askgate-cert-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  const runCli = async (args: string[], cwd: string) => {
    const child = Bun.spawn([process.execPath, join(import.meta.dir, '../../src/main.ts'), ...args], { cwd, stdout: 'pipe', stderr: 'pipe', env: { PATH: process.env.PATH ?? '' } });
    const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
    return { stdout, stderr, code };
  };

  test('writes a pair the server loads', async () => {
    const written = await runCli(['cert'], folder);
    expect(written.code).toBe(0);
    expect(written.stdout).toContain('cert.pem');
    const { X509Certificate } = await import('node:crypto');
    const certificate = new X509Certificate(await Bun.file(join(folder, 'cert.pem')).text());
    expect(certificate.subjectAltName).toContain('DNS:localhost');

    const again = await runCli(['cert'], folder);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--force');

    const { loadConfig } = await import('../../src/config/config.ts');
    const config = loadConfig({}, {}, folder, false);
    expect(config.tls?.certPath).toBe(join(folder, 'cert.pem'));
  });
});
