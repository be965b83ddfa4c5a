import { describe, expect, test } from 'bun:test';
import { AppError, errorStatuses, type ErrorCode } from '../../src/errors/app-error.ts';
import { buildProblem, problemResponse } from '../../src/errors/problem.ts';

const codes = Object.keys(errorStatuses) as ErrorCode[];

describe('error codes', () => {
  test('set is closed and non-empty', () => {
    expect(codes.length).toBeGreaterThanOrEqual(10);
    expect(new Set(codes).size).toBe(codes.length);
  });

  for (const code of codes) {
    test(`${code} maps to one status`, async () => {
      const status = errorStatuses[code];
      const problem = buildProblem(code, 'detail text', 'req_test');
      const response = problemResponse(problem);

      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThanOrEqual(599);
      expect(new AppError(code, 'detail text').status).toBe(status);
      expect(problem.status).toBe(status);
      expect(problem.code).toBe(code);
      expect(problem.type).toBe(`urn:askgate:problem:${code}`);
      expect(problem.title.length).toBeGreaterThan(0);
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
      expect((await response.json()).code).toBe(code);
    });
  }

  test('codes are snake_case', () => {
    for (const code of codes) expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
  });
});
