import process from "node:process";

/** How much the server writes to stderr, from most to least. */
export type LogLevel = "debug" | "info" | "warn" | "error";

const LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

/** Writes tagged log lines at or above a level. */
export interface Logger {
  /** The lowest level written. */
  readonly level: LogLevel;
  /** Writes a debug line. */
  debug(message: string): void;
  /** Writes an info line. */
  info(message: string): void;
  /** Writes a warning. */
  warn(message: string): void;
  /** Writes an error, with the stack of `error` at debug level. */
  error(message: string, error?: unknown): void;
}

/** Checks whether `value` names a {@linkcode LogLevel}. */
export function isLogLevel(value: string): value is LogLevel {
  return (LEVELS as readonly string[]).includes(value);
}

/**
 * Creates a logger that writes `[tenant-pair] <time> <level>: <message>`
 * lines through `write`, stderr by default, so stdout keeps only protocol
 * messages.
 */
export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => process.stderr.write(line),
): Logger {
  const threshold = LEVELS.indexOf(level);
  const emit = (at: LogLevel, message: string) => {
    if (LEVELS.indexOf(at) < threshold) return;
    write(`[tenant-pair] ${new Date().toISOString()} ${at}: ${message}\n`);
  };
  return {
    level,
    debug: (message) => emit("debug", message),
    info: (message) => emit("info", message),
    warn: (message) => emit("warn", message),
    error: (message, error) => {
      const reason = error instanceof Error ? `: ${error.message}` : "";
      emit("error", `${message}${reason}`);
      if (error instanceof Error && error.stack !== undefined) {
        emit("debug", error.stack);
      }
    },
  };
}
