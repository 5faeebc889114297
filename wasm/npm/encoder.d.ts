import type { SentenceEncoder } from "./kefu_wasm.js";

export interface OnnxEncoderOptions {
  /** The page's `onnxruntime-web` module (`import * as ort from "onnxruntime-web"`); set
   * `ort.env.wasm.wasmPaths` to where the page serves its files. */
  ort: {
    InferenceSession: { create(model: Uint8Array, options?: object): Promise<unknown> };
    Tensor: new (type: "int64", data: BigInt64Array, dims: number[]) => unknown;
  };
  /** Bytes of the encoder's `model.onnx` (or give a `bundle`). */
  model?: Uint8Array | ArrayBuffer;
  /** Bytes of its `tokenizer.json`. */
  tokenizer?: Uint8Array | ArrayBuffer;
  /** A kefu model bundle instead of `model` and `tokenizer`: one `encoder.toBundle()` saved,
   * or one `kefu bundle` made. Bots loaded with this encoder take the examples' embeddings it
   * holds instead of running the model on them. A damaged one rejects with `invalid_input`. */
  bundle?: Uint8Array | ArrayBuffer;
  /** A name for people, kept in bundles (default: the bundle's, else `"encoder"`). */
  name?: string;
  /** Prepended to every text (default: the bundle's, else `"query: "` as e5 models want). */
  prefix?: string;
  /** Ids kept per text (default 128, as the native encoder). */
  maxTokens?: number;
  /** The tokenizer's `.wasm` (URL, Response or bytes); by default the file next to this
   * module, which suits pages. Node passes the bytes. */
  tokenizerWasm?: URL | string | Response | BufferSource | WebAssembly.Module;
}

export interface OnnxEncoder extends SentenceEncoder {
  /** With `{ examples: true }` (what a bot's load passes) the embeddings are cached, for
   * `toBundle`; turns always run the model. */
  embed(texts: string[], options?: { examples?: boolean }): Promise<Float32Array[]>;
  /** The token ids the encoder sees for `text`. */
  tokenize(text: string): number[];
  /** How many texts the model has run on (cached examples are not run). */
  readonly modelRuns: number;
  /** A kefu model bundle (format 2) of the model, its tokenizer and the examples' embeddings
   * this encoder holds (and the trained heads of the bundle it came from, which native builds
   * reuse), for `createOnnxEncoder({ ort, bundle })` on the next visit. */
  toBundle(): Promise<Uint8Array>;
}

/** A sentence encoder on ONNX Runtime Web, for `Bot.fromYamlWithEncoder`. */
export function createOnnxEncoder(options: OnnxEncoderOptions): Promise<OnnxEncoder>;
