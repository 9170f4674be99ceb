//! The rules of review and access, as pure data and functions: what a
//! user may be ([`Role`]), the states of a hit under review ([`HitState`])
//! and which reviewer action moves a hit from which state to which
//! ([`next_state`]).
//!
//! Kept apart from the SQL so that the rules read (and are tested) on
//! their own, as `tansiq_federation` keeps its protocol decisions: no I/O,
//! no clock. The store applies them inside its transactions (`review.rs`
//! checks a transition under the hit's lock; `access.rs` stores roles by
//! their names).

use std::fmt;
use std::str::FromStr;

use crate::StoreError;

/// What a user may do. A user holds one or more roles.
///
/// Administration is split in two: an agency's [`Role::Admin`] manages the
/// users and keys of its own agency only; the few [`Role::NodeAdmin`]s
/// manage the node (agencies, partners, list sources) and the
/// administrative accounts of every agency. Auditing likewise: an agency's
/// [`Role::Auditor`] reads its own agency's audit events; the node-wide
/// view is the separate [`Role::NodeAuditor`]. Which route needs which
/// role is decided in the server's `auth.rs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Screens travellers (primary line).
    Officer,
    /// Reviews possible matches, searches entries.
    Analyst,
    /// Manages the agency's own national entries.
    ContactPoint,
    /// Agency administrator: the users and keys of its own agency.
    Admin,
    /// Reads its own agency's audit events.
    Auditor,
    /// Node administrator: agencies, partners, list sources, node settings
    /// and the administrative accounts (admins, node auditors) of every
    /// agency. Never the working accounts of another agency.
    NodeAdmin,
    /// Reads every agency's audit events; other agencies' traveller data
    /// and hidden entry ids stay redacted unless `[audit]
    /// node_auditor_payloads = "full"`.
    NodeAuditor,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Officer,
        Role::Analyst,
        Role::ContactPoint,
        Role::Admin,
        Role::Auditor,
        Role::NodeAdmin,
        Role::NodeAuditor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::Analyst => "analyst",
            Role::ContactPoint => "contact-point",
            Role::Admin => "admin",
            Role::Auditor => "auditor",
            Role::NodeAdmin => "node-admin",
            Role::NodeAuditor => "node-auditor",
        }
    }

    /// Roles that reach beyond one agency: only a node administrator
    /// grants them.
    pub fn is_node_wide(self) -> bool {
        matches!(self, Role::NodeAdmin | Role::NodeAuditor)
    }

    /// Roles of administrative accounts (no access to traveller data or
    /// entries): what a node administrator may manage in any agency.
    pub fn is_administrative(self) -> bool {
        matches!(self, Role::Admin | Role::NodeAdmin | Role::NodeAuditor)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<Role, StoreError> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
                StoreError::invalid(
                    "role",
                    format!("unknown role {s:?} (expected one of {})", names.join(", ")),
                )
            })
    }
}

/// The state of a hit under review.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HitState {
    Open,
    Confirmed,
    Dismissed,
    Closed,
}

impl HitState {
    pub const ALL: [HitState; 4] = [
        HitState::Open,
        HitState::Confirmed,
        HitState::Dismissed,
        HitState::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HitState::Open => "open",
            HitState::Confirmed => "confirmed",
            HitState::Dismissed => "dismissed",
            HitState::Closed => "closed",
        }
    }
}

impl fmt::Display for HitState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for HitState {
    type Err = StoreError;
    fn from_str(s: &str) -> Result<HitState, StoreError> {
        HitState::ALL
            .into_iter()
            .find(|h| h.as_str() == s)
            .ok_or_else(|| {
                StoreError::invalid(
                    "state",
                    format!("{s:?} is not open, confirmed, dismissed or closed"),
                )
            })
    }
}

/// What a reviewer does to a hit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HitAction {
    /// Assigns (or with `None` unassigns) a reviewer; any state but closed.
    Assign(Option<String>),
    /// `open → confirmed`, with an optional note.
    Confirm(Option<String>),
    /// `open → dismissed`, with the required reason; suppresses the
    /// (document, entity version) pair for the agency.
    Dismiss(String),
    /// `confirmed | dismissed → closed`.
    Close,
}

/// Whether `action` may move a hit out of `from`, and where to.
pub(crate) fn next_state(from: HitState, action: &HitAction) -> Result<HitState, String> {
    use HitState::*;
    match (action, from) {
        (HitAction::Assign(_), Closed) => Err("a closed hit cannot be assigned".into()),
        (HitAction::Assign(_), s) => Ok(s),
        (HitAction::Confirm(_), Open) => Ok(Confirmed),
        (HitAction::Dismiss(_), Open) => Ok(Dismissed),
        (HitAction::Close, Confirmed | Dismissed) => Ok(Closed),
        (HitAction::Confirm(_), s) => {
            Err(format!("a {s} hit cannot be confirmed (only an open one)"))
        }
        (HitAction::Dismiss(_), s) => {
            Err(format!("a {s} hit cannot be dismissed (only an open one)"))
        }
        (HitAction::Close, s) => Err(format!(
            "a {s} hit cannot be closed (only a confirmed or dismissed one)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_by_name_and_unknown_ones_are_named() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
            assert_eq!(r.to_string(), r.as_str());
        }
        let err = "superuser".parse::<Role>().unwrap_err().to_string();
        assert!(
            err.contains("superuser") && err.contains("node-admin"),
            "{err}"
        );
        let node_wide: Vec<Role> = Role::ALL.into_iter().filter(|r| r.is_node_wide()).collect();
        assert_eq!(node_wide, [Role::NodeAdmin, Role::NodeAuditor]);
        assert!(Role::Admin.is_administrative() && !Role::Officer.is_administrative());
    }

    #[test]
    fn transitions_follow_the_review_states() {
        use HitState::*;
        let confirm = HitAction::Confirm(None);
        let dismiss = HitAction::Dismiss("other person".into());
        assert_eq!(next_state(Open, &confirm), Ok(Confirmed));
        assert_eq!(next_state(Open, &dismiss), Ok(Dismissed));
        assert_eq!(next_state(Confirmed, &HitAction::Close), Ok(Closed));
        assert_eq!(next_state(Dismissed, &HitAction::Close), Ok(Closed));
        assert_eq!(
            next_state(Confirmed, &HitAction::Assign(None)),
            Ok(Confirmed)
        );
        for (from, action) in [
            (Open, &HitAction::Close),
            (Confirmed, &dismiss),
            (Dismissed, &confirm),
            (Closed, &confirm),
            (Closed, &HitAction::Close),
            (Closed, &HitAction::Assign(Some("a".into()))),
        ] {
            let err = next_state(from, action).unwrap_err();
            assert!(err.contains(from.as_str()), "{err}");
        }
    }

    #[test]
    fn states_round_trip_and_unknown_ones_are_named() {
        for s in HitState::ALL {
            assert_eq!(s.as_str().parse::<HitState>().unwrap(), s);
        }
        let err = "pending".parse::<HitState>().unwrap_err().to_string();
        assert!(err.contains("pending"), "{err}");
    }
}
