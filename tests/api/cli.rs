//! The binary as an operator meets it: start-up failures give one clear line and exit code 2
//! (no panic, no secret), `--help` is usable, and SIGTERM shuts down cleanly.

use crate::support;

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_mm-portal");

/// Runs the binary with a clean environment (only PATH and HOME kept) plus `env`.
fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(BIN);
    command.env_clear().args(args);
    for key in ["PATH", "HOME"] {
        if let Ok(value) = std::env::var(key) {
            command.env(key, value);
        }
    }
    command.envs(env.iter().copied());
    command.output().expect("binary runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn assert_clean_failure(output: &Output, expected: &str) {
    let text = stderr(output);
    assert_eq!(output.status.code(), Some(2), "stderr: {text}");
    assert!(text.contains(expected), "expected `{expected}` in: {text}");
    assert!(!text.contains("panicked"), "{text}");
    assert!(!text.contains("backtrace"), "{text}");
}

#[test]
fn help_lists_commands_and_settings_without_secret_values() {
    let output = run(
        &["--help"],
        &[("META_APP_SECRET", "do-not-print-me-0123456789")],
    );
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success());
    for expected in [
        "serve",
        "migrate",
        "check-config",
        "PORTAL_ADDR",
        "DATABASE_URL",
        "META_MODE",
        "TOKEN_ENCRYPTION_KEY",
    ] {
        assert!(text.contains(expected), "--help lacks {expected}:\n{text}");
    }
    assert!(!text.contains("do-not-print-me"));
}

#[test]
fn live_mode_without_credentials_names_each_missing_value() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(
        &["check-config"],
        &[
            ("META_MODE", "live"),
            ("PORTAL_DATA_DIR", dir.path().to_str().unwrap()),
        ],
    );
    assert_clean_failure(&output, "META_APP_ID is required in live mode");
    let text = stderr(&output);
    assert!(text.contains("error: DATABASE_URL is required in live mode"));
    assert!(
        text.lines().all(|line| line.starts_with("error: ")),
        "{text}"
    );
}

#[test]
fn an_unsupported_database_url_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(
        &["check-config"],
        &[
            ("DATABASE_URL", "mysql://root:pw@localhost/db"),
            ("PORTAL_DATA_DIR", dir.path().to_str().unwrap()),
        ],
    );
    assert_clean_failure(&output, "DATABASE_URL must start with sqlite: or postgres:");
    assert!(!stderr(&output).contains("pw@"));
}

#[test]
fn an_unreachable_database_server_is_reported_without_its_password() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(
        &["migrate"],
        &[
            (
                "DATABASE_URL",
                "postgres://portal:s3cr3t-pw@127.0.0.1:1/portal",
            ),
            ("PORTAL_DATA_DIR", dir.path().to_str().unwrap()),
        ],
    );
    assert_clean_failure(
        &output,
        "cannot open the database at postgres://portal:***@127.0.0.1:1/portal",
    );
    assert!(!stderr(&output).contains("s3cr3t-pw"));
}

#[test]
fn an_unwritable_data_directory_is_reported() {
    // A path below a regular file can never be created, even by root.
    let file = tempfile::NamedTempFile::new().unwrap();
    let data_dir = file.path().join("data");
    let output = run(
        &["serve"],
        &[("PORTAL_DATA_DIR", data_dir.to_str().unwrap())],
    );
    assert_clean_failure(&output, "cannot write to the data directory");
    assert!(stderr(&output).contains("PORTAL_DATA_DIR"));
}

#[test]
fn a_port_in_use_is_reported() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let output = run(
        &["serve"],
        &[
            ("PORTAL_ADDR", &addr),
            ("PORTAL_DATA_DIR", dir.path().to_str().unwrap()),
        ],
    );
    assert_clean_failure(&output, &format!("cannot listen on {addr}"));
    assert!(stderr(&output).contains("set PORTAL_ADDR to a free address"));
}

#[test]
fn serve_prints_its_url_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let (child, _, line) = support::spawn_binary(dir.path(), "info", Stdio::piped());
    assert!(
        line.starts_with("MM Portal (Sandbox) listening on http://127.0.0.1:"),
        "{line}"
    );
    assert!(
        dir.path().join("portal.db").exists(),
        "SQLite file created under the data dir"
    );

    let started = Instant::now();
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "exit: {:?}", output.status);
    assert!(started.elapsed() < Duration::from_secs(10));
    let logs = String::from_utf8_lossy(&output.stderr);
    assert!(logs.contains("shutdown requested"), "{logs}");
    assert!(logs.contains("portal stopped"), "{logs}");
}

