/**
 * The PostgreSQL store's statements, written once per schema (`s` is the quoted schema name) so
 * the store never builds SQL from values: everything a caller passes is a `$n` parameter.
 */
export type Queries = ReturnType<typeof queries>;

export function queries(s: string) {
  return {
    // One statement for the whole list: atomic by itself, and one round trip however many releases.
    syncReleases: `
      INSERT INTO ${s}.releases (target, version, image_ref, status, created_at, created_by, description, first_seen_at, image_digest)
      SELECT $1::text, r.version, r.image_ref, r.status, r.created_at, r.created_by, r.description, $2::bigint, r.image_digest
      FROM unnest($3::integer[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::text[], $9::text[])
        AS r (version, image_ref, status, created_at, created_by, description, image_digest)
      ON CONFLICT (target, version) DO UPDATE
        SET status = excluded.status, image_digest = coalesce(excluded.image_digest, ${s}.releases.image_digest)
      WHERE ${s}.releases.status IS DISTINCT FROM excluded.status
        OR ${s}.releases.image_digest IS DISTINCT FROM coalesce(excluded.image_digest, ${s}.releases.image_digest)`,
    // For a transition that decides nothing (Transition.progressOnly); lasts until its COMMIT.
    asyncCommit: `SET LOCAL synchronous_commit = off`,
    listReleases: `SELECT * FROM ${s}.releases WHERE target = $1 ORDER BY version DESC LIMIT $2`,
    setVerdict: `UPDATE ${s}.releases SET verdict = $3, verdict_reason = $4, verdict_at = $5 WHERE target = $1 AND version = $2`,
    setOrigin: `UPDATE ${s}.releases SET origin = $3 WHERE target = $1 AND version = $2`,
    setMigrationMarker: `UPDATE ${s}.releases SET migration_marker = $3 WHERE target = $1 AND version = $2`,
    loadState: `SELECT state FROM ${s}.target_state WHERE target = $1`,
    loadStates: `SELECT state FROM ${s}.target_state ORDER BY target`,
    checkLease: `
      SELECT 1 FROM ${s}.leases
      WHERE shard = $1 AND owner = $2 AND epoch = $3 AND expires_at > (extract(epoch from clock_timestamp()) * 1000)::bigint
      FOR SHARE`,
    saveState: `
      INSERT INTO ${s}.target_state (target, state, updated_at) VALUES ($1, $2, $3)
      ON CONFLICT (target) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
    appendJournal: `INSERT INTO ${s}.journal (target, incident_id, at, kind, message, data) VALUES ($1, $2, $3, $4, $5, $6)`,
    listJournal: `SELECT * FROM ${s}.journal ORDER BY id DESC LIMIT $1`,
    journalAfter: `SELECT * FROM ${s}.journal WHERE id > $1 ORDER BY id ASC LIMIT $2`,
    listTargetJournal: `SELECT * FROM ${s}.journal WHERE target = $1 ORDER BY id DESC LIMIT $2`,
    incidentTimeline: `SELECT * FROM ${s}.journal WHERE incident_id = $1 ORDER BY id ASC`,
    putIncident: `
      INSERT INTO ${s}.incidents (id, target, status, opened_at, data) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (id) DO UPDATE SET status = excluded.status, data = excluded.data`,
    getIncident: `SELECT data FROM ${s}.incidents WHERE id = $1`,
    // Inside a transaction: a replica closing or annotating the same incident waits for this one.
    lockIncident: `SELECT data FROM ${s}.incidents WHERE id = $1 FOR UPDATE`,
    listIncidents: `SELECT data FROM ${s}.incidents ORDER BY opened_at DESC, id DESC LIMIT $1`,
    listTargetIncidents: `SELECT data FROM ${s}.incidents WHERE target = $1 ORDER BY opened_at DESC, id DESC LIMIT $2`,
    appendAudit: `INSERT INTO ${s}.audit (at, actor, role, action, target, params, status, result, count, source) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    listAudit: `SELECT * FROM ${s}.audit ORDER BY id DESC LIMIT $1`,
    // With fewer than $2 rows the subquery is NULL, and `id <= NULL` deletes nothing.
    pruneAudit: `
      WITH gone AS (
        DELETE FROM ${s}.audit WHERE at < $1 OR id <= (SELECT id FROM ${s}.audit ORDER BY id DESC OFFSET $2 LIMIT 1) RETURNING 1
      ) SELECT count(*)::integer AS n FROM gone`,
    loadControls: `SELECT scope, data FROM ${s}.controls`,
    saveControls: `
      INSERT INTO ${s}.controls (scope, data, updated_at) VALUES ($1, $2, $3)
      ON CONFLICT (scope) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`,
  } as const;
}
