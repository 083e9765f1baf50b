//! Helm's flag syntax (spf13/pflag under cobra) on top of clap, and pflag's error texts.
//!
//! What clap does differently by default, and is changed here for every command:
//! - a boolean flag takes an optional `=VALUE` parsed as Go's `strconv.ParseBool`
//!   (`--include-crds=false`, `-g=true`); `--flag VALUE` leaves `VALUE` a positional argument;
//! - a flag may be given more than once; the last value wins (lists still collect every value);
//! - a flag that takes a value takes the next word whatever it looks like (`--timeout -5s`,
//!   `--set --debug` sets `--debug`).
//!
//! Errors are worded as pflag words them: `flag needs an argument: --set`,
//! `flag needs an argument: 'f' in -f`, `invalid argument "x" for "-l, --labels" flag: …`. The value
//! parsers here give the text after `flag: ` (Go's `strconv` and `time` errors).
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, Command};

use crate::template::funcs::sprig::util::{parse_go_float, parse_go_int};
use crate::template::printf::quote_go;

/// `command` with pflag's rules applied to it and all its subcommands.
pub fn apply(command: Command) -> Command {
    command
        .args_override_self(true)
        .mut_args(adapt)
        .mut_subcommands(apply)
}

fn adapt(arg: Arg) -> Arg {
    let is_flag = arg.get_long().is_some() || arg.get_short().is_some();
    match arg.get_action() {
        ArgAction::SetTrue => arg
            .action(ArgAction::Set)
            .num_args(0..=1)
            .require_equals(true)
            .default_missing_value("true")
            .default_value("false")
            .value_parser(parse_bool),
        ArgAction::Set | ArgAction::Append if is_flag => arg.allow_hyphen_values(true),
        _ => arg,
    }
}

/// Go's `strconv.ParseBool`.
pub fn parse_bool(text: &str) -> Result<bool, String> {
    match text {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
        _ => Err(format!(
            "strconv.ParseBool: parsing {}: invalid syntax",
            quote_go(text)
        )),
    }
}

/// pflag's `int` (`strconv.ParseInt(s, 0, 64)`).
pub fn parse_int(text: &str) -> Result<i64, String> {
    parse_go_int(text, 0).ok_or_else(|| {
        let digits = text.trim_start_matches(['+', '-']);
        let why = if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            "value out of range"
        } else {
            "invalid syntax"
        };
        format!("strconv.ParseInt: parsing {}: {why}", quote_go(text))
    })
}

/// pflag's `float32` (`strconv.ParseFloat(s, 32)`).
pub fn parse_float32(text: &str) -> Result<f32, String> {
    let fail = |why: &str| format!("strconv.ParseFloat: parsing {}: {why}", quote_go(text));
    let value = parse_go_float(text).ok_or_else(|| fail("invalid syntax"))?;
    let narrowed = value as f32;
    if narrowed.is_infinite() && value.is_finite() {
        return Err(fail("value out of range"));
    }
    Ok(narrowed)
}

/// Go's `time.ParseDuration`, checked only (the value is not used offline): an optional sign, then
/// one or more `<number><unit>` with units `ns`, `us`, `µs`, `μs`, `ms`, `s`, `m`, `h`; `0` alone.
pub fn parse_duration(text: &str) -> Result<String, String> {
    let invalid = || format!("time: invalid duration {}", quote_go(text));
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    if body == "0" {
        return Ok(text.to_string());
    }
    if body.is_empty() {
        return Err(invalid());
    }
    let mut rest = body;
    while !rest.is_empty() {
        let integer = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        let mut number_end = integer;
        let mut fraction = 0;
        if rest[integer..].starts_with('.') {
            fraction = rest[integer + 1..].len()
                - rest[integer + 1..]
                    .trim_start_matches(|c: char| c.is_ascii_digit())
                    .len();
            number_end = integer + 1 + fraction;
        }
        if integer == 0 && fraction == 0 {
            return Err(invalid());
        }
        let after = &rest[number_end..];
        let unit_len = after.len()
            - after
                .trim_start_matches(|c: char| c != '.' && !c.is_ascii_digit())
                .len();
        if unit_len == 0 {
            return Err(format!("time: missing unit in duration {}", quote_go(text)));
        }
        let unit = &after[..unit_len];
        if !matches!(unit, "ns" | "us" | "µs" | "μs" | "ms" | "s" | "m" | "h") {
            return Err(format!(
                "time: unknown unit {} in duration {}",
                quote_go(unit),
                quote_go(text)
            ));
        }
        rest = &after[unit_len..];
    }
    Ok(text.to_string())
}

