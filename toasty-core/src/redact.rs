//! Hiding the secrets of a database URL before it reaches a message: used by the network
//! drivers and by `toasty`'s URL dispatch in every error, `Debug` output and log line.

/// What stands in for a hidden part.
const HIDDEN: &str = "***";

/// `url` fit for an error message, a `Debug` impl or a log line: the user info
/// (`user:password@`) becomes `***@`, the value of every password-like query parameter
/// (`password`, `sslpassword`, `token`, `secret`, ...) becomes `***`, and so do a
/// fragment and a query segment that is not `key=value`.
///
/// Malformed URLs are treated with suspicion: when it is unclear where the user info
/// ends (an `@` after a `/`, `?` or `#`, or user info without `//`), everything after
/// the scheme is hidden; a string without a scheme is hidden entirely.
pub fn redact_url(url: &str) -> String {
    let Some(colon) = scheme_end(url) else {
        return HIDDEN.to_string();
    };
    let (scheme, rest) = url.split_at(colon + 1);
    let mut out = String::with_capacity(url.len());
    out.push_str(scheme);
    let (has_authority, rest) = match rest.strip_prefix("//") {
        Some(rest) => (true, rest),
        None => (false, rest),
    };
    if has_authority {
        out.push_str("//");
    }
    let rest = match rest.rfind('@') {
        Some(at) => {
            let userinfo = &rest[..at];
            if !has_authority || userinfo.contains(['/', '?', '#']) {
                // The `@` may belong to a password holding one of these characters.
                out.push_str(HIDDEN);
                return out;
            }
            out.push_str(HIDDEN);
            out.push('@');
            &rest[at + 1..]
        }
        None => rest,
    };
    let (rest, fragment) = match rest.split_once('#') {
        Some((rest, _)) => (rest, true),
        None => (rest, false),
    };
    match rest.split_once('?') {
        Some((head, query)) => {
            out.push_str(head);
            out.push('?');
            for (i, segment) in query.split('&').enumerate() {
                if i > 0 {
                    out.push('&');
                }
                match segment.split_once('=') {
                    Some((key, _)) if is_secret_key(key) => {
                        out.push_str(key);
                        out.push('=');
                        out.push_str(HIDDEN);
                    }
                    Some(_) => out.push_str(segment),
                    None if segment.is_empty() => {}
                    // Perhaps the tail of a value that held an unescaped `&`.
                    None => out.push_str(HIDDEN),
                }
            }
        }
        None => out.push_str(rest),
    }
    if fragment {
        out.push('#');
        out.push_str(HIDDEN);
    }
    out
}

/// The index of the `:` ending the URL's scheme (`ALPHA *( ALPHA / DIGIT / "+" / "-" /
/// "." )`, RFC 3986), if it has one.
fn scheme_end(url: &str) -> Option<usize> {
    let colon = url.find(':')?;
    let scheme = &url[..colon];
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(colon)
}

/// `true` for a query parameter whose value may be a secret.
fn is_secret_key(key: &str) -> bool {
    let key = percent_decode_lossy(key).to_ascii_lowercase();
    [
        "pass",
        "pwd",
        "secret",
        "token",
        "key",
        "auth",
        "credential",
    ]
    .iter()
    .any(|word| key.contains(word))
}

/// `s` with `%XX` escapes decoded (invalid escapes and invalid UTF-8 kept lossily).
fn percent_decode_lossy(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let decoded = match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) => match (hex(h), hex(l)) {
                (Some(h), Some(l)) => Some(h * 16 + l),
                _ => None,
            },
            _ => None,
        };
        match decoded {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn hides_user_info_and_secret_parameters() {
        for (url, redacted) in [
            ("postgres://u:pw@h:1/d", "postgres://***@h:1/d"),
            ("mysql://u@h/d", "mysql://***@h/d"),
            ("postgres://h/d", "postgres://h/d"),
            (
                "postgres://u:pw@[::1]:5432/d?sslmode=require",
                "postgres://***@[::1]:5432/d?sslmode=require",
            ),
            ("postgres://u:p@w@h/d", "postgres://***@h/d"),
            ("postgres://u:@h/d", "postgres://***@h/d"),
            ("postgres://u:p%40ss@h/d", "postgres://***@h/d"),
            (
                "postgres://h/d?user=u&password=pw&application_name=a",
                "postgres://h/d?user=u&password=***&application_name=a",
            ),
            ("postgres://h/d?PassWord=pw", "postgres://h/d?PassWord=***"),
            (
                "postgres://h/d?pass%77ord=pw",
                "postgres://h/d?pass%77ord=***",
            ),
            (
                "postgres://h/d?sslpassword=pw",
                "postgres://h/d?sslpassword=***",
            ),
            (
                "postgres://h/d?password=a&b",
                "postgres://h/d?password=***&***",
            ),
            (
                "postgres://h/d?password=a#b",
                "postgres://h/d?password=***#***",
            ),
            ("postgres://h/d#frag", "postgres://h/d#***"),
            // An `@` after `/`, `?` or `#`: unclear, hide everything after the scheme.
            ("postgres://u:pa/ss@h/d", "postgres://***"),
            ("postgres://u:pa?ss@h/d", "postgres://***"),
            ("postgres://u:pa#ss@h/d", "postgres://***"),
            ("postgres:u:pw@h/d", "postgres:***"),
            // No scheme at all.
            ("host=h password=pw", "***"),
            ("u:pw@h", "u:***"),
            ("", "***"),
            ("://u:pw@h", "***"),
            ("1x://u:pw@h", "***"),
            ("memory:", "memory:"),
            ("sqlite:data/app.db", "sqlite:data/app.db"),
            ("Postgres://u:pw@h/d", "Postgres://***@h/d"),
        ] {
            assert_eq!(redact_url(url), redacted, "{url}");
        }
    }

    #[test]
    fn never_shows_a_password() {
        for (url, secret) in [
            ("postgres://u:s3cret@h/d", "s3cret"),
            ("postgres://u:s3c@ret@h/d", "ret"),
            ("postgres://u:s3c/ret@h/d", "ret"),
            ("postgres://u:s3c%2Fret@h/d", "ret"),
            ("postgres://h/d?password=s3cret", "s3cret"),
            ("postgres://h/d?password=s3c&ret", "ret"),
            ("postgres://h/d?password=s3c#ret", "ret"),
            ("mariadb://u:s3cret@h/d", "s3cret"),
            ("mysql://u:s3c😀ret@h/d", "ret"),
            ("mysql:s3cret@h", "s3cret"),
        ] {
            let shown = redact_url(url);
            assert!(!shown.contains(secret), "{url} -> {shown}");
        }
    }
}
