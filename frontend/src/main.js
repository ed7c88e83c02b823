// The page's glue: load config.json (written at deploy time), call GET /health, show the result.
import { apiBaseUrl, describeHealth, healthUrl } from "./health.js";

async function fetchJson(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    return { status: response.status, body: null };
  }
}

function show(state, text) {
  const element = document.getElementById("health");
  element.dataset.state = state;
  element.textContent = text;
}

async function main() {
  try {
    const config = await fetchJson("config.json");
    const url = healthUrl(apiBaseUrl(config.body));
    document.getElementById("api").textContent = url;
    const health = await fetchJson(url);
    const shown = describeHealth(health.status, health.body);
    show(shown.state, shown.text);
  } catch (error) {
    show("error", `Cannot reach the API: ${error.message}`);
  }
}

main();
