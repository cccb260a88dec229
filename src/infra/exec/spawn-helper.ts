/**
 * runCli, but the process is started by a small helper process instead of the daemon itself.
 *
 * Why: Node starts a child with fork + exec, and the calling thread waits until the child has
 * exec'd. Both steps copy or tear down the caller's page tables, so the wait grows with the
 * caller's memory: measured on the 2-core CI machine, 5 ms at 50 MB RSS, 25 ms at 240 MB and
 * 68 ms at 540 MB, the whole event loop stalled each time. One release poll at 1,000 targets is
 * 1,000 flyctl processes: about a minute of stalled guard loop per poll. The helper is a Node
 * process of ~50 MB that does nothing else, so its forks are cheap and block only itself.
 *
 * Contract: the same as runCli (resolves with a CliResult, throws a CliError with the same codes),
 * with every string masked by the caller's SecretRegistry here, in the daemon. The helper starts
 * on first use, is shared by all callers, and never keeps the daemon alive while idle. If it dies,
 * its in-flight calls fail with WD_ERR_PLATFORM_COMMAND_FAILED and the next call starts a new one.
 * When the daemon goes away (even by SIGKILL) the helper lets running commands finish, as their
 * orphans would have, and then exits: a rollback deploy is never cut off half-way.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CliError } from '../errors.ts';
import { formatCommand, type CliResult, type RunCliOptions } from './command.ts';

const HELPER_MAIN = fileURLToPath(new URL('./spawn-helper-main.ts', import.meta.url));

/** What crosses the IPC channel: runCli's options minus the registry and the signal. */
export type HelperRunOptions = Omit<RunCliOptions, 'secrets' | 'signal'>;
export type HelperRequest = { type: 'run'; id: number; binary: string; args: readonly string[]; options: HelperRunOptions } | { type: 'cancel'; id: number };
/** A CliError as it crosses the IPC channel: exactly what its constructor takes. */
export type SerializedCliError = ConstructorParameters<typeof CliError>[0];
export type HelperReply = { id: number; result: CliResult } | { id: number; error: SerializedCliError };

interface Pending {
  resolve: (result: CliResult) => void;
  reject: (err: unknown) => void;
  mask: (text: string) => string;
  cmd: string;
}

class Helper {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, Pending>();
  #seq = 0;
  #gone = false;

  constructor(onExit: () => void) {
    // No inherited execArgv: a --cpu-prof or --inspect meant for the daemon is not meant for this.
    this.#child = fork(HELPER_MAIN, [], { execArgv: [], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    this.#child.on('message', (reply: HelperReply) => this.#settle(reply));
    this.#child.on('error', () => undefined); // reported through 'exit' and failed sends
    this.#child.once('exit', (code, signal) => {
      this.#gone = true;
      onExit();
      for (const [id, p] of this.#pending) {
        this.#pending.delete(id);
        p.reject(new CliError({ code: 'WD_ERR_PLATFORM_COMMAND_FAILED', message: `${p.cmd} lost: the spawn helper exited (${signal ?? code})`, cmd: p.cmd, exitCode: undefined, stderr: '', output: '', timedOut: false }));
      }
    });
    this.#idle();
  }

  run(binary: string, args: readonly string[], options: RunCliOptions): Promise<CliResult> {
    const { secrets, signal, ...rest } = options;
    const mask = (text: string) => secrets.mask(text);
    const id = ++this.#seq;
    const cmd = mask(formatCommand(binary, args));
    return new Promise<CliResult>((resolve, reject) => {
      const cancel = () => this.#send({ type: 'cancel', id });
      const forget = () => signal?.removeEventListener('abort', cancel);
      this.#pending.set(id, { resolve: (r) => (forget(), resolve(r)), reject: (e) => (forget(), reject(e)), mask, cmd });
      this.#busy();
      this.#send({ type: 'run', id, binary, args, options: rest });
      if (signal?.aborted) cancel();
      else signal?.addEventListener('abort', cancel, { once: true });
    });
  }

  get alive(): boolean {
    return !this.#gone;
  }

  async close(): Promise<void> {
    if (this.#gone) return;
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.disconnect();
    await exited;
  }

  #send(message: HelperRequest): void {
    try {
      this.#child.send(message);
    } catch {
      // The channel is closed: 'exit' follows and fails whatever is pending.
    }
  }

  #settle(reply: HelperReply): void {
    const p = this.#pending.get(reply.id);
    if (!p) return;
    this.#pending.delete(reply.id);
    if (this.#pending.size === 0) this.#idle();
    if ('result' in reply) {
      const r = reply.result;
      p.resolve({ ...r, stdout: p.mask(r.stdout), stderr: p.mask(r.stderr), output: p.mask(r.output), cmd: p.mask(r.cmd) });
      return;
    }
    const e = reply.error;
    p.reject(new CliError({ ...e, message: p.mask(e.message), cmd: p.mask(e.cmd), stderr: p.mask(e.stderr), output: p.mask(e.output) }));
  }

  /** While commands run, the helper keeps the daemon alive (their results matter); idle, it does not. */
  #busy(): void {
    this.#child.ref();
    this.#child.channel?.ref();
  }

  #idle(): void {
    this.#child.unref();
    this.#child.channel?.unref();
  }
}

let shared: Helper | undefined;

/** runCli through the shared helper process (started on first use). */
export function runCliViaHelper(binary: string, args: readonly string[], options: RunCliOptions): Promise<CliResult> {
  if (!shared?.alive) {
    shared = new Helper(() => {
      if (shared === helper) shared = undefined;
    });
  }
  const helper = shared;
  return helper.run(binary, args, options);
}

/** Disconnects the helper and waits for it to exit (after the commands it is running). For tests. */
export async function stopSpawnHelper(): Promise<void> {
  const helper = shared;
  shared = undefined;
  await helper?.close();
}
