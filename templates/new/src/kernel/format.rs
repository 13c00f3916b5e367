//! Checks for the string formats entity schemas can require (`format = "email"` or `"url"`).
//! Deliberately simple: they catch mistakes, not every address the RFCs allow.

/// `local@domain.tld`: one `@`, no spaces, a dot in a domain made of non-empty labels.
pub fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !value.chars().any(char::is_whitespace)
        && !domain.contains('@')
        && domain.contains('.')
        && domain.split('.').all(|label| !label.is_empty())
}

/// An absolute `http://` or `https://` URL with a host and no spaces.
pub fn is_url(value: &str) -> bool {
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    rest.is_some_and(|rest| {
        let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
        !host.is_empty() && !value.chars().any(char::is_whitespace)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_emails() {
        assert!(is_email("user1@example.com"));
        for bad in ["", "user", "@example.com", "a@b", "a b@c.d", "a@b..c", "a@b@c.d"] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn recognises_urls() {
        assert!(is_url("https://example.com/1"));
        assert!(is_url("http://localhost:8080"));
        for bad in ["", "example.com", "ftp://x", "https://", "https://a b"] {
            assert!(!is_url(bad), "{bad}");
        }
    }
}
