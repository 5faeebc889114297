// kefu's ONNX tier in the page: a sentence encoder run by ONNX Runtime Web, which the page
// imports and configures itself (kefu never fetches it, nor anything else, from a CDN).
// Tokenization runs in a separate, lazily loaded wasm (./tokenizer/), so that pages on the
// embedded tier never download it. The steps mirror kefu-core's native `Encoder`: prefix,
// tokenize with special tokens, keep the first `maxTokens` ids, run; mean-pool every
// position of the first output (`last_hidden_state`) and of every other output named
// `…_hidden_state` (the layers tools/build-encoder adds), L2-normalise each; weigh the first 2 and the others 1; concatenate, L2-normalise.
//
// The encoder keeps the embeddings of the bots' examples and writes them, with the model and
// its tokenizer, as a kefu model bundle (`toBundle`): the format of `kefu bundle`
// (core/src/bundle.rs), so a page can store one and skip embedding on its next visit, and
// load a bundle `kefu bundle` made. The bundle code lives here, not in the wasm, because
// only ONNX-tier pages need it.
import initTokenizer, { Tokenizer } from "./tokenizer/kefu_tokenizer_wasm.js";

export async function createOnnxEncoder({ ort, model, tokenizer, bundle, name, prefix, maxTokens = 128, tokenizerWasm }) {
  if (!ort?.InferenceSession || !ort?.Tensor) {
    throw invalid("createOnnxEncoder needs `ort`: the onnxruntime-web module the page imported");
  }
  const saved = bundle === undefined ? null : parseBundle(bytesOf(bundle, "bundle"));
  if (saved && (model !== undefined || tokenizer !== undefined)) {
    throw invalid("pass either a bundle or a model and a tokenizer, not both");
  }
  model = saved ? saved.model : bytesOf(model, "model");
  tokenizer = saved ? saved.tokenizer : bytesOf(tokenizer, "tokenizer");
  prefix ??= saved?.metadata.prefix ?? "query: ";
  name ??= saved?.metadata.name ?? "encoder";
  // Embeddings of examples by FNV-1a of the prefixed text, as native bundles key them.
  const cache = saved?.embeddings ?? new Map();
  let dimension = saved?.metadata.dimension ?? 0;
  let modelRuns = 0;
  await initTokenizer(tokenizerWasm === undefined ? undefined : { module_or_path: tokenizerWasm });
  const from = saved ? "the bundle's" : "the";
  let tok, session;
  try {
    tok = new Tokenizer(tokenizer);
  } catch (e) {
    throw invalid(`${from} tokenizer does not load (${e?.message ?? e}): it must be the encoder's tokenizer.json`);
  }
  try {
    session = await ort.InferenceSession.create(model, { executionProviders: ["wasm"] });
  } catch (e) {
    throw invalid(`ONNX Runtime Web cannot load ${from} model (${e?.message ?? e}): it must be the encoder's model.onnx`);
  }
  const outputs = session.outputNames.filter((name, i) => i === 0 || name.endsWith("_hidden_state"));
  const FIRST_OUTPUT_WEIGHT = 2;

  const normalise = (v) => {
    const norm = Math.hypot(...v);
    if (norm > 0) for (let d = 0; d < v.length; d++) v[d] /= norm;
    return v;
  };

  async function embedOne(text) {
    modelRuns++;
    const ids = Array.from(tok.encode(prefix + text)).slice(0, maxTokens);
    const n = ids.length;
    const tensor = (values) => new ort.Tensor("int64", BigInt64Array.from(values, BigInt), [1, n]);
    const feeds = {
      input_ids: tensor(ids),
      attention_mask: tensor(new Array(n).fill(1)),
      token_type_ids: tensor(new Array(n).fill(0)),
    };
    const results = await session.run(feeds);
    const blocks = outputs.map((name, i) => {
      const hidden = results[name];
      const [, tokens, dim] = hidden.dims;
      const v = new Float32Array(dim);
      for (let t = 0; t < tokens; t++) {
        for (let d = 0; d < dim; d++) v[d] += hidden.data[t * dim + d];
      }
      normalise(v);
      const weight = i === 0 ? FIRST_OUTPUT_WEIGHT : 1;
      for (let d = 0; d < dim; d++) v[d] *= weight;
      return v;
    });
    const v = new Float32Array(blocks.reduce((n, b) => n + b.length, 0));
    let at = 0;
    for (const b of blocks) {
      v.set(b, at);
      at += b.length;
    }
    normalise(v);
    return v;
  }

  return {
    /** One L2-normalised embedding per text, in order. With `{ examples: true }` (a bot's
     * load) the texts come from the cache when it has them and join it when not, for
     * `toBundle`; turns (no options) always run the model, as on native builds. */
    async embed(texts, { examples = false } = {}) {
      const out = [];
      // One at a time, like the native encoder: no padding, so no masked positions.
      for (const text of texts) {
        const key = examples ? textKey(prefix + text) : null;
        let v = examples ? cache.get(key) : undefined;
        if (v === undefined) {
          v = await embedOne(text);
          if (examples && (dimension === 0 || v.length === dimension)) {
            cache.set(key, v);
            dimension = v.length;
          }
        }
        out.push(v);
      }
      return out;
    },
    /** The token ids the encoder sees for `text` (prefix and special tokens included). */
    tokenize(text) {
      return Array.from(tok.encode(prefix + text)).slice(0, maxTokens);
    },
    /** How many texts the model has run on (cached ones are not run). */
    get modelRuns() {
      return modelRuns;
    },
    /** A kefu model bundle of this encoder and the examples' embeddings it keeps (and the
     * trained heads of the bundle it came from, if any), for `createOnnxEncoder({ bundle })`
     * next time, or native builds (`kefu … --encoder FILE`, `Encoder.fromBundle`). */
    async toBundle() {
      if (dimension === 0) dimension = (await embedOne("")).length;
      return writeBundle({ name, prefix, dimension }, model, tokenizer, cache, saved?.heads ?? new Uint8Array());
    },
  };
}

