//! Real processes on loopback for the load and fault test and the bench: a `redis-server`
//! with its own persistence, and `kefu-server` workers that can be killed and restarted.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The `redis-server` to run: `$KEFU_REDIS_SERVER`, else the one on `PATH`.
pub fn redis_server_binary() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("KEFU_REDIS_SERVER") {
        return Some(PathBuf::from(path));
    }
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|dir| Path::new(dir).join("redis-server"))
        .find(|path| path.is_file())
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Sends one inline command and reads the first line of the reply.
fn redis_command(port: u16, command: &str) -> std::io::Result<String> {
    let mut stream = TcpStream::connect_timeout(&SocketAddr::from(([127, 0, 0, 1], port)), Duration::from_millis(500))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    stream.write_all(format!("{command}\r\n").as_bytes())?;
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line)?;
    Ok(line)
}

/// A `redis-server` on loopback, with an append-only file in `dir` (fsync each second; a
/// graceful shutdown writes everything).
#[derive(Debug)]
pub struct RedisProcess {
    binary: PathBuf,
    dir: PathBuf,
    port: u16,
    child: Option<Child>,
}

impl RedisProcess {
    /// Starts it and waits until it answers.
    pub fn start(binary: &Path, dir: &Path) -> std::io::Result<RedisProcess> {
        std::fs::create_dir_all(dir)?;
        let mut redis = RedisProcess { binary: binary.into(), dir: dir.into(), port: free_port()?, child: None };
        redis.spawn()?;
        Ok(redis)
    }

    /// Starts it again after [`RedisProcess::shutdown`], on the same port and data.
    pub fn resume(&mut self) -> std::io::Result<()> {
        self.spawn()
    }

    fn spawn(&mut self) -> std::io::Result<()> {
        let child = Command::new(&self.binary)
            .args(["--bind", "127.0.0.1", "--port", &self.port.to_string(), "--save", ""])
            .args(["--appendonly", "yes", "--appendfsync", "everysec", "--maxclients", "10000"])
            .arg("--dir")
            .arg(&self.dir)
            .arg("--logfile")
            .arg(self.dir.join("redis.log"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()?;
        self.child = Some(child);
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(20) {
            if redis_command(self.port, "PING").is_ok_and(|reply| reply.starts_with("+PONG")) {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(std::io::Error::other(format!("redis-server did not answer; see {}", self.dir.join("redis.log").display())))
    }

    /// `redis://127.0.0.1:port/`
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Shuts it down as an operator would (it writes its data first).
    pub fn shutdown(&mut self) -> std::io::Result<()> {
        let _ = redis_command(self.port, "SHUTDOWN");
        if let Some(mut child) = self.child.take() {
            child.wait()?;
        }
        Ok(())
    }

    /// Shuts it down, then starts it again on the same port and data.
    pub fn restart(&mut self) -> std::io::Result<()> {
        self.shutdown()?;
        self.spawn()
    }
}

impl Drop for RedisProcess {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A `kefu-server` worker.
#[derive(Debug)]
pub struct ServerProcess {
    binary: PathBuf,
    args: Vec<String>,
    /// Where it listens (kept across restarts).
    pub addr: SocketAddr,
    child: Option<Child>,
}

impl ServerProcess {
    /// Starts `binary` with `args` (its bots and Redis) on a free port and waits until it
    /// listens.
    pub fn start(binary: &Path, args: &[String]) -> std::io::Result<ServerProcess> {
        let mut server = ServerProcess {
            binary: binary.into(),
            args: args.to_vec(),
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            child: None,
        };
        server.spawn()?;
        Ok(server)
    }

    fn spawn(&mut self) -> std::io::Result<()> {
        let started = Instant::now();
        loop {
            let mut child = Command::new(&self.binary)
                .args(&self.args)
                .args(["--listen", &self.addr.to_string()])
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .spawn()?;
            let mut line = String::new();
            let stdout = child.stdout.take().ok_or_else(|| std::io::Error::other("no stdout"))?;
            let mut reader = BufReader::new(stdout);
            reader.read_line(&mut line)?;
            if let Some(addr) = line.trim().strip_prefix("kefu-server listening on ") {
                self.addr = addr.parse().map_err(std::io::Error::other)?;
                // Keep reading (and dropping) whatever else it prints.
                std::thread::spawn(move || {
                    std::io::copy(&mut reader.into_inner().take(u64::MAX), &mut std::io::sink())
                });
                self.child = Some(child);
                return Ok(());
            }
            let status = child.wait()?;
            // The old worker's port may take a moment to free after a kill.
            if started.elapsed() > Duration::from_secs(20) {
                return Err(std::io::Error::other(format!("kefu-server did not start ({status})")));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Kills it at once (SIGKILL: requests under way are cut off), as a crash would.
    pub fn kill(&mut self) -> std::io::Result<()> {
        if let Some(mut child) = self.child.take() {
            child.kill()?;
            child.wait()?;
        }
        Ok(())
    }

    /// Starts it again on the same address.
    pub fn restart(&mut self) -> std::io::Result<()> {
        self.kill()?;
        self.spawn()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.kill();
    }
}
