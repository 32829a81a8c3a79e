import type { RandomSource } from "./invites.ts";
import type { ConflictResolver } from "./resolvers/resolver.ts";
import type { TenantStore } from "./stores/store.ts";
import type { ShortCodeAttemptLimits } from "./types.ts";

/** Settings and services shared by the operations of {@linkcode TenantPair}. */
export interface ServiceContext {
  store: TenantStore;
  resolver: ConflictResolver;
  /** The clock in milliseconds since the epoch. */
  now(): number;
  /**
   * The default read time: the clock, or the latest time this process
   * recorded when the clock has since stepped back, so a value just written
   * is visible.
   */
  readTime(): number;
  /** Remembers the recorded time of a write for {@linkcode readTime}. */
  noteRecorded(recordedAt: number): void;
  random: RandomSource;
  maxPendingInvites: number;
  inviteTtlSeconds: number;
  maxMembers: number | null;
  maxValueBytes: number;
  shortCodeAttempts: ShortCodeAttemptLimits;
}
