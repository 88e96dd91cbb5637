//! Plain domain types and rules. Nothing here touches AWS or HTTP.

pub mod account;
pub mod appointment;
pub mod attachment;
pub mod broadcast;
pub mod calendar;
pub mod case;
pub mod committee;
pub mod complaint;
pub mod deadline;
pub mod device_claim;
pub mod document;
pub mod error;
pub mod eticket;
pub mod event;
pub mod geo;
pub mod guide;
pub mod ical;
pub mod ids;
pub mod info_request;
pub mod national_id;
pub mod news;
pub mod notice;
pub mod open311;
pub mod otp;
pub mod permit;
pub mod phone;
pub mod poll;
pub mod refresh;
pub mod revocation;
pub mod roles;
pub mod staff;
pub mod tenancy;
pub mod text;
pub mod workflow;

/// Bytes as lower-case hexadecimal (digests kept in items and keys).
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

pub use error::DomainError;
pub use geo::{Coordinates, GeoBounds};
pub use ids::{Id, MunicipalityId};
pub use national_id::NationalId;
pub use phone::Phone;
pub use roles::{Permission, Principal};
pub use staff::StaffMember;
pub use tenancy::{Governorate, Municipality, Service, ServiceState};
pub use text::{Lang, LocalizedText, Text, tr};
pub use workflow::CaseKind;
