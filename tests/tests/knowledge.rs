//! Answers from documents: quoted verbatim with citations that point at the document's
//! own characters, declined when the documents do not answer, and bad document sets as
//! typed errors. The help centre is the knowledge-QA set (tests/fixtures/knowledge).

use kefu_core::{Bot, BotLoader, Document, Error, ProblemKind, Session, Signal, MAX_KNOWLEDGE_BYTES};
use kefu_tests::{repo_root, test_encoder};

fn help_centre() -> Vec<Document> {
    let dir = repo_root().join("tests/fixtures/knowledge/help");
    let mut names: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names.into_iter().map(|name| Document { text: std::fs::read_to_string(dir.join(&name)).unwrap(), name }).collect()
}

fn questions() -> Vec<String> {
    let text = std::fs::read_to_string(repo_root().join("tests/fixtures/knowledge/questions.yaml")).unwrap();
    let file: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    file["questions"].as_sequence().unwrap().iter().map(|q| q["q"].as_str().unwrap().to_string()).collect()
}

/// A bot with a few intents and the help centre, its documents passed in by the host.
const SHOP: &str = r#"
version: 1
name: help-shop
intents:
  order_status:
    examples: [我的订单到哪了, 查一下物流, where is my order, track my package]
    response: { zh: 正在为您查询。, en: Let me check that for you. }
  human_agent:
    keywords: [转人工, human agent]
    handoff: true
handoff:
  fallback_streak: 3
knowledge:
  documents:
    - name: returns-zh.md
"#;

fn shop_bot(documents: &[Document]) -> Bot {
    BotLoader::new().documents(documents).from_yaml("help-shop.yaml", SHOP).unwrap()
}

/// Every answer to every question of the set: each citation is the document's text at
/// its span, character for character, and the reply is those texts and nothing else.
#[test]
fn every_quoted_sentence_is_the_documents_own() {
    let documents = help_centre();
    let bot = shop_bot(&documents);
    let mut answered = 0;
    let mut taken_for_person = Vec::new();
    for question in questions() {
        let mut session = Session::new(&bot);
        let turn = session.turn(&bot, &question).unwrap();
        if turn.intent.as_ref().is_some_and(|m| m.name == "human_agent") {
            taken_for_person.push(question.clone());
        }
        if turn.citations.is_empty() {
            continue;
        }
        answered += 1;
        // The quote is the first reply (an upset customer's handoff may follow it).
        let mut rest = turn.replies[0].as_str();
        for c in &turn.citations {
            let doc = documents.iter().find(|d| d.name == c.document).expect("cited document exists");
            let text: String = doc.text.chars().skip(c.start).take(c.end - c.start).collect();
            assert_eq!(text, c.text, "{question}: citation {}..{} of {}", c.start, c.end, c.document);
            rest = rest
                .trim_start()
                .strip_prefix(c.text.as_str())
                .unwrap_or_else(|| panic!("{question}: the reply {:?} is not its citations in order", turn.replies[0]));
        }
        assert!(rest.trim().is_empty(), "{question}: the reply says more than its citations: {rest:?}");
        assert!(turn.citations.len() <= 3);
        let first = &turn.citations[0];
        assert!(turn
            .signals
            .contains(&Signal::KnowledgeAnswered { document: first.document.clone(), heading: first.heading.clone() }));
    }
    assert!(answered >= 100, "only {answered} questions answered from the documents");
    // Two help-centre questions that ask about the agents are taken for requests for a
    // person (docs/measurements.md); no other is.
    assert_eq!(taken_for_person, ["人工客服几点上班", "can I talk to someone at 2am"]);
}

