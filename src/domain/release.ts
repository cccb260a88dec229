/** A release as the platform reports it: the unit the watchdog guards, judges and rolls back to. */

/** Release lifecycle as flyctl reports it (`running` while deploying, then a terminal status). */
export type ReleaseStatus = 'pending' | 'running' | 'complete' | 'failed' | 'interrupted' | (string & {});

export interface Release {
  version: number;
  imageRef: string;
  status: ReleaseStatus;
  /** Epoch milliseconds. */
  createdAt: number;
  /** E-mail of the user (or token) that created it. */
  user: string;
  description: string;
}
