//! Test support for the sprig-b themes: calls a function body directly with a fixed clock and seed.
use crate::template::funcs::{CallCtx, Exec, FuncEnv, FuncError, FuncImpl};
use crate::template::value::Value;

/// An execution that has no templates (the themes under test never include one).
struct NoTemplates;

impl Exec for NoTemplates {
    fn execute_template(&mut self, name: &str, _: Value) -> Result<String, crate::template::Error> {
        Err(crate::template::Error::new(format!("no template {name:?}")))
    }

    fn parse_and_execute(
        &mut self,
        name: &str,
        _: &str,
        _: Value,
    ) -> Result<String, crate::template::Error> {
        Err(crate::template::Error::new(format!("no template {name:?}")))
    }

    fn top_name(&self) -> &str {
        "test"
    }
}

/// The fixed instant tests run at: 2024-01-02T03:04:05.123456789Z.
pub fn test_now() -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone;
    chrono::Utc
        .timestamp_opt(1_704_164_645, 123_456_789)
        .single()
        .expect("valid instant")
}

/// Calls `f` with `args` under a deterministic environment (clock [`test_now`], seed 42).
pub fn call(f: FuncImpl, args: Vec<Value>) -> Result<Value, FuncError> {
    let env = FuncEnv::deterministic(test_now(), 42);
    call_in(&env, f, args)
}

/// Calls `f` with `args` under `env`.
pub fn call_in(env: &FuncEnv, f: FuncImpl, args: Vec<Value>) -> Result<Value, FuncError> {
    let mut exec = NoTemplates;
    let mut ctx = CallCtx {
        exec: &mut exec,
        env,
    };
    f(&mut ctx, args)
}

/// The message of a `FuncError::Msg`.
pub fn err_text(r: Result<Value, FuncError>) -> String {
    match r {
        Err(FuncError::Msg(m)) => m,
        other => panic!("expected an error message, got {other:?}"),
    }
}

#[test]
fn sprig_b_themes_register_seventy_five_names() {
    use super::*;
    let themes: [&[crate::template::funcs::FuncDef]; 9] = [
        dicts::FUNCS,
        crypto::FUNCS,
        random::FUNCS,
        date::FUNCS,
        semver::FUNCS,
        encoding::FUNCS,
        paths::FUNCS,
        url::FUNCS,
        network::FUNCS,
    ];
    let mut names: Vec<&str> = themes
        .iter()
        .flat_map(|t| t.iter().map(|d| d.name))
        .collect();
    assert_eq!(names.len(), 75);
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), 75, "no name registered twice");
}
