//! `kefu eval --bot BOT --handoff FILE`: conversations that end in a handoff, each with the
//! lines that state the customer's issue, the slots an agent should see and the personal
//! data the customer typed. Scores the agent's brief per split: how often it quotes a gold
//! issue line, slot precision and recall, personal values left unmasked, and internal
//! intent names shown where a title exists; and, where the set labels it, whether the
//! handoff came at a line a person would accept with a reason that is right there.

use std::collections::BTreeMap;
use std::path::Path;

use kefu_core::{Handoff, Session, Signal};
use serde::{Deserialize, Serialize};

use super::write_json;

/// One conversation of the set.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Conversation {
    id: String,
    /// `dev` (for choices) or `test` (never tuned on).
    split: String,
    /// The customer's lines, in order; the conversation is scored at its first handoff.
    lines: Vec<String>,
    /// 1-based numbers of the lines that state the issue: the brief must quote one.
    issue: Vec<usize>,
    /// The slots the agent should see, as shown (personal data masked).
    #[serde(default)]
    slots: BTreeMap<String, String>,
    #[serde(default)]
    segment: Option<String>,
    /// Personal values the customer typed: none may reach the handoff unmasked.
    #[serde(default)]
    personal: Vec<String>,
    #[serde(default)]
    handoff: Option<ExpectedHandoff>,
}

/// When and why a person would accept the handoff.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedHandoff {
    /// 1-based numbers of the lines at which handing off is right.
    at: Vec<usize>,
    /// Reason codes that are right there: one of the handoff's reasons must be among them.
    reasons: Vec<String>,
}

#[derive(Debug, Default, Serialize)]
struct SplitScores {
    conversations: usize,
    handed_off: usize,
    /// Of the conversations handed off, the share whose brief quotes a gold issue line.
    issue_quoted: f64,
    slot_precision: f64,
    slot_recall: f64,
    slot_f1: f64,
    segment_right: f64,
    /// Personal values found unmasked anywhere in a handoff (summary, brief, transcript, slots).
    unmasked_personal_values: usize,
    /// Intent names shown in the brief's needs or bot-did lines where the intent has a title.
    internal_names_shown: usize,
    /// Conversations labelled with when and why to hand off, and the share of them handed
    /// off at an acceptable line with a right reason.
    handoff_labelled: usize,
    handoff_right: f64,
    misses: Vec<String>,
}

#[derive(Debug, Serialize)]
struct Report {
    kefu_version: &'static str,
    git_revision: String,
    bot: String,
    cases: String,
    tier: &'static str,
    splits: BTreeMap<String, SplitScores>,
}

/// The first handoff of the conversation (to a free agent or not).
fn first_handoff(bot: &kefu_core::Bot, lines: &[String]) -> Result<Option<(usize, Handoff)>, String> {
    let mut session = Session::new(bot);
    for (i, line) in lines.iter().enumerate() {
        let turn = session.turn(bot, line).map_err(|e| format!("{line:?}: {e}"))?;
        let handoff = turn.signals.into_iter().find_map(|s| match s {
            Signal::Handoff(h) | Signal::AgentUnavailable(h) => Some(h),
            _ => None,
        });
        if let Some(h) = handoff {
            return Ok(Some((i + 1, *h)));
        }
    }
    Ok(None)
}

