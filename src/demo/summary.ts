import { formatDuration } from '../infra/duration.ts';
import type { Daemon } from '../main.ts';
import type { Simulator } from '../sim/simulator.ts';

const short = (image: string) => image.replace(/^.*:deployment-/, '…');

/** One screen: what happened, when, and where each app ends up. */
export async function printSummary(input: {
  daemon: Daemon;
  sim: Simulator;
  app: string;
  goodImage: string;
  badImage: string;
  faultAt: number;
}): Promise<void> {
  const { daemon, sim, app, goodImage, badImage, faultAt } = input;
  const journal = (await daemon.store.listJournal(app)).reverse();
  const out: string[] = ['', '─'.repeat(72), ` rollback-watchdog demo summary: ${app}`, '─'.repeat(72), ' Decisions:'];
  for (const entry of journal) {
    const t = new Date(entry.at).toISOString().slice(11, 23);
    out.push(`   ${t}  ${entry.kind.padEnd(22)} ${entry.message}`);
  }
  const verified = journal.find((j) => j.kind === 'rollback-verified');
  const started = journal.find((j) => j.kind === 'rollback-started');
  if (started) out.push('', ` Broken deploy → rollback started:   ${formatDuration(started.at - faultAt)}`);
  if (verified) out.push(` Broken deploy → verified healthy:   ${formatDuration(verified.at - faultAt)}`);
  out.push('', ' Releases (simulator, newest first):', '   VERSION  STATUS     IMAGE');
  for (const r of sim.releases(app).slice(0, 5)) {
    const tag = r.imageRef === goodImage ? ' (healthy v2 image)' : r.imageRef === badImage ? ' (broken)' : '';
    out.push(`   v${String(r.version).padEnd(7)} ${r.status.padEnd(10)} ${short(r.imageRef)}${tag}`);
  }
  const state = daemon.watchdog.runner(app).state;
  out.push('', ` Target state: ${state.phase}${state.reason ? ` (${state.reason})` : ''}`);
  out.push(` Running image: ${short(sim.currentImage(app))}${sim.currentImage(app) === goodImage ? ' = the healthy image' : ''}`, '─'.repeat(72), '');
  process.stdout.write(out.join('\n'));
}
