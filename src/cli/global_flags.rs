//! Helm's global (persistent) flags anywhere on the command line, as cobra accepts them.
//!
//! Helm defines its cluster and client flags once, on the root command (`pkg/cli/environment.go`
//! `AddFlags`), as cobra *persistent* flags: every command takes them, before or after its name
//! (`helm -n ns install …`, `helm --kube-context x list`, `helm --debug template …`). clap has no
//! such notion for flags declared per command, so this module does two things before clap parses:
//!
//! - [`add`] gives every command (the root included) a hidden copy of each global flag it does not
//!   declare itself; commands that use a flag declare it (`KubeArgs`, `template`, `dependency`), the
//!   others accept it and ignore it, as Helm's commands that do not read it do;
//! - [`hoist`] finds the command path the way cobra's `Command.Find` does (`stripFlags` and
//!   `argsMinusFirstX`: a flag not known to need no value takes the next word, so an unknown
//!   `--foo install` hides `install`) and moves the command words to the front, keeping every other
//!   word in its order; clap then parses the flags with the command they apply to.
//!
//! Helm 4's additional globals (`--color`/`--colour`, `--content-cache`) are accepted too (and
//! ignored: Rudder prints no colours and keeps no content cache), so scripts written for Helm 4 run.
use std::collections::HashSet;
use std::ffi::OsString;

use clap::{Arg, ArgAction, Command};

/// One global flag: long name, shorthand, and whether it takes a value.
struct Global {
    long: &'static str,
    /// clap's id for the hidden copy (distinct from the ids of the commands' own fields).
    id: &'static str,
    short: Option<char>,
    value: Kind,
}

#[derive(Clone, Copy)]
enum Kind {
    Bool,
    Text,
    List,
    Int,
    Float,
    Color,
}

const GLOBALS: &[Global] = &[
    g("burst-limit", "helm-global-burst-limit", None, Kind::Int),
    g("color", "helm-global-color", None, Kind::Color),
    g("colour", "helm-global-colour", None, Kind::Color),
    g(
        "content-cache",
        "helm-global-content-cache",
        None,
        Kind::Text,
    ),
    g("debug", "helm-global-debug", None, Kind::Bool),
    g(
        "kube-apiserver",
        "helm-global-kube-apiserver",
        None,
        Kind::Text,
    ),
    g(
        "kube-as-group",
        "helm-global-kube-as-group",
        None,
        Kind::List,
    ),
    g("kube-as-user", "helm-global-kube-as-user", None, Kind::Text),
    g("kube-ca-file", "helm-global-kube-ca-file", None, Kind::Text),
    g("kube-context", "helm-global-kube-context", None, Kind::Text),
    g(
        "kube-insecure-skip-tls-verify",
        "helm-global-kube-insecure-skip-tls-verify",
        None,
        Kind::Bool,
    ),
    g(
        "kube-tls-server-name",
        "helm-global-kube-tls-server-name",
        None,
        Kind::Text,
    ),
    g("kube-token", "helm-global-kube-token", None, Kind::Text),
    g("kubeconfig", "helm-global-kubeconfig", None, Kind::Text),
    g("namespace", "helm-global-namespace", Some('n'), Kind::Text),
    g("qps", "helm-global-qps", None, Kind::Float),
    g(
        "registry-config",
        "helm-global-registry-config",
        None,
        Kind::Text,
    ),
    g(
        "repository-cache",
        "helm-global-repository-cache",
        None,
        Kind::Text,
    ),
    g(
        "repository-config",
        "helm-global-repository-config",
        None,
        Kind::Text,
    ),
];

const fn g(long: &'static str, id: &'static str, short: Option<char>, value: Kind) -> Global {
    Global {
        long,
        id,
        short,
        value,
    }
}

/// Helm 4's `--color` values.
fn parse_color(text: &str) -> Result<String, String> {
    match text {
        "never" | "auto" | "always" => Ok(text.to_string()),
        _ => Err(format!(
            "invalid color mode {text:?}: must be one of: never, auto, always"
        )),
    }
}

/// `command` and all its subcommands with a hidden copy of every global flag they lack.
pub fn add(command: Command) -> Command {
    add_below(command, &HashSet::new())
}

/// `inherited`: long names of `global = true` arguments of the ancestors (clap propagates those).
fn add_below(mut command: Command, inherited: &HashSet<String>) -> Command {
    let longs: HashSet<String> = command
        .get_arguments()
        .filter_map(|a| a.get_long().map(str::to_string))
        .chain(inherited.iter().cloned())
        .collect();
    let shorts: HashSet<char> = command.get_arguments().filter_map(Arg::get_short).collect();
    for flag in GLOBALS {
        if longs.contains(flag.long) {
            continue;
        }
        let mut arg = Arg::new(flag.id).long(flag.long).hide(true);
        if let Some(c) = flag.short.filter(|c| !shorts.contains(c)) {
            arg = arg.short(c);
        }
        arg = match flag.value {
            Kind::Bool => arg.action(ArgAction::SetTrue),
            Kind::Text => arg.action(ArgAction::Set),
            Kind::List => arg.action(ArgAction::Append),
            Kind::Int => arg
                .action(ArgAction::Set)
                .value_parser(super::pflag::parse_int),
            Kind::Float => arg
                .action(ArgAction::Set)
                .value_parser(super::pflag::parse_float32),
            Kind::Color => arg.action(ArgAction::Set).value_parser(parse_color),
        };
        command = command.arg(arg);
    }
    let mut below = inherited.clone();
    below.extend(
        command
            .get_arguments()
            .filter(|a| a.is_global_set())
            .filter_map(|a| a.get_long().map(str::to_string)),
    );
    command.mut_subcommands(|sub| add_below(sub, &below))
}

