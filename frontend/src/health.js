// The SPA's pure logic: reading config.json, building the health URL, and turning GET /health's answer into
// what the page shows. No DOM and no network here, so `node --test` covers every branch.

/** A config.json the SPA cannot use; the message names the field and what was expected. */
export class ConfigError extends Error {}

/**
 * The API base URL from config.json's parsed document. The deploy writes this file per environment, so the
 * same built files run in dev, staging and prod; anything but an absolute http(s) URL is refused.
 */
export function apiBaseUrl(config) {
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    throw new ConfigError("config.json must hold a JSON object with apiBaseUrl");
  }
  const value = config.apiBaseUrl;
  if (typeof value !== "string" || value.trim() === "") {
    throw new ConfigError("config.json: apiBaseUrl is missing or not a string");
  }
  let url;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`config.json: apiBaseUrl ${JSON.stringify(value)} is not an absolute URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError(`config.json: apiBaseUrl must be http(s), got ${url.protocol}`);
  }
  return url.href.endsWith("/") ? url.href : `${url.href}/`;
}

/** The health endpoint under the API base URL (the stage path, e.g. /dev/, is kept). */
export function healthUrl(base) {
  return new URL("health", base).href;
}

/**
 * What the page shows for GET /health's status and parsed body: a state (`ok`, `degraded`, `error`) and one
 * line of text. A body that is not the API's health document is an error, never a pass.
 */
export function describeHealth(status, body) {
  const known = body !== null && typeof body === "object" && typeof body.status === "string";
  if (!known) {
    return { state: "error", text: `Unexpected answer from the API (HTTP ${status})` };
  }
  const where = `${body.environment ?? "?"}, version ${body.version ?? "?"}`;
  if (status === 200 && body.status === "ok") {
    return { state: "ok", text: `API healthy (${where})` };
  }
  if (status === 503 || body.status === "degraded") {
    const failing = (body.checks ?? []).filter((check) => check.status !== "ok").map((check) => check.name);
    return { state: "degraded", text: `API degraded (${where}): ${failing.join(", ") || "no detail"}` };
  }
  return { state: "error", text: `Unexpected answer from the API (HTTP ${status})` };
}
