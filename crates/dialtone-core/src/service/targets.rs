//! What typed text calls: a number, URI or email, or else a contact by name.

use super::Dialtone;
use crate::contacts::Contact;
use crate::numbers::Target;
use crate::settings::Settings;
use crate::{Error, Result};

impl Dialtone {
    /// What to call, from what the person typed: a number, URI or email, or else the
    /// name of a contact (its preferred number, or its only one).
    pub fn resolve_target(&self, typed: &str) -> Result<(Target, Option<Contact>)> {
        self.resolve_in(&self.settings()?, typed)
    }

    pub(super) fn resolve_in(&self, settings: &Settings, typed: &str) -> Result<(Target, Option<Contact>)> {
        let region = settings.region.as_deref();
        let parsed = Target::parse(typed, region);
        let looks_like_a_name = typed.chars().any(char::is_alphabetic) && !typed.contains('@') && !typed.contains(':');
        match parsed {
            Ok(target) => {
                let contact = match &target {
                    Target::Phone(number) => self.contacts_read(|c| c.by_number(number.e164())).unwrap_or(None),
                    _ => None,
                };
                Ok((target, contact))
            }
            Err(err) if looks_like_a_name => match self.contacts_read(|c| c.by_name(typed))? {
                Some(contact) => {
                    let target = contact_target(&contact, region)?;
                    Ok((target, Some(contact)))
                }
                None => Err(Error::invalid_input(format!(
                    "{} No contact is called “{}” either.",
                    err.message,
                    typed.trim()
                ))),
            },
            Err(err) => Err(err),
        }
    }
}

/// The number (or email) a contact is called on when called by name.
fn contact_target(contact: &Contact, region: Option<&str>) -> Result<Target> {
    let preferred: Vec<_> = contact.phones.iter().filter(|p| p.preferred).collect();
    let number = match (preferred.as_slice(), contact.phones.as_slice()) {
        ([one], _) => Some(*one),
        (_, [only]) => Some(only),
        _ => None,
    };
    if let Some(phone) = number {
        return Target::parse(&phone.number, region);
    }
    if contact.phones.is_empty() {
        return match contact.emails.as_slice() {
            [only] => Target::parse(&only.address, region),
            [] => Err(Error::invalid_input(format!("{} has no number or email to call.", contact.name))),
            many => Err(Error::invalid_input(format!(
                "{} has several email addresses: {}. Call one of them.",
                contact.name,
                many.iter().map(|e| e.address.as_str()).collect::<Vec<_>>().join(", ")
            ))),
        };
    }
    let listed: Vec<String> = contact
        .phones
        .iter()
        .map(|p| if p.label.is_empty() { p.number.clone() } else { format!("{} {}", p.label, p.number) })
        .collect();
    Err(Error::invalid_input(format!(
        "{} has several numbers: {}. Call one of them, or mark one as preferred.",
        contact.name,
        listed.join(", ")
    )))
}
