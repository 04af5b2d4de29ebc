//! The story stage (being written).
