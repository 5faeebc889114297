//! [`KefuError`]: the one flat error of the bindings, mapped from the core's
//! [`kefu_core::Error::code`] in one place.

/// Everything that can go wrong, flat, with a message that says what to fix. Messages
/// never contain the customer's text.
#[derive(Debug, thiserror::Error, uniffi::Error)]
#[non_exhaustive]
pub enum KefuError {
    /// The bot file has problems; `reason` lists each with its line.
    #[error("{reason}")]
    InvalidBot {
        /// What to fix.
        reason: String,
    },
    /// The utterance was rejected (too long); the session is unchanged.
    #[error("{reason}")]
    InvalidInput {
        /// What to fix.
        reason: String,
    },
    /// Saved session bytes cannot be restored; start a new session.
    #[error("{reason}")]
    InvalidSession {
        /// What went wrong.
        reason: String,
    },
    /// The call does not fit the session's state.
    #[error("{reason}")]
    InvalidState {
        /// What went wrong.
        reason: String,
    },
    /// The ONNX tier cannot run (ONNX Runtime or the model missing or unusable, a damaged
    /// model bundle); `reason` says what to install or fix.
    #[error("{reason}")]
    Onnx {
        /// What to fix.
        reason: String,
    },
    /// A host adapter implemented in Kotlin/Swift/Python failed unexpectedly.
    #[error("{reason}")]
    Adapter {
        /// What the foreign side reported.
        reason: String,
    },
}

/// The one mapping, on the core's stable [`kefu_core::Error::code`].
impl From<kefu_core::Error> for KefuError {
    fn from(e: kefu_core::Error) -> Self {
        let reason = e.to_string();
        match e.code() {
            "invalid_bot" => KefuError::InvalidBot { reason },
            "invalid_input" => KefuError::InvalidInput { reason },
            "invalid_session" => KefuError::InvalidSession { reason },
            "invalid_model" | "encoder_failed" => KefuError::Onnx { reason },
            _ => KefuError::InvalidState { reason },
        }
    }
}

impl From<uniffi::UnexpectedUniFFICallbackError> for KefuError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        KefuError::Adapter { reason: e.reason }
    }
}
