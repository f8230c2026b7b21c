//! Call records as switches write them, turned into neutral [`CallInput`]s.
//!
//! Pure: no HTTP, no database. A [`Decoder`] reads a file line by line (Asterisk `Master.csv`
//! and `queue_log`, FreeSWITCH `mod_cdr_csv`, JSON Lines) and says for each line the call it
//! finished, nothing (a line that is not a call), or what is wrong with it. What a record's
//! extensions mean comes from an [`Extensions`] the caller builds from its directory; checking
//! a record against the domain (times in order, extensions that exist) is the API's job, the
//! same for imported and ingested calls.

mod asterisk_csv;
mod csv_line;
mod decoder;
mod formats;
mod freeswitch_csv;
mod queue_log;

pub use decoder::{Decoder, Tally};
pub use formats::{Extensions, Format};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchboard_domain::{Direction, Disposition};

/// One finished call as it comes in from a switch: the neutral record every format becomes,
/// and what the API ingests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CallInput {
    /// The switch's id of the call, unique in the domain; a call sent twice is stored once.
    pub call_id: String,
    pub direction: Direction,
    pub from: String,
    pub to: String,
    /// RFC 3339.
    pub started_at: String,
    /// RFC 3339; present exactly when the disposition is `answered`.
    pub answered_at: Option<String>,
    /// RFC 3339.
    pub ended_at: String,
    pub disposition: Disposition,
    /// Extensions of the users the call touched.
    #[serde(default)]
    pub users: Vec<String>,
    /// The call queue's extension, for queue calls.
    pub queue: Option<String>,
    /// The extension of the agent who answered a queue call.
    pub agent: Option<String>,
}
