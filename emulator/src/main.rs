//! `thingcall-emulator [--host H] [--port P] [--config FILE] [--www DIR] [--pkg DIR]
//! [--allow-origin O] [--cors on|off] [--rrpc-timeout-ms N]`

use std::path::PathBuf;
use std::process::ExitCode;

use thingcall_emulator::{Config, Emulator, StaticDirs};

const USAGE: &str =
    "usage: thingcall-emulator [--host 127.0.0.1] [--port 8686] [--config FILE.json|FILE.toml] \
[--www DIR] [--pkg DIR] [--allow-origin ORIGIN] [--cors on|off] [--rrpc-timeout-ms N]";

#[tokio::main]
async fn main() -> ExitCode {
    let mut host = "127.0.0.1".to_string();
    let mut port: u16 = 8686;
    let mut config = Config::default_fixture();
    let mut dirs = StaticDirs::default();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{a} needs a value"));
        let r: Result<(), String> = (|| {
            match a.as_str() {
                "--host" => host = value()?,
                "--port" => {
                    port = value()?
                        .parse()
                        .map_err(|_| "--port takes a number".to_string())?
                }
                "--config" => config = Config::from_file(&PathBuf::from(value()?))?,
                "--www" => dirs.www = value()?.into(),
                "--pkg" => dirs.pkg = value()?.into(),
                "--allow-origin" => config.allow_origin = value()?,
                "--cors" => config.cors = value()?.parse()?,
                "--rrpc-timeout-ms" => {
                    config.rrpc_timeout_ms = value()?
                        .parse()
                        .map_err(|_| "--rrpc-timeout-ms takes a number".to_string())?
                }
                "-h" | "--help" => {
                    println!("{USAGE}");
                    std::process::exit(0);
                }
                other => return Err(format!("unknown argument {other}")),
            }
            Ok(())
        })();
        if let Err(e) = r {
            eprintln!("thingcall-emulator: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    }
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
    match thingcall_emulator::serve(listener, Emulator::new(config, dirs), shutdown).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("thingcall-emulator: {e}");
            ExitCode::FAILURE
        }
    }
}
