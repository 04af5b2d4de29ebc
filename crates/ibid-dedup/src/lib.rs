//! The dedup stage (being written).
