//! The ONNX tier against the real encoder and the real ONNX Runtime library.

use kefu_core::Error;
use kefu_onnx::OnnxEncoder as Encoder;
use kefu_tests::{golden_files, repo_root, run_dialogue_golden_on, test_encoder};

fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
    dot / (norm(a) * norm(b))
}

#[test]
fn embeddings_equal_python_onnxruntime() {
    let Some(encoder) = test_encoder() else { return };
    // Written by tools/onnx-reference.py (tools/test-all runs it first).
    let path = std::env::var_os("KEFU_ONNX_REFERENCE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target/onnx-reference.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run tools/onnx-reference.py", path.display()));
    let reference: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    let sentences = reference["sentences"].as_array().cloned().unwrap_or_default();
    assert!(sentences.len() >= 10);
    let texts: Vec<&str> = sentences.iter().filter_map(|s| s["text"].as_str()).collect();
    // Through embed_batch (the training path, with its cache) and embed (a turn) alike.
    let batched = encoder.embed_batch(&texts, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    for (s, mine) in sentences.iter().zip(&batched) {
        let theirs: Vec<f32> =
            s["embedding"].as_array().into_iter().flatten().filter_map(|x| x.as_f64()).map(|x| x as f32).collect();
        let alone = encoder.embed(s["text"].as_str().unwrap_or_default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(theirs.len(), encoder.dimension());
        assert!(cosine(mine, &theirs) >= 0.9999, "{}: cosine {}", s["text"], cosine(mine, &theirs));
        assert!(cosine(&alone, &theirs) >= 0.9999, "{}: cosine {}", s["text"], cosine(&alone, &theirs));
    }
}

#[test]
fn damaged_model_or_tokenizer_bytes_are_typed_errors() {
    if test_encoder().is_none() {
        return;
    }
    let tokenizer = std::fs::read(kefu_tests::encoder_dir().join("tokenizer.json")).unwrap_or_default();
    let bad_model = Encoder::from_bytes(b"not an onnx model", &tokenizer, "query: ");
    assert!(matches!(&bad_model, Err(Error::Onnx(m)) if m.contains("not a loadable ONNX file")), "{bad_model:?}");
    let bad_tokenizer = Encoder::from_bytes(b"", b"{ nope", "query: ");
    assert!(matches!(&bad_tokenizer, Err(Error::Onnx(m)) if m.contains("tokenizer.json")), "{bad_tokenizer:?}");
}

#[test]
fn dialogue_goldens_pass_on_the_onnx_tier() {
    let Some(encoder) = test_encoder() else { return };
    let failures: Vec<String> = golden_files("dialogue", "yaml")
        .iter()
        .flat_map(|f| run_dialogue_golden_on(f, Some(encoder.clone())))
        .collect();
    assert!(failures.is_empty(), "{} golden failures on the ONNX tier:\n{}", failures.len(), failures.join("\n"));
}

/// A file of the tiny fixture encoder (tools/build-tiny-encoder.py), or `None` when ONNX
/// Runtime is not set up (the tests then skip, as the real-encoder ones do).
fn tiny_fixture(name: &str) -> Option<Vec<u8>> {
    if std::env::var_os(kefu_onnx::ONNXRUNTIME_ENV).is_none() && test_encoder().is_none() {
        return None;
    }
    let path = repo_root().join("tests/fixtures/tiny-encoder").join(name);
    Some(std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// The tiny encoder built from `model` (`model.onnx` or `model-layers.onnx`).
fn tiny_encoder(model: &str) -> Option<Encoder> {
    let (model, tokenizer) = (tiny_fixture(model)?, tiny_fixture("tokenizer.json")?);
    Some(Encoder::from_bytes(&model, &tokenizer, "query: ").unwrap_or_else(|e| panic!("{e}")))
}

/// The plumbing on the tiny fixture encoder (an embedding lookup; tools/build-tiny-encoder.py):
/// tokenizer → ONNX Runtime → mean pooling → L2 norm, checked by hand.
#[test]
fn tiny_encoder_pools_and_normalises_as_e5_does() {
    let Some(encoder) = tiny_encoder("model.onnx") else { return };
    assert_eq!(encoder.dimension(), 8);
    // "query: where is my order" → <s> query : where is my order </s> = ids 0 4 5 6 7 8 9 2;
    // row i of the table is i + 0.1 · d.
    let ids = [0.0f32, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 2.0];
    let mean = ids.iter().sum::<f32>() / ids.len() as f32;
    let raw: Vec<f32> = (0..8).map(|d| mean + 0.1 * d as f32).collect();
    let norm = raw.iter().map(|x| x * x).sum::<f32>().sqrt();
    let got = encoder.embed("where is my order").unwrap_or_else(|e| panic!("{e}"));
    for (g, r) in got.iter().zip(&raw) {
        assert!((g - r / norm).abs() < 1e-5, "{got:?}");
    }
    // Unknown words are <unk>, not an error; an empty text still has <s> and </s>.
    assert_eq!(encoder.embed("完全未知的词").unwrap_or_default().len(), 8);
    assert_eq!(encoder.embed("").unwrap_or_default().len(), 8);
}

/// An encoder with more layers (`model-layers.onnx`): the first output and every
/// `…_hidden_state` output are pooled, normalised, the first weighted 2, concatenated and
/// normalised; other outputs (`pooler_output`) are left out.
#[test]
fn extra_hidden_state_outputs_join_the_embedding() {
    let Some(encoder) = tiny_encoder("model-layers.onnx") else { return };
    assert_eq!(encoder.dimension(), 16);
    let unit = |v: Vec<f32>| {
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.into_iter().map(|x| x / norm).collect::<Vec<f32>>()
    };
    // ids 0 4 5 6 7 8 9 2, as above; the second table is one-hot at id % 8.
    let ids = [0usize, 4, 5, 6, 7, 8, 9, 2];
    let mean = ids.iter().sum::<usize>() as f32 / ids.len() as f32;
    let last = unit((0..8).map(|d| mean + 0.1 * d as f32).collect());
    let layer0 = unit((0..8).map(|d| ids.iter().filter(|&&i| i % 8 == d).count() as f32 / 8.0).collect());
    let expected = unit(last.iter().map(|x| x * kefu_onnx::FIRST_OUTPUT_WEIGHT).chain(layer0).collect());
    let got = encoder.embed("where is my order").unwrap_or_else(|e| panic!("{e}"));
    for (g, e) in got.iter().zip(&expected) {
        assert!((g - e).abs() < 1e-5, "{got:?}\n{expected:?}");
    }
}

/// A model bundle carries the encoder and the embeddings of a bot's examples: loading the
/// bot from it gives the same embeddings without running the encoder for them.
#[test]
fn bundles_round_trip_with_their_embedding_cache() {
    let Some(encoder) = tiny_encoder("model.onnx") else { return };
    let texts = ["where is my order", "refund please", "hello"];
    let mut reported = Vec::new();
    encoder.keep_embeddings(true);
    let fresh = encoder.embed_batch(&texts, &mut |done, total| reported.push((done, total))).unwrap();
    assert_eq!(reported, [(1, 3), (2, 3), (3, 3)]);
    let bundle = kefu_core::ModelBundle {
        metadata: kefu_core::BundleMetadata { name: "tiny".into(), prefix: "query: ".into(), dimension: 8 },
        model: tiny_fixture("model.onnx").unwrap(),
        tokenizer: tiny_fixture("tokenizer.json").unwrap(),
        embeddings: encoder.cached_embeddings(),
        heads: Default::default(),
    };
    let parsed = kefu_core::ModelBundle::from_bytes(&bundle.to_bytes()).unwrap();
    assert_eq!(parsed.embeddings.len(), 3);
    let reloaded = Encoder::from_bundle(&parsed).unwrap();
    assert_eq!(reloaded.embed_batch(&texts, &mut |_, _| {}).unwrap(), fresh);
    let mut wrong = parsed.clone();
    wrong.metadata.dimension = 9;
    assert!(matches!(Encoder::from_bundle(&wrong), Err(Error::ModelBundle(m)) if m.contains("dimension")));
}

/// The tiny encoder as a bundle with what it has embedded and `heads`, written and parsed
/// again.
fn tiny_bundle(encoder: &Encoder, heads: std::collections::BTreeMap<u64, Vec<u8>>) -> kefu_core::ModelBundle {
    let bundle = kefu_core::ModelBundle {
        metadata: kefu_core::BundleMetadata { name: "tiny".into(), prefix: "query: ".into(), dimension: 8 },
        model: tiny_fixture("model.onnx").unwrap(),
        tokenizer: tiny_fixture("tokenizer.json").unwrap(),
        embeddings: encoder.cached_embeddings(),
        heads,
    };
    kefu_core::ModelBundle::from_bytes(&bundle.to_bytes()).unwrap()
}

/// A bundle also carries the models trained on a bot's examples: the same bot loaded on the
/// bundle's encoder reuses them (same bytes, same turns, no training), an edited bot trains
/// afresh, and a damaged head is a typed error.
#[test]
fn bundles_carry_trained_heads_that_reloading_the_bot_reuses() {
    let Some(encoder) = tiny_encoder("model.onnx") else { return };
    let path = repo_root().join("examples/bots/shop.yaml");
    let source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let load = |source: &str, encoder: &std::sync::Arc<Encoder>| {
        kefu_core::BotLoader::new()
            .encoder(encoder.clone())
            .from_yaml("shop.yaml", source)
            .unwrap_or_else(|e| panic!("{e}"))
    };
    encoder.keep_embeddings(true);
    let encoder = std::sync::Arc::new(encoder);
    let trained = load(&source, &encoder);
    let heads = trained.trained_heads();
    assert_eq!(heads.len(), 3, "the intent model, its chosen threshold and the customer-segment model");
    assert_eq!(trained.reused_heads(), 0);
    let parsed = tiny_bundle(&encoder, heads.clone());
    let bundled = std::sync::Arc::new(Encoder::from_bundle(&parsed).unwrap());
    let reloaded = load(&source, &bundled);
    assert_eq!(reloaded.reused_heads(), 2);
    assert_eq!(reloaded.trained_heads(), heads);
    let (mut a, mut b) = (kefu_core::Session::new(&trained), kefu_core::Session::new(&reloaded));
    for utterance in ["where is my order", "我要退款", "I am a dealer and want a bulk price", "hello"] {
        let (x, y) = (a.turn(&trained, utterance).unwrap(), b.turn(&reloaded, utterance).unwrap());
        assert_eq!((x.intent, x.replies), (y.intent, y.replies), "{utterance}");
    }
    // The first `examples:` is the dealer segment's: its model trains afresh, the intent
    // model (whose training run is unchanged) is still reused.
    let edited = source.replacen("examples:", "examples:\n      - we run a chain of repair shops", 1);
    assert_ne!(edited, source);
    assert_eq!(load(&edited, &bundled).reused_heads(), 1);
    let mut damaged = parsed;
    damaged.heads.values_mut().for_each(|h| h.truncate(h.len() - 4));
    let err = Encoder::from_bundle(&damaged).map(|_| ());
    assert!(matches!(&err, Err(Error::ModelBundle(m)) if m.contains("rebuild the bundle")), "{err:?}");
}

/// A bundle that holds the emotion lines' embeddings (as `kefu bundle` makes them) gives a
/// bot the emotion head on its encoder; without them an ONNX-tier bot has none (it would
/// have to run the encoder on 1,239 lines at load).
#[test]
fn a_bundle_with_the_emotion_lines_gives_bots_the_emotion_head() {
    let Some(encoder) = tiny_encoder("model.onnx") else { return };
    let source = std::fs::read_to_string(repo_root().join("examples/bots/shop.yaml")).unwrap();
    let load = |encoder: std::sync::Arc<Encoder>| {
        kefu_core::BotLoader::new().encoder(encoder).from_yaml("shop.yaml", &source).unwrap_or_else(|e| panic!("{e}"))
    };
    encoder.keep_embeddings(true);
    let encoder = std::sync::Arc::new(encoder);
    assert!(!load(encoder.clone()).has_emotion_head());
    encoder.embed_batch(&kefu_core::emotion_training_texts(), &mut |_, _| {}).unwrap();
    let with = load(encoder.clone());
    assert!(with.has_emotion_head());
    let parsed = tiny_bundle(&encoder, with.trained_heads());
    let reloaded = load(std::sync::Arc::new(Encoder::from_bundle(&parsed).unwrap()));
    assert!(reloaded.has_emotion_head(), "the bundle's cache holds the lines");
    let ctx = kefu_core::TurnContext::default();
    for line in ["你们这群骗子，马上退钱！", "where is my order", "this is a scam, refund me right now!"] {
        let (a, b) = (with.analyze(line, &ctx).unwrap(), reloaded.analyze(line, &ctx).unwrap());
        assert_eq!(a.sentiment, b.sentiment, "{line}");
    }
}

/// Examples are embedded on every session at once, and turns on different threads run side
/// by side: an embedding is the same whichever session made it, and an encoder keeps the
/// examples' embeddings only when asked to (for a bundle).
#[test]
fn sessions_side_by_side_give_each_text_its_own_embedding() {
    let Some(model) = tiny_fixture("model-layers.onnx") else { return };
    let tokenizer = tiny_fixture("tokenizer.json").unwrap_or_default();
    let one = Encoder::with_workers(&model, &tokenizer, "query: ", 1).unwrap_or_else(|e| panic!("{e}"));
    let three = Encoder::with_workers(&model, &tokenizer, "query: ", 3).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((one.workers(), three.workers()), (1, 3));
    let texts: Vec<String> = (0..40).map(|i| format!("where is my order {i} please {}", "x".repeat(i % 7))).collect();
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    let mut last = 0;
    let alone = one.embed_batch(&texts, &mut |_, _| {}).unwrap_or_else(|e| panic!("{e}"));
    let spread = three
        .embed_batch(&texts, &mut |done, total| {
            assert!(done == last + 1 && total == texts.len(), "progress counts up one text at a time");
            last = done;
        })
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(spread, alone, "the same embeddings, in the texts' order");
    assert!(three.cached_embeddings().is_empty(), "nothing kept unless asked");
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let (three, texts) = (&three, &texts);
                scope.spawn(move || {
                    texts.iter().skip(t).step_by(4).map(|x| (*x, three.embed(x).ok())).collect::<Vec<_>>()
                })
            })
            .collect();
        for (text, embedding) in handles.into_iter().flat_map(|h| h.join().unwrap_or_default()) {
            let i = texts.iter().position(|t| *t == text).unwrap_or(0);
            assert_eq!(embedding.as_ref(), Some(&alone[i]), "{text}");
        }
    });
}
