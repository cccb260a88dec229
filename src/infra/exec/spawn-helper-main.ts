/**
 * The spawn helper's process (see spawn-helper.ts): it runs each requested command through runCli
 * and sends back the result or the CliError's fields. It masks nothing itself (the daemon does, with
 * its own registry) and exits once the daemon has disconnected and its last command has ended.
 */
import { setPriority } from 'node:os';
import { CliError } from '../errors.ts';
import { SecretRegistry } from '../secrets.ts';
import { runCli } from './run-cli.ts';
import type { HelperReply, HelperRequest } from './spawn-helper.ts';

/**
 * The helper and every process it starts run at nice 10: when CPU is short, the guard loop's
 * probe rounds come first and flyctl (a poll, even a deploy, which mostly waits on the platform)
 * takes longer. Measured at 1,000 targets on 2 cores, a poll's 1,000 processes otherwise took the
 * CPU from the guard loop and pushed its schedule lag p99 past a second.
 */
const HELPER_NICE = 10;
try {
  setPriority(HELPER_NICE);
} catch {
  // Not permitted here (some containers): same priority as the daemon, still off its event loop.
}

const running = new Map<number, AbortController>();
let disconnected = false;
const unmasked = new SecretRegistry();

function reply(message: HelperReply): void {
  if (!process.connected) return;
  try {
    // A daemon killed a moment ago still looks connected until this process reads the channel's
    // end, and the send fails with EPIPE. Without a callback Node reports that failure as an
    // 'error' event that ends the helper, and execa's cleanup then kills the deploys it runs.
    process.send?.(message, undefined, undefined, ignoreLostReply);
  } catch {
    // The daemon is gone; the command's result has nobody to go to.
  }
}

/** A reply the daemon did not live to receive: nothing to do, the daemon's successor re-reads the platform. */
function ignoreLostReply(): void {}

function exitWhenDone(): void {
  if (disconnected && running.size === 0) process.exit(0);
}

process.on('message', (request: HelperRequest) => {
  if (request.type === 'cancel') {
    running.get(request.id)?.abort(new Error('cancelled by the daemon'));
    return;
  }
  const controller = new AbortController();
  running.set(request.id, controller);
  runCli(request.binary, request.args, { ...request.options, secrets: unmasked, signal: controller.signal })
    .then(
      (result) => reply({ id: request.id, result }),
      (err: unknown) => {
        const e = err instanceof CliError
          ? err
          : new CliError({ code: 'WD_ERR_PLATFORM_COMMAND_FAILED', message: `spawn helper: ${(err as Error)?.message ?? String(err)}`, cmd: request.binary, exitCode: undefined, stderr: '', output: '', timedOut: false });
        reply({ id: request.id, error: { code: e.code, message: e.message, cmd: e.cmd, exitCode: e.exitCode, stderr: e.stderr, output: e.output, timedOut: e.timedOut } });
      },
    )
    .finally(() => {
      running.delete(request.id);
      exitWhenDone();
    });
});

// The daemon exited or was killed: finish what runs (never cut a deploy short), then leave.
process.on('disconnect', () => {
  disconnected = true;
  exitWhenDone();
});
