//! The `sas-mock` binary: everything is in the library's `cli` module.

fn main() -> std::process::ExitCode {
    sas_mock::cli::run()
}
