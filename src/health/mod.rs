//! The portal's health: the report behind the home page's status card ([`service`], the
//! [`app::health::port::HealthPort`]) and `GET /healthz` for load balancers ([`routes`]).

pub mod routes;
pub mod service;
