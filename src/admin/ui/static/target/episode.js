// The guard in progress, read from the decision journal: the entries since the latest deploy was
// seen, folded into five stages (deploy seen → measurements → verdict → rollback → verification).
// Pure functions of journal entries ({at, kind, message, data}) and the target's phase, with no DOM,
// so they are tested under Node (test/ui/episode.test.ts).

const STARTS = new Set(['guard-started', 'known-bad-image']);
const VERDICTS = new Set(['release-failed', 'guard-passed', 'guard-unproven', 'guard-aborted', 'guard-superseded', 'known-bad-image']);
const FAILED_VERDICTS = new Set(['release-failed', 'known-bad-image']);

/** Entries from the latest deploy seen on (all of them when none is in view), oldest first. */
export function currentEpisode(entriesOldestFirst) {
  let start = -1;
  entriesOldestFirst.forEach((e, i) => {
    if (STARTS.has(e.kind)) start = i;
  });
  return start < 0 ? entriesOldestFirst : entriesOldestFirst.slice(start);
}

/** The release the episode is about (from the deploy-seen entry), if known. */
export function episodeVersion(episode) {
  const v = episode.find((e) => STARTS.has(e.kind))?.data?.version;
  return typeof v === 'number' ? v : undefined;
}

const last = (episode, kinds) => episode.findLast((e) => kinds.includes(e.kind));

/**
 * The five stages, each {key, label, status, entry?} with status one of
 * pending | active | done | failed | held | skipped, and entry the journal line that settled it.
 */
export function stages(episode, phase) {
  const seen = episode.find((e) => STARTS.has(e.kind));
  const verdict = episode.findLast((e) => VERDICTS.has(e.kind));
  const failed = verdict !== undefined && FAILED_VERDICTS.has(verdict.kind);
  const deployed = last(episode, ['rollback-deployed', 'rollback-recovered']);
  const started = last(episode, ['rollback-started', 'rollback-approved', 'rollback-reissued']);
  const vetoed = last(episode, ['rollback-vetoed']);
  const held = last(episode, ['rollback-held']);
  const rollbackFailed = last(episode, ['rollback-failed']);
  const verified = last(episode, ['rollback-verified']);

  const stage = (key, label, status, entry) => ({ key, label, status, ...(entry && { entry }) });
  const measurementStatus = phase === 'guarding' ? 'active' : verdict ? 'done' : 'pending';

  let verdictStage;
  if (!verdict) verdictStage = stage('verdict', 'Verdict', 'pending');
  else if (failed) verdictStage = stage('verdict', 'Verdict: bad', 'failed', verdict);
  else if (verdict.kind === 'guard-passed') verdictStage = stage('verdict', 'Verdict: good', 'done', verdict);
  else if (verdict.kind === 'guard-unproven') verdictStage = stage('verdict', 'Verdict: unproven', 'held', verdict);
  else verdictStage = stage('verdict', 'No verdict', 'skipped', verdict);

  let rollback;
  if (!failed) rollback = stage('rollback', 'Rollback', verdict ? 'skipped' : 'pending');
  else if (vetoed) rollback = stage('rollback', 'Rollback vetoed', 'skipped', vetoed);
  else if (phase === 'held') rollback = stage('rollback', 'Rollback held', 'held', held);
  else if (deployed) rollback = stage('rollback', 'Rolled back', 'done', deployed);
  else if (rollbackFailed) rollback = stage('rollback', 'Rollback failed', 'failed', rollbackFailed);
  else if (started) rollback = stage('rollback', 'Rolling back', 'active', started);
  else rollback = stage('rollback', 'Rollback', 'pending', held);

  let verification;
  if (verified) verification = stage('verify', 'Verified healthy', 'done', verified);
  else if (deployed && rollbackFailed) verification = stage('verify', 'Not verified', 'failed', rollbackFailed);
  else if (phase === 'verifying') verification = stage('verify', 'Verifying', 'active', deployed);
  else verification = stage('verify', 'Verification', rollback.status === 'skipped' ? 'skipped' : 'pending');

  return [
    stage('deploy', 'Deploy seen', seen ? 'done' : 'pending', seen),
    stage('measure', 'Measurements', measurementStatus, last(episode, ['insufficient-evidence'])),
    verdictStage,
    rollback,
    verification,
  ];
}

/** The moments the chart marks: {at (ms), label}. */
export function moments(episode) {
  const marks = [];
  const add = (kinds, label) => {
    const e = episode.find((x) => kinds.includes(x.kind));
    if (e) marks.push({ at: Date.parse(e.at), label });
  };
  add(['guard-started'], 'deploy');
  add(['release-failed', 'guard-passed', 'guard-unproven'], 'verdict');
  add(['rollback-started'], 'rollback');
  add(['rollback-verified'], 'verified');
  return marks;
}

/** The tone a journal line is shown in. */
export function tone(kind) {
  if (/failed|known-bad/.test(kind)) return 'bad';
  if (/held|retry|superseded|vetoed|aborted|reissued|insufficient|unproven|detached|not-live|refused/.test(kind)) return 'warn';
  if (/passed|verified|deployed|approved|recovered/.test(kind)) return 'ok';
  return 'info';
}
