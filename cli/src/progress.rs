//! A progress bar on stderr for the long steps of `eval` and of loading a bot on the ONNX
//! tier. It appears once a step has run for a second; on a terminal it redraws one line, in
//! a log (CI) it writes a line at each quarter, so logs stay short.

use std::io::{IsTerminal, Write};
use std::time::Instant;

pub(crate) struct Progress {
    label: String,
    total: usize,
    done: usize,
    drawn_percent: usize,
    drawn: bool,
    terminal: bool,
    started: Instant,
}

impl Progress {
    pub(crate) fn new(label: &str, total: usize) -> Progress {
        Progress {
            label: label.to_string(),
            total,
            done: 0,
            drawn_percent: 0,
            drawn: false,
            terminal: std::io::stderr().is_terminal(),
            started: Instant::now(),
        }
    }

    pub(crate) fn step(&mut self) {
        self.done += 1;
        let percent = self.done * 100 / self.total.max(1);
        let due = if self.terminal { percent > self.drawn_percent } else { percent / 25 > self.drawn_percent / 25 };
        if due && percent < 100 && self.started.elapsed().as_secs_f64() >= 1.0 {
            self.drawn_percent = percent;
            self.draw();
        }
    }

    pub(crate) fn finish(&mut self) {
        if !self.drawn {
            return;
        }
        self.done = self.total;
        self.draw();
        if self.terminal {
            eprintln!();
        }
    }

    fn draw(&mut self) {
        self.drawn = true;
        const WIDTH: usize = 30;
        let filled = WIDTH * self.done / self.total.max(1);
        let line = format!(
            "  {} [{}{}] {}/{} {:.1} s",
            self.label,
            "#".repeat(filled),
            "-".repeat(WIDTH - filled),
            self.done,
            self.total,
            self.started.elapsed().as_secs_f64()
        );
        let mut err = std::io::stderr().lock();
        let _ = if self.terminal { write!(err, "\r{line}") } else { writeln!(err, "{line}") };
        let _ = err.flush();
    }
}
