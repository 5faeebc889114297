//! The server with a real `redis-server` and real worker processes on loopback. Skipped
//! (with a note) where redis-server is missing, unless KEFU_REQUIRE_REDIS=1 (the full test
//! command installs it and sets that).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use kefu_server::harness::{redis_server_binary, RedisProcess, ServerProcess};
use kefu_server::load::{self, HttpClient};
use kefu_server::scenario::{self, ScenarioConfig};
use serde_json::Value;

fn redis_binary() -> Option<PathBuf> {
    let found = redis_server_binary();
    if found.is_none() {
        assert!(
            std::env::var("KEFU_REQUIRE_REDIS").as_deref() != Ok("1"),
            "KEFU_REQUIRE_REDIS=1 but no redis-server on PATH"
        );
        eprintln!("skipped: no redis-server on PATH (apt-get install redis-server)");
    }
    found
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn work_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn worker_args(redis: &RedisProcess, bot_file: &Path) -> Vec<String> {
    vec!["--redis".into(), redis.url(), "--bot".into(), format!("shop={}", bot_file.display())]
}

fn start_worker(args: &[String]) -> ServerProcess {
    ServerProcess::start(Path::new(env!("CARGO_BIN_EXE_kefu-server")), args).expect("kefu-server starts")
}

async fn post(client: &HttpClient, server: SocketAddr, path: &str, key: Option<&str>, body: &str) -> (u16, Value) {
    let (status, _, body) =
        load::send(client, server, "POST", path, key, body.as_bytes().to_vec(), Duration::from_secs(30))
            .await
            .expect("answered");
    (status, serde_json::from_slice(&body).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into())))
}

async fn get(client: &HttpClient, server: SocketAddr, path: &str) -> (u16, Value) {
    let (status, _, body) =
        load::send(client, server, "GET", path, None, Vec::new(), Duration::from_secs(30)).await.expect("answered");
    (status, serde_json::from_slice(&body).expect("JSON"))
}

/// Two workers, a worker killed mid-run and restarted, Redis restarted, the bot file
/// reloaded: every conversation's log and every answer equal a one-process replay.
/// (The full 1,000-conversation run is `kefu-server-load --faults` in the test command.)
#[tokio::test(flavor = "multi_thread")]
async fn no_turn_is_lost_or_doubled_across_a_worker_kill_and_a_redis_restart() {
    let Some(redis_binary) = redis_binary() else { return };
    let config = ScenarioConfig {
        server_binary: PathBuf::from(env!("CARGO_BIN_EXE_kefu-server")),
        redis_binary,
        work_dir: work_dir("faults"),
        bot_file: repo().join("examples/bots/shop.yaml"),
        encoder: None,
        scripts: std::fs::read_to_string(repo().join("examples/server/conversations.txt")).unwrap(),
        conversations: 150,
        steps_per_conversation: 10,
        rate: 0.0,
        faults: true,
    };
    let report = scenario::run(config).await.expect("the run completes");
    assert_eq!(report.faults.len(), 5, "every fault was injected: {:?}", report.faults);
    assert!(report.retries > 0, "the faults cut some requests off, which were sent again");
    assert!(report.verdict.is_clean(), "{:?}", report.verdict);
    assert_eq!(report.verdict.steps, 1_500);
    assert_eq!(report.steps_answered, report.verdict.steps);
}

