import { describe, expect, it } from 'vitest';
import { connectionSecrets, maskError } from '../../src/infra/pg-secrets.ts';
import { MASK } from '../../src/infra/secrets.ts';

describe('connectionSecrets', () => {
  it.each([
    ['a plain password', 'postgres://wd:hunter22@db:5432/app', ['hunter22']],
    ['a percent-encoded password, raw and decoded', 'postgresql://wd:p%40ss%2Fw0rd@db/app', ['p%40ss%2Fw0rd', 'p@ss/w0rd']],
    ['a password parameter', 'postgres://wd@db/app?sslmode=require&password=qwerty12', ['qwerty12']],
    ['an unparsable URL', 'postgres://wd:s3cret!@db:notaport/app', ['s3cret!']],
    ['no password', 'postgres://wd@db/app', []],
  ])('finds %s', (_label, url, expected) => {
    const saved = process.env.PGPASSWORD;
    delete process.env.PGPASSWORD;
    try {
      expect(connectionSecrets(url).sort()).toEqual([...expected].sort());
    } finally {
      if (saved !== undefined) process.env.PGPASSWORD = saved;
    }
  });
});

describe('maskError', () => {
  it('masks message, stack, string properties, causes and aggregated errors, keeping class and code', () => {
    const inner = Object.assign(new Error('inner hunter22'), { input: 'postgres://wd:hunter22@db/app' });
    const err = Object.assign(new TypeError('outer hunter22', { cause: inner }), { code: 'ECONNREFUSED', detail: 'x hunter22 y' });
    const aggregate = new AggregateError([err], 'all failed for hunter22');
    expect(maskError(aggregate, ['hunter22'])).toBe(aggregate);
    expect(aggregate.message).toBe(`all failed for ${MASK}`);
    expect(err).toBeInstanceOf(TypeError);
    expect(err).toMatchObject({ message: `outer ${MASK}`, code: 'ECONNREFUSED', detail: `x ${MASK} y` });
    expect(err.stack).not.toContain('hunter22');
    expect(inner).toMatchObject({ message: `inner ${MASK}`, input: `postgres://wd:${MASK}@db/app` });
  });

  it('masks a longer secret whole before a shorter one inside it', () => {
    expect(maskError(new Error('p@ss/w0rd'), ['p@ss', 'p@ss/w0rd']).message).toBe(MASK);
  });

  it('leaves non-errors and cyclic causes alone', () => {
    expect(maskError('hunter22', ['hunter22'])).toBe('hunter22');
    const a = new Error('a hunter22') as Error & { cause?: unknown };
    a.cause = a;
    expect(maskError(a, ['hunter22']).message).toBe(`a ${MASK}`);
  });
});
