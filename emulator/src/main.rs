//! `thingcall-emulator`: the command line (clap) over the library's `serve`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use thingcall_emulator::{Config, Cors, Emulator, StaticDirs};

/// A local emulator of the IoT Platform RPC API (2018-01-20): the API at `/`, the demo page
/// and the package on the same origin, and a loopback-only test control under `/_emulator/`.
#[derive(Debug, Parser)]
#[command(name = "thingcall-emulator", version)]
struct Args {
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port (0: any free port; the `listening on` line tells which).
    #[arg(long, default_value_t = 8686)]
    port: u16,
    /// A world in JSON, or TOML when the name ends in `.toml` (default: the built-in fixture).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Static files served at `/` (default: the repository's `www/`).
    #[arg(long, value_name = "DIR")]
    www: Option<PathBuf>,
    /// Static files served at `/pkg/` (default: the repository's `pkg/`).
    #[arg(long, value_name = "DIR")]
    pkg: Option<PathBuf>,
    /// `Access-Control-Allow-Origin` of every answer (with CORS on).
    #[arg(long, value_name = "ORIGIN")]
    allow_origin: Option<String>,
    /// `off`: no `Access-Control-*` header anywhere and no grant to a preflight, as the real
    /// platform (overrides the config file's `cors`).
    #[arg(long, value_enum)]
    cors: Option<Cors>,
    /// How long a synchronous service waits for its device, in ms.
    #[arg(long, value_name = "N")]
    rrpc_timeout_ms: Option<u64>,
    /// Serves the server-side subscription (AMQP 1.0) on this port (0: a free one).
    #[arg(long, value_name = "PORT")]
    amqp_port: Option<u16>,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let mut config = match &args.config {
        Some(path) => match Config::from_file(path) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("thingcall-emulator: {e}");
                return ExitCode::from(2);
            }
        },
        None => Config::default_fixture(),
    };
    if let Some(o) = args.allow_origin {
        config.allow_origin = o;
    }
    if let Some(c) = args.cors {
        config.cors = c;
    }
    if let Some(ms) = args.rrpc_timeout_ms {
        config.rrpc_timeout_ms = ms;
    }
    let mut dirs = StaticDirs::default();
    if let Some(d) = args.www {
        dirs.www = d;
    }
    if let Some(d) = args.pkg {
        dirs.pkg = d;
    }
    let (host, port) = (args.host, args.port);
    let listener = match tokio::net::TcpListener::bind((host.as_str(), port)).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("thingcall-emulator: cannot listen on {host}:{port}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let addr = listener.local_addr().expect("bound");
    println!("listening on http://{addr}");
    let shutdown = async {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                    .expect("signal");
            tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
        }
        #[cfg(not(unix))]
        let _ = ctrl_c.await;
    };
    let amqp_port = args.amqp_port.or(config.amqp_port);
    let emu = Emulator::new(config, dirs);
    if let Some(port) = amqp_port {
        let amqp = match tokio::net::TcpListener::bind((host.as_str(), port)).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("thingcall-emulator: cannot listen on {host}:{port} for AMQP: {e}");
                return ExitCode::FAILURE;
            }
        };
        println!(
            "amqp listening on amqp://{}",
            amqp.local_addr().expect("bound")
        );
        tokio::spawn(thingcall_emulator::amqp::serve(amqp, emu.clone()));
    }
    match thingcall_emulator::serve(listener, emu, shutdown).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("thingcall-emulator: {e}");
            ExitCode::FAILURE
        }
    }
}