/// Many requests for one conversation at once, through both workers: each commits whole,
/// one after another, and a repeated idempotency key runs once.
#[tokio::test(flavor = "multi_thread")]
async fn concurrent_requests_for_one_conversation_never_interleave() {
    let Some(redis_binary) = redis_binary() else { return };
    let redis = RedisProcess::start(&redis_binary, &work_dir("concurrent")).unwrap();
    let args = worker_args(&redis, &repo().join("examples/bots/shop.yaml"));
    let workers = [start_worker(&args), start_worker(&args)];
    let client = load::client();
    let path = "/v1/shop/conversations/busy/turns";
    let lines = ["我的快递到哪了", "88123456", "hi there", "where is my order", "我要退款", "谢谢"];
    let sends = (0..40).map(|i| {
        let (client, server) = (client.clone(), workers[i % 2].addr);
        let body = serde_json::json!({ "text": lines[i % lines.len()], "at": 1_796_000_000 }).to_string();
        tokio::spawn(async move { post(&client, server, path, Some(&format!("k{i}")), &body).await })
    });
    let answers: Vec<(u16, Value)> = futures_join(sends).await;
    assert!(answers.iter().all(|(status, _)| *status == 200), "{answers:?}");

    let (status, log) = get(&client, workers[0].addr, "/v1/shop/conversations/busy/log").await;
    assert_eq!(status, 200);
    let log = log.as_array().unwrap();
    assert_eq!(log.len(), 40, "one entry per request");
    // The log's order is an order the turns really ran in: replaying it gives each result.
    let bot = kefu_core::Bot::from_bytes("shop.yaml", &std::fs::read(repo().join("examples/bots/shop.yaml")).unwrap())
        .unwrap();
    let mut session = kefu_core::Session::new(&bot);
    let now = kefu_core::ReferenceTime { unix_seconds: 1_796_000_000, utc_offset_minutes: 480 };
    for entry in log {
        let turn = session.turn_at(&bot, entry["input"].as_str().unwrap(), now).unwrap();
        let turn: Value = serde_json::from_slice(&serde_json::to_vec(&turn).unwrap()).unwrap();
        assert_eq!(turn, entry["result"]);
    }
    let (_, conversation) = get(&client, workers[1].addr, "/v1/shop/conversations/busy").await;
    assert_eq!(conversation["version"], 40);
    assert_eq!(conversation["turns"], 40);

    // The same key ten times at once, through both workers: one turn, ten equal answers.
    let body = serde_json::json!({ "text": "好的谢谢", "at": 1_796_000_000 }).to_string();
    let repeats = (0..10).map(|i| {
        let (client, server, body) = (client.clone(), workers[i % 2].addr, body.clone());
        tokio::spawn(async move { post(&client, server, path, Some("same"), &body).await })
    });
    let answers = futures_join(repeats).await;
    assert!(answers.iter().all(|a| *a == answers[0]) && answers[0].0 == 200, "{answers:?}");
    let (_, log) = get(&client, workers[0].addr, "/v1/shop/conversations/busy/log").await;
    assert_eq!(log.as_array().unwrap().len(), 41);
}

async fn futures_join<T: Send + 'static>(tasks: impl Iterator<Item = tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::new();
    for task in tasks.collect::<Vec<_>>() {
        out.push(task.await.unwrap());
    }
    out
}

