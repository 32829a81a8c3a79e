/**
 * Stable error codes raised by {@linkcode TenantPair} and the stores.
 *
 * Callers branch on the code; messages are for people and may change.
 */
export type ErrorCode =
  | "INVALID_INPUT"
  | "PAIR_NOT_FOUND"
  | "NOT_A_MEMBER"
  | "FORBIDDEN"
  | "INVITE_NOT_FOUND"
  | "INVITE_EXPIRED"
  | "INVITE_ALREADY_ACCEPTED"
  | "INVITE_REVOKED"
  | "ALREADY_MEMBER"
  | "TOO_MANY_PENDING_INVITES"
  | "PAIR_FULL"
  | "CANNOT_KICK_SELF"
  | "VERSION_CONFLICT"
  | "CONFLICT_NOT_FOUND"
  | "RATE_LIMITED"
  | "SCHEMA_TOO_NEW"
  | "STORE_UNAVAILABLE"
  | "STORAGE_FULL";

/** Every {@linkcode ErrorCode}, in a fixed order, for schemas and docs. */
export const ERROR_CODES: readonly ErrorCode[] = [
  "INVALID_INPUT",
  "PAIR_NOT_FOUND",
  "NOT_A_MEMBER",
  "FORBIDDEN",
  "INVITE_NOT_FOUND",
  "INVITE_EXPIRED",
  "INVITE_ALREADY_ACCEPTED",
  "INVITE_REVOKED",
  "ALREADY_MEMBER",
  "TOO_MANY_PENDING_INVITES",
  "PAIR_FULL",
  "CANNOT_KICK_SELF",
  "VERSION_CONFLICT",
  "CONFLICT_NOT_FOUND",
  "RATE_LIMITED",
  "SCHEMA_TOO_NEW",
  "STORE_UNAVAILABLE",
  "STORAGE_FULL",
];

/** Options for {@linkcode TenantPairError}. */
export interface TenantPairErrorOptions {
  /** Structured facts about the failure, such as the offending field. */
  details?: Record<string, unknown>;
  /** The lower-level error that caused this one. */
  cause?: unknown;
}

/**
 * The one error type of this module, with a stable {@linkcode ErrorCode}.
 *
 * Messages never contain private values, invite tokens or short codes.
 *
 * @example Branch on the code
 * ```ts
 * import { TenantPairError } from "./errors.ts";
 *
 * try {
 *   throw new TenantPairError("PAIR_NOT_FOUND", 'Cannot find pair "p1"');
 * } catch (error) {
 *   if (error instanceof TenantPairError && error.code === "PAIR_NOT_FOUND") {
 *     // create the pair first
 *   }
 * }
 * ```
 */
export class TenantPairError extends Error {
  /** The stable code to branch on. */
  readonly code: ErrorCode;
  /** Structured facts about the failure, if any. */
  readonly details: Record<string, unknown> | undefined;

  /** Creates an error with a code, a message and optional details. */
  constructor(
    code: ErrorCode,
    message: string,
    options: TenantPairErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? {} : { cause: options.cause });
    this.name = "TenantPairError";
    this.code = code;
    this.details = options.details;
  }
}

/** Quotes at most the first 100 characters of a value for an error message. */
export function quote(value: unknown): string {
  const text = typeof value === "string" ? value : String(value);
  const cut = text.length > 100 ? `${text.slice(0, 100)}…` : text;
  return JSON.stringify(cut);
}
