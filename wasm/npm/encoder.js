// kefu's ONNX tier in the page: a sentence encoder run by ONNX Runtime Web, which the page
// imports and configures itself (kefu never fetches it, nor anything else, from a CDN).
// Tokenization runs in a separate, lazily loaded wasm (./tokenizer/), so that pages on the
// embedded tier never download it. The steps mirror kefu-core's native `Encoder`: prefix,
// tokenize with special tokens, keep the first `maxTokens` ids, run; mean-pool every
// position of the first output (`last_hidden_state`) and of every other output named
// `…_hidden_state` (the layers tools/build-encoder adds), L2-normalise each; weigh the first 2 and the others 1; concatenate, L2-normalise.
import initTokenizer, { Tokenizer } from "./tokenizer/kefu_tokenizer_wasm.js";

export async function createOnnxEncoder({ ort, model, tokenizer, prefix = "query: ", maxTokens = 128, tokenizerWasm }) {
  if (!ort?.InferenceSession || !ort?.Tensor) {
    throw Object.assign(new Error("createOnnxEncoder needs `ort`: the onnxruntime-web module the page imported"), { code: "invalid_input" });
  }
  await initTokenizer(tokenizerWasm === undefined ? undefined : { module_or_path: tokenizerWasm });
  const tok = new Tokenizer(new Uint8Array(tokenizer));
  const session = await ort.InferenceSession.create(new Uint8Array(model), { executionProviders: ["wasm"] });
  const outputs = session.outputNames.filter((name, i) => i === 0 || name.endsWith("_hidden_state"));
  const FIRST_OUTPUT_WEIGHT = 2;

  const normalise = (v) => {
    const norm = Math.hypot(...v);
    if (norm > 0) for (let d = 0; d < v.length; d++) v[d] /= norm;
    return v;
  };

  async function embedOne(text) {
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
    /** One L2-normalised embedding per text, in order. */
    async embed(texts) {
      const out = [];
      // One at a time, like the native encoder: no padding, so no masked positions.
      for (const text of texts) out.push(await embedOne(text));
      return out;
    },
    /** The token ids the encoder sees for `text` (prefix and special tokens included). */
    tokenize(text) {
      return Array.from(tok.encode(prefix + text)).slice(0, maxTokens);
    },
  };
}
