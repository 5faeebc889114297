//! The ONNX tier with embeddings the host computes (the web package on ONNX Runtime Web):
//! no encoder needed here, so synthetic embeddings stand in for a sentence encoder.

use kefu_core::{Bot, BotLoader, Error, Session, TurnContext};

const BOT: &str = "version: 1
intents:
  refund:
    examples: [我要退款, 申请退款, i want a refund, refund my order]
  track:
    examples: [查一下物流, 我的快递到哪了, where is my parcel, track my order]
faq:
  hours:
    questions: [你们几点上班, what are your opening hours]
    answer: { zh: 九点到六点, en: nine to six }
";

/// A toy "encoder": the one-hot vector of the example's class, so that a turn's embedding
/// alone can decide its intent.
fn one_hot(class: usize) -> Vec<f32> {
    let mut v = vec![0.0; 3];
    v[class] = 1.0;
    v
}

fn class_of(text: &str) -> usize {
    let refund = ["退款", "refund"].iter().any(|w| text.contains(w));
    let track = ["物流", "快递", "parcel", "track"].iter().any(|w| text.contains(w));
    if refund {
        0
    } else if track {
        1
    } else {
        2
    }
}

#[test]
fn embeddings_from_the_host_train_the_model_and_steer_turns() {
    let texts = Bot::texts_to_embed("bot.yaml", BOT).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(texts.len(), 10, "{texts:?}");
    assert!(texts.contains(&"what are your opening hours".to_string()));
    let embeddings: Vec<Vec<f32>> = texts.iter().map(|t| one_hot(class_of(t))).collect();
    let bot = BotLoader::new().embeddings(&embeddings).from_yaml("bot.yaml", BOT).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(bot.tier(), kefu_core::Tier::Onnx);
    assert_eq!(bot.embedding_dimension(), 3);

    // Words the n-grams have never seen: only the embedding knows what they mean.
    let unseen = "zzz qqq xxx";
    let top_with = |embedding: Option<Vec<f32>>| {
        let ctx = TurnContext { embedding: embedding.as_deref(), ..TurnContext::default() };
        let turn = Session::new(&bot).turn_with(&bot, unseen, &ctx).unwrap_or_else(|e| panic!("{e}"));
        let top = turn.alternatives.first().cloned().unwrap_or_else(|| panic!("no ranking: {turn:?}"));
        (top.name, top.confidence)
    };
    let (refund, sure) = top_with(Some(one_hot(0)));
    assert_eq!(refund, "refund");
    assert_eq!(top_with(Some(one_hot(1))).0, "track");
    // Without an embedding (or with one of the wrong length, or a non-finite value) the same
    // words leave the model unsure.
    let (_, unsure) = top_with(None);
    assert!(unsure < sure - 0.2, "without {unsure}, with {sure}");
    assert!((top_with(Some(vec![1.0; 7])).1 - unsure).abs() < 1e-6);
    assert!((top_with(Some(vec![1.0, f32::NAN, 0.0])).1 - unsure).abs() < 1e-6);
}

#[test]
fn segment_examples_are_embedded_after_the_classifier_examples() {
    let with_segments =
        format!("{BOT}segments:\n  dealer:\n    examples: [我们是经销商想批量进货, we buy wholesale for our shops]\n");
    let texts = Bot::texts_to_embed("bot.yaml", &with_segments).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(texts.len(), 12);
    assert_eq!(texts[10..], ["我们是经销商想批量进货", "we buy wholesale for our shops"]);
    let embeddings: Vec<Vec<f32>> = texts.iter().map(|t| one_hot(class_of(t))).collect();
    let bot = BotLoader::new()
        .embeddings(&embeddings)
        .from_yaml("bot.yaml", &with_segments)
        .unwrap_or_else(|e| panic!("{e}"));
    let turn = Session::new(&bot).turn(&bot, "我们是经销商，想批量进货").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(turn.segment.as_deref(), Some("dealer"));

    // The segment model uses the embeddings: give the dealer examples a dimension of their
    // own, and words it has never seen are a dealer's when the turn's embedding says so.
    let marked: Vec<Vec<f32>> = (0..texts.len())
        .map(|i| (0..4).map(|d| f32::from(u8::from(d == if i >= 10 { 3 } else { 2 }))).collect())
        .collect();
    let bot =
        BotLoader::new().embeddings(&marked).from_yaml("bot.yaml", &with_segments).unwrap_or_else(|e| panic!("{e}"));
    let segment_with = |embedding: Option<&[f32]>| {
        let ctx = TurnContext { embedding, ..TurnContext::default() };
        Session::new(&bot).turn_with(&bot, "zzz qqq xxx", &ctx).unwrap_or_else(|e| panic!("{e}")).segment
    };
    assert_eq!(segment_with(Some(&[0.0, 0.0, 0.0, 1.0])).as_deref(), Some("dealer"));
    assert_eq!(segment_with(None), None);
}

