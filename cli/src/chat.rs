//! `kefu chat`: a terminal conversation with a bot.

use std::io::{BufRead, IsTerminal, Write};

use kefu_core::{Bot, Session, Signal};

pub(crate) fn run(bot: &Bot, json: bool, log: Option<&std::path::Path>) -> Result<(), String> {
    let mut log = log
        .map(|p| {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)
                .map_err(|e| format!("cannot open {}: {e}", p.display()))
        })
        .transpose()?;
    let stdin = std::io::stdin();
    let interactive = stdin.is_terminal();
    let mut out = std::io::stdout().lock();
    let mut session = Session::new(bot);
    if interactive {
        println!("kefu · bot {:?} · type a message, Ctrl-D to quit", bot.name());
    }
    let prompt = |out: &mut std::io::StdoutLock<'_>| {
        if interactive {
            let _ = write!(out, "> ");
            let _ = out.flush();
        }
    };
    prompt(&mut out);
    // Lines as bytes: one line that is not UTF-8 is read with U+FFFD in place of its bad
    // bytes, instead of ending the chat.
    for line in stdin.lock().split(b'\n') {
        let line = line.map_err(|e| format!("cannot read stdin: {e}"))?;
        let line = String::from_utf8_lossy(line.strip_suffix(b"\r").unwrap_or(&line)).into_owned();
        let result = session.turn(bot, &line);
        if let (Some(file), Ok(turn)) = (&mut log, &result) {
            let entry = serde_json::to_string(&session.log_turn(turn)).map_err(|e| e.to_string())?;
            writeln!(file, "{entry}").map_err(|e| format!("cannot write the log: {e}"))?;
        }
        match result {
            Ok(turn) if json => {
                let text = serde_json::to_string(&turn).map_err(|e| e.to_string())?;
                writeln!(out, "{text}").map_err(|e| e.to_string())?;
            }
            Ok(turn) => {
                if !interactive {
                    writeln!(out, "> {line}").map_err(|e| e.to_string())?;
                }
                let intent = match (&turn.intent, turn.citations.first()) {
                    (Some(i), _) => format!("{} {:.2}", i.name, i.confidence),
                    (None, Some(c)) => {
                        let place = std::iter::once(c.document.as_str()).chain(c.heading.iter().map(String::as_str));
                        format!(
                            "quoted from {}, characters {}..{}",
                            place.collect::<Vec<_>>().join(" › "),
                            c.start,
                            c.end
                        )
                    }
                    (None, None) => "out of scope".to_string(),
                };
                let slots: Vec<String> = turn.slots.iter().map(|(k, v)| format!("{k}={v}")).collect();
                let mut info = vec![intent];
                if !slots.is_empty() {
                    info.push(slots.join(" "));
                }
                for r in &turn.replies {
                    writeln!(out, "bot: {r}").map_err(|e| e.to_string())?;
                }
                for a in &turn.actions {
                    info.push(format!("action {}", a.name));
                }
                for s in &turn.signals {
                    if let Signal::Handoff(h) = s {
                        let reasons: Vec<&str> = h.reasons.iter().map(|r| r.code()).collect();
                        info.push(format!("HANDOFF to {} ({}, {:?})", h.route, reasons.join("+"), h.priority));
                        writeln!(out, "     summary: {}", h.summary).map_err(|e| e.to_string())?;
                    }
                }
                writeln!(out, "     [{}]", info.join(" · ")).map_err(|e| e.to_string())?;
                if matches!(session.state(), kefu_core::DialogueState::WithAgent) {
                    writeln!(out, "     (with an agent now; the sample resumes the bot)").map_err(|e| e.to_string())?;
                    let _ = session.agent_finished(bot);
                }
            }
            Err(e) if json => {
                let error = serde_json::json!({ "error": { "code": e.code(), "message": e.to_string() } });
                writeln!(out, "{error}").map_err(|e| e.to_string())?;
            }
            Err(e) => writeln!(out, "error: {e}").map_err(|e| e.to_string())?,
        }
        prompt(&mut out);
    }
    Ok(())
}
