pub mod layout;
pub mod live;
pub mod metrics_chart;
pub mod status;
