//! Templates: finding `{{placeholders}}` and filling them, in text, in JSON (so values
//! are escaped correctly) and in URLs (percent-encoded).

use crate::numbers::PhoneNumber;
use crate::providers::schema::is_variable_name;
use crate::{Error, Result};

/// The `{{names}}` in a template, in order.
pub fn placeholders(template: &str) -> std::result::Result<Vec<String>, String> {
    let mut names = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or_else(|| format!("a {{{{ without its }}}} in “{template}”"))?;
        let name = after[..end].trim();
        let valid = name.strip_prefix("secret.").unwrap_or(name);
        if !is_variable_name(valid) {
            return Err(format!("“{{{{{name}}}}}” is not a placeholder name"));
        }
        names.push(name.to_owned());
        rest = &after[end + 2..];
    }
    Ok(names)
}

/// Fills a template: each `{{name}}` becomes `lookup(name)`, passed through `encode`.
pub fn render(
    template: &str,
    lookup: &mut dyn FnMut(&str) -> Result<String>,
    encode: &dyn Fn(&str, &str) -> String,
) -> Result<String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end =
            after.find("}}").ok_or_else(|| Error::invalid_input(format!("a {{{{ without its }}}} in “{template}”")))?;
        let name = after[..end].trim();
        out.push_str(&encode(name, &lookup(name)?));
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

pub(super) fn render_json(
    value: &serde_json::Value,
    lookup: &mut dyn FnMut(&str) -> Result<String>,
) -> Result<serde_json::Value> {
    let raw = |_: &str, v: &str| v.to_owned();
    Ok(match value {
        serde_json::Value::String(s) => serde_json::Value::String(render(s, lookup, &raw)?),
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.iter().map(|v| render_json(v, lookup)).collect::<Result<_>>()?)
        }
        serde_json::Value::Object(map) => {
            let mut out = serde_json::Map::new();
            for (k, v) in map {
                out.insert(render(k, lookup, &raw)?, render_json(v, lookup)?);
            }
            serde_json::Value::Object(out)
        }
        other => other.clone(),
    })
}

/// A number written as the definition's `number_format` says.
pub(super) fn format_number(number: &PhoneNumber, format: &str) -> String {
    match format {
        "digits" => number.digits().to_owned(),
        "fractel" => number.fractel(),
        _ => number.e164().to_owned(),
    }
}

/// What percent-encoding leaves alone in a URL value: RFC 3986's unreserved characters.
pub(super) const URL_VALUE: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_placeholders() {
        assert_eq!(
            placeholders("{{base_url}}/a/{{ sid }}?k={{secret.key}}").unwrap(),
            ["base_url", "sid", "secret.key"]
        );
        assert!(placeholders("{{oops").is_err());
        assert!(placeholders("{{two words}}").is_err());
    }

    #[test]
    fn renders_with_encoding() {
        let mut lookup = |name: &str| Ok(if name == "to" { "+1 415".to_owned() } else { "x".to_owned() });
        let enc = |_: &str, v: &str| percent_encoding::utf8_percent_encode(v, URL_VALUE).to_string();
        assert_eq!(render("/calls/{{to}}/{{a}}", &mut lookup, &enc).unwrap(), "/calls/%2B1%20415/x");
    }
}
