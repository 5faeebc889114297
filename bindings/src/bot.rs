//! [`Bot`]: a loaded bot.

use std::sync::Arc;

use crate::{KefuError, Tier};

/// A loaded bot, shared by any number of sessions and threads.
#[derive(Debug, uniffi::Object)]
pub struct Bot {
    pub(crate) inner: kefu_core::Bot,
}

#[uniffi::export]
impl Bot {
    /// Loads a bot from YAML or JSON text; `name` names the file in error messages.
    #[uniffi::constructor]
    pub fn from_yaml(name: String, source: String) -> Result<Arc<Bot>, KefuError> {
        Ok(Arc::new(Bot { inner: kefu_core::Bot::from_yaml(&name, &source)? }))
    }

    /// Loads a bot with the help-centre documents it answers from when no intent or FAQ
    /// entry claims a line (the texts of those the bot file names without one, and any
    /// others), on the static tier when `table` is given, else the embedded tier.
    #[uniffi::constructor]
    pub fn from_yaml_with_documents(
        name: String,
        source: String,
        documents: Vec<Document>,
        table: Option<Arc<crate::StaticTable>>,
    ) -> Result<Arc<Bot>, KefuError> {
        let documents: Vec<kefu_core::Document> =
            documents.into_iter().map(|d| kefu_core::Document { name: d.name, text: d.text }).collect();
        let loader = kefu_core::BotLoader::new().documents(&documents);
        let loader = match table {
            Some(table) => loader.encoder(table.inner.clone()),
            None => loader,
        };
        Ok(Arc::new(Bot { inner: loader.from_yaml(&name, &source)? }))
    }

    /// Loads a compiled bot (`kefu compile`): no YAML parsing, no training. With `table`, on
    /// the static tier, which the bot must have been compiled on to skip training.
    #[uniffi::constructor]
    pub fn from_compiled(
        name: String,
        bytes: Vec<u8>,
        table: Option<Arc<crate::StaticTable>>,
    ) -> Result<Arc<Bot>, KefuError> {
        let inner = match table {
            Some(table) => kefu_core::BotLoader::new().encoder(table.inner.clone()).from_compiled(&name, &bytes)?,
            None => kefu_core::Bot::from_compiled(&name, &bytes)?,
        };
        Ok(Arc::new(Bot { inner }))
    }

    /// Loads a bot from UTF-8 bytes of a YAML or JSON file.
    #[uniffi::constructor]
    pub fn from_bytes(name: String, bytes: Vec<u8>) -> Result<Arc<Bot>, KefuError> {
        Ok(Arc::new(Bot { inner: kefu_core::Bot::from_bytes(&name, &bytes)? }))
    }

    /// The bot compiled, for [`Bot::from_compiled`]: an app that reads a bot file once can
    /// keep these bytes and start from them next time without parsing or, with `models`
    /// (most of the size), training.
    pub fn to_compiled(&self, models: bool) -> Vec<u8> {
        self.inner.to_compiled(models)
    }

    /// The bot's name.
    pub fn name(&self) -> String {
        self.inner.name().to_string()
    }

    /// The intent names.
    pub fn intent_names(&self) -> Vec<String> {
        self.inner.intent_names().map(str::to_string).collect()
    }

    /// Languages the bot answers in (`zh`, `en`); the first is its default.
    pub fn languages(&self) -> Vec<String> {
        self.inner.languages().iter().map(|l| l.code().to_string()).collect()
    }

    /// One question per FAQ entry in `language` (`zh`/`en`; another code reads as `zh`),
    /// for quick-reply buttons.
    pub fn faq_suggestions(&self, language: String) -> Vec<FaqSuggestion> {
        let lang = kefu_core::Language::from_code(&language).unwrap_or(kefu_core::Language::Zh);
        self.inner.faq_suggestions(lang).into_iter().map(|(id, question)| FaqSuggestion { id, question }).collect()
    }

    /// How the bot's classifier understands text.
    pub fn tier(&self) -> Tier {
        self.inner.tier().into()
    }

    /// The passages of the bot's documents that best answer `question`, best first, at
    /// most `limit`, each with its answerability score (the bot quotes the first when the
    /// score reaches its threshold). Empty without documents.
    pub fn search_knowledge(&self, question: String, limit: u32) -> Result<Vec<PassageHit>, KefuError> {
        let hits = self.inner.search_knowledge(&question, limit as usize)?;
        Ok(hits.into_iter().map(|h| PassageHit { passage: h.passage.into(), score: h.score }).collect())
    }

    /// How many of the bot's models came from the encoder's bundle instead of training.
    pub fn reused_heads(&self) -> u32 {
        self.inner.reused_heads() as u32
    }
}

/// An FAQ entry's question, for a quick-reply button.
#[derive(Debug, Clone, uniffi::Record)]
pub struct FaqSuggestion {
    /// The FAQ entry's id.
    pub id: String,
    /// One of its questions.
    pub question: String,
}

/// A help-centre document: Markdown (its headings give each passage its place) or plain
/// text, Chinese or English.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Document {
    /// How citations name it (a file name or a link).
    pub name: String,
    /// Its text.
    pub text: String,
}

/// A passage found for a question, with its answerability score (0–1).
#[derive(Debug, Clone, uniffi::Record)]
pub struct PassageHit {
    /// The passage and where it is.
    pub passage: crate::turn::Citation,
    /// How well it answers.
    pub score: f32,
}
