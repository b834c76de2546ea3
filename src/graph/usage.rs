//! `X-Business-Use-Case-Usage`: Meta's per-business rate-limit report, sent with Graph
//! responses. A JSON object from business id to a list of usages:
//! `{"<business id>": [{"type": "whatsapp_business_management", "call_count": 100,
//! "total_cputime": 25, "total_time": 25, "estimated_time_to_regain_access": 19}]}` — counts are
//! percentages of the allowance; the time to regain access is in minutes (0 when not
//! throttled). The pipeline waits at least that long before calling again.

use std::collections::HashMap;
use std::time::Duration;

use serde::Deserialize;

pub const HEADER: &str = "x-business-use-case-usage";

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Usage {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub call_count: u32,
    #[serde(default)]
    pub total_cputime: u32,
    #[serde(default)]
    pub total_time: u32,
    #[serde(default)]
    pub estimated_time_to_regain_access: u32,
}

/// The parsed header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BusinessUseCaseUsage {
    pub by_business: HashMap<String, Vec<Usage>>,
}

impl BusinessUseCaseUsage {
    /// Parses the header value; a malformed value is treated as "no information".
    pub fn parse(header: &str) -> BusinessUseCaseUsage {
        BusinessUseCaseUsage {
            by_business: serde_json::from_str(header).unwrap_or_default(),
        }
    }

    /// The longest wait any usage asks for, if any.
    pub fn time_to_regain_access(&self) -> Option<Duration> {
        self.by_business
            .values()
            .flatten()
            .map(|u| u.estimated_time_to_regain_access)
            .max()
            .filter(|minutes| *minutes > 0)
            .map(|minutes| Duration::from_secs(u64::from(minutes) * 60))
    }

    /// The highest percentage of any allowance used (call count, CPU time or total time).
    pub fn highest_percentage(&self) -> u32 {
        self.by_business
            .values()
            .flatten()
            .map(|u| u.call_count.max(u.total_cputime).max(u.total_time))
            .max()
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_time_to_regain_access_in_minutes() {
        let usage = BusinessUseCaseUsage::parse(
            r#"{"2729063490586005":[{"type":"whatsapp_business_management","call_count":100,"total_cputime":25,"total_time":25,"estimated_time_to_regain_access":19}],
                "1111":[{"type":"whatsapp_business_messaging","call_count":40,"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":0}]}"#,
        );
        assert_eq!(
            usage.time_to_regain_access(),
            Some(Duration::from_secs(19 * 60))
        );
        assert_eq!(usage.highest_percentage(), 100);
    }

    #[test]
    fn no_throttling_and_garbage_mean_no_wait() {
        let calm = BusinessUseCaseUsage::parse(
            r#"{"1":[{"type":"whatsapp_business_management","call_count":3,"total_cputime":1,"total_time":1,"estimated_time_to_regain_access":0}]}"#,
        );
        assert_eq!(calm.time_to_regain_access(), None);
        assert_eq!(calm.highest_percentage(), 3);
        let garbage = BusinessUseCaseUsage::parse("not json");
        assert_eq!(garbage, BusinessUseCaseUsage::default());
        assert_eq!(garbage.time_to_regain_access(), None);
    }
}
