//! Rudder: a Helm-compatible chart engine and CLI.
//!
//! Layers, from the bottom: `template` (Go's text/template language), `yaml` (Helm's YAML/JSON
//! semantics), `engine` (Helm's rendering rules over a chart tree), `chart` and `values` (loading charts
//! and coalescing values), and `cli` (argument parsing and printing only).
pub mod action;
pub mod bundle;
pub mod chart;
pub mod cli;
pub mod deps;
pub mod engine;
pub mod fasthash;
pub mod go_net;
pub mod go_os;
pub mod kube;
pub mod malloc_tuning;
pub mod parallel;
pub mod program;
pub mod provenance;
pub mod proxy;
pub mod registry;
pub mod release;
pub mod small_alloc;
pub mod storage;
pub mod teardown;
pub mod template;
#[cfg(test)]
mod test_corpus;
pub mod unittest;
pub mod values;
pub mod yaml;
