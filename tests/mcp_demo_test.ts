import assert from "node:assert/strict";
import { ROOT } from "./support/mcp_process.ts";

async function run(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

Deno.test("deno task demo runs the household scenario", async () => {
  const scenario = JSON.parse(
    await Deno.readTextFile(`${ROOT}examples/household.json`),
  );
  const result = await run(["task", "--quiet", "demo"]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(
    result.stdout,
    new RegExp(`All ${scenario.steps.length} steps gave the expected results`),
  );
  // The code is read aloud: lower case, no dash.
  assert.match(
    result.stdout,
    /Sam joins by reading the code aloud: "[0-9a-z]{8}"/,
  );
  assert.match(result.stdout, /✓ FORBIDDEN: /);
  assert.match(result.stdout, /state\.groceries = 120/);
  assert.doesNotMatch(result.stdout, /✗/);
});

Deno.test("demo exits non-zero when a step's result is wrong", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tenant-pair-demo-test-" });
  try {
    const scenario = JSON.parse(
      await Deno.readTextFile(`${ROOT}examples/household.json`),
    );
    const wrong = scenario.steps.findIndex((step: { tool: string }) =>
      step.tool === "get_pair_constraints"
    );
    scenario.steps[wrong].expect = {
      constraints: { allergies: ["peanuts"] },
    };
    const file = `${dir}/wrong.json`;
    await Deno.writeTextFile(file, JSON.stringify(scenario));
    const result = await run(["run", "-A", "examples/mcp_demo.ts", file]);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(
      result.stdout,
      /wrong: constraints is \{"allergies":\["peanuts","shellfish"\]\}, expected \{"allergies":\["peanuts"\]\}/,
    );
    assert.doesNotMatch(result.stdout, /All \d+ steps/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
