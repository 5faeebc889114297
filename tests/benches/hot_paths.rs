//! Criterion micro-benchmarks of a turn's hot paths on the sample shop bot (embedded
//! tier): the whole turn, entity extraction, the n-gram classifier, and saving/restoring a
//! session. `cargo bench -p kefu-tests`; `kefu bench` is the end-to-end report with p99,
//! load time and throughput.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use kefu_core::models::TextClassifier;
use kefu_core::{Bot, Session};

const UTTERANCES: &[&str] = &[
    "我的订单12345678到哪了",
    "where is my order 12345678",
    "我要退款，东西坏了",
    "can I change the delivery address to 88 Nanjing Road?",
    "手机号13812345678，明天下午三点前送到",
    "what's the weather like today",
];

fn shop_bot() -> Bot {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/bots/shop.yaml");
    Bot::from_yaml("shop.yaml", &std::fs::read_to_string(path).unwrap()).unwrap()
}

fn hot_paths(c: &mut Criterion) {
    let bot = shop_bot();
    c.bench_function("turn (fresh session, 6 utterances)", |b| {
        b.iter(|| {
            for text in UTTERANCES {
                let mut session = Session::new(&bot);
                black_box(session.turn(&bot, text).unwrap());
            }
        })
    });
    c.bench_function("entities (6 utterances)", |b| {
        b.iter(|| UTTERANCES.iter().map(|t| bot.extract_entities(black_box(t), None).len()).sum::<usize>())
    });
    // The bot's intent examples as written (slot annotations kept: same cost to rank).
    let examples: Vec<(String, String)> = bot
        .spec()
        .intents
        .iter()
        .flat_map(|(name, intent)| intent.examples.iter().map(move |e| (e.clone(), name.clone())))
        .collect();
    let classifier = TextClassifier::train(examples.iter().map(|(t, l)| (t.as_str(), l.as_str()))).unwrap();
    c.bench_function("classifier rank top-3 (6 utterances)", |b| {
        b.iter(|| UTTERANCES.iter().map(|t| classifier.rank(black_box(t), 3).len()).sum::<usize>())
    });
    c.bench_function("classifier train (shop bot)", |b| {
        b.iter(|| TextClassifier::train(examples.iter().map(|(t, l)| (t.as_str(), l.as_str()))))
    });
    let mut session = Session::new(&bot);
    for text in UTTERANCES {
        session.turn(&bot, text).unwrap();
    }
    c.bench_function("session to_bytes + from_bytes", |b| {
        b.iter(|| Session::from_bytes(&bot, &black_box(&session).to_bytes()).unwrap())
    });
}

criterion_group!(benches, hot_paths);
criterion_main!(benches);
