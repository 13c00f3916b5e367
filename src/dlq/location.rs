//! Where a broker is, for messages: `host:port[/path]` of its URL, never its password.

/// `host:port` and the path of `url`, with `default_port` when the URL names none.
pub fn broker_location(url: &str, default_port: u16) -> String {
    match url::Url::parse(url) {
        Ok(parsed) => format!(
            "{}:{}{}",
            parsed.host_str().unwrap_or("localhost"),
            parsed.port().unwrap_or(default_port),
            parsed.path()
        ),
        Err(_) => crate::migrate::connect::redact(url),
    }
}
