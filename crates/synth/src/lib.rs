//! tansiq-synth (to be written).
