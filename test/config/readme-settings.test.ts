import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { optionSpecs } from '../../src/config/config.ts';

/**
 * Reads the README's settings table as one entry per variable. A row may name two variables and
 * their two flags, separated by commas, as the TLS row does.
 */
function readmeSettingRows(): Array<{ env: string; seedEnv: string; flag: string }> {
  const readme = readFileSync(join(import.meta.dir, '../../README.md'), 'utf8');
  const names = (cell: string) => cell.replaceAll('`', '').split(',').map((name) => name.trim());
  return readme
    .split('\n')
    .filter((line) => line.startsWith('| `ASKGATE_'))
    .flatMap((line) => {
      const cells = line.split('|').map((cell) => cell.trim());
      const envs = names(cells[1]!);
      const flags = names(cells[3]!);
      return envs.map((env, index) => ({ env, seedEnv: cells[2]!.replaceAll('`', ''), flag: flags[index] ?? '' }));
    });
}

describe('README settings table', () => {
  const rows = readmeSettingRows();
  const specs = Object.values(optionSpecs);

  test('lists each variable once', () => {
    const names = rows.map((row) => row.env);
    expect(names.filter((name, index) => names.indexOf(name) !== index)).toEqual([]);
  });

  test('lists every setting', () => {
    const listed = new Set(rows.map((row) => row.env));
    expect(specs.map((spec) => spec.env).filter((env) => !listed.has(env))).toEqual([]);
  });

  test('lists no unknown setting', () => {
    const known = new Set<string>(specs.map((spec) => spec.env));
    expect(rows.map((row) => row.env).filter((env) => !known.has(env))).toEqual([]);
  });

  test('flags and older names match', () => {
    for (const spec of specs) {
      const row = rows.find((candidate) => candidate.env === spec.env);
      expect({ env: spec.env, flag: row?.flag }).toEqual({ env: spec.env, flag: `--${spec.flag}` });
      if ('seedEnv' in spec) expect({ env: spec.env, seedEnv: row?.seedEnv }).toEqual({ env: spec.env, seedEnv: spec.seedEnv });
    }
  });
});
