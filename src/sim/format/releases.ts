/**
 * `fly releases` output (fly-facts §1; flyctl internal/command/apps/releases.go). JSON is an array
 * of fly-go `Release` structs: no JSON tags, so PascalCase keys in struct order. The GraphQL query
 * behind it never selects InProgress, DeploymentStrategy, EvaluationID or Metadata, so those are
 * always their zero values.
 */
import type { SimRelease } from '../sim-types.ts';
import { goJson, goTable, relativeTime, rfc3339 } from './go-render.ts';

export interface FlyReleaseJson {
  ID: string;
  Version: number;
  Stable: boolean;
  InProgress: boolean;
  Reason: string;
  Description: string;
  Status: string;
  DeploymentStrategy: string;
  Metadata: null;
  User: { ID: string; Name: string; Email: string; EnablePaidHobby: boolean };
  EvaluationID: string;
  CreatedAt: string;
  ImageRef: string;
}

/** Builds the object literal in struct order: that order is what the JSON shows. */
export function toFlyRelease(r: SimRelease): FlyReleaseJson {
  return {
    ID: r.id,
    Version: r.version,
    // Unconfirmed what Fly means by Stable; a finished, successful release is the safest guess.
    Stable: r.status === 'complete',
    InProgress: false,
    Reason: '',
    Description: r.description,
    Status: r.status,
    DeploymentStrategy: '',
    Metadata: null,
    User: { ID: r.user.id, Name: r.user.name, Email: r.user.email, EnablePaidHobby: false },
    EvaluationID: '',
    CreatedAt: rfc3339(r.createdAt),
    ImageRef: r.imageRef,
  };
}

function newestFirst(releases: readonly SimRelease[]): SimRelease[] {
  return [...releases].sort((a, b) => b.version - a.version);
}

export function formatReleasesJson(releases: readonly SimRelease[]): string {
  return goJson(newestFirst(releases).map(toFlyRelease));
}

/** The table form; `now` drives the relative DATE column (`45s ago`). */
export function formatReleasesTable(releases: readonly SimRelease[], now: number, withImage: boolean): string {
  const headers = ['Version', 'Status', 'Description', 'User', 'Date', ...(withImage ? ['Docker Image'] : [])];
  const rows = newestFirst(releases).map((r) => [
    `v${r.version}`,
    r.status,
    r.description,
    r.user.email,
    relativeTime(r.createdAt, now),
    ...(withImage ? [r.imageRef] : []),
  ]);
  return goTable(headers, rows);
}
