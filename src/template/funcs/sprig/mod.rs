//! Sprig v3.3.0's function library, one file per theme as Sprig groups them in its docs.
//!
//! Each theme exports `FUNCS`, a table of `FuncDef`s keyed by Sprig's exact spelling. Helm removes
//! `env` and `expandenv`; they are not registered here.
use super::FuncDef;

pub mod conversion;
pub mod crypto;
pub mod date;
pub mod defaults;
pub mod dicts;
pub mod encoding;
pub mod gotime;
pub mod lists;
pub mod math;
pub mod network;
pub mod paths;
pub mod random;
pub mod reflection;
pub mod regex;
pub mod semver;
pub mod semver_constraints;
pub mod strings;
#[cfg(test)]
pub mod test_call;
pub mod url;
pub mod util;

/// Every theme's table.
pub const THEMES: &[&[FuncDef]] = &[
    conversion::FUNCS,
    crypto::FUNCS,
    date::FUNCS,
    defaults::FUNCS,
    dicts::FUNCS,
    encoding::FUNCS,
    lists::FUNCS,
    math::FUNCS,
    network::FUNCS,
    paths::FUNCS,
    random::FUNCS,
    reflection::FUNCS,
    regex::FUNCS,
    semver::FUNCS,
    strings::FUNCS,
    url::FUNCS,
];
