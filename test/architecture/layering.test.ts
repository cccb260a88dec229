import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cycles, importEdges, unitOf } from './import-graph.ts';
import { layerBreaks } from './layers.ts';

const SRC = join(import.meta.dirname, '../../src');
const edges = importEdges(SRC);

describe('layering of src/', () => {
  it('reads the import graph (a guard against a parser that finds nothing)', () => {
    expect(edges.length).toBeGreaterThan(300);
    expect(edges).toContainEqual({ from: join('guard', 'runner', 'target-runner.ts'), to: join('domain', 'target-state.ts') });
  });

  it('no unit imports a higher layer', () => {
    expect(layerBreaks(edges, unitOf)).toEqual([]);
  });

  it('the top-level units of src/ form no cycle', () => {
    const units = edges.map((e) => ({ from: unitOf(e.from), to: unitOf(e.to) }));
    expect(cycles(units)).toEqual([]);
  });

  it('no file of src/ is part of an import cycle', () => {
    expect(cycles(edges)).toEqual([]);
  });

  it('the decision logic (guard/step) is pure: it imports plain types, the statistics and the config, no I/O', () => {
    const allowed = [join('guard', 'step'), 'domain', 'analysis', 'config', join('store', 'types.ts')];
    const impure = edges.filter((e) => e.from.startsWith(join('guard', 'step')) && !allowed.some((a) => e.to.startsWith(a)));
    expect(impure).toEqual([]);
  });
});

describe('the checks themselves', () => {
  it('a store file importing a guard file is a layering break', () => {
    const breaks = layerBreaks([{ from: 'store/sqlite-store.ts', to: 'guard/step.ts' }], unitOf);
    expect(breaks).toEqual([expect.objectContaining({ reason: expect.stringContaining('store (layer 4) imports guard (layer 6)') })]);
  });

  it('the simulator importing product code is a break', () => {
    expect(layerBreaks([{ from: 'sim/world.ts', to: 'domain/release.ts' }], unitOf)).toHaveLength(1);
  });

  it('a unit missing from the table is reported', () => {
    expect(layerBreaks([{ from: 'newthing/a.ts', to: 'domain/release.ts' }], unitOf)).toEqual([
      expect.objectContaining({ reason: expect.stringContaining('newthing has no layer') }),
    ]);
  });

  it('finds a cycle of two and one of three, and none in a chain', () => {
    expect(cycles([{ from: 'a', to: 'b' }, { from: 'b', to: 'a' }, { from: 'c', to: 'd' }])).toEqual([['a', 'b']]);
    expect(cycles([{ from: 'x', to: 'y' }, { from: 'y', to: 'z' }, { from: 'z', to: 'x' }])).toEqual([['x', 'y', 'z']]);
    expect(cycles([{ from: 'a', to: 'b' }, { from: 'b', to: 'c' }])).toEqual([]);
  });
});
