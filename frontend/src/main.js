// The page's glue: load config.json (written at deploy time), call GET /health and show the result; sign a
// user in through the environment's user pool and list their knowledge-base documents. The ID token lives
// only in this call: nothing is stored, so no other script can read it later and a reload signs out.
import { idTokenFrom, signInRequest, signInSettings } from "./auth.js";
import { describeDocuments, documentsUrl } from "./documents.js";
import { apiBaseUrl, describeHealth, healthUrl } from "./health.js";

async function fetchJson(url, init = {}) {
  const headers = { Accept: "application/json", ...init.headers };
  const response = await fetch(url, { ...init, headers, cache: "no-store" });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    return { status: response.status, body: null };
  }
}

/** `fetchJson`, with a network failure (CORS refusals included) named after what was called. */
async function call(what, url, init) {
  try {
    return await fetchJson(url, init);
  } catch (error) {
    throw new Error(`Cannot reach ${what}: ${error.message}`, { cause: error });
  }
}

function show(state, text) {
  const element = document.getElementById("health");
  element.dataset.state = state;
  element.textContent = text;
}

function showDocuments(state, text, documents = []) {
  const status = document.getElementById("documents-status");
  status.dataset.state = state;
  status.textContent = text;
  const items = documents.map((found) => {
    const item = document.createElement("li");
    item.dataset.documentId = found.id;
    item.textContent = found.title;
    return item;
  });
  document.getElementById("documents").replaceChildren(...items);
}

async function signInAndList(settings, base, form) {
  showDocuments("loading", "Signing in…");
  try {
    const [url, init] = signInRequest(settings, form.elements.username.value, form.elements.password.value);
    const answer = await call("Cognito", url, init);
    const token = idTokenFrom(answer.status, answer.body);
    showDocuments("loading", "Listing your documents…");
    const listed = await call("the API", documentsUrl(base), { headers: { Authorization: token } });
    const shown = describeDocuments(listed.status, listed.body);
    showDocuments(shown.state, shown.text, shown.documents);
  } catch (error) {
    showDocuments("error", error.message);
  }
}

function enableSignIn(config) {
  try {
    const settings = signInSettings(config);
    const base = apiBaseUrl(config);
    const form = document.getElementById("signin");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      signInAndList(settings, base, form);
    });
    form.elements.fields.disabled = false;
    showDocuments("signed-out", "Sign in to see your documents.");
  } catch (error) {
    showDocuments("error", `Cannot sign in: ${error.message}`);
  }
}

async function main() {
  let config;
  try {
    config = (await fetchJson("config.json")).body;
    const url = healthUrl(apiBaseUrl(config));
    document.getElementById("api").textContent = url;
    const health = await fetchJson(url);
    const shown = describeHealth(health.status, health.body);
    show(shown.state, shown.text);
  } catch (error) {
    show("error", `Cannot reach the API: ${error.message}`);
  }
  enableSignIn(config);
}

main();
