//! Pure types of Switchboard: typed ids, scopes, validated values and the records of every
//! resource. No I/O lives here; everything else depends on this crate.

pub mod ids;
pub mod records;
pub mod scope;
pub mod settings;
pub mod timeframe;
pub mod values;
pub mod wav;

pub use ids::*;
pub use records::*;
pub use scope::Scope;
pub use settings::*;
pub use timeframe::*;
pub use values::*;
pub use wav::{WavInfo, parse_wav, silent_wav};
