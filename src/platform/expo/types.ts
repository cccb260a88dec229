/**
 * Domain types for Expo EAS Update (fly-facts §8). An update *group* is what a publish creates:
 * one update per platform, sharing a group id, a message and a runtimeVersion. A device only
 * accepts updates whose runtimeVersion matches its installed build, which is why an OTA rollback
 * can never cross runtime versions.
 */

export type EasPlatformName = 'android' | 'ios' | (string & {});

/** One entry of `eas update:list --branch B --json`, newest first. */
export interface UpdateGroup {
  group: string;
  /** The publisher's message without EAS's `"…" (<when> by <who>)` decoration; '' when there was none. */
  message: string;
  runtimeVersion: string;
  /** Sorted, e.g. ['android', 'ios']. */
  platforms: EasPlatformName[];
  /** A directive telling devices to run the build's embedded bundle instead of a downloaded one. */
  isRollBackToEmbedded: boolean;
  /** Who published it, as EAS displays the actor (`alice`, `ci-bot (robot)`). */
  createdBy?: string;
  /**
   * When it was published, as EAS prints it: a relative phrase (`2 hours ago`), never a timestamp.
   * The list output has no absolute time, so this is for display only and is not comparable.
   */
  createdAgo?: string;
}

/** One per-platform update that `eas update:republish --json` reports as created. */
export interface PublishedUpdate {
  id: string;
  /** The *new* group id; every update of one republish shares it. */
  group: string;
  platform: EasPlatformName;
  /** Absent from the minimal output of older eas-cli versions. */
  runtimeVersion?: string;
  branch?: string;
  message?: string;
  /** ISO 8601, when eas-cli reports it. */
  createdAt?: string;
}

export interface RepublishOptions {
  /** Stored as the new group's message; shown in `update:list` and the Expo dashboard. */
  message: string;
  /** Republish onto another branch; default: the source group's own branch. */
  destinationBranch?: string;
  signal?: AbortSignal;
}

export interface RepublishResult {
  /** The new group id(s), in output order; a republish of one group creates exactly one. */
  groups: string[];
  updates: PublishedUpdate[];
  durationMs: number;
}

/** Why an OTA rollback cannot, or need not, happen. */
export type OtaRefusalKind = 'no-updates' | 'unknown-group' | 'already-current' | 'needs-store-rollback' | 'platform-mismatch';

/** What `chooseOtaRollbackGroup` decided; a refusal carries a sentence for the operator. */
export type OtaRollbackChoice =
  | { ok: true; from: UpdateGroup; to: UpdateGroup }
  | { ok: false; kind: OtaRefusalKind; reason: string };
