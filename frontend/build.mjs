// The build: one minified bundle and the page into dist/, the same bytes for the same sources (no
// environment is baked in: the API's URL comes from config.json, which the deploy writes).
import { copyFile, mkdir, rm } from "node:fs/promises";
import { build } from "esbuild";

const out = new URL("./dist/", import.meta.url);
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await build({
  entryPoints: [new URL("./src/main.js", import.meta.url).pathname],
  outfile: new URL("app.js", out).pathname,
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2022",
  legalComments: "none",
  logLevel: "warning",
});
await copyFile(new URL("./src/index.html", import.meta.url), new URL("index.html", out));
