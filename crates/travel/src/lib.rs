//! tansiq-travel (to be written).
