//! `mm-portal backup --to FILE`: a copy of the portal's database taken while it runs.
//!
//! - **SQLite:** `VACUUM INTO` a new file beside the target, read back (`PRAGMA
//!   integrity_check`, counts), then renamed into place: `FILE` is either a sound database or
//!   absent, never half-written. Restore by stopping the portal and putting the file at its
//!   `DATABASE_URL` (default `data/portal.db`, with no `-wal`/`-shm` files beside it).
//! - **PostgreSQL:** PostgreSQL's own tool, `pg_dump --format=custom` (a consistent snapshot
//!   of one transaction; writers go on), checked with `pg_restore --list`. The password goes
//!   through `PGPASSWORD`, not the command line other users can read. Restore with
//!   `pg_restore --no-owner --dbname URL FILE` into an empty database.
//!
//! Every acknowledged webhook before the backup started is in it (`tests/api/backup.rs`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::db::{backup as db_backup, Database, Pool};

/// What was written.
#[derive(Debug)]
pub struct BackupReport {
    pub path: PathBuf,
    pub bytes: u64,
    pub took: Duration,
    /// What the file holds, read back from it.
    pub contents: String,
}

impl std::fmt::Display for BackupReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "backup written to {} ({:.1} MB, {}) in {:.1} s",
            self.path.display(),
            self.bytes as f64 / 1e6,
            self.contents,
            self.took.as_secs_f64()
        )
    }
}

/// Backs up `database` (reached at `url`, which may hold a password) into the new file `to`.
pub async fn run(database: &Database, url: &str, to: &Path) -> Result<BackupReport, String> {
    let started = Instant::now();
    if to.exists() {
        return Err(format!(
            "{} already exists: a backup never overwrites a file, name a new one",
            to.display()
        ));
    }
    let partial = partial_path(to);
    // A `.partial` left by an interrupted run is ours to replace.
    remove_if_present(&partial)?;
    let written = match &database.pool {
        Pool::Sqlite(_) => sqlite(database, &partial).await,
        Pool::Postgres(_) => postgres(url, &partial),
    };
    let contents = match written {
        Ok(contents) => contents,
        Err(error) => {
            let _ = std::fs::remove_file(&partial);
            return Err(error);
        }
    };
    std::fs::rename(&partial, to)
        .map_err(|e| format!("cannot move the backup to {}: {e}", to.display()))?;
    sync_dir(to);
    let bytes = std::fs::metadata(to).map(|m| m.len()).unwrap_or(0);
    Ok(BackupReport {
        path: to.to_path_buf(),
        bytes,
        took: started.elapsed(),
        contents,
    })
}

async fn sqlite(database: &Database, partial: &Path) -> Result<String, String> {
    db_backup::sqlite_snapshot(&database.pool, partial).await?;
    std::fs::File::open(partial)
        .and_then(|file| file.sync_all())
        .map_err(|e| format!("cannot flush {}: {e}", partial.display()))?;
    let contents = db_backup::sqlite_check(partial).await?;
    Ok(format!(
        "integrity ok, {} WABAs, {} webhook deliveries",
        contents.wabas, contents.webhook_deliveries
    ))
}

fn postgres(url: &str, partial: &Path) -> Result<String, String> {
    let mut parsed = url::Url::parse(url).map_err(|_| "DATABASE_URL is not a URL".to_string())?;
    let password = parsed.password().map(percent_decode).unwrap_or_default();
    let _ = parsed.set_password(None);
    let mut dump = Command::new("pg_dump");
    dump.args(["--format=custom", "--no-owner", "--no-privileges", "--file"])
        .arg(partial)
        .arg("--dbname")
        .arg(parsed.as_str());
    if !password.is_empty() {
        dump.env("PGPASSWORD", password);
    }
    let output = dump.output().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => "pg_dump is not installed: install PostgreSQL's client \
             tools (the version of the server or newer), or run `pg_dump --format=custom \
             --file FILE DATABASE_URL` yourself"
            .to_string(),
        _ => format!("cannot run pg_dump: {e}"),
    })?;
    if !output.status.success() {
        return Err(format!(
            "pg_dump failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let list = Command::new("pg_restore")
        .arg("--list")
        .arg(partial)
        .output()
        .map_err(|e| format!("cannot run pg_restore --list to check the dump: {e}"))?;
    if !list.status.success() {
        return Err(format!(
            "the dump does not read back: {}",
            String::from_utf8_lossy(&list.stderr).trim()
        ));
    }
    let tables = String::from_utf8_lossy(&list.stdout)
        .lines()
        .filter(|line| line.contains(" TABLE DATA "))
        .count();
    Ok(format!("pg_dump custom format, {tables} tables with data"))
}

fn percent_decode(raw: &str) -> String {
    percent_encoding::percent_decode_str(raw)
        .decode_utf8_lossy()
        .into_owned()
}

fn partial_path(to: &Path) -> PathBuf {
    let mut partial = to.as_os_str().to_os_string();
    partial.push(".partial");
    PathBuf::from(partial)
}

fn remove_if_present(path: &Path) -> Result<(), String> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(format!("cannot remove {}: {e}", path.display()))
        }
        _ => Ok(()),
    }
}

/// Makes the rename durable (best effort: not every platform can open a directory).
fn sync_dir(file: &Path) {
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(dir) = std::fs::File::open(dir) {
            let _ = dir.sync_all();
        }
    }
}
