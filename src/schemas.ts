import { z } from "zod";
import { quote, TenantPairError } from "./errors.ts";

/** Characters allowed in ids and namespaces. */
export const ID_PATTERN: RegExp = /^[A-Za-z0-9][A-Za-z0-9._:@+-]*$/;

/**
 * Characters rejected in every text field: controls, lone surrogates, and the
 * bidirectional overrides and isolates that can disguise how text reads.
 */
const CONTROL = /[\p{Cc}\p{Cs}\u202a-\u202e\u2066-\u2069]/u;

/**
 * Characters a key must not contain: controls, lone surrogates, line and
 * paragraph separators, and invisible format characters other than the
 * zero-width joiner that emoji sequences use.
 */
const NOT_PRINTABLE = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}]|(?!\u200d)\p{Cf}/u;

/** Earliest and latest accepted times: years 0001 to 9999. */
const MIN_TIME = Date.parse("0001-01-01T00:00:00.000Z");
const MAX_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** Deepest nesting of arrays and objects a value may have. */
export const MAX_VALUE_DEPTH = 64;

/** Fields whose values are secrets and are never quoted in messages. */
const SECRET_FIELDS = new Set(["inviteToken", "shortCode"]);

/** A full ISO 8601 date and time with `Z` or an offset. */
const ISO_WITH_ZONE =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** Builds a string schema whose type error reads "is required" for a missing value. */
function requiredString(): z.ZodString {
  return z.string({
    error: (issue) =>
      issue.input === undefined ? "is required" : "must be a string",
  });
}

/** An id: pair, member, invite or namespace. */
export const idSchema: z.ZodString = requiredString().min(
  1,
  "must not be empty",
).max(64, "must be at most 64 characters")
  .regex(
    ID_PATTERN,
    "must start with a letter or digit and use only A-Z, a-z, 0-9 and . _ : @ + -",
  );

/** Free text of 1 to `max` characters without control characters. */
export function textSchema(max: number): z.ZodString {
  return requiredString()
    .min(1, "must not be empty")
    .max(max, `must be at most ${max} characters`)
    .refine((value) => !CONTROL.test(value), {
      message: "must not contain control or bidirectional override characters",
    });
}

/** A state or preference key: 1–128 printable characters. */
export const keySchema: z.ZodString = textSchema(128).refine(
  (value) => !NOT_PRINTABLE.test(value),
  { message: "must contain only printable characters" },
);
/** A display name or pair name: 1–120 characters. */
export const nameSchema: z.ZodString = textSchema(120);
/** A note on who an invite is for: 1–200 characters. */
export const hintSchema: z.ZodString = textSchema(200);
/** Why a member was removed: 1–500 characters. */
export const reasonSchema: z.ZodString = textSchema(500);

/** Invite lifetime in seconds: 60 to 2,592,000 (30 days). */
export const ttlSchema: z.ZodNumber = z.number({ error: "must be a number" })
  .int("must be a whole number").min(60, "must be at least 60 seconds")
  .max(2_592_000, "must be at most 2592000 seconds (30 days)");

/** A version the writer expects; 0 means the key must not exist yet. */
export const expectedVersionSchema: z.ZodNumber = z.number({
  error: "must be a number",
}).int("must be a whole number").min(0, "must be 0 or more")
  .max(Number.MAX_SAFE_INTEGER, "is too large");

/** A cap on active members. */
export const maxMembersSchema: z.ZodNumber = z.number({
  error: "must be a number",
}).int("must be a whole number").min(1, "must be at least 1")
  .max(10_000, "must be at most 10000");

/** An event cursor: events after this id. */
export const afterSchema: z.ZodNumber = z.number({ error: "must be a number" })
  .int("must be a whole number").min(0, "must be 0 or more")
  .max(Number.MAX_SAFE_INTEGER, "is too large");

/** How many events to return: 1 to 1,000. */
export const limitSchema: z.ZodNumber = z.number({ error: "must be a number" })
  .int("must be a whole number").min(1, "must be at least 1")
  .max(1000, "must be at most 1000");

