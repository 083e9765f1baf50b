//! One file per verb: plain options in, results out. Actions never print, read argv or environment
//! variables, or write files; the CLI does that with what they return.
pub mod apply_method;
pub mod chart_source;
pub mod dependency_update;
pub mod deploy;
pub mod get_template;
pub mod hooks;
pub mod install;
pub mod interrupt;
pub mod lint;
pub mod list;
pub mod pipeline;
pub mod release_error;
pub mod release_lock;
pub mod release_name;
pub mod release_record;
pub mod release_render;
pub mod release_steps;
pub mod release_test;
pub mod rollback;
pub mod show_only;
pub mod template;
pub mod uninstall;
pub mod upgrade;