/// `args` (program name first) with the command path moved to the front, found as cobra finds it.
/// `command` is the parser after [`add`] and `pflag::apply`.
pub fn hoist(command: &Command, args: Vec<OsString>) -> Vec<OsString> {
    let Some((program, rest)) = args.split_first() else {
        return args;
    };
    let mut path = Vec::new();
    let mut rest = rest.to_vec();
    let mut level = command;
    let mut inherited: Vec<&Arg> = Vec::new();
    loop {
        let known = Known::of(level, &inherited);
        let Some(word) = first_command_word(&rest, &known) else {
            break;
        };
        let Some(sub) = level.find_subcommand(&word) else {
            break;
        };
        rest = minus_first(rest, &word, &known);
        path.push(OsString::from(word));
        inherited.extend(level.get_arguments().filter(|a| a.is_global_set()));
        level = sub;
    }
    let mut out = Vec::with_capacity(args.len());
    out.push(program.clone());
    out.extend(path);
    out.extend(rest);
    out
}

/// The flags of one command level that need no value (pflag's `NoOptDefVal`); any other flag,
/// unknown ones included, is taken to consume the next word, as cobra's `stripFlags` does.
struct Known {
    longs: HashSet<String>,
    shorts: HashSet<char>,
}

impl Known {
    fn of(command: &Command, inherited: &[&Arg]) -> Known {
        let mut known = Known {
            longs: HashSet::from(["help".to_string()]),
            shorts: HashSet::from(['h']),
        };
        for arg in command.get_arguments().chain(inherited.iter().copied()) {
            let optional = !arg.get_action().takes_values()
                || arg.get_num_args().is_some_and(|n| n.min_values() == 0);
            if !optional {
                continue;
            }
            if let Some(long) = arg.get_long() {
                known.longs.insert(long.to_string());
            }
            if let Some(short) = arg.get_short() {
                known.shorts.insert(short);
            }
        }
        known
    }

    /// Whether the flag word `s` (no `=` in it) consumes the next word.
    fn takes_next(&self, s: &str) -> bool {
        if let Some(long) = s.strip_prefix("--") {
            return !self.longs.contains(long);
        }
        let mut chars = s.chars();
        match (chars.next(), chars.next(), chars.next()) {
            (Some('-'), Some(c), None) => !self.shorts.contains(&c),
            _ => false,
        }
    }
}

/// cobra's `stripFlags`, first result only: the first word that is neither a flag nor a flag's value.
fn first_command_word(args: &[OsString], known: &Known) -> Option<String> {
    let mut i = 0;
    while i < args.len() {
        let s = args[i].to_string_lossy();
        i += 1;
        if s == "--" {
            return None;
        }
        if s.starts_with('-') {
            if !s.contains('=') && known.takes_next(&s) {
                if args.len() - i <= 1 {
                    return None;
                }
                i += 1;
            }
            continue;
        }
        if !s.is_empty() {
            return Some(s.into_owned());
        }
    }
    None
}

/// cobra's `argsMinusFirstX`: `args` without the first occurrence of `word` that is not a flag value.
fn minus_first(mut args: Vec<OsString>, word: &str, known: &Known) -> Vec<OsString> {
    let mut pos = 0;
    while pos < args.len() {
        let s = args[pos].to_string_lossy();
        if s == "--" {
            break;
        }
        if s.starts_with('-') {
            if !s.contains('=') && known.takes_next(&s) {
                pos += 1;
            }
        } else if s == word {
            args.remove(pos);
            return args;
        }
        pos += 1;
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parser() -> Command {
        super::super::pflag::apply(add(super::super::Cli::command()))
    }

    fn hoisted(line: &str) -> String {
        let args: Vec<OsString> = std::iter::once("rudder")
            .chain(line.split_whitespace())
            .map(OsString::from)
            .collect();
        let out = hoist(&parser(), args);
        out[1..]
            .iter()
            .map(|s| s.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn command_words_move_to_the_front() {
        assert_eq!(hoisted("-n ns install x c"), "install -n ns x c");
        assert_eq!(
            hoisted("--debug get -n ns values x"),
            "get values --debug -n ns x"
        );
        assert_eq!(hoisted("--namespace=ns list"), "list --namespace=ns");
        assert_eq!(hoisted("list -n ns"), "list -n ns");
        // A value that names a command is a value, not the command.
        assert_eq!(hoisted("-n list status x"), "status -n list x");
        assert_eq!(
            hoisted("--kube-context list list"),
            "list --kube-context list"
        );
    }

    #[test]
    fn unknown_flags_take_the_next_word_as_cobra_does() {
        assert_eq!(hoisted("--foo install"), "--foo install");
        assert_eq!(hoisted("-x install x"), "-x install x");
        assert_eq!(hoisted("-n install"), "-n install");
        assert_eq!(hoisted("--debug -- version"), "--debug -- version");
    }

    #[test]
    fn the_parser_is_consistent() {
        parser().debug_assert();
    }

    #[test]
    fn every_command_takes_every_global_flag() {
        let parser = parser();
        for line in [
            "version --debug --kube-context x -n ns --qps 5 --burst-limit 10",
            "repo list --kubeconfig k --color never",
            "dependency build --debug --kube-token t .",
            "template -n ns --content-cache c x .",
        ] {
            let args = std::iter::once("rudder").chain(line.split_whitespace());
            assert!(parser.clone().try_get_matches_from(args).is_ok(), "{line}");
        }
    }
}
