import assert from "node:assert/strict";
import { showValue } from "../src/cli/format.ts";

Deno.test("showValue() escapes terminal controls", () => {
  const shown = showValue("A\u009b31mX\u202eRTL\n");
  assert.equal(shown, '"A\\u009b31mX\\u202eRTL\\n"');
  assert.equal(JSON.parse(shown), "A\u009b31mX\u202eRTL\n");
});

Deno.test("showValue() keeps ordinary text", () => {
  assert.equal(
    showValue({ dish: "crème brûlée 🍮" }),
    '{"dish":"crème brûlée 🍮"}',
  );
});
