import { z } from "zod";

/**
 * Zod schemas of the tools' `structuredContent`. The SDK checks every
 * successful result against them before it is sent, and clients check it
 * again, so they describe exactly what the library returns.
 */

/**
 * An object that may carry fields beyond `shape`, so the library can add
 * result fields without breaking clients that validate. Zod writes such a
 * catch-all as `additionalProperties: {}`, and `true` is the plainer spelling
 * that schema checkers prefer.
 */
export function openObject<S extends z.ZodRawShape>(
  shape: S,
): z.ZodObject<S, z.core.$loose> {
  return z.looseObject(shape).meta({ additionalProperties: true });
}

const time = z.string().describe("ISO 8601 UTC time with milliseconds.");
const json = z.json();

/** A pair. */
export const pairOutput = openObject({
  pairId: z.string(),
  pairName: z.string().nullable(),
  createdAt: time,
  memberCount: z.number().int(),
  maxMembers: z.number().int().nullable(),
});

/** A member of a pair. */
export const memberOutput = openObject({
  pairId: z.string(),
  memberId: z.string(),
  role: z.enum(["owner", "admin", "member"]),
  displayName: z.string().nullable(),
  joinedAt: time,
  leftAt: time.nullable(),
  leftReason: z.enum(["left", "kicked", "forgotten"]).nullable(),
});

/** An invite as listed, without its secrets. */
export const inviteOutput = openObject({
  inviteId: z.string(),
  pairId: z.string(),
  inviterMemberId: z.string(),
  inviteeHint: z.string().nullable(),
  createdAt: time,
  expiresAt: time,
  status: z.enum(["pending", "accepted", "revoked"]),
});

/** A new invite with the secrets shown this once. */
export const newInviteShape = {
  inviteId: z.string(),
  inviteToken: z.string().describe("Secret for an invite link."),
  shortCode: z.string().describe("Secret code to read aloud, XXXX-XXXX."),
  expiresAt: time,
};

const historyShape = {
  version: z.number().int().nullable(),
  value: json,
  writtenByMemberId: z.string(),
  validFrom: time,
  validTo: time.nullable(),
  recordedAt: time,
  supersededAt: time.nullable(),
  resolution: z.enum(["pending", "won", "lost"]).nullable(),
};

/** A version of a private preference. */
export const preferenceEntryOutput = openObject({
  ...historyShape,
  key: z.string(),
  sharedWithPair: z.boolean(),
});

/** A version of shared state, or a pending conflict candidate. */
export const stateEntryOutput = openObject({
  ...historyShape,
  namespace: z.string(),
  key: z.string(),
  deleted: z.boolean(),
  candidateId: z.string().nullable(),
});

/** A key with pending conflict candidates. */
export const conflictOutput = openObject({
  pairId: z.string(),
  namespace: z.string(),
  key: z.string(),
  current: openObject({
    version: z.number().int(),
    value: json,
    deleted: z.boolean(),
    writtenByMemberId: z.string(),
    validFrom: time,
    recordedAt: time,
  }),
  candidates: z.array(openObject({
    candidateId: z.string(),
    value: json,
    writtenByMemberId: z.string(),
    expectedVersion: z.number().int(),
    validFrom: time,
    recordedAt: time,
  })),
});

/** An audit event. */
export const eventOutput = openObject({
  id: z.number().int(),
  pairId: z.string(),
  type: z.string(),
  actorMemberId: z.string().nullable(),
  subjectMemberId: z.string().nullable(),
  at: time,
  data: z.record(z.string(), json),
});

/** Key to value. */
export const valueMapOutput = z.record(z.string(), json);

/** The report of an erasure. */
export const forgetReportShape = {
  pairId: z.string(),
  memberId: z.string(),
  removedFromPair: z.boolean(),
  privateVersionsErased: z.number().int(),
  displayNamesErased: z.number().int(),
  inviteHintsErased: z.number().int(),
  sharedWritesErased: z.number().int(),
  eventDetailsErased: z.number().int(),
  diskScrubbed: z.boolean(),
  forgottenAt: time,
};

/** Every stored fact about one member of one pair. */
export const memberExportShape = {
  exportedAt: time,
  pairId: z.string(),
  memberId: z.string(),
  membership: openObject({
    ...memberOutput.shape,
    forgottenAt: time.nullable(),
  }),
  preferences: z.array(preferenceEntryOutput),
  sharedWrites: z.array(stateEntryOutput),
  invitesCreated: z.array(inviteOutput),
  invitesAccepted: z.array(inviteOutput),
  events: z.array(eventOutput),
  wrongShortCodeAttempts: z.array(time),
};
