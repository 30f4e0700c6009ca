//! The `ksuite` binary: parse the configuration, then hand over to `startup`.

use clap::Parser;
use ksuite_server::config::{Cli, Command};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(config) => {
            ksuite_server::telemetry::init(config.log_format);
            if let Err(err) = ksuite_server::startup::serve(config).await {
                tracing::error!(error = %format!("{err:#}"), "ksuite stopped with an error");
                return std::process::ExitCode::FAILURE;
            }
            std::process::ExitCode::SUCCESS
        }
    }
}
