/**
 * The layering of `src/`, lowest first. A unit (a top-level folder, or a top-level file by its
 * name) may import its own layer and the layers below it, never one above. Units in one layer
 * must not import each other in a circle (the cycle test catches that).
 *
 * - domain: plain types and pure rules of the problem (state, releases, measurements, incidents);
 *   it imports nothing of the project.
 * - infra: helpers that know nothing of rollbacks (clock, logging, secrets, errors, exec, HTTP).
 * - config, analysis: the config schema; the statistics.
 * - platform: the Fly and EAS adapters.
 * - signals, store, metrics, notify, incidents: what the engine reads, writes and tells.
 * - ha: leases and forwarded commands between replicas.
 * - guard: the engine (pure step, runner, watchdog).
 * - admin, then client and app, then the entry points.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ['domain'],
  ['infra'],
  ['config', 'analysis'],
  ['platform'],
  ['signals', 'store', 'metrics', 'notify', 'incidents'],
  ['ha'],
  ['guard'],
  ['admin'],
  ['client', 'app'],
  ['main', 'cli', 'demo'],
];

/** Units that import nothing of the project outside themselves: the simulator models Fly on its own. */
export const ISOLATED: readonly string[] = ['sim'];

export type LayerBreak = { from: string; to: string; reason: string };

export function layerOf(unit: string): number | undefined {
  const index = LAYERS.findIndex((layer) => layer.includes(unit));
  return index === -1 ? undefined : index;
}

/** Every import that breaks the layering, with why. */
export function layerBreaks(edges: readonly { from: string; to: string }[], unitOf: (path: string) => string): LayerBreak[] {
  const breaks: LayerBreak[] = [];
  for (const edge of edges) {
    const from = unitOf(edge.from);
    const to = unitOf(edge.to);
    if (from === to || ISOLATED.includes(to)) continue;
    if (ISOLATED.includes(from)) {
      breaks.push({ ...edge, reason: `${from} imports nothing outside itself` });
      continue;
    }
    const fromLayer = layerOf(from);
    const toLayer = layerOf(to);
    if (fromLayer === undefined) breaks.push({ ...edge, reason: `${from} has no layer: add it to LAYERS` });
    else if (toLayer === undefined) breaks.push({ ...edge, reason: `${to} has no layer: add it to LAYERS` });
    else if (toLayer > fromLayer) breaks.push({ ...edge, reason: `${from} (layer ${fromLayer}) imports ${to} (layer ${toLayer}), a higher layer` });
  }
  return breaks;
}
