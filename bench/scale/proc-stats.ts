/**
 * What the kernel says a process has used: CPU from /proc/<pid>/stat (its own utime + stime, and
 * separately cutime + cstime, the CPU of children it has waited for: the flyctl processes) and
 * resident memory from /proc/<pid>/status (VmRSS). Linux only; the parsers are pure.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcSample {
  /** performance.now() when read. */
  at: number;
  /** The process's own user + system CPU, in ms. */
  cpuMs: number;
  /** User + system CPU of its reaped children (and theirs), in ms. */
  childCpuMs: number;
  rssBytes: number;
  /** RssAnon: the private part of RSS, without the Node binary and libraries mapped from disk. */
  anonBytes: number;
}

/** utime, stime, cutime, cstime in clock ticks. The command name may hold spaces and parentheses. */
export function parseStat(text: string): { utime: number; stime: number; cutime: number; cstime: number } {
  const close = text.lastIndexOf(')');
  if (close === -1) throw new Error('not a /proc/<pid>/stat line');
  // Fields after "(comm)": state is field 3, so field n is at index n - 3.
  const fields = text.slice(close + 2).trim().split(/\s+/);
  const field = (n: number) => {
    const value = Number(fields[n - 3]);
    if (!Number.isFinite(value)) throw new Error(`/proc/<pid>/stat field ${n} is not a number`);
    return value;
  };
  return { utime: field(14), stime: field(15), cutime: field(16), cstime: field(17) };
}

/** VmRSS in bytes (the kernel writes kB). */
export function parseVmRss(status: string): number {
  return statusBytes(status, 'VmRSS');
}

/** A `Name:   123 kB` line of /proc/<pid>/status, in bytes. */
export function statusBytes(status: string, name: string): number {
  const match = new RegExp(`^${name}:\\s+(\\d+)\\s+kB$`, 'm').exec(status);
  if (!match) throw new Error(`no ${name} line (is the process a zombie?)`);
  return Number(match[1]) * 1024;
}

let ticksPerSecond: number | undefined;

/** USER_HZ, almost always 100; asked once. */
export function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

export function readProc(pid: number): ProcSample {
  const at = performance.now();
  const stat = parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const msPerTick = 1000 / clockTicks();
  return {
    at,
    cpuMs: (stat.utime + stat.stime) * msPerTick,
    childCpuMs: (stat.cutime + stat.cstime) * msPerTick,
    rssBytes: statusBytes(status, 'VmRSS'),
    anonBytes: statusBytes(status, 'RssAnon'),
  };
}

/** Whole-machine CPU ticks from the first line of /proc/stat: busy (not idle or iowait) and total. */
export function parseHostCpu(procStat: string): { busy: number; total: number } {
  const line = procStat.split('\n', 1)[0] ?? '';
  if (!line.startsWith('cpu ')) throw new Error('not /proc/stat');
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busy: total - idle, total };
}

export function readHostCpu(): { busy: number; total: number } {
  return parseHostCpu(readFileSync('/proc/stat', 'utf8'));
}

/** Direct children of `pid` (all its threads'), from /proc/<pid>/task/<tid>/children. */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      out.push(...readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

/** The daemon's spawn helper (src/infra/exec/spawn-helper-main.ts), when it has started one. */
export function findSpawnHelper(daemonPid: number): number | undefined {
  return childPids(daemonPid).find((child) => {
    try {
      return readFileSync(`/proc/${child}/cmdline`, 'utf8').includes('spawn-helper-main');
    } catch {
      return false;
    }
  });
}
