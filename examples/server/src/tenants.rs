//! The bots this server serves, one per tenant, each reloadable from its file while
//! conversations go on: a turn holds the bot it started with, and the next turn restores
//! the saved session for the new bot (kefu keeps it, starting any open form over if the
//! intents or slots changed).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use kefu_core::{Bot, BotLoader, SentenceEncoder, StaticEncoder};

/// One tenant's bot and where it came from.
struct Tenant {
    file: PathBuf,
    bot: RwLock<Arc<Bot>>,
}

/// Tenant name → bot.
pub struct Tenants {
    tenants: BTreeMap<String, Tenant>,
    encoder: Option<Arc<dyn SentenceEncoder>>,
}

impl std::fmt::Debug for Tenants {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.tenants.keys()).finish()
    }
}

impl Tenants {
    /// Loads each `(tenant, file)`; with `encoder`, on its tier, else on the embedded tier. Fails with the first file that does not load.
    pub fn load(files: &[(String, PathBuf)], encoder: Option<Arc<dyn SentenceEncoder>>) -> Result<Tenants, String> {
        let mut tenants = BTreeMap::new();
        for (name, file) in files {
            let bot = load_bot(file, encoder.as_ref())?;
            tenants.insert(name.clone(), Tenant { file: file.clone(), bot: RwLock::new(Arc::new(bot)) });
        }
        Ok(Tenants { tenants, encoder })
    }

    /// The tenant's bot as it is now.
    pub fn bot(&self, tenant: &str) -> Option<Arc<Bot>> {
        let tenant = self.tenants.get(tenant)?;
        // A poisoned lock still holds a whole bot: the swap below cannot half-happen.
        Some(tenant.bot.read().unwrap_or_else(|e| e.into_inner()).clone())
    }

    /// Reads the tenant's file again and serves the new bot from the next turn on; a file
    /// that does not load leaves the old bot serving. `None` for an unknown tenant.
    pub fn reload(&self, tenant: &str) -> Option<Result<Arc<Bot>, String>> {
        let entry = self.tenants.get(tenant)?;
        Some(load_bot(&entry.file, self.encoder.as_ref()).map(|bot| {
            let bot = Arc::new(bot);
            *entry.bot.write().unwrap_or_else(|e| e.into_inner()) = bot.clone();
            bot
        }))
    }
}

/// The encoder of a tier: a static embedding table file (`tools/build-static`), or an ONNX
/// encoder folder or model bundle (ONNX Runtime from `KEFU_ONNXRUNTIME`).
pub fn load_encoder(path: &std::path::Path) -> Result<Arc<dyn SentenceEncoder>, String> {
    let named = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    if path.is_dir() {
        return Ok(Arc::new(kefu_onnx::OnnxEncoder::from_dir(path).map_err(|e| named(&e))?));
    }
    let bytes = std::fs::read(path).map_err(|e| named(&e))?;
    if bytes.starts_with(b"KEFUSTAT") {
        return Ok(Arc::new(StaticEncoder::from_bytes(&bytes).map_err(|e| named(&e))?));
    }
    let bundle = kefu_core::ModelBundle::from_bytes(&bytes).map_err(|e| named(&e))?;
    Ok(Arc::new(kefu_onnx::OnnxEncoder::from_bundle(&bundle).map_err(|e| named(&e))?))
}

fn load_bot(file: &PathBuf, encoder: Option<&Arc<dyn SentenceEncoder>>) -> Result<Bot, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let loader = match encoder {
        Some(encoder) => BotLoader::new().encoder(encoder.clone()),
        None => BotLoader::new(),
    };
    loader.from_bytes(&file.display().to_string(), &bytes).map_err(|e| e.to_string())
}
