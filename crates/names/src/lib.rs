//! tansiq-names (to be written).
