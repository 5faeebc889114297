//! The fallback threshold a bot chooses from its own examples when its file sets none.

use kefu_core::{Bot, DEFAULT_CONFIDENCE_THRESHOLD};
use kefu_tests::repo_root;

fn shop_source() -> String {
    std::fs::read_to_string(repo_root().join("examples/bots/shop.yaml")).unwrap_or_default()
}

fn load(source: &str) -> Bot {
    Bot::from_yaml("shop.yaml", source).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_bot_without_a_threshold_chooses_one_from_its_examples() {
    let source = shop_source();
    assert!(!source.contains("\n  confidence_threshold:"), "the sample bot leaves the threshold to the bot");
    let bot = load(&source);
    let chosen = bot.calibration().expect("a 19-intent bot of 304 examples calibrates");
    assert_eq!(bot.confidence_threshold(), chosen.threshold);
    // Forty classes spread the probability thinly: the fixed default would turn away most
    // right guesses, which is why the bot chooses.
    assert!(chosen.threshold > 0.02 && chosen.threshold < DEFAULT_CONFIDENCE_THRESHOLD, "{chosen:?}");
    assert!(chosen.rejected >= 0.5, "at least half of the untaught intents' lines are rejected: {chosen:?}");
    assert!(chosen.accepted > 0.3 && chosen.scored > 300, "{chosen:?}");
    assert_eq!(load(&source).calibration(), Some(chosen), "the same examples choose the same threshold");
}

#[test]
fn a_threshold_set_in_the_file_is_kept() {
    let source = shop_source().replace("settings:\n", "settings:\n  confidence_threshold: 0.3\n");
    let bot = load(&source);
    assert_eq!(bot.confidence_threshold(), 0.3);
    assert_eq!(bot.calibration(), None, "no trainings spent on a threshold the file sets");
}

#[test]
fn a_bot_too_small_to_tell_takes_the_default() {
    let bot =
        load("version: 1\nintents:\n  a: { examples: [hello there, hi] }\n  b: { examples: [bye now, goodbye] }\n");
    assert_eq!(bot.calibration(), None);
    assert_eq!(bot.confidence_threshold(), DEFAULT_CONFIDENCE_THRESHOLD);
}

#[test]
fn a_few_well_separated_intents_keep_the_default() {
    // With three intents (and no background class taking its share), the lines of the one
    // left out land on the other two with high confidence: the choice rises, and stops at
    // the fixed default.
    let bot = load(
        r#"
version: 1
settings: { background: false }
intents:
  refund: { examples: [我要退款, 申请退款, 钱能退给我吗, i want a refund, refund my order, can i get my money back] }
  order_status: { examples: [我的订单到哪了, 查一下物流, 快递什么时候到, where is my order, track my package, when will my parcel arrive] }
  invoice: { examples: [开发票, 我要发票, 发票怎么开, i need an invoice, send me a receipt, invoice for my order] }
"#,
    );
    let chosen = bot.calibration().expect("three intents calibrate");
    assert_eq!(chosen.threshold, DEFAULT_CONFIDENCE_THRESHOLD, "{chosen:?}");
}
