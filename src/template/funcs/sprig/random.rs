//! Sprig's random functions.
use crate::template::funcs::FuncDef;

/// The functions of this theme.
pub const FUNCS: &[FuncDef] = &[];
