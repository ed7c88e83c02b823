import assert from "node:assert/strict";
import { test } from "node:test";
import { describeDocuments, documentsUrl } from "../src/documents.js";

const DOCUMENT = { document_id: "a".repeat(32), title: "CV", media_type: "text/plain", size_bytes: 3 };

test("documentsUrl resolves under the stage", () => {
  assert.equal(documentsUrl("https://api.example/dev/"), "https://api.example/dev/kb/documents");
});

test("describeDocuments lists each document by id and title", () => {
  const other = { ...DOCUMENT, document_id: "b".repeat(32), title: "Cover letter" };
  assert.deepEqual(describeDocuments(200, { documents: [DOCUMENT, other] }), {
    state: "ok",
    text: "Your knowledge base: 2 documents",
    documents: [
      { id: "a".repeat(32), title: "CV" },
      { id: "b".repeat(32), title: "Cover letter" },
    ],
  });
  assert.equal(describeDocuments(200, { documents: [DOCUMENT] }).text, "Your knowledge base: 1 document");
  assert.equal(describeDocuments(200, { documents: [] }).text, "Your knowledge base: 0 documents");
});

test("describeDocuments says when it shows only the first page", () => {
  const shown = describeDocuments(200, { documents: [DOCUMENT], next_token: "c".repeat(32) });
  assert.equal(shown.text, "Your knowledge base: 1 document (the first page)");
});

test("describeDocuments treats a refusal or an unexpected body as an error, never an empty list", () => {
  assert.deepEqual(describeDocuments(401, { statusCode: 401, message: "Unauthorized" }), {
    state: "error",
    text: "The API did not list your documents (HTTP 401): Unauthorized",
    documents: [],
  });
  assert.equal(describeDocuments(200, null).state, "error");
  assert.equal(describeDocuments(200, { documents: "none" }).state, "error");
  assert.equal(describeDocuments(200, { documents: [{ title: "no id" }] }).state, "error");
  assert.match(describeDocuments(500, "x").text, /HTTP 500\)$/);
});