const utf8 = new TextEncoder();
const BUNDLE_MAGIC = "KEFUMODL";
const BUNDLE_VERSION = 2;

const invalid = (message) => Object.assign(new Error(message), { code: "invalid_input" });
const damaged = (why) => invalid(`not a usable kefu model bundle: ${why}; make it again with \`kefu bundle\` or encoder.toBundle()`);

function bytesOf(value, what) {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
    return value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }
  throw invalid(`createOnnxEncoder: \`${what}\` must be the file's bytes (a Uint8Array or ArrayBuffer)`);
}

/** FNV-1a (64-bit) of the UTF-8 bytes of `text`, as a BigInt: in two 32-bit halves, since
 * a BigInt step per byte is slow. The prime is 2^40 + 0x1b3. */
function textKey(text) {
  let hi = 0xcbf29ce4, lo = 0x84222325;
  for (const b of utf8.encode(text)) {
    lo = (lo ^ b) >>> 0;
    const low = lo * 0x1b3;
    const carry = Math.floor(low / 0x100000000);
    hi = (hi * 0x1b3 + carry + ((lo << 8) >>> 0)) >>> 0;
    lo = low >>> 0;
  }
  return (BigInt(hi) << 32n) | BigInt(lo);
}

let crcTable;
function crc32(bytes) {
  crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
    for (let k = 0; k < 8; k++) n = n & 1 ? 0xedb88320 ^ (n >>> 1) : n >>> 1;
    return n;
  });
  let crc = 0xffffffff;
  for (const b of bytes) crc = crcTable[(crc ^ b) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** Reads a bundle (layout: core/src/bundle.rs), checking every length against the bytes. */
function parseBundle(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 14 || new TextDecoder().decode(bytes.subarray(0, 8)) !== BUNDLE_MAGIC) {
    throw damaged("no KEFUMODL header");
  }
  const version = view.getUint16(8, true);
  if (version < 1 || version > BUNDLE_VERSION) throw damaged(`format version ${version}, this package reads 1 to ${BUNDLE_VERSION}`);
  if (crc32(bytes.subarray(14)) !== view.getUint32(10, true)) throw damaged("checksum mismatch (the file is damaged)");
  let at = 14;
  const section = (what) => {
    const n = at + 8 <= bytes.length ? Number(view.getBigUint64(at, true)) : Infinity;
    if (at + 8 + n > bytes.length) throw damaged(`the ${what} section is cut short`);
    const s = bytes.subarray(at + 8, at + 8 + n);
    at += 8 + n;
    return s;
  };
  let metadata;
  try {
    metadata = JSON.parse(new TextDecoder().decode(section("metadata")));
  } catch (e) {
    if (e.code) throw e;
    throw damaged("its metadata is not JSON");
  }
  const { name, prefix, dimension } = metadata ?? {};
  if (typeof name !== "string" || typeof prefix !== "string" || !Number.isInteger(dimension) || dimension <= 0) {
    throw damaged("its metadata lacks a name, a prefix or a dimension");
  }
  const model = section("model");
  const tokenizer = section("tokenizer");
  const cached = section("embedding cache");
  const entry = 8 + 4 * dimension;
  if (cached.length % entry !== 0) throw damaged("the embedding cache does not match its dimension");
  const embeddings = new Map();
  const cacheView = new DataView(cached.buffer, cached.byteOffset, cached.byteLength);
  for (let e = 0; e < cached.length; e += entry) {
    const v = new Float32Array(dimension);
    for (let d = 0; d < dimension; d++) v[d] = cacheView.getFloat32(e + 8 + 4 * d, true);
    if (!v.every(Number.isFinite)) throw damaged("an embedding holds a value that is not a finite number");
    embeddings.set(cacheView.getBigUint64(e, true), v);
  }
  const heads = version >= 2 ? section("heads") : new Uint8Array();
  // The heads are kept as they are (native builds reuse them); only their framing is checked.
  const headsView = new DataView(heads.buffer, heads.byteOffset, heads.byteLength);
  for (let h = 0; h < heads.length; ) {
    const n = h + 16 <= heads.length ? Number(headsView.getBigUint64(h + 8, true)) : Infinity;
    if (h + 16 + n > heads.length) throw damaged("the heads section is cut short");
    h += 16 + n;
  }
  if (at !== bytes.length) throw damaged("trailing bytes after its last section");
  return { metadata: { name, prefix, dimension }, model, tokenizer, embeddings, heads };
}