#[test]
fn answers_declines_and_lets_intents_go_first() {
    let bot = shop_bot(&help_centre());
    let mut session = Session::new(&bot);
    let turn = session.turn(&bot, "钱退到银行卡要多久").unwrap();
    assert_eq!(turn.intent, None);
    assert_eq!(turn.citations[0].document, "refunds-zh.md");
    assert_eq!(turn.citations[0].heading, ["退款到账时间"]);
    assert_eq!(turn.citations[0].title, "退款说明");
    assert!(turn.replies[0].starts_with("仓库收到退货并检查无误后"), "{:?}", turn.replies);

    // What the documents do not say: the fallback, and the streak counts it.
    let turn = session.turn(&bot, "你们招聘客服吗").unwrap();
    assert!(turn.citations.is_empty());
    assert!(turn.signals.contains(&Signal::Fallback { streak: 1 }));

    // An intent the model is sure of is not a question for the documents.
    let turn = session.turn(&bot, "我的订单到哪了").unwrap();
    assert_eq!(turn.intent.map(|m| m.name).as_deref(), Some("order_status"));
    assert!(turn.citations.is_empty());

    // Analytics count the quoted answers.
    let mut analytics = kefu_core::Analytics::default();
    analytics.record(&Session::new(&bot).turn(&bot, "钱退到银行卡要多久").unwrap());
    analytics.record(&Session::new(&bot).turn(&bot, "你们招聘客服吗").unwrap());
    assert_eq!(analytics.report().knowledge_answered, 1);

    // The agent's brief says what the bot quoted.
    let turn = session.turn(&bot, "转人工").unwrap();
    let handoff = turn.signals.iter().find_map(|s| if let Signal::Handoff(h) = s { Some(h) } else { None });
    let brief = &handoff.expect("handed off").brief;
    assert!(brief.bot_did.iter().any(|l| l.contains("退款说明 › 退款到账时间")), "{:?}", brief.bot_did);
}

#[test]
fn search_ranks_and_lists_passages() {
    let bot = shop_bot(&help_centre());
    let hits = bot.search_knowledge("how long is the warranty on a toaster", 3).unwrap();
    assert_eq!(hits.len(), 3);
    assert_eq!(hits[0].passage.document, "warranty-en.md");
    assert!(hits.windows(2).all(|w| w[0].passage != w[1].passage));
    let passages = bot.knowledge_passages();
    assert_eq!(passages.len(), 138);
    assert!(passages.iter().all(|p| !p.text.is_empty() && p.end > p.start));
    assert!(bot.knowledge_threshold().is_some_and(|t| (0.0..=1.0).contains(&t)));
    assert!(matches!(bot.search_knowledge(&"退".repeat(5000), 3), Err(Error::UtteranceTooLong { .. })));
    let plain = Bot::from_yaml("plain.yaml", "version: 1\nintents:\n  hi:\n    examples: [hello, hi there]\n").unwrap();
    assert!(plain.search_knowledge("退款", 3).unwrap().is_empty());
    assert_eq!(plain.knowledge_threshold(), None);
}

#[test]
fn bad_document_sets_are_typed_errors() {
    let problem = |result: kefu_core::Result<Bot>| match result {
        Err(Error::BotFile(e)) => e.problems.into_iter().map(|p| (p.kind, p.message)).collect::<Vec<_>>(),
        other => panic!("expected a bot-file error, got {other:?}"),
    };
    // Named in the file, text neither there nor passed in.
    let problems = problem(BotLoader::new().from_yaml("help-shop.yaml", SHOP));
    assert_eq!(problems[0].0, ProblemKind::MissingDocument);
    assert!(problems[0].1.contains("returns-zh.md"), "{}", problems[0].1);
    // A threshold out of range, a document without a name.
    let src = "version: 1\nknowledge:\n  threshold: 1.5\n  documents:\n    - name: ''\n      text: hi\n";
    let kinds: Vec<ProblemKind> = problem(Bot::from_yaml("k.yaml", src)).into_iter().map(|p| p.0).collect();
    assert!(kinds.contains(&ProblemKind::BadSetting) && kinds.contains(&ProblemKind::BadName), "{kinds:?}");
    // Too much text.
    let huge = Document { name: "huge.md".into(), text: "退货".repeat(MAX_KNOWLEDGE_BYTES / 6 + 1) };
    let problems = problem(
        BotLoader::new()
            .documents(&[huge])
            .from_yaml("k.yaml", "version: 1\nknowledge: {}\nintents:\n  hi:\n    examples: [hello, hi there]\n"),
    );
    assert_eq!(problems[0].0, ProblemKind::TooLarge);
}

#[test]
fn odd_documents_load_and_answer_nothing_wrong() {
    let odd = [
        Document { name: "empty.md".into(), text: String::new() },
        Document { name: "headings.md".into(), text: "# A\n## B\n### C\n".into() },
        Document { name: "noise.txt".into(), text: "\u{0}\u{FEFF}#\n\n\r\n- \n1. \n。。。\n😀😀".into() },
        Document { name: "long-line.txt".into(), text: "很长的一句话".repeat(2000) },
    ];
    let src = "version: 1\nknowledge:\n  documents:\n    - name: inline.md\n      text: \"## 运费\\n满 99 元包邮。\"\n";
    let bot = BotLoader::new().documents(&odd).from_yaml("k.yaml", src).unwrap();
    let mut session = Session::new(&bot);
    for line in ["", "。", "😀", "运费怎么算", "很长的一句话", "#"] {
        let turn = session.turn(&bot, line).unwrap();
        for c in &turn.citations {
            assert!(c.end > c.start && !c.text.trim().is_empty(), "{line:?}: {c:?}");
        }
    }
    let turn = Session::new(&bot).turn(&bot, "运费怎么算").unwrap();
    assert_eq!(turn.replies, ["满 99 元包邮。"]);
    assert_eq!(turn.citations[0].document, "inline.md");
}

