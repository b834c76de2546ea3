//! The MM Portal server: configuration, database, background jobs and HTTP, around the Leptos
//! UI in the `app` crate. `main.rs` only calls [`cli::main`].

pub mod account;
pub mod admin;
pub mod auth;
pub mod bench;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod dashboard;
pub mod db;
pub mod graph;
pub mod http;
pub mod jobs;
pub mod mm;
pub mod onboarding;
pub mod portal;
pub mod sandbox;
pub mod search;
pub mod seed;
pub mod server;
pub mod staff_admin;
pub mod telemetry;
pub mod webhooks;
