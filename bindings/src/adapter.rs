//! [`HostAdapter`]: what the app answers during a turn, bridged to the core's trait.

use crate::KefuError;

/// What the app answers during a turn, implemented in Kotlin, Swift or Python and set with
/// [`Session::set_host_adapter`]. Throwing from a method does not fail the turn: the bot
/// hands off with reason `adapter_failure`. Do not call back into the same session from it.
#[uniffi::export(with_foreign)]
pub trait HostAdapter: Send + Sync {
    /// Is `value` acceptable for `slot` of `intent` (e.g. does this order exist for this
    /// customer)? `false` makes the bot ask again.
    fn validate_slot(&self, intent: String, slot: String, value: String) -> Result<bool, KefuError>;
    /// Can a human agent on `route` take the conversation now? `false` makes the bot offer
    /// the bot file's `handoff.when_unavailable` form.
    fn agent_available(&self, route: String) -> Result<bool, KefuError>;
}

/// Lets the core call a foreign adapter.
pub(crate) struct Bridge<'a>(pub(crate) &'a dyn HostAdapter);

impl kefu_core::HostAdapter for Bridge<'_> {
    fn validate_slot(&self, intent: &str, slot: &str, value: &str) -> Result<bool, kefu_core::AdapterError> {
        self.0.validate_slot(intent.into(), slot.into(), value.into()).map_err(adapter_error)
    }

    fn agent_available(&self, route: &str) -> Result<bool, kefu_core::AdapterError> {
        self.0.agent_available(route.into()).map_err(adapter_error)
    }
}

fn adapter_error(e: KefuError) -> kefu_core::AdapterError {
    kefu_core::AdapterError::new(e.to_string())
}
