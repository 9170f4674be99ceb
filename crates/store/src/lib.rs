//! tansiq-store (to be written).
