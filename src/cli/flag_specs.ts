import type { FlagSpec } from "./command.ts";

/** `--pair-id`, required by most commands. */
export const PAIR_ID_FLAG: FlagSpec = {
  type: "string",
  placeholder: "ID",
  required: true,
  description: "the pair",
};

/** `--member-id`: always the acting member. */
export const ACTOR_FLAG: FlagSpec = {
  type: "string",
  placeholder: "ID",
  required: true,
  description: "the acting member",
};

/** `--value`: JSON, or a bare word taken as a string. */
export const VALUE_FLAG: FlagSpec = {
  type: "string",
  placeholder: "JSON",
  required: true,
  description:
    `the value as JSON, such as '["peanuts"]', 42, true or '"42"'; text that is not JSON and does not start with {, [ or " is stored as a string, so --value risotto stores "risotto"; at most 65536 bytes`,
};

/** `--namespace` for shared state. */
export const NAMESPACE_FLAG: FlagSpec = {
  type: "string",
  placeholder: "NS",
  description: 'the shared-state namespace; default "default"',
};

/** `--valid-at` for reads as of a valid time. */
export const VALID_AT_FLAG: FlagSpec = {
  type: "string",
  placeholder: "TIME",
  description:
    "read the values that hold at this time, ISO 8601 with a zone; default now",
};

/** `--known-at` for reads as of what the store knew. */
export const KNOWN_AT_FLAG: FlagSpec = {
  type: "string",
  placeholder: "TIME",
  description:
    "read what the store knew at this time, ISO 8601 with a zone; default now",
};

/** `--valid-from` for writes that hold from another time than now. */
export const VALID_FROM_FLAG: FlagSpec = {
  type: "string",
  placeholder: "TIME",
  description:
    "when the value starts to hold, ISO 8601 with a zone; a past time corrects history; default now",
};