#[test]
fn json_logs_are_one_object_per_line_and_carry_no_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new(BIN);
    command
        .arg("serve")
        .env("PORTAL_ADDR", "127.0.0.1:0")
        .env("PORTAL_DATA_DIR", dir.path())
        .env("LOG_FORMAT", "json")
        .env("RUST_LOG", "debug")
        .env_remove("DATABASE_URL")
        .env_remove("META_MODE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    // Drained from the start: debug logs outgrow a pipe's buffer, and a portal blocked
    // writing its log would never answer.
    let mut stderr = child.stderr.take().unwrap();
    let logs = std::thread::spawn(move || {
        let mut logs = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut logs).unwrap();
        logs
    });
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let url = line.trim().rsplit(' ').next().unwrap().to_string();
    // A request, so request spans and ids show up in the log.
    let _ = std::net::TcpStream::connect(url.trim_start_matches("http://").trim_end_matches('/'))
        .and_then(|mut stream| {
            use std::io::{Read, Write};
            stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")?;
            let mut response = String::new();
            stream.read_to_string(&mut response).map(|_| response)
        })
        .unwrap();
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
    let logs = logs.join().unwrap();
    let lines: Vec<&str> = logs.lines().filter(|l| !l.is_empty()).collect();
    assert!(lines.len() >= 3, "{logs}");
    for line in &lines {
        let value: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}"));
        assert!(
            value.get("level").is_some() && value.get("timestamp").is_some(),
            "{line}"
        );
    }
    assert!(logs.contains("portal started"));
    let secrets: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("sandbox-secrets.json")).unwrap())
            .unwrap();
    for name in ["app_secret", "webhook_verify_token", "token_encryption_key"] {
        let secret = secrets[name].as_str().unwrap();
        let key_material = secret.rsplit(':').next().unwrap();
        assert!(!logs.contains(key_material), "{name} leaked into the logs");
    }
}

/// Runs `serve` with `env`, waiting at most 20 s for it to exit: `None` if it was still
/// serving then (it is killed).
fn serve_briefly(env: &[(&str, &str)]) -> Option<Output> {
    let mut command = Command::new(BIN);
    command.env_clear().arg("serve");
    for key in ["PATH", "HOME"] {
        if let Ok(value) = std::env::var(key) {
            command.env(key, value);
        }
    }
    let mut child = command
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        if child.try_wait().unwrap().is_some() {
            return Some(child.wait_with_output().unwrap());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

/// The simulator lets anyone who reaches it mint tokens and arm faults, so sandbox mode (the
/// default) serves on loopback only unless the operator says otherwise (issue 16, item 12).
#[test]
fn sandbox_mode_refuses_a_non_loopback_address() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().to_str().unwrap();
    for addr in ["0.0.0.0:0", "[::]:0"] {
        let output = serve_briefly(&[("PORTAL_ADDR", addr), ("PORTAL_DATA_DIR", data_dir)])
            .unwrap_or_else(|| panic!("sandbox mode served on {addr}"));
        assert_clean_failure(
            &output,
            &format!("PORTAL_ADDR {addr} is not a loopback address"),
        );
        let text = stderr(&output);
        assert!(text.contains("SANDBOX_ALLOW_REMOTE=true"), "{text}");
        assert!(text.lines().all(|l| l.starts_with("error: ")), "{text}");
    }
    let output = run(
        &["check-config"],
        &[
            ("PORTAL_ADDR", "0.0.0.0:3000"),
            ("PORTAL_DATA_DIR", data_dir),
        ],
    );
    assert_clean_failure(&output, "is not a loopback address");
}

#[test]
fn sandbox_mode_serves_remotely_when_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().to_str().unwrap();
    let output = run(
        &["check-config"],
        &[
            ("PORTAL_ADDR", "0.0.0.0:3000"),
            ("PORTAL_DATA_DIR", data_dir),
            ("SANDBOX_ALLOW_REMOTE", "true"),
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let output = run(
        &["--sandbox-allow-remote", "check-config"],
        &[
            ("PORTAL_ADDR", "0.0.0.0:3000"),
            ("PORTAL_DATA_DIR", data_dir),
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    // Loopback needs no permission, IPv6 included.
    let output = run(
        &["check-config"],
        &[("PORTAL_ADDR", "[::1]:3000"), ("PORTAL_DATA_DIR", data_dir)],
    );
    assert!(output.status.success(), "{}", stderr(&output));
}
