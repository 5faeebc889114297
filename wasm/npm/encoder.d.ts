import type { SentenceEncoder } from "./kefu_wasm.js";

export interface OnnxEncoderOptions {
  /** The page's `onnxruntime-web` module (`import * as ort from "onnxruntime-web"`); set
   * `ort.env.wasm.wasmPaths` to where the page serves its files. */
  ort: {
    InferenceSession: { create(model: Uint8Array, options?: object): Promise<unknown> };
    Tensor: new (type: "int64", data: BigInt64Array, dims: number[]) => unknown;
  };
  /** Bytes of the encoder's `model.onnx`. */
  model: Uint8Array | ArrayBuffer;
  /** Bytes of its `tokenizer.json`. */
  tokenizer: Uint8Array | ArrayBuffer;
  /** Prepended to every text (e5 models: `"query: "`, the default). */
  prefix?: string;
  /** Ids kept per text (default 128, as the native encoder). */
  maxTokens?: number;
  /** The tokenizer's `.wasm` (URL, Response or bytes); by default the file next to this
   * module, which suits pages. Node passes the bytes. */
  tokenizerWasm?: URL | string | Response | BufferSource | WebAssembly.Module;
}

export interface OnnxEncoder extends SentenceEncoder {
  embed(texts: string[]): Promise<Float32Array[]>;
  /** The token ids the encoder sees for `text`. */
  tokenize(text: string): number[];
}

/** A sentence encoder on ONNX Runtime Web, for `Bot.fromYamlWithEncoder`. */
export function createOnnxEncoder(options: OnnxEncoderOptions): Promise<OnnxEncoder>;