/** Writes a format-2 bundle; embeddings in key order, as native builds write them. */
function writeBundle(metadata, model, tokenizer, embeddings, heads) {
  const json = utf8.encode(JSON.stringify(metadata));
  const keys = [...embeddings.keys()].filter((k) => embeddings.get(k).length === metadata.dimension);
  keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const cached = new Uint8Array(keys.length * (8 + 4 * metadata.dimension));
  const cacheView = new DataView(cached.buffer);
  keys.forEach((key, i) => {
    const at = i * (8 + 4 * metadata.dimension);
    cacheView.setBigUint64(at, key, true);
    embeddings.get(key).forEach((x, d) => cacheView.setFloat32(at + 8 + 4 * d, x, true));
  });
  const sections = [json, model, tokenizer, cached, heads];
  const body = new Uint8Array(sections.reduce((n, s) => n + 8 + s.length, 0));
  const bodyView = new DataView(body.buffer);
  let at = 0;
  for (const s of sections) {
    bodyView.setBigUint64(at, BigInt(s.length), true);
    body.set(s, at + 8);
    at += 8 + s.length;
  }
  const out = new Uint8Array(14 + body.length);
  const outView = new DataView(out.buffer);
  out.set(utf8.encode(BUNDLE_MAGIC));
  outView.setUint16(8, BUNDLE_VERSION, true);
  outView.setUint32(10, crc32(body), true);
  out.set(body, 14);
  return out;
}