/** A list of keys to read, at most 256. */
export const keysSchema: z.ZodArray<z.ZodString> = z.array(keySchema, {
  error: "must be an array of keys",
}).max(256, "must list at most 256 keys");

/** A short code as typed: letters, digits, dashes and spaces. */
export const shortCodeSchema: z.ZodString = z.string({
  error: "must be a string",
}).min(1, "must not be empty").max(32, "must be at most 32 characters");

/** An invite token as given in a link. */
export const tokenSchema: z.ZodString = z.string({ error: "must be a string" })
  .min(1, "must not be empty").max(128, "must be at most 128 characters")
  .regex(/^[A-Za-z0-9_-]+$/, "must be a base64url token");

/** A time as an ISO 8601 string with `Z` or an offset. */
export const timeStringSchema: z.ZodString = z.string({
  error: "must be a string",
}).max(64, "must be at most 64 characters").refine(
  (value) =>
    ISO_WITH_ZONE.test(value) && isCalendarDate(value) &&
    inRange(Date.parse(value)),
  {
    message:
      "must be an ISO 8601 time with a zone, such as 2026-12-04T15:10:41.123Z",
  },
);

/**
 * Whether the date and clock fields exist: `Date.parse` quietly rolls
 * 2026-02-30 over to March, which must not become a valid time.
 */
function isCalendarDate(value: string): boolean {
  const [year, month, day, hour, minute, second] = value.split(/[-T:.Z+]/i)
    .map(Number) as number[];
  const date = new Date(Date.UTC(2000, (month ?? 0) - 1, day));
  date.setUTCFullYear(year ?? Number.NaN);
  return date.getUTCMonth() === (month ?? 0) - 1 &&
    date.getUTCDate() === day && (hour ?? 99) <= 23 && (minute ?? 99) <= 59 &&
    (second === undefined || Number.isNaN(second) || second <= 59);
}

function inRange(millis: number): boolean {
  return millis >= MIN_TIME && millis <= MAX_TIME;
}

/** A time as a `Date` or an ISO 8601 string with a zone. */
export const timeSchema: z.ZodType<Date | string> = z.union([
  z.date({ error: "must be a valid Date" }).refine(
    (value) => inRange(value.getTime()),
    { message: "must be between the years 0001 and 9999" },
  ),
  timeStringSchema,
], {
  error:
    "must be a Date or an ISO 8601 time with a zone, such as 2026-12-04T15:10:41.123Z",
});

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_union") {
    const inner = issue.errors.flat()[0];
    if (inner !== undefined && issue.errors.length === 1) {
      return inner.message;
    }
  }
  return issue.message;
}

/**
 * Parses `value` with `schema`, naming `field` in the error.
 *
 * @throws {TenantPairError} `INVALID_INPUT` naming the field and the rule.
 */
export function parseField<T>(
  schema: z.ZodType<T>,
  value: unknown,
  field: string,
): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = [field, ...(issue?.path ?? []).map(String)].join(".");
  const rule = issue === undefined ? "is invalid" : describeIssue(issue);
  const shown = typeof value === "string" && !SECRET_FIELDS.has(field)
    ? `; got ${quote(value)}`
    : "";
  throw new TenantPairError(
    "INVALID_INPUT",
    `Invalid ${path}: ${rule}${shown}`,
    {
      details: { field: path },
    },
  );
}

/** Parses an optional field: `undefined` passes through. */
export function parseOptional<T>(
  schema: z.ZodType<T>,
  value: unknown,
  field: string,
): T | undefined {
  return value === undefined ? undefined : parseField(schema, value, field);
}

/** Options for {@linkcode checkJsonValue}. */
export interface JsonCheckOptions {
  /** Largest size of the JSON text in UTF-8 bytes. */
  maxBytes: number;
  /**
   * Name object keys in messages. Off for private preferences, whose key
   * names can be as private as their values.
   */
  showKeys: boolean;
}

