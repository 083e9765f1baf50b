//! Sprig's network function: `getHostByName`.
//!
//! Helm 3.17.3 replaces Sprig's resolver with a stub that returns "" unless `--enable-dns` is given, so
//! the default table ([`FUNCS`]) is that stub and nothing is resolved. The engine layer installs
//! [`DNS_FUNCS`] over it for `--enable-dns`: Sprig's behaviour, one of the name's addresses picked at
//! random, and Go's `rand.Intn` panic text when the name does not resolve.
use std::net::ToSocketAddrs;

use rand::Rng;

use crate::template::funcs::{CallCtx, FuncDef, FuncError};
use crate::template::types::{GoType, Signature};
use crate::template::value::Value;

/// The functions of this theme, as `helm template` registers them without `--enable-dns`.
pub const FUNCS: &[FuncDef] = &[FuncDef {
    name: "getHostByName",
    sig: Signature::fixed(&[GoType::String]),
    imp: get_host_by_name_offline,
}];

/// `getHostByName` with name resolution, for `--enable-dns`.
pub const DNS_FUNCS: &[FuncDef] = &[FuncDef {
    name: "getHostByName",
    sig: Signature::fixed(&[GoType::String]),
    imp: get_host_by_name,
}];

fn get_host_by_name_offline(_: &mut CallCtx<'_>, _: Vec<Value>) -> Result<Value, FuncError> {
    Ok(Value::str(""))
}

fn get_host_by_name(ctx: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let name = args.first().and_then(Value::as_str).unwrap_or("");
    let mut addrs: Vec<String> = (name, 0)
        .to_socket_addrs()
        .map(|it| it.map(|a| a.ip().to_string()).collect())
        .unwrap_or_default();
    addrs.dedup();
    if addrs.is_empty() {
        return Err(FuncError::msg("invalid argument to Intn"));
    }
    let i = ctx.env.rng.borrow_mut().random_range(0..addrs.len());
    Ok(Value::string(addrs.swap_remove(i)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::funcs::sprig::test_call::call;

    // helm v3.17.3: {{ getHostByName "localhost" | quote }} → "" (no --enable-dns)
    #[test]
    fn offline_stub_returns_empty() {
        let out = call(get_host_by_name_offline, vec![Value::str("localhost")]).unwrap();
        assert_eq!(out.as_str(), Some(""));
    }

    #[test]
    fn resolver_answers_for_localhost() {
        let out = call(get_host_by_name, vec![Value::str("localhost")]).unwrap();
        let ip = out.as_str().unwrap();
        assert!(ip == "127.0.0.1" || ip == "::1", "{ip}");
    }

    #[test]
    fn theme_registers_one_name() {
        assert_eq!(FUNCS.len(), 1);
    }
}