#[test]
fn wrong_embeddings_are_typed_errors_that_say_what_to_pass() {
    let texts = Bot::texts_to_embed("bot.yaml", BOT).unwrap_or_else(|e| panic!("{e}"));
    let good: Vec<Vec<f32>> = texts.iter().map(|t| one_hot(class_of(t))).collect();
    let onnx_error = |embeddings: &[Vec<f32>]| match BotLoader::new().embeddings(embeddings).from_yaml("bot.yaml", BOT)
    {
        Err(Error::Onnx(message)) => message,
        other => panic!("expected an ONNX-tier error, got {other:?}"),
    };
    assert!(onnx_error(&good[1..]).contains("got 9 embeddings for 10 texts"));
    let mut ragged = good.clone();
    ragged[4].push(0.5);
    assert!(onnx_error(&ragged).contains("embedding 4 has 4 values"));
    let mut not_finite = good.clone();
    not_finite[2][0] = f32::NAN;
    assert!(onnx_error(&not_finite).contains("non-finite"));
    assert!(onnx_error(&vec![Vec::new(); 10]).contains("empty"));
    // A broken bot file is reported as such, before any embedding is looked at.
    assert!(matches!(Bot::texts_to_embed("bot.yaml", "version: 1\nintents: {}"), Err(Error::BotFile(_))));
}

/// A host that embeds by itself keeps a model bundle as its cache: the embeddings by text
/// and the trained heads. Loading the same bot with it reuses the heads (the same answers,
/// no training); an edited bot trains again; a damaged head is a typed error.
#[test]
fn a_bundle_of_host_embeddings_and_heads_spares_the_next_load() {
    let texts = Bot::texts_to_embed("bot.yaml", BOT).unwrap_or_else(|e| panic!("{e}"));
    let embeddings: Vec<Vec<f32>> = texts.iter().map(|t| one_hot(class_of(t))).collect();
    let first = BotLoader::new().embeddings(&embeddings).from_yaml("bot.yaml", BOT).unwrap_or_else(|e| panic!("{e}"));
    let metadata = kefu_core::BundleMetadata { name: "host cache".into(), prefix: "query: ".into(), dimension: 3 };
    let mut cache = kefu_core::ModelBundle {
        metadata,
        model: Vec::new(),
        tokenizer: Vec::new(),
        embeddings: Default::default(),
        heads: first.trained_heads(),
    };
    assert_eq!(cache.heads.len(), 2, "the intent model and its chosen threshold (this bot has no segments)");
    for (text, embedding) in texts.iter().zip(&embeddings) {
        cache.insert_embedding(text, embedding.clone());
    }
    let cache = kefu_core::ModelBundle::from_bytes(&cache.to_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let from_cache: Vec<Vec<f32>> =
        texts.iter().map(|t| cache.embedding_of(t).map(<[f32]>::to_vec).unwrap_or_default()).collect();
    assert_eq!(from_cache, embeddings);
    let again = BotLoader::new()
        .embeddings(&from_cache)
        .bundle(&cache)
        .from_yaml("bot.yaml", BOT)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((first.reused_heads(), again.reused_heads()), (0, 1));
    assert_eq!(again.trained_heads(), first.trained_heads());
    for (text, class) in [("我要退款", 0), ("where is my parcel", 1), ("hello", 2)] {
        let ctx = TurnContext { embedding: Some(&one_hot(class)), ..TurnContext::default() };
        let turn = |bot: &Bot| Session::new(bot).turn_with(bot, text, &ctx).unwrap_or_else(|e| panic!("{e}"));
        let (a, b) = (turn(&first), turn(&again));
        assert_eq!((a.intent, a.alternatives), (b.intent, b.alternatives), "{text}");
    }
    let edited = BOT.replace("[我要退款,", "[我要退款, 退钱,");
    let texts = Bot::texts_to_embed("bot.yaml", &edited).unwrap_or_else(|e| panic!("{e}"));
    let embeddings: Vec<Vec<f32>> = texts.iter().map(|t| one_hot(class_of(t))).collect();
    let edited = BotLoader::new()
        .embeddings(&embeddings)
        .bundle(&cache)
        .from_yaml("bot.yaml", &edited)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(edited.reused_heads(), 0, "a new example is a new training run");
    let mut damaged = cache.clone();
    damaged.heads.values_mut().for_each(|h| h.truncate(3));
    let err = BotLoader::new().embeddings(&from_cache).bundle(&damaged).from_yaml("bot.yaml", BOT).map(|_| ());
    assert!(matches!(&err, Err(Error::ModelBundle(m)) if m.contains("damaged")), "{err:?}");
}
