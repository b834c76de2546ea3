//! The MM Portal server: configuration, database, background jobs and HTTP, around the Leptos
//! UI in the `app` crate. `main.rs` only calls [`cli::main`].

pub mod api_keys;
pub mod backup;
pub mod bench;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod db;
pub mod errors;
pub mod events;
pub mod graph;
pub mod health;
pub mod http;
pub mod jobs;
pub mod live;
pub mod mail;
pub mod mm_metrics;
pub mod monitoring;
pub mod operations;
pub mod partner_api;
pub mod relay;
pub mod sandbox;
pub mod seed;
pub mod server;
pub mod settings;
pub mod signup;
pub mod signup_links;
pub mod staff;
pub mod telemetry;
pub mod templates;
pub mod wabas;
pub mod webhooks;
