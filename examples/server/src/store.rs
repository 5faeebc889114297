//! Sessions in Redis: each conversation's saved bytes with a version, the log of what
//! changed it, and the results of requests by idempotency key.
//!
//! A change reads the session, runs kefu on it, and commits with one Lua script that
//! writes only if the version is still the one read and the request's key is new. Two
//! workers answering the same conversation at once therefore never interleave states (the
//! loser reads again and runs again), and a retried request gets the first answer back.

use std::time::{Duration, Instant};

use redis::aio::ConnectionManager;
use redis::Script;

/// The keys of one conversation. The hash tag `{tenant:id}` keeps them in one slot, so
/// the commit script also runs on a Redis Cluster.
struct Keys {
    session: String,
    log: String,
    results: String,
}

impl Keys {
    fn new(tenant: &str, conversation: &str) -> Keys {
        let tag = format!("kefu:{{{tenant}:{conversation}}}");
        Keys { session: format!("{tag}:session"), log: format!("{tag}:log"), results: format!("{tag}:results") }
    }
}

/// KEYS: session, log, results. ARGV: version read, new bytes, idempotency key ("" for
/// none), result, log entry, TTL seconds, log length kept.
/// Returns {"done", version} | {"replay", earlier result} | {"conflict", version now}.
const COMMIT: &str = r"
if ARGV[3] ~= '' then
  local earlier = redis.call('HGET', KEYS[3], ARGV[3])
  if earlier then return {'replay', earlier} end
end
local now = redis.call('HGET', KEYS[1], 'v') or '0'
if now ~= ARGV[1] then return {'conflict', now} end
local next = tostring(tonumber(now) + 1)
redis.call('HSET', KEYS[1], 'v', next, 's', ARGV[2])
redis.call('RPUSH', KEYS[2], ARGV[5])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[7]), -1)
if ARGV[3] ~= '' then redis.call('HSET', KEYS[3], ARGV[3], ARGV[4]) end
for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ARGV[6]) end
return {'done', next}
";

/// A session's version and bytes as Redis has them (none for a new conversation).
type Saved = (Option<String>, Option<Vec<u8>>);

/// Log entries kept per conversation (older ones are dropped first).
pub const LOG_ENTRIES: usize = 2_000;
/// How often a change is tried again after another worker changed the session first.
const ATTEMPTS: usize = 32;

/// What a change made: the response body, and the entry for the conversation's log.
#[derive(Debug)]
pub struct Change {
    pub session: Vec<u8>,
    pub result: Vec<u8>,
    pub log_entry: Vec<u8>,
}

/// The outcome of [`Store::update`].
#[derive(Debug)]
pub struct Committed {
    /// The response body: this change's, or the first one's for a repeated key.
    pub result: Vec<u8>,
    /// True when the key had been seen: nothing ran or changed.
    pub replayed: bool,
    /// Time spent waiting on Redis, and running kefu (restore, turn, save).
    pub redis: Duration,
    pub kefu: Duration,
}

/// Why a change did not commit.
#[derive(Debug)]
pub enum StoreError<E> {
    /// Redis cannot be reached or failed: the caller may retry the same request.
    Redis(redis::RedisError),
    /// Other workers kept changing the session first.
    Contended,
    /// The change itself failed (bad saved bytes, a turn kefu refused).
    Change(E),
}

impl<E> From<redis::RedisError> for StoreError<E> {
    fn from(e: redis::RedisError) -> StoreError<E> {
        StoreError::Redis(e)
    }
}

/// The Redis-backed session store, cheap to clone (one multiplexed, reconnecting
/// connection shared by all requests).
#[derive(Clone)]
pub struct Store {
    redis: ConnectionManager,
    commit: Script,
    ttl_seconds: u64,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("ttl_seconds", &self.ttl_seconds).finish_non_exhaustive()
    }
}

