/**
 * The operator commands: each parses its own arguments, makes one API call and renders the answer.
 * Arguments are checked here only as far as building the request needs; the API validates the rest
 * and its refusal (with its code) is what the operator sees.
 */
import type { z } from 'zod';
import type { ControlResult, Gate, Marked, RollbackStarted, Status, Targets, TargetSummary } from '../admin/response-schema.ts';
import { WD_ERR_CLIENT_USAGE } from '../infra/errors.ts';
import type { AdminClient } from './api-client.ts';
import { renderControl, renderDecision, renderGate, renderIncidents, renderMarked, renderRollback, renderStatus, renderTargets } from './render.ts';

export interface CommandInput {
  positionals: string[];
  values: { to?: string; image?: string; force?: boolean; reason?: string };
}

export interface CommandOutput {
  /** The API's answer, printed as is with --json. */
  body: unknown;
  /** The human rendering. */
  text: string;
  /** 0 unless the command's answer itself means "no" (the gate). */
  exitCode?: number;
}

export interface Command {
  usage: string;
  /** Which of the shared options (--to, --image, --force, --reason) it takes. */
  options: readonly ('to' | 'image' | 'force' | 'reason')[];
  run(client: AdminClient, input: CommandInput, now: number): Promise<CommandOutput>;
}

const seg = encodeURIComponent;

/** The positional at `index`, or a usage error naming it. */
function arg(input: CommandInput, index: number, name: string): string {
  const value = input.positionals[index];
  if (value === undefined || value === '') throw new WD_ERR_CLIENT_USAGE(`missing ${name}`);
  return value;
}

function noMoreThan(input: CommandInput, count: number): void {
  const extra = input.positionals[count];
  if (extra !== undefined) throw new WD_ERR_CLIENT_USAGE(`unexpected argument: ${extra}`);
}

/** The same rule as the API's: plain digits, no sign, no leading zero, no exponent, within 2^31-1. */
function version(text: string, what: string): number {
  if (!/^[1-9][0-9]*$/.test(text) || Number(text) > 2_147_483_647) throw new WD_ERR_CLIENT_USAGE(`${what} must be a release number like 42, not ${JSON.stringify(text)}`);
  return Number(text);
}

const reasonOf = (input: CommandInput) => (input.values.reason ? { reason: input.values.reason } : {});

/** approve, veto and abort: one target, an optional reason, a summary back. */
function decision(path: string, verb: string, usage: string): Command {
  return {
    usage,
    options: ['reason'],
    async run(client, input, now) {
      const name = arg(input, 0, 'TARGET');
      noMoreThan(input, 1);
      const { body } = await client.post<z.infer<typeof TargetSummary>>(`/api/v1/targets/${seg(name)}/${path}`, reasonOf(input));
      return { body, text: renderDecision(verb, body, now) };
    },
  };
}

function control(verb: 'pause' | 'resume'): Command {
  return {
    usage: `${verb} [TARGET] [--reason R]`,
    options: ['reason'],
    async run(client, input) {
      const name = input.positionals[0];
      noMoreThan(input, 1);
      const path = name ? `/api/v1/targets/${seg(name)}/${verb}` : `/api/v1/${verb}`;
      const { body } = await client.post<z.infer<typeof ControlResult>>(path, reasonOf(input));
      return { body, text: renderControl(`${verb}d`, body) };
    },
  };
}

function mark(verdict: 'good' | 'bad'): Command {
  return {
    usage: `mark-${verdict} TARGET VERSION [--reason R]`,
    options: ['reason'],
    async run(client, input) {
      const name = arg(input, 0, 'TARGET');
      const v = version(arg(input, 1, 'VERSION'), 'VERSION');
      noMoreThan(input, 2);
      const { body } = await client.post<z.infer<typeof Marked>>(`/api/v1/targets/${seg(name)}/releases/${v}/mark-${verdict}`, reasonOf(input));
      return { body, text: renderMarked(body) };
    },
  };
}

export const COMMANDS: Record<string, Command> = {
  status: {
    usage: 'status',
    options: [],
    async run(client, input, now) {
      noMoreThan(input, 0);
      const { body } = await client.get<z.infer<typeof Status>>('/api/v1/status');
      return { body, text: renderStatus(body, now) };
    },
  },
  targets: {
    usage: 'targets',
    options: [],
    async run(client, input) {
      noMoreThan(input, 0);
      const { body } = await client.get<z.infer<typeof Targets>>('/api/v1/targets');
      return { body, text: renderTargets(body.targets) };
    },
  },
  incidents: {
    usage: 'incidents',
    options: [],
    async run(client, input, now) {
      noMoreThan(input, 0);
      const { body } = await client.get<unknown>('/api/v1/incidents');
      return { body, text: renderIncidents(body, now) };
    },
  },
  rollback: {
    usage: 'rollback TARGET [--to VERSION | --image REF] [--force] [--reason R]',
    options: ['to', 'image', 'force', 'reason'],
    async run(client, input) {
      const name = arg(input, 0, 'TARGET');
      noMoreThan(input, 1);
      const { to, image, force } = input.values;
      if (to !== undefined && image !== undefined) throw new WD_ERR_CLIENT_USAGE('give --to or --image, not both');
      const request = { ...(to !== undefined && { version: version(to, '--to') }), ...(image !== undefined && { image }), ...(force && { force }), ...reasonOf(input) };
      const { body } = await client.post<z.infer<typeof RollbackStarted>>(`/api/v1/targets/${seg(name)}/rollback`, request);
      return { body, text: renderRollback(body) };
    },
  },
  pause: control('pause'),
  resume: control('resume'),
  mode: {
    usage: 'mode auto|approve|dry-run [TARGET] [--reason R]',
    options: ['reason'],
    async run(client, input) {
      const mode = arg(input, 0, 'MODE');
      const name = input.positionals[1];
      noMoreThan(input, 2);
      const { body } = await client.post<z.infer<typeof ControlResult>>('/api/v1/mode', { mode, ...(name && { target: name }), ...reasonOf(input) });
      return { body, text: renderControl(`mode ${mode}`, body) };
    },
  },
  approve: decision('approve', 'rollback approved', 'approve TARGET [--reason R]'),
  veto: decision('veto', 'rollback vetoed', 'veto TARGET [--reason R]'),
  abort: decision('abort', 'guard aborted', 'abort TARGET [--reason R]'),
  'mark-good': mark('good'),
  'mark-bad': mark('bad'),
  gate: {
    usage: 'gate TARGET IMAGE',
    options: [],
    async run(client, input) {
      const name = arg(input, 0, 'TARGET');
      const image = arg(input, 1, 'IMAGE');
      noMoreThan(input, 2);
      const { body } = await client.get<z.infer<typeof Gate>>(`/api/v1/gate?target=${seg(name)}&image=${seg(image)}`);
      // Only `passed` lets a pipeline go on: pending is "not yet", which is still "not now".
      return { body, text: renderGate(body), exitCode: body.verdict === 'passed' ? 0 : 1 };
    },
  },
};
