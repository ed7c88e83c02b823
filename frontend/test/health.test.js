import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, apiBaseUrl, describeHealth, healthUrl } from "../src/health.js";

test("apiBaseUrl keeps the stage path and ends it with a slash", () => {
  assert.equal(
    apiBaseUrl({ apiBaseUrl: "https://abc.execute-api.eu-west-1.amazonaws.com/dev" }),
    "https://abc.execute-api.eu-west-1.amazonaws.com/dev/",
  );
  assert.equal(apiBaseUrl({ apiBaseUrl: "http://127.0.0.1:8000/" }), "http://127.0.0.1:8000/");
});

test("apiBaseUrl refuses each bad config with a message naming the problem", () => {
  const cases = [
    [null, /JSON object/],
    [[], /JSON object/],
    ["https://x", /JSON object/],
    [{}, /apiBaseUrl is missing/],
    [{ apiBaseUrl: 42 }, /apiBaseUrl is missing/],
    [{ apiBaseUrl: "  " }, /apiBaseUrl is missing/],
    [{ apiBaseUrl: "/dev/" }, /not an absolute URL/],
    [{ apiBaseUrl: "javascript:alert(1)" }, /must be http\(s\), got javascript:/],
  ];
  for (const [config, message] of cases) {
    assert.throws(() => apiBaseUrl(config), (error) => error instanceof ConfigError && message.test(error.message));
  }
});

test("healthUrl resolves under the stage", () => {
  assert.equal(healthUrl("https://api.example/dev/"), "https://api.example/dev/health");
});

test("describeHealth shows a healthy API with its environment and version", () => {
  const body = { status: "ok", environment: "dev", version: "abc123", checks: [] };
  assert.deepEqual(describeHealth(200, body), { state: "ok", text: "API healthy (dev, version abc123)" });
});

test("describeHealth names the failing dependencies of a degraded API", () => {
  const body = {
    status: "degraded",
    environment: "dev",
    version: "abc123",
    checks: [
      { name: "table:kb-documents", status: "ok" },
      { name: "bucket:kb-documents", status: "unreachable" },
    ],
  };
  assert.deepEqual(describeHealth(503, body), {
    state: "degraded",
    text: "API degraded (dev, version abc123): bucket:kb-documents",
  });
});

test("describeHealth treats anything else as an error, never as healthy", () => {
  assert.equal(describeHealth(200, null).state, "error");
  assert.equal(describeHealth(403, { message: "Forbidden" }).state, "error");
  assert.equal(describeHealth(500, { status: "ok" }).state, "error");
  assert.match(describeHealth(502, "x").text, /HTTP 502/);
});
