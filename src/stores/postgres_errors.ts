import { TenantPairError } from "../errors.ts";

/** SQLSTATE codes worth retrying the whole transaction for. */
const RETRYABLE = new Set([
  "40001", // serialization_failure
  "40P01", // deadlock_detected
]);

/** SQLSTATE codes and classes meaning the server cannot be used right now. */
const UNAVAILABLE_CODES = new Set([
  "57P01", // admin_shutdown, also sent by pg_terminate_backend
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now
  "53300", // too_many_connections
  "3D000", // invalid_catalog_name: the database does not exist
  "28000", // invalid_authorization_specification
  "28P01", // invalid_password
  "42501", // insufficient_privilege
  "25006", // read_only_sql_transaction: connected to a standby
]);

/** Client-side error codes of postgres.js and the socket layer. */
const CLIENT_CONNECTION_CODES = new Set([
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_DESTROYED",
  "CONNECTION_ENDED",
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
]);

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** Checks whether a failed transaction may succeed when run again. */
export function isRetryable(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && RETRYABLE.has(code);
}

function isConnectionError(error: unknown): boolean {
  const code = errorCode(error);
  if (code === undefined) {
    // Deno's socket errors carry a class name and no code. Matching the name
    // instead of `Deno.errors` keeps this module loadable on Node.
    const name = (error as Error | null)?.name;
    return name === "ConnectionRefused" || name === "ConnectionReset";
  }
  return UNAVAILABLE_CODES.has(code) || code.startsWith("08") ||
    CLIENT_CONNECTION_CODES.has(code);
}

/** Plain words for client-side error codes. */
const CLIENT_REASONS: Record<string, string> = {
  CONNECT_TIMEOUT: "timed out while connecting",
  CONNECTION_CLOSED: "the connection closed",
  CONNECTION_DESTROYED: "the connection was destroyed",
  CONNECTION_ENDED: "the connection pool was ended",
  ECONNREFUSED: "connection refused",
  ECONNRESET: "the connection was reset",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed",
  ETIMEDOUT: "timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  EPIPE: "the connection closed while writing",
};

function reason(error: unknown): string {
  const code = errorCode(error);
  const known = code === undefined ? undefined : CLIENT_REASONS[code];
  if (known !== undefined) return `${known} (${code})`;
  const message = (error as Error | null)?.message ?? String(error);
  return code === undefined || message.includes(code)
    ? message
    : `${message} (${code})`;
}

/**
 * Turns PostgreSQL and connection errors callers can act on into
 * {@linkcode TenantPairError}; other errors pass through unchanged.
 * `target` names the server without credentials, and `attempts` is how
 * many times the transaction ran.
 */
export function translatePostgresError(
  error: unknown,
  target: string,
  attempts: number,
): unknown {
  if (error instanceof TenantPairError) return error;
  const code = errorCode(error);
  if (isRetryable(error)) {
    return new TenantPairError(
      "STORE_UNAVAILABLE",
      `Cannot complete the transaction on PostgreSQL at ${target}: it hit a serialization failure or deadlock with concurrent writers ${attempts} times in a row; retry later`,
      { cause: error, details: { sqlState: code, attempts } },
    );
  }
  if (code === "53100") {
    return new TenantPairError(
      "STORAGE_FULL",
      `Cannot write to PostgreSQL at ${target}: the server's disk is full; free space and retry`,
      { cause: error, details: { sqlState: code } },
    );
  }
  if (code === "22008") {
    return new TenantPairError(
      "INVALID_INPUT",
      `Cannot store a time in PostgreSQL at ${target}: it is outside the range of PostgreSQL timestamps (24 November 4714 BC to 294276 AD); use a later time`,
      { cause: error, details: { sqlState: code } },
    );
  }
  if (isConnectionError(error)) {
    return new TenantPairError(
      "STORE_UNAVAILABLE",
      `Cannot use PostgreSQL at ${target}: ${
        reason(error)
      }; check that the server runs, is reachable and accepts this user, then retry`,
      { cause: error, details: code === undefined ? {} : { code } },
    );
  }
  return error;
}

/** The address of a server, as shown in messages. */
export interface ServerAddress {
  host: string | undefined;
  port: number | undefined;
  /** A Unix socket path, used instead of host and port when set. */
  path: string | undefined;
  database: string | undefined;
}

/** Formats a server as `host:port/database`, without user name or password. */
export function describeServer(address: ServerAddress): string {
  const database = address.database ?? "";
  if (address.path !== undefined) return `${address.path}/${database}`;
  const host = address.host ?? "localhost";
  const hostText = host.includes(":") ? `[${host}]` : host;
  return `${hostText}:${address.port ?? 5432}/${database}`;
}
