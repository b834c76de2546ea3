//! What a stream follows: exact topics (`waba:12`) and families (`waba:*`).

/// At most this many topics per stream.
pub const MAX_TOPICS: usize = 16;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Pattern {
    Exact(String),
    /// `waba:*` is the prefix `waba:`.
    Family(String),
}

/// A stream's topics, parsed from `waba:12,signup:*`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Topics(Vec<Pattern>);

impl Topics {
    /// Parses a comma-separated list; the error says which topic is wrong and what is allowed.
    pub fn parse(list: &str) -> Result<Topics, String> {
        let mut patterns = Vec::new();
        for raw in list.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            patterns.push(pattern(raw).ok_or_else(|| {
                format!(
                    "`{raw}` is not a topic: use waba:<id>, signup:<id>, intent:<batch>, \
                     a family such as waba:* or intent:*, or inbox"
                )
            })?);
        }
        if patterns.is_empty() {
            return Err("name at least one topic in ?topics= (e.g. waba:*)".into());
        }
        if patterns.len() > MAX_TOPICS {
            return Err(format!("at most {MAX_TOPICS} topics per stream"));
        }
        Ok(Topics(patterns))
    }

    /// Exactly these topics (a status page's signup and WABA).
    pub fn exact(topics: impl IntoIterator<Item = String>) -> Topics {
        Topics(topics.into_iter().map(Pattern::Exact).collect())
    }

    pub fn matches(&self, topic: &str) -> bool {
        self.0.iter().any(|pattern| match pattern {
            Pattern::Exact(exact) => exact == topic,
            Pattern::Family(prefix) => topic.starts_with(prefix.as_str()),
        })
    }
}

fn pattern(raw: &str) -> Option<Pattern> {
    if raw == "inbox" {
        return Some(Pattern::Exact(raw.into()));
    }
    let (kind, rest) = raw.split_once(':')?;
    if !matches!(kind, "waba" | "signup" | "intent") {
        return None;
    }
    if rest == "*" {
        return Some(Pattern::Family(format!("{kind}:")));
    }
    let valid = match kind {
        "intent" => {
            (1..=64).contains(&rest.len())
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        }
        _ => (1..=19).contains(&rest.len()) && rest.bytes().all(|b| b.is_ascii_digit()),
    };
    valid.then(|| Pattern::Exact(raw.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_topics_and_families_match_what_they_name() {
        let topics = Topics::parse("waba:12, signup:*,inbox").unwrap();
        assert!(topics.matches("waba:12"));
        assert!(!topics.matches("waba:123"));
        assert!(topics.matches("signup:7"));
        assert!(topics.matches("inbox"));
        assert!(!topics.matches("intent:b1"));
    }

    #[test]
    fn bad_lists_say_what_is_wrong() {
        assert!(Topics::parse("").unwrap_err().contains("at least one"));
        assert!(Topics::parse("waba:abc")
            .unwrap_err()
            .contains("`waba:abc`"));
        assert!(Topics::parse("wabas").unwrap_err().contains("`wabas`"));
        assert!(Topics::parse("intent:a b").is_err());
        let many = vec!["waba:*"; MAX_TOPICS + 1].join(",");
        assert!(Topics::parse(&many).unwrap_err().contains("at most"));
    }
}
