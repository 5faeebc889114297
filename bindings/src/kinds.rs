//! Typed enums for the core's kinds (handoff reasons, priorities, speakers, intent
//! sources, tiers, session states). Each maps from the core's enum by an exhaustive match,
//! so a kind the core adds fails to compile here until the bindings mirror it.

/// Why the conversation goes to a human agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum HandoffReason {
    /// The customer asked for a person.
    ExplicitRequest,
    /// Too many out-of-scope turns in a row.
    FallbackStreak,
    /// An intent the bot file marks `sensitive` (complaint, fraud).
    SensitiveIntent,
    /// A slot was asked for too often.
    RepromptLimit,
    /// The customer is upset.
    NegativeSentiment,
    /// Abusive language.
    Abuse,
    /// The same intent again and again.
    Loop,
    /// The host's adapter failed.
    AdapterFailure,
    /// A business rule of the bot file.
    BusinessRule,
    /// A legal or regulatory threat.
    LegalThreat,
}

impl From<&kefu_core::HandoffReason> for HandoffReason {
    fn from(r: &kefu_core::HandoffReason) -> Self {
        use kefu_core::HandoffReason as R;
        match r {
            R::ExplicitRequest => HandoffReason::ExplicitRequest,
            R::FallbackStreak => HandoffReason::FallbackStreak,
            R::SensitiveIntent => HandoffReason::SensitiveIntent,
            R::RepromptLimit => HandoffReason::RepromptLimit,
            R::NegativeSentiment => HandoffReason::NegativeSentiment,
            R::Abuse => HandoffReason::Abuse,
            R::Loop => HandoffReason::Loop,
            R::AdapterFailure => HandoffReason::AdapterFailure,
            R::BusinessRule => HandoffReason::BusinessRule,
            R::LegalThreat => HandoffReason::LegalThreat,
        }
    }
}

impl From<HandoffReason> for kefu_core::HandoffReason {
    fn from(r: HandoffReason) -> Self {
        use kefu_core::HandoffReason as R;
        match r {
            HandoffReason::ExplicitRequest => R::ExplicitRequest,
            HandoffReason::FallbackStreak => R::FallbackStreak,
            HandoffReason::SensitiveIntent => R::SensitiveIntent,
            HandoffReason::RepromptLimit => R::RepromptLimit,
            HandoffReason::NegativeSentiment => R::NegativeSentiment,
            HandoffReason::Abuse => R::Abuse,
            HandoffReason::Loop => R::Loop,
            HandoffReason::AdapterFailure => R::AdapterFailure,
            HandoffReason::BusinessRule => R::BusinessRule,
            HandoffReason::LegalThreat => R::LegalThreat,
        }
    }
}

/// How urgently an agent should pick the conversation up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Priority {
    /// Whenever an agent is free.
    Low,
    /// The usual queue.
    Normal,
    /// Ahead of the usual queue.
    High,
    /// At once.
    Urgent,
}

impl From<kefu_core::Priority> for Priority {
    fn from(p: kefu_core::Priority) -> Self {
        use kefu_core::Priority as P;
        match p {
            P::Low => Priority::Low,
            P::Normal => Priority::Normal,
            P::High => Priority::High,
            P::Urgent => Priority::Urgent,
        }
    }
}

/// Who said a transcript line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Speaker {
    /// The customer.
    Customer,
    /// The bot.
    Bot,
    /// A human agent.
    Agent,
}

impl From<kefu_core::Speaker> for Speaker {
    fn from(s: kefu_core::Speaker) -> Self {
        use kefu_core::Speaker as S;
        match s {
            S::Customer => Speaker::Customer,
            S::Bot => Speaker::Bot,
            S::Agent => Speaker::Agent,
        }
    }
}

/// How an intent was recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum IntentSource {
    /// A keyword or pattern of the bot file.
    Rule,
    /// The statistical model.
    Model,
    /// The utterance answered the open form of this intent.
    Form,
    /// The customer chose this intent when the bot asked which one they meant.
    Clarified,
    /// A follow-up ("那手表呢"): the previous intent with the value the line swaps in.
    FollowUp,
}

impl From<kefu_core::IntentSource> for IntentSource {
    fn from(s: kefu_core::IntentSource) -> Self {
        use kefu_core::IntentSource as S;
        match s {
            S::Rule => IntentSource::Rule,
            S::Model => IntentSource::Model,
            S::Form => IntentSource::Form,
            S::Clarified => IntentSource::Clarified,
            S::FollowUp => IntentSource::FollowUp,
        }
    }
}

/// How a bot's classifier understands text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Tier {
    /// Rules and a model trained on the bot's examples; no model file.
    Embedded,
    /// The embedded tier plus a sentence encoder's embeddings.
    Onnx,
    /// The embedded tier plus a static embedding table's sentence vectors.
    Static,
}

impl From<kefu_core::Tier> for Tier {
    fn from(t: kefu_core::Tier) -> Self {
        match t {
            kefu_core::Tier::Embedded => Tier::Embedded,
            kefu_core::Tier::Onnx => Tier::Onnx,
            kefu_core::Tier::Static => Tier::Static,
        }
    }
}

/// Where a conversation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum SessionState {
    /// Waiting for the customer's next request.
    Idle,
    /// Filling an intent's slots.
    Form,
    /// Waiting for the customer to confirm.
    Confirm,
    /// A human agent has the conversation.
    WithAgent,
    /// The bot asked which of two intents the customer means.
    Clarify,
    /// The bot asked the satisfaction survey's question.
    Survey,
}

impl From<&kefu_core::DialogueState> for SessionState {
    fn from(s: &kefu_core::DialogueState) -> Self {
        use kefu_core::DialogueState as D;
        match s {
            D::Idle => SessionState::Idle,
            D::Form { .. } => SessionState::Form,
            D::Confirm { .. } => SessionState::Confirm,
            D::WithAgent => SessionState::WithAgent,
            D::Clarify { .. } => SessionState::Clarify,
            D::Survey => SessionState::Survey,
        }
    }
}
