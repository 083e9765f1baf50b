//! The harness of the air-gap tests (`tests/bundle.rs`), on top of tests/deps_support (the real
//! servers' variables, the CI rule for missing servers) and tests/common:
//! - [`fixture`]: the source and site registries of tests/registry-server/up, seeded once with the
//!   images the test chart names;
//! - [`images`]: tiny OCI and Docker images (one small layer) built and pushed by the test itself;
//! - [`scratch`]: a scratch directory with its own Helm and Docker homes where `rudder` runs;
//! - [`relay`]: a listener that counts connections, a throttling TCP relay and a cutting one;
//! - `cluster`: the offline installs' proxy settings and clean-up on the local control plane;
//! - [`servers`]: docker-registry processes of a test's own and a token server.
#[cfg(feature = "cluster-tests")]
pub mod cluster;
pub mod fixture;
pub mod images;
pub mod relay;
pub mod scratch;
pub mod servers;

pub use fixture::*;
pub use images::*;
pub use relay::*;
pub use scratch::*;
pub use servers::*;