/// One word of pflag's `stringToString` (`--labels a=b,c=d`): with one `=` the word is one pair
/// (commas included), with more every comma-separated item must be `key=value`.
pub fn parse_key_values(text: &str) -> Result<String, String> {
    match text.matches('=').count() {
        0 => Err(format!("{text} must be formatted as key=value")),
        1 => Ok(text.to_string()),
        _ => match text.split(',').find(|item| !item.contains('=')) {
            Some(bad) => Err(format!("{bad} must be formatted as key=value")),
            None => Ok(text.to_string()),
        },
    }
}

/// Prints a clap error the way cobra and pflag word it; returns the exit code.
pub fn report(command: &Command, raw_args: &[std::ffi::OsString], e: &clap::Error) -> u8 {
    if !e.use_stderr() {
        let _ = e.print();
        return 0;
    }
    let context = |kind| match e.get(kind) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        _ => None,
    };
    let last = raw_args
        .last()
        .map(|a| a.to_string_lossy().into_owned())
        .unwrap_or_default();
    match e.kind() {
        // cobra prints the help of a command that only groups others, with exit code 0, when no
        // subcommand or an unknown one is named (only the root refuses an unknown command).
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand | ErrorKind::MissingSubcommand => {
            print_help(command, raw_args);
            return 0;
        }
        ErrorKind::InvalidSubcommand if !command_path(command, raw_args).is_empty() => {
            print_help(command, raw_args);
            return 0;
        }
        ErrorKind::UnknownArgument
            if context(ContextKind::InvalidArg).is_some_and(|a| !a.starts_with('-')) =>
        {
            // A positional argument to a command that takes none: cobra's `NoArgs`.
            let program = super::program_name();
            let path = command_path(command, raw_args).join(" ");
            eprintln!(
                "Error: \"{program} {path}\" accepts no arguments\n\nUsage:  {program} {path} [flags]"
            );
        }
        ErrorKind::UnknownArgument => {
            let arg = context(ContextKind::InvalidArg).unwrap_or_default();
            let flag = arg.split('=').next().unwrap_or_default();
            if flag.starts_with("--") {
                eprintln!("Error: unknown flag: {flag}");
            } else {
                eprintln!(
                    "Error: unknown shorthand flag: {:?} in {arg}",
                    flag.trim_start_matches('-').chars().next().unwrap_or('-')
                );
            }
        }
        ErrorKind::InvalidValue
            if context(ContextKind::InvalidValue).is_some_and(|v| v.is_empty())
                && last.starts_with('-') =>
        {
            if last.starts_with("--") {
                eprintln!("Error: flag needs an argument: {last}");
            } else {
                let short = last.chars().last().unwrap_or('-');
                eprintln!("Error: flag needs an argument: {short:?} in {last}");
            }
        }
        ErrorKind::ValueValidation => {
            let value = context(ContextKind::InvalidValue).unwrap_or_default();
            let arg = context(ContextKind::InvalidArg).unwrap_or_default();
            let why = std::error::Error::source(e)
                .map(|s| s.to_string())
                .unwrap_or_default();
            eprintln!(
                "Error: invalid argument {} for \"{}\" flag: {why}",
                quote_go(&value),
                flag_names(command, &arg)
            );
        }
        ErrorKind::InvalidSubcommand => {
            let name = context(ContextKind::InvalidSubcommand).unwrap_or_default();
            let program = super::program_name();
            eprintln!(
                "Error: unknown command {} for \"{program}\"",
                quote_go(&name)
            );
            eprintln!("Run '{program} --help' for usage.");
        }
        _ => {
            let _ = e.print();
        }
    }
    1
}

/// The subcommand names at the front of `raw_args` (program name first), as clap matched them.
fn command_path(command: &Command, raw_args: &[std::ffi::OsString]) -> Vec<String> {
    let mut path = Vec::new();
    let mut level = command;
    for word in raw_args.iter().skip(1) {
        let word = word.to_string_lossy();
        match level.find_subcommand(word.as_ref()) {
            Some(sub) => {
                path.push(sub.get_name().to_string());
                level = sub;
            }
            None => break,
        }
    }
    path
}

