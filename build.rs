//! Rebuilds the server when a migration file is added: `sqlx::migrate!` embeds the files at
//! compile time, and without this a new file would not be noticed by an incremental build.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
