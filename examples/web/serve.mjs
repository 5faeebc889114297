// Serves the demo chat page on localhost: the page, the built package (wasm/pkg, from
// `bash wasm/build`) under /pkg/, the sample bot as /shop.yaml and the example bots (with
// their help-centre documents) under /bots/; for `/?tier=onnx`, ONNX
// Runtime Web (wasm/node_modules/onnxruntime-web/dist) under /ort/ and the encoder
// (KEFU_TEST_ENCODER_DIR, else tools/build-encoder's output) under /encoder/; for
// `/?tier=static`, the static table (KEFU_TEST_STATIC_TABLE, else tools/build-static's
// output) as /static/table.kefustatic.
//   node examples/web/serve.mjs [port]      then open http://127.0.0.1:8080/
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("../..", import.meta.url));
export const encoderDir = process.env.KEFU_TEST_ENCODER_DIR ?? join(repo, "target/encoder/me5-small-enzh-int8");
export const staticTable = process.env.KEFU_TEST_STATIC_TABLE ?? join(repo, "target/static/me5-small-enzh.kefustatic");
const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css",
  ".wasm": "application/wasm", ".yaml": "text/yaml; charset=utf-8", ".md": "text/markdown; charset=utf-8", ".json": "application/json" };

function resolve(url) {
  const path = normalize(decodeURIComponent(new URL(url, "http://x").pathname));
  if (path.includes("..")) return null;
  if (path === "/") return join(repo, "examples/web/index.html");
  if (path === "/shop.yaml") return join(repo, "examples/bots/shop.yaml");
  if (path.startsWith("/bots/")) return join(repo, "examples", path);
  if (path.startsWith("/pkg/")) return join(repo, "wasm", path);
  if (path.startsWith("/ort/")) return join(repo, "wasm/node_modules/onnxruntime-web/dist", path.slice(5));
  if (path.startsWith("/encoder/")) return join(encoderDir, path.slice(9));
  if (path === "/static/table.kefustatic") return staticTable;
  return join(repo, "examples/web", path);
}

export function serve(port = 8080) {
  const server = createServer(async (req, res) => {
    const file = resolve(req.url);
    try {
      if (!file) throw new Error("bad path");
      const body = await readFile(file);
      res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  return new Promise((ok) => server.listen(port, "127.0.0.1", () => ok(server)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = await serve(Number(process.argv[2] ?? 8080));
  console.log(`kefu demo on http://127.0.0.1:${server.address().port}/`);
}