/// On the ONNX tier the passages' embeddings find what shares no word with the question.
#[test]
fn the_onnx_tier_finds_paraphrases() {
    let Some(encoder) = test_encoder() else { return };
    let documents = help_centre();
    let bot = BotLoader::new().encoder(encoder).documents(&documents).from_yaml("help-shop.yaml", SHOP).unwrap();
    let question = "is repair free under warranty";
    let hits = bot.search_knowledge(question, 1).unwrap();
    assert_eq!(hits[0].passage.heading, ["What is covered"], "{:?}", hits[0].passage);
    let lexical = shop_bot(&documents).search_knowledge(question, 1).unwrap();
    assert_ne!(lexical[0].passage.heading, ["What is covered"], "BM25 alone misses this paraphrase");
}

/// The passages' embeddings are cached like the examples': a bundle made with the bot's
/// documents holds them (a load from it embeds no passage), and a bot loaded again on an
/// encoder that keeps embeddings embeds only the passages of the document that changed.
#[test]
fn passage_embeddings_are_kept_and_only_changed_passages_embedded_again() {
    if test_encoder().is_none() {
        return;
    }
    let dir = kefu_tests::encoder_dir();
    let encoder = std::sync::Arc::new(kefu_onnx::OnnxEncoder::from_dir(&dir).unwrap());
    encoder.keep_embeddings(true);
    let keep = ["account-en.md", "account-zh.md", "contact-en.md", "returns-zh.md"];
    let mut documents: Vec<Document> = help_centre().into_iter().filter(|d| keep.contains(&d.name.as_str())).collect();
    let load = |encoder: std::sync::Arc<kefu_onnx::OnnxEncoder>, documents: &[Document]| {
        BotLoader::new().encoder(encoder).documents(documents).from_yaml("help-shop.yaml", SHOP).unwrap()
    };
    let first = load(encoder.clone(), &documents);
    let cached = encoder.cached_embeddings().len();
    let passages = first.knowledge_passages().len();
    assert!(cached >= passages, "{cached} cached, {passages} passages");

    // Reloaded unchanged: nothing new embedded, the same answers.
    let again = load(encoder.clone(), &documents);
    assert_eq!(encoder.cached_embeddings().len(), cached);
    let question = "how long is the warranty on a toaster";
    assert_eq!(again.search_knowledge(question, 3).unwrap(), first.search_knowledge(question, 3).unwrap());

    // One document changed: only its passages are embedded again.
    let changed = documents.iter().position(|d| d.name == "account-en.md").expect("kept");
    documents[changed].text = documents[changed].text.replace("Sign up", "Register");
    load(encoder.clone(), &documents);
    assert_eq!(encoder.cached_embeddings().len(), cached + 1, "only the edited passage is new");

    // A bundle of the encoder's cache answers the same with no passage embedded.
    let bundle = kefu_core::ModelBundle {
        metadata: kefu_core::BundleMetadata {
            name: "t".into(),
            prefix: encoder.prefix().into(),
            dimension: encoder.dimension(),
        },
        model: std::fs::read(dir.join("model.onnx")).unwrap(),
        tokenizer: std::fs::read(dir.join("tokenizer.json")).unwrap(),
        embeddings: encoder.cached_embeddings(),
        heads: first.trained_heads(),
    };
    let from_bundle = std::sync::Arc::new(kefu_onnx::OnnxEncoder::from_bundle(&bundle).unwrap());
    from_bundle.keep_embeddings(true);
    let bundled = load(from_bundle.clone(), &documents);
    assert_eq!(from_bundle.cached_embeddings().len(), bundle.embeddings.len(), "nothing embedded");
    let (a, b) = (&bundled.search_knowledge(question, 1).unwrap()[0], &first.search_knowledge(question, 1).unwrap()[0]);
    assert_eq!((&a.passage.heading, &a.passage.text), (&b.passage.heading, &b.passage.text));
}
