//! `birlik`: the command line. Parses flags and environment, starts logging, and dispatches to
//! `birlik-api`; all behaviour lives there.

use birlik_api::telemetry::{self, LogFormat};
use birlik_api::{Config, commands};
use clap::{Parser, Subcommand};

/// Birlik: a GraphQL API that coordinates humanitarian aid after a disaster.
#[derive(Parser)]
#[command(version, about, args_conflicts_with_subcommands = true)]
struct Cli {
    /// Log lines as human-readable text or JSON.
    #[arg(long, env = "BIRLIK_LOG_FORMAT", value_enum, default_value_t = LogFormat::Human, global = true)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Option<Command>,
    /// With no subcommand, `serve` with these settings.
    #[command(flatten)]
    serve: Config,
}

#[derive(Subcommand)]
enum Command {
    /// Migrate, load the demo data on a fresh embedded database, and serve GraphQL (the default).
    Serve(Box<Config>),
    /// Apply pending migrations to DATABASE_URL (or the embedded default).
    Migrate(commands::DatabaseArgs),
    /// Load the demo data into DATABASE_URL; refuses a database that already holds data.
    DemoData(commands::DemoDataArgs),
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Send a file to a Birlik server: `birlik import donations FILE --token …`.
    #[command(subcommand)]
    Import(commands::ImportCommand),
    /// Check (`verify`) or refill (`rebuild`) the rollups the aggregates read.
    #[command(subcommand)]
    Rollups(commands::RollupsCommand),
}

/// mimalloc: with the system allocator, allocating and freeing took a tenth of the server's CPU,
/// and its per-thread arenas let the embedded server's memory grow to 632 MB over a benchmark
/// (221 MB with mimalloc; BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    telemetry::init(cli.log_format);
    let result = match cli.command {
        None => commands::serve(cli.serve).await,
        Some(Command::Serve(config)) => commands::serve(*config).await,
        Some(Command::Migrate(args)) => commands::migrate(args).await,
        Some(Command::DemoData(args)) => commands::demo_data(args).await,
        Some(Command::Import(command)) => commands::import(command).await,
        Some(Command::Rollups(command)) => commands::rollups(command).await,
        Some(Command::Schema) => {
            print!("{}", birlik_api::graphql::sdl());
            Ok(())
        }
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // One line on stderr, whatever the log format: this is what an operator reads first.
            eprintln!("birlik: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
