//! tansiq-lists (to be written).
