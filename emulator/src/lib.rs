//! A local emulator of the IoT Platform RPC API (version 2018-01-20): the embedded default that
//! thingcall's demo page and tests talk to. See `emulator/README.md`.

pub mod actions;
pub mod amqp;
pub mod auth;
pub mod clock;
pub mod config;
pub mod error;
pub mod gateway;
pub mod history;
pub mod jobs;
pub mod live;
pub mod model;
pub mod policy;
pub mod server;
pub mod world;

use std::net::SocketAddr;
use std::sync::Arc;

pub use config::{Config, Cors};
pub use server::{Emulator, StaticDirs};

/// Serves `emu` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    emu: Arc<Emulator>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        server::router(emu).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
