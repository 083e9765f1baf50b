//! TOML for Helm's `toToml`/`fromToml` (BurntSushi/toml in Helm). Being written.
