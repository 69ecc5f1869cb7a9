//! `sas-mock check [PATH...]`: loads fixture files exactly as the server would and prints what
//! they define, or the first problem with its file and JSON path.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::serve::startup_fixtures;
use crate::settings::Settings;
use crate::state::AppState;

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Fixture files or directories (a directory contributes its *.json files). Without any, the
    /// paths in SAS_MOCK_FIXTURES, else the embedded default fixtures.
    #[arg(value_name = "PATH", env = "SAS_MOCK_FIXTURES", value_delimiter = ',')]
    pub paths: Vec<PathBuf>,
}

pub fn run(args: &CheckArgs) -> ExitCode {
    let docs = match startup_fixtures(&args.paths) {
        Ok(docs) => docs,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    let state = match AppState::new(Settings::default(), &[]) {
        Ok(state) => state,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    for (source, doc) in &docs {
        match state.load_fixture(source, doc) {
            Ok(s) => println!(
                "{source}: ok ({} access keys, {} tasks, {} fault rules)",
                s.accounts, s.tasks, s.faults
            ),
            Err(err) => {
                eprintln!("error: {err}");
                return ExitCode::FAILURE;
            }
        }
    }
    println!("{} file(s) valid", docs.len());
    ExitCode::SUCCESS
}