/// Prints the help of the command named at the front of `raw_args` to standard output.
fn print_help(command: &Command, raw_args: &[std::ffi::OsString]) {
    let mut level = command.clone();
    for name in command_path(command, raw_args) {
        match level.find_subcommand_mut(&name) {
            Some(sub) => level = sub.clone(),
            None => break,
        }
    }
    print!("{}", level.render_help());
}

/// pflag's name for a flag in errors: `-l, --labels` when it has a shorthand, else `--labels`.
/// `shown` is clap's rendering of the argument (`--labels <LABELS>`).
fn flag_names(command: &Command, shown: &str) -> String {
    let long = shown
        .trim_start_matches('-')
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .next()
        .unwrap_or_default()
        .to_string();
    let short = find_short(command, &long);
    match short {
        Some(c) => format!("-{c}, --{long}"),
        None => format!("--{long}"),
    }
}

fn find_short(command: &Command, long: &str) -> Option<char> {
    command
        .get_arguments()
        .find(|a| a.get_long() == Some(long))
        .and_then(Arg::get_short)
        .or_else(|| {
            command
                .get_subcommands()
                .find_map(|sub| find_short(sub, long))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bools_like_strconv() {
        assert_eq!(parse_bool("T"), Ok(true));
        assert_eq!(parse_bool("0"), Ok(false));
        assert_eq!(
            parse_bool("yes").unwrap_err(),
            "strconv.ParseBool: parsing \"yes\": invalid syntax"
        );
    }

    #[test]
    fn ints_like_strconv_base_zero() {
        assert_eq!(parse_int("42"), Ok(42));
        assert_eq!(parse_int("-0x1F"), Ok(-31));
        assert_eq!(parse_int("010"), Ok(8));
        assert_eq!(parse_int("0b1_01"), Ok(5));
        assert_eq!(parse_int("1_000"), Ok(1000));
        assert_eq!(
            parse_int("1__0").unwrap_err(),
            "strconv.ParseInt: parsing \"1__0\": invalid syntax"
        );
        assert_eq!(
            parse_int("x").unwrap_err(),
            "strconv.ParseInt: parsing \"x\": invalid syntax"
        );
        assert_eq!(
            parse_int("9223372036854775808").unwrap_err(),
            "strconv.ParseInt: parsing \"9223372036854775808\": value out of range"
        );
        assert_eq!(parse_int("-9223372036854775808"), Ok(i64::MIN));
    }

    #[test]
    fn floats_like_strconv() {
        assert_eq!(parse_float32("1.5"), Ok(1.5));
        assert_eq!(parse_float32("-Inf"), Ok(f32::NEG_INFINITY));
        assert_eq!(
            parse_float32("x").unwrap_err(),
            "strconv.ParseFloat: parsing \"x\": invalid syntax"
        );
        assert_eq!(
            parse_float32("1e39").unwrap_err(),
            "strconv.ParseFloat: parsing \"1e39\": value out of range"
        );
    }

    #[test]
    fn durations_like_time() {
        for ok in [
            "0", "5s", "1m30s", "1.5h", "-5s", ".5s", "5.s", "300ms", "2µs", "+1h",
        ] {
            assert!(parse_duration(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            parse_duration("5").unwrap_err(),
            "time: missing unit in duration \"5\""
        );
        assert_eq!(
            parse_duration("").unwrap_err(),
            "time: invalid duration \"\""
        );
        assert_eq!(
            parse_duration("bad").unwrap_err(),
            "time: invalid duration \"bad\""
        );
        assert_eq!(
            parse_duration("5x").unwrap_err(),
            "time: unknown unit \"x\" in duration \"5x\""
        );
        assert_eq!(
            parse_duration("1h5").unwrap_err(),
            "time: missing unit in duration \"1h5\""
        );
    }

    #[test]
    fn key_values() {
        assert!(parse_key_values("a=b,c=").is_ok());
        assert!(parse_key_values("a=b,c").is_ok());
        assert_eq!(
            parse_key_values("a=b,bad,c=d").unwrap_err(),
            "bad must be formatted as key=value"
        );
        assert_eq!(
            parse_key_values("bad").unwrap_err(),
            "bad must be formatted as key=value"
        );
    }
}
