//! Host adapters written in JavaScript: a plain object with optional methods
//! `validateSlot(intent, slot, value)` and `agentAvailable(route)`, returning a boolean or
//! (for `turnAsync`) a Promise of one.
//!
//! The core is synchronous, so async answers work by replay: a turn runs on a copy of the
//! session; every question not answered yet gets a provisional `true` and its Promise is
//! collected; once they settle, the turn runs again from the same copy with the answers.
//! The core is deterministic, so the last run asks nothing new and is the one kept.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use js_sys::{Function, Promise, Reflect};
use kefu_core::AdapterError;
use wasm_bindgen::{JsCast, JsValue};

/// A JS adapter object with the answers gathered so far.
pub(crate) struct JsAdapter {
    object: JsValue,
    allow_async: bool,
    answers: RefCell<HashMap<String, Result<bool, String>>>,
    pending: RefCell<Vec<(String, Promise)>>,
    /// A method returned a Promise during a synchronous `turn`.
    returned_promise: Cell<bool>,
}

impl JsAdapter {
    pub(crate) fn new(object: JsValue, allow_async: bool) -> JsAdapter {
        JsAdapter {
            object,
            allow_async,
            answers: RefCell::default(),
            pending: RefCell::default(),
            returned_promise: Cell::new(false),
        }
    }

    pub(crate) fn returned_promise(&self) -> bool {
        self.returned_promise.get()
    }

    /// The Promises of the last run, to await before running again.
    pub(crate) fn take_pending(&self) -> Vec<(String, Promise)> {
        std::mem::take(&mut *self.pending.borrow_mut())
    }

    /// Records what a settled Promise gave.
    pub(crate) fn answer(&self, key: String, settled: Result<JsValue, JsValue>) {
        let answer = settled.map_err(|e| describe(&e)).and_then(|v| as_bool(&v));
        self.answers.borrow_mut().insert(key, answer);
    }

    fn ask(&self, method: &str, args: &[&str]) -> Result<bool, AdapterError> {
        let key = format!("{method}\u{1f}{}", args.join("\u{1f}"));
        if let Some(answer) = self.answers.borrow().get(&key) {
            return answer.clone().map_err(AdapterError::new);
        }
        let Some(function) =
            Reflect::get(&self.object, &method.into()).ok().and_then(|f| f.dyn_into::<Function>().ok())
        else {
            return Ok(true); // Not implemented: the permissive default.
        };
        let args: Vec<JsValue> = args.iter().map(|a| JsValue::from_str(a)).collect();
        let returned = match args.as_slice() {
            [a] => function.call1(&self.object, a),
            [a, b, c] => function.call3(&self.object, a, b, c),
            _ => function.call0(&self.object),
        };
        let value = returned.map_err(|e| AdapterError::new(describe(&e)))?;
        if let Ok(promise) = value.clone().dyn_into::<Promise>() {
            if !self.allow_async {
                self.returned_promise.set(true);
                return Err(AdapterError::new(format!("{method} returned a Promise; use turnAsync")));
            }
            self.pending.borrow_mut().push((key, promise));
            return Ok(true); // Provisional: the turn runs again with the real answer.
        }
        let answer = as_bool(&value);
        self.answers.borrow_mut().insert(key, answer.clone());
        answer.map_err(AdapterError::new)
    }
}

impl kefu_core::HostAdapter for JsAdapter {
    fn validate_slot(&self, intent: &str, slot: &str, value: &str) -> Result<bool, AdapterError> {
        self.ask("validateSlot", &[intent, slot, value])
    }

    fn agent_available(&self, route: &str) -> Result<bool, AdapterError> {
        self.ask("agentAvailable", &[route])
    }
}

fn as_bool(v: &JsValue) -> Result<bool, String> {
    v.as_bool().ok_or_else(|| "a host adapter method must return true or false".to_string())
}

/// The message of a thrown value, for the host's logs.
fn describe(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>().map_or_else(|| format!("{e:?}"), |err| String::from(err.message()))
}
