// The signed-in user's knowledge base as the page shows it: pure logic (no DOM, no network).

/** GET /kb/documents under the API base URL (its first page: metadata only). */
export function documentsUrl(base) {
  return new URL("kb/documents", base).href;
}

/**
 * What the page shows for the list's status and parsed body: a state (`ok`, `error`), one line of text,
 * and the documents as `{ id, title }`. Anything but the API's document page is an error, never an empty
 * list.
 */
export function describeDocuments(status, body) {
  const documents = body?.documents;
  const wellFormed =
    Array.isArray(documents) && documents.every((document) => typeof document?.document_id === "string");
  if (status !== 200 || !wellFormed) {
    const reason = typeof body?.message === "string" ? `: ${body.message}` : "";
    const text = `The API did not list your documents (HTTP ${status})${reason}`;
    return { state: "error", text, documents: [] };
  }
  const listed = documents.map((document) => ({ id: document.document_id, title: String(document.title ?? "") }));
  const count = listed.length === 1 ? "1 document" : `${listed.length} documents`;
  const page = typeof body.next_token === "string" ? " (the first page)" : "";
  return { state: "ok", text: `Your knowledge base: ${count}${page}`, documents: listed };
}
