//! Pure types of Switchboard: typed ids, scopes, validated values and the records of every
//! resource. No I/O lives here; everything else depends on this crate.

pub mod ids;
pub mod records;
pub mod scope;
pub mod values;

pub use ids::*;
pub use records::*;
pub use scope::Scope;
pub use values::*;