/// Bad requests, a damaged saved session, a bot file broken on reload and Redis down all
/// give a typed JSON error that says what to do, and lose nothing.
#[tokio::test(flavor = "multi_thread")]
async fn bad_input_gets_typed_errors_and_loses_nothing() {
    let Some(redis_binary) = redis_binary() else { return };
    let dir = work_dir("bad-input");
    let mut redis = RedisProcess::start(&redis_binary, &dir.join("redis")).unwrap();
    let bot_file = dir.join("shop.yaml");
    std::fs::copy(repo().join("examples/bots/shop.yaml"), &bot_file).unwrap();
    let worker = start_worker(&worker_args(&redis, &bot_file));
    let (client, at) = (load::client(), worker.addr);
    let turns = "/v1/shop/conversations/c1/turns";

    let (status, error) = post(&client, at, turns, None, r#"{"txt": "hi"}"#).await;
    assert_eq!((status, error["error"].as_str()), (400, Some("bad_request")));
    let (status, _, error) =
        load::send(&client, at, "POST", turns, None, b"{\"text\": \"\xff\xfe\"}".to_vec(), Duration::from_secs(30))
            .await
            .unwrap();
    assert_eq!(status, 400, "{}", String::from_utf8_lossy(&error));
    let (status, error) = post(&client, at, "/v1/nobody/conversations/c1/turns", None, r#"{"text": "hi"}"#).await;
    assert_eq!((status, error["error"].as_str()), (404, Some("unknown_bot")));
    let long = serde_json::json!({ "text": "好".repeat(kefu_core::MAX_UTTERANCE_CHARS + 1) }).to_string();
    let (status, error) = post(&client, at, turns, None, &long).await;
    assert_eq!((status, error["error"].as_str()), (422, Some("invalid_input")));
    let (status, error) =
        post(&client, at, "/v1/shop/conversations/c1/agent-messages", None, r#"{"text": "hello"}"#).await;
    assert_eq!((status, error["error"].as_str()), (409, Some("invalid_state")));
    let (status, _) = post(&client, at, turns, Some(&"k".repeat(201)), r#"{"text": "hi"}"#).await;
    assert_eq!(status, 400);

    // The log keeps the customer's line masked, as the transcript does.
    let (status, _) =
        post(&client, at, "/v1/shop/conversations/c4/turns", None, r#"{"text": "我的手机号是13812345678"}"#).await;
    assert_eq!(status, 200);
    let (_, log) = get(&client, at, "/v1/shop/conversations/c4/log").await;
    let logged = log[0]["input"].as_str().unwrap();
    assert!(logged.starts_with("我的手机号是") && !logged.contains("13812345678"), "{logged}");

    // A conversation whose saved bytes were damaged: an error, and the bytes kept as they are.
    let (status, _) = post(&client, at, turns, Some("1"), r#"{"text": "我的快递到哪了"}"#).await;
    assert_eq!(status, 200);
    let mut direct = redis::Client::open(redis.url()).unwrap().get_multiplexed_async_connection().await.unwrap();
    let key = "kefu:{shop:c1}:session";
    let _: () = redis::cmd("HSET")
        .arg(key)
        .arg("s")
        .arg(b"KEFU\x02\x00garbage".as_slice())
        .query_async(&mut direct)
        .await
        .unwrap();
    let (status, error) = post(&client, at, turns, Some("2"), r#"{"text": "88123456"}"#).await;
    assert_eq!((status, error["error"].as_str()), (500, Some("invalid_session")), "{error}");
    assert!(error["message"].as_str().unwrap().contains("start a new session"));
    let kept: Vec<u8> = redis::cmd("HGET").arg(key).arg("s").query_async(&mut direct).await.unwrap();
    assert_eq!(kept, b"KEFU\x02\x00garbage");

    // A bot file broken on disk: the reload is refused and the old bot serves on.
    std::fs::write(&bot_file, "intents: [").unwrap();
    let (status, error) = post(&client, at, "/admin/v1/shop/reload", None, "").await;
    assert_eq!((status, error["error"].as_str()), (422, Some("bot_file")), "{error}");
    let (status, _) = post(&client, at, "/v1/shop/conversations/c2/turns", None, r#"{"text": "你好"}"#).await;
    assert_eq!(status, 200);

    // Redis down: 503, retry later with the same key; back up, the worker reconnects.
    drop(direct);
    redis.shutdown().unwrap();
    let (status, error) = post(&client, at, "/v1/shop/conversations/c3/turns", Some("r"), r#"{"text": "你好"}"#).await;
    assert_eq!((status, error["error"].as_str()), (503, Some("store_unavailable")), "{error}");
    redis.resume().unwrap();
    let mut status = 0;
    for _ in 0..50 {
        (status, _) = post(&client, at, "/v1/shop/conversations/c3/turns", Some("r"), r#"{"text": "你好"}"#).await;
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, 200, "the worker reconnects to Redis by itself");
}

/// A bot file edited while conversations are open: the reload keeps them. A changed reply
/// shows at once; a changed structure (a new slot) starts the open form over; the
/// conversation's turns and transcript go on.
#[tokio::test(flavor = "multi_thread")]
async fn a_reloaded_bot_keeps_the_open_conversations() {
    let Some(redis_binary) = redis_binary() else { return };
    let dir = work_dir("reload");
    let redis = RedisProcess::start(&redis_binary, &dir.join("redis")).unwrap();
    let bot_file = dir.join("shop.yaml");
    let original = std::fs::read_to_string(repo().join("examples/bots/shop.yaml")).unwrap();
    std::fs::write(&bot_file, &original).unwrap();
    let worker = start_worker(&worker_args(&redis, &bot_file));
    let (client, at) = (load::client(), worker.addr);
    let say = |id: &'static str, text: &'static str| {
        let client = client.clone();
        async move {
            let body = serde_json::json!({ "text": text }).to_string();
            let (status, turn) = post(&client, at, &format!("/v1/shop/conversations/{id}/turns"), None, &body).await;
            assert_eq!(status, 200, "{turn}");
            turn
        }
    };
    let reload = || async { post(&client, at, "/admin/v1/shop/reload", None, "").await.0 };

    // A reply reworded while the customer is in the order form.
    let asked = say("a", "我的快递到哪了").await;
    assert_eq!(asked["signals"][0]["type"], "slot_requested", "{asked}");
    let reworded = original.replace("好的，正在为您查询订单 {order_id} 的物流信息。", "马上为您查订单 {order_id}。");
    assert_ne!(reworded, original);
    std::fs::write(&bot_file, &reworded).unwrap();
    assert_eq!(reload().await, 200);
    let answered = say("a", "88123456").await;
    assert_eq!(answered["replies"][0], "马上为您查订单 88123456。", "the form went on, on the new bot");

    // A new slot in the same intent: the open form starts over, the conversation goes on.
    say("b", "我的快递到哪了").await;
    let restructured = reworded.replacen(
        "    action: lookup_order",
        "      phone:\n        entity: phone\n        required: false\n        prompt: { zh: 请留个电话。, en: Your phone number? }\n    action: lookup_order",
        1,
    );
    assert_ne!(restructured, reworded);
    std::fs::write(&bot_file, &restructured).unwrap();
    assert_eq!(reload().await, 200);
    let after = say("b", "88123456").await;
    // The form was dropped with the old structure: the bare number fills nothing.
    assert!(after["intent"].is_null() && after["slots"].as_object().unwrap().is_empty(), "{after}");
    let (_, conversation) = get(&client, at, "/v1/shop/conversations/b").await;
    assert_eq!(conversation["turns"], 2, "{conversation}");
    assert_eq!(conversation["transcript"][0]["text"], "我的快递到哪了", "the transcript is kept");
}
