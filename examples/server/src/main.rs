//! `kefu-server --bot shop=examples/bots/shop.yaml --redis redis://127.0.0.1:6379/`

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Parser;
use kefu_server::app::{router, App};
use kefu_server::store::Store;
use kefu_server::tenants::{load_encoder, Tenants};

#[derive(Parser)]
#[command(about = "Serves kefu bots over HTTP, with sessions in Redis.")]
struct Args {
    /// A tenant and its bot file, `name=path`; repeat for more tenants.
    #[arg(long = "bot", required = true, value_parser = parse_tenant)]
    bots: Vec<(String, PathBuf)>,
    /// Where Redis is.
    #[arg(long, default_value = "redis://127.0.0.1:6379/")]
    redis: String,
    /// Address to listen on (port 0: any free port; the chosen one is printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
    /// The bots' tier: a static embedding table (`tools/build-static`), or an ONNX encoder
    /// folder or model bundle (ONNX Runtime from KEFU_ONNXRUNTIME). Default: embedded.
    #[arg(long)]
    encoder: Option<PathBuf>,
    /// Sessions expire this long after their last change.
    #[arg(long, default_value_t = 86_400)]
    ttl_seconds: u64,
    /// The customers' offset from UTC in minutes when a request does not give one.
    #[arg(long, default_value_t = 480)]
    utc_offset_minutes: i32,
}

fn parse_tenant(arg: &str) -> Result<(String, PathBuf), String> {
    match arg.split_once('=') {
        Some((name, path)) if !name.is_empty() && !path.is_empty() => Ok((name.to_string(), PathBuf::from(path))),
        _ => Err(format!("expected name=path/to/bot.yaml, got {arg:?}")),
    }
}

#[tokio::main]
async fn main() {
    if let Err(message) = run(Args::parse()).await {
        eprintln!("kefu-server: {message}");
        std::process::exit(1);
    }
}

async fn run(args: Args) -> Result<(), String> {
    let encoder = args.encoder.as_deref().map(load_encoder).transpose()?;
    let tenants = Tenants::load(&args.bots, encoder)?;
    let store = Store::connect(&args.redis, args.ttl_seconds)
        .await
        .map_err(|e| format!("cannot reach Redis at {}: {e} (start redis-server, or pass --redis)", args.redis))?;
    let app = Arc::new(App { tenants, store, utc_offset_minutes: args.utc_offset_minutes });
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    // The test harness waits for this line.
    println!("kefu-server listening on {addr}");
    let _ = std::io::stdout().flush();
    axum::serve(listener, router(app)).with_graceful_shutdown(shutdown()).await.map_err(|e| e.to_string())
}

/// Ctrl-C or SIGTERM: stop taking connections, finish the requests under way.
async fn shutdown() {
    let ctrl_c = tokio::signal::ctrl_c();
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(term) => term,
        Err(_) => return ctrl_c.await.unwrap_or(()),
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = term.recv() => {},
    }
}