pub(crate) fn run(bot_path: &Path, cases_path: &Path, encoder: Option<&Path>, out: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(cases_path).map_err(|e| format!("cannot read {}: {e}", cases_path.display()))?;
    let set: Vec<Conversation> = serde_yaml::from_str(&text).map_err(|e| {
        format!(
            "{}: {e} (expected a list of {{ id, split, lines, issue, slots, segment, personal, handoff }})",
            cases_path.display()
        )
    })?;
    let bot = crate::load_on(bot_path, encoder)?;
    let titled: Vec<String> =
        bot.spec().intents.iter().filter(|(_, i)| i.title.is_some()).map(|(name, _)| name.clone()).collect();
    let mut splits: BTreeMap<String, SplitScores> = BTreeMap::new();
    // quoted, tp, predicted, gold, segment, handoff right
    let mut counts: BTreeMap<String, [usize; 6]> = BTreeMap::new();
    for c in &set {
        if c.issue.iter().any(|&n| n == 0 || n > c.lines.len()) {
            return Err(format!("{}: issue line numbers must be 1 to {}", c.id, c.lines.len()));
        }
        if let Some(e) = &c.handoff {
            if e.at.is_empty() || e.at.iter().any(|&n| n == 0 || n > c.lines.len()) {
                return Err(format!("{}: handoff line numbers must be 1 to {}", c.id, c.lines.len()));
            }
            if let Some(r) = e.reasons.iter().find(|r| !kefu_core::HANDOFF_REASONS.contains(&r.as_str())) {
                return Err(format!("{}: unknown handoff reason {r:?}", c.id));
            }
        }
        let scores = splits.entry(c.split.clone()).or_default();
        let n = counts.entry(c.split.clone()).or_default();
        scores.conversations += 1;
        scores.handoff_labelled += usize::from(c.handoff.is_some());
        let Some((at, h)) = first_handoff(&bot, &c.lines)? else {
            scores.misses.push(format!("{}: no handoff", c.id));
            continue;
        };
        scores.handed_off += 1;
        if let Some(e) = &c.handoff {
            let reasons: Vec<&str> = h.reasons.iter().map(|r| r.code()).collect();
            if e.at.contains(&at) && reasons.iter().any(|r| e.reasons.iter().any(|x| x == r)) {
                n[5] += 1;
            } else {
                scores.misses.push(format!(
                    "{}: handed off at line {at} for {reasons:?}, expected {:?} for {:?}",
                    c.id, e.at, e.reasons
                ));
            }
        }
        // The gold lines as the transcript shows them (masked), among those said by then.
        let said: Vec<&str> = h
            .transcript
            .iter()
            .filter(|l| l.speaker == kefu_core::Speaker::Customer)
            .map(|l| l.text.as_str())
            .collect();
        let gold: Vec<&str> = c
            .issue
            .iter()
            .filter(|&&i| i <= at)
            .filter_map(|&i| (said.len() + i).checked_sub(at + 1).and_then(|k| said.get(k)).copied())
            .collect();
        if gold.iter().any(|g| h.brief.issue.iter().any(|q| q == g)) {
            n[0] += 1;
        } else {
            scores.misses.push(format!("{}: issue {:?}, brief quotes {:?}", c.id, gold, h.brief.issue));
        }
        n[1] += h.slots.iter().filter(|(k, v)| c.slots.get(*k) == Some(v)).count();
        n[2] += h.slots.len();
        n[3] += c.slots.len();
        if h.slots != c.slots {
            scores.misses.push(format!("{}: slots {:?}, expected {:?}", c.id, h.slots, c.slots));
        }
        n[4] += usize::from(h.segment == c.segment);
        let shown = serde_json::to_string(&h).unwrap_or_default();
        scores.unmasked_personal_values += c.personal.iter().filter(|p| shown.contains(p.as_str())).count();
        let labels = h.brief.needs.iter().chain(&h.brief.bot_did);
        scores.internal_names_shown += labels
            .filter(|l| {
                titled.iter().any(|name| {
                    l.as_str() == name || l.contains(&format!("「{name}」")) || l.contains(&format!("\"{name}\""))
                })
            })
            .count();
    }
    for (split, s) in &mut splits {
        let n = counts[split];
        let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
        s.issue_quoted = ratio(n[0], s.handed_off);
        s.slot_precision = ratio(n[1], n[2]);
        s.slot_recall = ratio(n[1], n[3]);
        s.slot_f1 = if s.slot_precision + s.slot_recall > 0.0 {
            2.0 * s.slot_precision * s.slot_recall / (s.slot_precision + s.slot_recall)
        } else {
            0.0
        };
        s.segment_right = ratio(n[4], s.handed_off);
        s.handoff_right = ratio(n[5], s.handoff_labelled);
        println!(
            "{split}: {} conversations, {} handed off, {:.1} % at a right line for a right reason; issue quoted {:.1} %, slot F1 {:.3}, segment {:.1} %, unmasked {}, internal names {}",
            s.conversations,
            s.handed_off,
            s.handoff_right * 100.0,
            s.issue_quoted * 100.0,
            s.slot_f1,
            s.segment_right * 100.0,
            s.unmasked_personal_values,
            s.internal_names_shown
        );
        for m in &s.misses {
            println!("  {m}");
        }
    }
    let report = Report {
        kefu_version: env!("CARGO_PKG_VERSION"),
        git_revision: super::git_revision(),
        bot: bot_path.display().to_string(),
        cases: cases_path.display().to_string(),
        tier: bot.tier().code(),
        splits,
    };
    write_json(out, &report)?;
    eprintln!("report written to {}", out.display());
    Ok(())
}