impl Store {
    /// Connects to `url` (`redis://127.0.0.1:6379/`). Sessions expire `ttl_seconds` after
    /// their last change.
    pub async fn connect(url: &str, ttl_seconds: u64) -> redis::RedisResult<Store> {
        let client = redis::Client::open(url)?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Duration::from_secs(2))
            .set_response_timeout(Duration::from_secs(5))
            .set_number_of_retries(2);
        let redis = ConnectionManager::new_with_config(client, config).await?;
        Ok(Store { redis, commit: Script::new(COMMIT), ttl_seconds })
    }

    /// Runs `change` on the conversation's saved bytes (`None` for a new conversation) and
    /// commits its result, unless `key` was seen before: then the first result comes back.
    pub async fn update<F, E>(
        &self,
        tenant: &str,
        conversation: &str,
        key: &str,
        mut change: F,
    ) -> Result<Committed, StoreError<E>>
    where
        F: FnMut(Option<&[u8]>) -> Result<Change, E>,
    {
        let keys = Keys::new(tenant, conversation);
        let mut redis = self.redis.clone();
        let (mut in_redis, mut in_kefu) = (Duration::ZERO, Duration::ZERO);
        for _ in 0..ATTEMPTS {
            let started = Instant::now();
            // One round trip; HMGET reads the version and the bytes of one commit together.
            let (earlier, (version, saved)): (Option<Vec<u8>>, Saved) = redis::pipe()
                .hget(&keys.results, if key.is_empty() { "-" } else { key })
                .cmd("HMGET")
                .arg(&keys.session)
                .arg("v")
                .arg("s")
                .query_async(&mut redis)
                .await?;
            in_redis += started.elapsed();
            if let (Some(result), false) = (earlier, key.is_empty()) {
                return Ok(Committed { result, replayed: true, redis: in_redis, kefu: in_kefu });
            }
            let started = Instant::now();
            let made = change(saved.as_deref()).map_err(StoreError::Change)?;
            in_kefu += started.elapsed();

            let started = Instant::now();
            let (status, value): (String, Vec<u8>) = self
                .commit
                .key(&keys.session)
                .key(&keys.log)
                .key(&keys.results)
                .arg(version.as_deref().unwrap_or("0"))
                .arg(&made.session)
                .arg(key)
                .arg(&made.result)
                .arg(&made.log_entry)
                .arg(self.ttl_seconds)
                .arg(LOG_ENTRIES)
                .invoke_async(&mut redis)
                .await?;
            in_redis += started.elapsed();
            match status.as_str() {
                "done" => {
                    return Ok(Committed { result: made.result, replayed: false, redis: in_redis, kefu: in_kefu })
                }
                "replay" => return Ok(Committed { result: value, replayed: true, redis: in_redis, kefu: in_kefu }),
                _ => continue, // another worker committed first: read again
            }
        }
        Err(StoreError::Contended)
    }

    /// The conversation's saved bytes and version, if it exists.
    pub async fn load(&self, tenant: &str, conversation: &str) -> redis::RedisResult<Option<(u64, Vec<u8>)>> {
        let keys = Keys::new(tenant, conversation);
        let mut redis = self.redis.clone();
        let (version, saved): (Option<u64>, Option<Vec<u8>>) =
            redis::cmd("HMGET").arg(&keys.session).arg("v").arg("s").query_async(&mut redis).await?;
        Ok(version.zip(saved))
    }

    /// The conversation's log, oldest entry first.
    pub async fn log(&self, tenant: &str, conversation: &str) -> redis::RedisResult<Vec<Vec<u8>>> {
        let keys = Keys::new(tenant, conversation);
        let mut redis = self.redis.clone();
        redis::cmd("LRANGE").arg(&keys.log).arg(0).arg(-1).query_async(&mut redis).await
    }

    /// One round trip (PING), for the bench's cost of a round trip.
    pub async fn ping(&self) -> redis::RedisResult<()> {
        let mut redis = self.redis.clone();
        redis::cmd("PING").query_async(&mut redis).await
    }
}
