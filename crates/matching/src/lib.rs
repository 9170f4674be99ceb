//! tansiq-matching (to be written).
