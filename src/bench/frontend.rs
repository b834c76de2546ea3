//! `mm-portal bench frontend`: what each page costs a business or a staff member on a slow
//! phone. Starts the portal (sandbox, temporary SQLite, the built site), seeds customers and a
//! staff account, then runs `end2end/bench/frontend.mjs` in headless Chromium with Chrome's
//! "slow 4G" profile over every page of the router: bytes over the wire cold and warm, and the
//! time until the page is usable. Prints the WebAssembly's compressed sizes too.

use std::path::{Path, PathBuf};

use clap::Args;
use secrecy::SecretString;

use crate::db::{NewStaffUser, Role, StaffStore};

#[derive(Debug, Clone, Args)]
pub struct FrontendBenchArgs {
    /// Customers seeded first, so the staff pages have rows to show.
    #[arg(long, default_value_t = 1000)]
    pub wabas: usize,
    /// A folder for a phone-sized screenshot of every page (made if missing).
    #[arg(long)]
    pub screenshots: Option<PathBuf>,
}

const EMAIL: &str = "bench@frontend.test";

pub async fn run(args: FrontendBenchArgs) -> Result<(), String> {
    let script = script()?;
    let temp = tempfile::tempdir().map_err(|e| format!("temporary directory: {e}"))?;
    let config = super::portal_config(&temp, &[])?;
    let site_root = config.site_root.clone();
    if crate::http::assets::manifest_path(&site_root).is_none() {
        return Err(format!(
            "no built front end in {}: run scripts/build.sh first",
            site_root.display()
        ));
    }
    print_bundle_sizes(&site_root.join("pkg"))?;
    let portal = crate::server::RunningPortal::start(config)
        .await
        .map_err(|e| e.to_string())?;
    let store = portal.database.store.clone();
    crate::seed::seed(store.as_ref(), args.wabas, |_| {})
        .await
        .map_err(|e| format!("seeding failed: {e}"))?;
    let password = format!("bench {} frontend", uuid::Uuid::new_v4());
    let secret = SecretString::from(password.clone());
    let hash = tokio::task::spawn_blocking(move || crate::staff::password::hash(&secret))
        .await
        .map_err(|e| e.to_string())?;
    store
        .create_staff_user(&NewStaffUser {
            email: EMAIL.into(),
            display_name: "Bench".into(),
            password_hash: hash,
            role: Role::Admin,
        })
        .await
        .map_err(|e| format!("staff account: {e}"))?;
    let routes: Vec<String> = leptos_axum::generate_route_list(app::App)
        .iter()
        .map(|route| route.path().to_string())
        .collect();
    println!(
        "{} pages, {} customers, headless Chromium at 390×844, slow 4G (150 ms, 1.6 Mbit/s), CPU 4× slower",
        routes.len(),
        args.wabas
    );
    let mut node = std::process::Command::new("node");
    node.arg(&script)
        .env("PORTAL_URL", portal.url.as_str().trim_end_matches('/'))
        .env("BENCH_EMAIL", EMAIL)
        .env("BENCH_PASSWORD", &password)
        .env(
            "BENCH_ROUTES",
            serde_json::to_string(&routes).map_err(|e| e.to_string())?,
        );
    if let Some(dir) = &args.screenshots {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        node.env(
            "BENCH_SCREENSHOTS",
            std::path::absolute(dir).unwrap_or(dir.clone()),
        );
    }
    let shown = script.display().to_string();
    let status = tokio::task::spawn_blocking(move || node.status())
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("cannot run node {shown}: {e}"))?;
    portal.shutdown().await;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{} failed ({status})", script.display()))
    }
}

/// The browser script, and the Playwright it needs.
fn script() -> Result<PathBuf, String> {
    let candidates = [
        PathBuf::from("end2end"),
        Path::new(env!("CARGO_MANIFEST_DIR")).join("end2end"),
    ];
    let end2end = candidates
        .into_iter()
        .find(|dir| dir.join("bench/frontend.mjs").exists())
        .ok_or("end2end/bench/frontend.mjs not found: run from the project's folder")?;
    if !end2end.join("node_modules/@playwright/test").exists() {
        return Err(format!(
            "Playwright is not installed in {}: run scripts/setup.sh --test",
            end2end.display()
        ));
    }
    Ok(end2end.join("bench/frontend.mjs"))
}

/// The WebAssembly as it crosses the wire: raw, gzip and Brotli.
fn print_bundle_sizes(pkg: &Path) -> Result<(), String> {
    let entries = std::fs::read_dir(pkg).map_err(|e| format!("{}: {e}", pkg.display()))?;
    let size = |path: PathBuf| std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let (mut raw, mut gzip, mut brotli) = (0, 0, 0);
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|ext| ext == "wasm") {
            raw += size(path.clone());
            gzip += size(path.with_extension("wasm.gz"));
            brotli += size(path.with_extension("wasm.br"));
        }
    }
    let kb = |bytes: u64| bytes as f64 / 1024.0;
    println!(
        "WebAssembly: {:.0} KB raw, {:.0} KB gzip, {:.0} KB Brotli (target: all of it ≤ 200 KB gzip: {})",
        kb(raw),
        kb(gzip),
        kb(brotli),
        if gzip <= 200 * 1024 { "met" } else { "MISSED" }
    );
    Ok(())
}
