import { describe, expect, it } from 'vitest';
import { parseHostCpu, parseStat, parseVmRss, readProc, statusBytes } from '../../../bench/scale/proc-stats.ts';

describe('scale bench: /proc parsing', () => {
  it('reads utime, stime, cutime, cstime after a command name with spaces and parentheses', () => {
    const line = '4242 (node (main) x) S 1 4242 4242 0 -1 4194304 5000 0 0 0 1234 567 89 10 20 0 11 0 100 1000000 25000';
    expect(parseStat(line)).toEqual({ utime: 1234, stime: 567, cutime: 89, cstime: 10 });
  });

  it('reads VmRSS in bytes', () => {
    expect(parseVmRss('Name:\tnode\nVmHWM:\t  200000 kB\nVmRSS:\t  153600 kB\nRssAnon:\t 1 kB\n')).toBe(153600 * 1024);
    expect(() => parseVmRss('Name:\tnode\n')).toThrow(/VmRSS/);
    expect(statusBytes('VmRSS:\t 10 kB\nRssAnon:\t    7 kB\n', 'RssAnon')).toBe(7 * 1024);
  });

  it('counts idle and iowait as not busy', () => {
    expect(parseHostCpu('cpu  100 5 50 800 40 3 2 0 0 0\ncpu0 1 2 3 4\n')).toEqual({ busy: 160, total: 1000 });
  });

  it('reads this very process', () => {
    const sample = readProc(process.pid);
    expect(sample.cpuMs).toBeGreaterThan(0);
    expect(sample.rssBytes).toBeGreaterThan(10 * 2 ** 20);
  });
});