/**
 * Checks that `value` is plain JSON within the size and depth limits, and
 * returns a copy parsed from its JSON text. Callers store the copy, so a
 * caller that changes its object after the call cannot change what is
 * written.
 *
 * @throws {TenantPairError} `INVALID_INPUT` for `undefined`, functions,
 * non-finite numbers, cycles, non-plain objects, nesting deeper than
 * {@linkcode MAX_VALUE_DEPTH} and oversized values.
 */
export function checkJsonValue(
  value: unknown,
  field: string,
  options: JsonCheckOptions,
): unknown {
  const problem = findJsonProblem(value, field, new Set(), options.showKeys);
  if (problem !== undefined) {
    throw new TenantPairError("INVALID_INPUT", `Invalid ${problem}`, {
      details: { field },
    });
  }
  const json = JSON.stringify(value);
  const bytes = new TextEncoder().encode(json).length;
  if (bytes > options.maxBytes) {
    throw new TenantPairError(
      "INVALID_INPUT",
      `Invalid ${field}: its JSON is ${bytes} bytes, more than the limit of ${options.maxBytes}; store less or raise maxValueBytes`,
      { details: { field, bytes, maxBytes: options.maxBytes } },
    );
  }
  return JSON.parse(json);
}

/** Shortens a long path inside a value to its first 100 characters. */
function at(path: string): string {
  return path.length > 100 ? `${path.slice(0, 100)}…` : path;
}

function findJsonProblem(
  value: unknown,
  path: string,
  seen: Set<object>,
  showKeys: boolean,
): string | undefined {
  switch (typeof value) {
    case "string":
    case "boolean":
      return undefined;
    case "number":
      return Number.isFinite(value)
        ? undefined
        : `${at(path)}: must be a finite number; got ${value}`;
    case "undefined":
      return `${at(path)}: must be JSON; got undefined`;
    case "object":
      break;
    default:
      return `${at(path)}: must be JSON; got a ${typeof value}`;
  }
  if (value === null) return undefined;
  if (seen.has(value)) return `${at(path)}: must not contain a cycle`;
  if (seen.size >= MAX_VALUE_DEPTH) {
    return `${at(path)}: must not nest deeper than ${MAX_VALUE_DEPTH} levels`;
  }
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const problem = findJsonProblem(
          value[i],
          `${path}[${i}]`,
          seen,
          showKeys,
        );
        if (problem !== undefined) return problem;
      }
      return undefined;
    }
    const prototype = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) {
      return `${at(path)}: must be a plain JSON object; got ${
        (value as object).constructor?.name ?? "an object"
      }`;
    }
    for (const [name, item] of Object.entries(value)) {
      const step = showKeys ? `.${quote(name).slice(1, -1)}` : ".(key)";
      const problem = findJsonProblem(item, `${path}${step}`, seen, showKeys);
      if (problem !== undefined) return problem;
    }
    return undefined;
  } finally {
    seen.delete(value);
  }
}

/**
 * Returns `options` when it is an options object, `{}` when it is undefined.
 *
 * @throws {TenantPairError} `INVALID_INPUT` for anything else, `null` included.
 */
export function optionsObject<T extends object>(
  options: T | undefined,
  field = "options",
): T {
  if (options === undefined) return {} as T;
  if (
    typeof options !== "object" || options === null || Array.isArray(options)
  ) {
    throw new TenantPairError(
      "INVALID_INPUT",
      `Invalid ${field}: must be an options object`,
      { details: { field } },
    );
  }
  return options;
}

/** Converts a checked time input to milliseconds since the epoch. */
export function toMillis(time: Date | string): number {
  return time instanceof Date ? time.getTime() : Date.parse(time);
}

/** The last few times formatted; neighbouring history rows share times. */
const isoCache = new Map<number, string>();

/** Formats milliseconds since the epoch as ISO 8601 UTC with milliseconds. */
export function toIso(millis: number): string {
  let text = isoCache.get(millis);
  if (text === undefined) {
    text = new Date(millis).toISOString();
    if (isoCache.size >= 8) isoCache.clear();
    isoCache.set(millis, text);
  }
  return text;
}
