/** In-memory CommandQueue with the PostgreSQL implementation's rules: claimed once, cancellable while pending. */
import type { Command, CommandKind, CommandOutcome, CommandQueue } from '../../src/ha/types.ts';

interface Row extends Command {
  status: 'pending' | 'running' | 'done' | 'failed' | 'cancelled';
  claimedBy?: string;
  outcome?: CommandOutcome;
}

export class FakeCommandQueue implements CommandQueue {
  readonly rows: Row[] = [];

  async submit(target: string, kind: CommandKind, params: Record<string, unknown>, requestedBy: string): Promise<number> {
    const id = this.rows.length + 1;
    this.rows.push({ id, target, kind, params: structuredClone(params), requestedBy, status: 'pending' });
    return id;
  }

  async claim(replica: string, targets: readonly string[], limit: number): Promise<Command[]> {
    const claimed = this.rows.filter((r) => r.status === 'pending' && targets.includes(r.target)).slice(0, limit);
    for (const row of claimed) Object.assign(row, { status: 'running', claimedBy: replica });
    return claimed.map(({ id, target, kind, params, requestedBy }) => ({ id, target, kind, params: structuredClone(params), requestedBy }));
  }

  async complete(id: number, replica: string, outcome: Exclude<CommandOutcome, { status: 'pending' }>): Promise<void> {
    const row = this.rows.find((r) => r.id === id && r.claimedBy === replica);
    // Through JSON, as the database would store it.
    if (row) Object.assign(row, { status: outcome.status, outcome: JSON.parse(JSON.stringify(outcome)) as CommandOutcome });
  }

  async outcome(id: number): Promise<CommandOutcome> {
    return this.rows.find((r) => r.id === id)?.outcome ?? { status: 'pending' };
  }

  async cancel(id: number): Promise<boolean> {
    const row = this.rows.find((r) => r.id === id && r.status === 'pending');
    if (row) row.status = 'cancelled';
    return row !== undefined;
  }
}
