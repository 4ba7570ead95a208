//! Cross-crate tests: one binary.
mod client;
mod csv_columns;
mod fuzz;
mod mock;
mod model_roundtrip;
mod reliability;
mod settings;
mod spec_coverage;
mod spec_examples;
mod tidy;
