//! Mail to business admins (docs/MAIL.md): composed in the admin's language from
//! `app/locales/*/mail.ftl`, queued durably with its send job, sent over SMTP by the job
//! workers; in sandbox mode every mail is also listed on `/sandbox/mail`, and without
//! `SMTP_URL` it is only caught there.

pub mod compose;
pub mod notify;
pub mod routes;
pub mod send;

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};

/// How mail leaves the portal.
#[derive(Clone)]
pub struct Mailer {
    /// `None`: no `SMTP_URL`; mail is caught (sandbox) or fails with the reason (live).
    pub transport: Option<AsyncSmtpTransport<Tokio1Executor>>,
    pub from: Mailbox,
    pub sandbox: bool,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("smtp", &self.transport.is_some())
            .field("from", &self.from.to_string())
            .field("sandbox", &self.sandbox)
            .finish()
    }
}

/// Reads `SMTP_URL` and `MAIL_FROM`. An unencrypted `smtp://` URL (no `tls=required`) is
/// accepted only for a loopback host: anywhere else it would send the password and every
/// mail in clear. Errors never quote the URL (it may hold the password).
pub fn mailer(
    smtp_url: Option<&SecretString>,
    from: &str,
    sandbox: bool,
) -> Result<Mailer, String> {
    let from: Mailbox = from.parse().map_err(|_| {
        format!("MAIL_FROM `{from}` is not an email address (`Name <a@b.example>`)")
    })?;
    let transport = match smtp_url {
        None => None,
        Some(url) => Some(transport(url.expose_secret())?),
    };
    Ok(Mailer {
        transport,
        from,
        sandbox,
    })
}

fn transport(url: &str) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let parsed = url::Url::parse(url).map_err(|_| "SMTP_URL is not a URL".to_string())?;
    let encrypted = parsed.scheme() == "smtps"
        || parsed
            .query_pairs()
            .any(|(k, v)| k == "tls" && v == "required");
    let loopback = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        // `smtp:` is not a special scheme to the URL parser: an IP address comes as a name.
        Some(url::Host::Domain(name)) => {
            name == "localhost"
                || name
                    .trim_matches(['[', ']'])
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        None => false,
    };
    match parsed.scheme() {
        "smtp" | "smtps" => {}
        _ => return Err("SMTP_URL must start with smtp:// or smtps://".into()),
    }
    if !encrypted && !loopback {
        return Err(
            "SMTP_URL sends in clear to a host that is not this machine: use smtps://host:465 \
             or smtp://host:587?tls=required"
                .into(),
        );
    }
    AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
        .map(|builder| {
            builder
                .timeout(Some(std::time::Duration::from_secs(20)))
                .build()
        })
        .map_err(|_| "SMTP_URL could not be read (check its host, port and tls=)".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(url: &str) -> SecretString {
        SecretString::from(url.to_string())
    }

    #[test]
    fn clear_text_smtp_is_only_for_this_machine() {
        for ok in [
            "smtp://127.0.0.1:2525",
            "smtp://localhost:25",
            "smtps://user:pass@mail.example:465",
            "smtp://user:pass@mail.example:587?tls=required",
        ] {
            assert!(
                mailer(Some(&secret(ok)), "Portal <p@x.example>", false).is_ok(),
                "{ok}"
            );
        }
        let refused = mailer(
            Some(&secret("smtp://user:hunter2@mail.example:587")),
            "p@x.example",
            false,
        )
        .unwrap_err();
        assert!(refused.contains("in clear"), "{refused}");
        assert!(!refused.contains("hunter2"), "the password is never quoted");
        assert!(mailer(Some(&secret("http://mail.example")), "p@x.example", false).is_err());
        assert!(mailer(None, "not an address", false).is_err());
    }
}
