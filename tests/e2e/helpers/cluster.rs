//! A private PostgreSQL cluster for the fault tests: initialised in a temporary directory, on a
//! free port of 127.0.0.1 with its socket in that directory and trust authentication, stopped
//! and started at will, and always stopped and removed when dropped (a failing test included).
//! PostgreSQL refuses to run as root, so when the tests do, its commands run as `postgres`.
//! A cluster streams its WAL to replicas made from it ([`Cluster::replica_of`]: `pg_basebackup
//! -R`, PostgreSQL's own streaming replication; initdb's trust rules admit replication from
//! 127.0.0.1).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

/// A PostgreSQL cluster of one test.
pub struct Cluster {
    dir: TempDir,
    port: u16,
}

impl Cluster {
    /// Initialises and starts a cluster; panics with PostgreSQL's own words when it cannot.
    pub fn start() -> Cluster {
        let cluster = Cluster::empty();
        let data = cluster.data();
        run(cluster
            .pg("initdb")
            .args([
                "--auth=trust",
                "--username=postgres",
                "--no-sync",
                "--pgdata",
            ])
            .arg(&data));
        cluster.start_again();
        cluster
    }

    /// A streaming replica of `primary`, started: a base backup of it with the settings to
    /// follow it (`pg_basebackup -R`), on a port of its own.
    pub fn replica_of(primary: &Cluster) -> Cluster {
        let replica = Cluster::empty();
        run(replica
            .pg("pg_basebackup")
            .args(["-h", "127.0.0.1", "-p", &primary.port.to_string()])
            .args([
                "-U",
                "postgres",
                "-R",
                "-X",
                "stream",
                "--checkpoint=fast",
                "--no-sync",
                "-D",
            ])
            .arg(replica.data()));
        replica.start_again();
        replica
    }

    /// A directory PostgreSQL may own, and a free port.
    fn empty() -> Cluster {
        let dir = TempDir::new().expect("a temporary directory");
        if as_root() {
            run(Command::new("chown")
                .arg("postgres:postgres")
                .arg(dir.path()));
        }
        Cluster {
            dir,
            port: free_port(),
        }
    }

    /// The URL of its `postgres` database.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Stops it the hard way (`pg_ctl stop -m immediate`): every connection breaks at once, as
    /// when the database host fails.
    pub fn kill(&self) {
        run(self
            .pg("pg_ctl")
            .args(["stop", "-m", "immediate", "-w", "-D"])
            .arg(self.data()));
    }

    /// Starts it (again) and waits until it accepts connections.
    pub fn start_again(&self) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        run(self
            .pg("pg_ctl")
            .args(["start", "-w", "-t", "30", "-o", &options, "-l"])
            .arg(self.dir.path().join("server.log"))
            .arg("-D")
            .arg(self.data()));
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// A PostgreSQL program, run as `postgres` when we are root.
    fn pg(&self, program: &str) -> Command {
        let program = binary(program);
        if as_root() {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "postgres", "--"]).arg(program);
            cmd.current_dir(self.dir.path());
            cmd
        } else {
            let mut cmd = Command::new(program);
            cmd.current_dir(self.dir.path());
            cmd
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // Stopped already, or never started: either way nothing may outlive the test.
        let stopped = self
            .pg("pg_ctl")
            .args(["stop", "-m", "immediate", "-w", "-D"])
            .arg(self.data())
            .output();
        if let Ok(out) = stopped
            && !out.status.success()
            && self.data().join("postmaster.pid").exists()
        {
            eprintln!(
                "the test cluster did not stop: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

/// A port of 127.0.0.1 nobody listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Where a PostgreSQL program lives: on `PATH`, else in Debian's versioned directory.
fn binary(program: &str) -> PathBuf {
    for dir in ["/usr/local/bin", "/usr/bin"] {
        let path = Path::new(dir).join(program);
        if path.exists() {
            return path;
        }
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|dirs| {
            dirs.flatten()
                .map(|d| d.path().join("bin").join(program))
                .collect()
        })
        .unwrap_or_default();
    versions.retain(|p| p.exists());
    versions.sort();
    versions
        .pop()
        .unwrap_or_else(|| panic!("no PostgreSQL `{program}` on this machine"))
}

fn as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
}

fn run(cmd: &mut Command) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{cmd:?} does not run: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}
