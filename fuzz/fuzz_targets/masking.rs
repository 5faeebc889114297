//! A phone, ID-card or bank-card number, or an e-mail address, generated from the input's
//! first bytes and typed between two pieces of any text: what an agent reads of the line
//! (the session's transcript) never holds the value whole, nor more than its last four
//! digits, whatever surrounds it.
#![no_main]
use std::sync::OnceLock;

static BOT: OnceLock<kefu_core::Bot> = OnceLock::new();

fn digits(seed: &[u8], n: usize) -> String {
    (0..n).map(|i| char::from(b'0' + seed.get(i).map_or(7, |b| b % 10))).collect()
}

/// `body` with the Luhn check digit that bank cards end with.
fn luhn(body: &str) -> String {
    format!("{body}{}", kefu_core::luhn_check_digit(body).unwrap_or_default())
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let bot = BOT.get_or_init(|| {
        kefu_core::Bot::from_yaml("shop.yaml", include_str!("../../examples/bots/shop.yaml")).expect("sample bot")
    });
    if data.len() < 20 {
        return;
    }
    let (seed, rest) = data.split_at(20);
    let (value, hidden) = match seed[0] % 4 {
        0 => {
            let m = format!("1{}{}", 3 + seed[1] % 7, digits(&seed[2..], 9));
            (m.clone(), m[..7].to_string())
        }
        1 => {
            let id = format!("{}{}", digits(&seed[1..], 17), if seed[19] % 11 == 10 { "X".into() } else { (seed[19] % 10).to_string() });
            (id.clone(), id[..14].to_string())
        }
        2 => {
            let card = luhn(&format!("62{}", digits(&seed[1..], 14)));
            (card.clone(), card[..12].to_string())
        }
        _ => {
            let name: String = seed[1..9].iter().map(|b| char::from(b'a' + b % 26)).collect();
            (format!("{name}@example.com"), name)
        }
    };
    let text = String::from_utf8_lossy(rest);
    let cut = text.char_indices().nth(1500).map_or(text.len(), |(i, _)| i);
    let (left, right) = text[..cut].split_at(text[..cut].char_indices().nth(text[..cut].chars().count() / 2).map_or(0, |(i, _)| i));
    let line = format!("{left} {value} {right}");
    let mut session = kefu_core::Session::new(bot);
    if session.turn(bot, &line).is_err() {
        return;
    }
    let seen = &session.transcript()[0].text;
    // The context's own characters could spell the hidden part again; judge lines whose
    // context has no ASCII letters or digits.
    if left.chars().chain(right.chars()).any(|c| c.is_ascii_alphanumeric()) {
        return;
    }
    assert!(!seen.contains(&value), "{value} readable in {seen:?}");
    assert!(!seen.contains(&hidden), "{hidden} readable in {seen:?}");
});
