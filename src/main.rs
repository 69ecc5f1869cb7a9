use std::process::ExitCode;

use clap::Parser;
use sas_mock::cli;
use sas_mock::config::{Cli, Command};

fn main() -> ExitCode {
    let args = Cli::parse();
    match args.command {
        Some(Command::Check { paths }) => cli::check(&paths),
        Some(Command::Healthcheck { url }) => sas_mock::healthcheck::healthcheck(
            &url.unwrap_or_else(sas_mock::healthcheck::default_url),
        ),
        Some(Command::Sign(sign)) => sas_mock::sign::sign(&sign),
        Some(Command::Serve(serve)) => cli::serve(&serve),
        None => cli::serve(&args.serve),
    }
}
