//! Evaluation against PolNeAR (quotes) and GUM (entities).
