//! The integration tests: one binary, so the crate and the harness in `support` are compiled
//! and linked once. Each module is one area of the portal; `support` starts portals, databases
//! (SQLite files and PostgreSQL databases) and the simulator for them.

mod support;

mod account;
mod at_rest;
mod backup;
mod cli;
mod coexistence;
mod conformance;
mod crash;
mod events;
mod instances;
mod intent_bulk;
mod jobs;
mod lifecycle;
mod live;
mod mail;
mod migrations;
mod mm_metrics;
mod mm_operations;
mod monitoring;
mod partner_api;
mod relay;
mod sandbox_graph;
mod sandbox_partner;
mod sandbox_sends;
mod security;
mod server;
mod signup_flow;
mod signup_limits;
mod signup_links;
mod staff;
mod templates;
mod two_factor;
mod webhooks;
