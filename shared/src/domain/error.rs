use thiserror::Error;

/// Why a value or an action was refused by a domain rule.
///
/// Each variant maps to one stable machine code (see [`DomainError::code`]); the HTTP
/// layer turns it into a problem+json answer with a translated message.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    /// A field's value is not acceptable; `field` names it, `reason` is a stable code.
    #[error("invalid {field}: {reason}")]
    Invalid {
        field: &'static str,
        reason: &'static str,
    },
    /// The municipality has this service switched off (or not yet live).
    #[error("service {0} is not active for this municipality")]
    ServiceNotActive(&'static str),
    /// The caller is known but lacks the permission (HTTP 403).
    #[error("forbidden")]
    Forbidden,
    /// The thing does not exist, or the caller may not know it exists (HTTP 404).
    #[error("not found")]
    NotFound,
    /// A case cannot move from its current state to the requested one.
    #[error("transition {from} -> {to} is not allowed")]
    TransitionNotAllowed { from: String, to: String },
    /// The state is not one of the kind's workflow.
    #[error("unknown state {0}")]
    UnknownState(String),
    /// The caller must sign in first (HTTP 401).
    #[error("unauthenticated")]
    Unauthenticated,
    /// There are as many of `what` as there may be (HTTP 409).
    #[error("at most {max} {what}")]
    LimitReached { what: &'static str, max: usize },
    /// The municipality broadcast less than a week ago; `next` (RFC 3339) is
    /// when it may again, unless the news is urgent (HTTP 409).
    #[error("one broadcast a week: the next from {next}")]
    BroadcastLimit { next: String },
}

impl DomainError {
    pub fn invalid(field: &'static str, reason: &'static str) -> Self {
        DomainError::Invalid { field, reason }
    }

    /// Stable machine code, part of the public API.
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::Invalid { .. } => "invalid_field",
            DomainError::ServiceNotActive(_) => "service_not_active",
            DomainError::Forbidden => "forbidden",
            DomainError::NotFound => "not_found",
            DomainError::TransitionNotAllowed { .. } => "transition_not_allowed",
            DomainError::UnknownState(_) => "unknown_state",
            DomainError::Unauthenticated => "unauthenticated",
            DomainError::LimitReached { .. } => "limit_reached",
            DomainError::BroadcastLimit { .. } => "broadcast_limit",
        }
    }
}
