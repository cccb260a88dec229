import { describe, expect, it } from 'vitest';
import { EventBus } from '../../src/guard/event-bus.ts';

describe('EventBus', () => {
  it('delivers measurement events live but never replays them, so they cannot evict decisions', () => {
    const bus = new EventBus({ capacity: 2, firstId: 1 });
    const seen: string[] = [];
    bus.subscribe((e) => seen.push(e.type));
    bus.publish('decision', 'api', 1, { kind: 'guard-started' });
    for (let i = 0; i < 100; i++) bus.publish('measurement', 'api', 2, { kind: 'probe' });
    bus.publish('state', 'api', 3, { phase: 'guarding' });
    expect(seen.filter((t) => t === 'measurement')).toHaveLength(100);
    const replay = bus.since(1);
    expect(replay.gap).toBe(false);
    expect(replay.events.map((e) => e.type)).toEqual(['state']);
    // A client whose last id was a measurement resumes from the ring without a gap.
    expect(bus.since(50)).toEqual({ gap: false, events: [expect.objectContaining({ type: 'state' })] });
    expect(bus.since(0).events.map((e) => e.type)).toEqual(['decision', 'state']);
  });
});
