//! The `ksuite` binary: parse the configuration, then hand over to `startup`.

use clap::Parser;
use ksuite_server::config::{Cli, Command};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(config) => {
            ksuite_server::telemetry::init(config.log_format);
            if let Err(err) = ksuite_server::startup::serve(*config).await {
                tracing::error!(error = %format!("{err:#}"), "ksuite stopped with an error");
                return std::process::ExitCode::FAILURE;
            }
            std::process::ExitCode::SUCCESS
        }
        Command::Migrate(args) => report(ksuite_server::db::migrate(&args.database_url).await),
        Command::CopyData(args) => report(copy_data(&args).await),
        Command::CopyBlobs(args) => report(copy_blobs(&args).await),
    }
}

/// Exit status and message of a one-off command.
fn report(outcome: anyhow::Result<()>) -> std::process::ExitCode {
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("ksuite: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// The blob store at `location`: s3://bucket/prefix (with the `--s3-*` settings) or a
/// path, which names that directory itself (the data directory's layout).
fn open_blob_store(
    s3: &ksuite_server::config::S3Settings,
    location: &str,
) -> anyhow::Result<ksuite_server::blobs::BlobStore> {
    let config = s3.store(Some(location.to_string()));
    ksuite_server::blobs::BlobStore::open(&config, std::path::Path::new(location))
}

async fn copy_blobs(args: &ksuite_server::config::CopyBlobsArgs) -> anyhow::Result<()> {
    let (from, to) = (
        open_blob_store(&args.s3, &args.from)?,
        open_blob_store(&args.s3, &args.to)?,
    );
    let (copied, present) = from.copy_into(&to).await?;
    println!("copied {copied} objects ({present} were there already)");
    Ok(())
}

async fn copy_data(args: &ksuite_server::config::CopyDataArgs) -> anyhow::Result<()> {
    use anyhow::Context;
    let (from, to) = (args.from.as_str(), args.to.as_str());
    anyhow::ensure!(
        !ksuite_server::db::is_postgres(from) && ksuite_server::db::is_postgres(to),
        "copy-data copies from sqlite://… to postgres://…"
    );
    ksuite_server::db::migrate(from).await?;
    let source = sqlx::SqlitePool::connect(from).await.with_context(|| {
        format!(
            "cannot open database {}",
            ksuite_server::db::without_password(from)
        )
    })?;
    let options = ksuite_server::db::postgres_options(to, Some(&args.search_language))?;
    let target = sqlx::PgPool::connect_with(options).await.with_context(|| {
        format!(
            "cannot open database {}",
            ksuite_server::db::without_password(to)
        )
    })?;
    let blobs = match &args.blobs {
        Some(location) => Some(open_blob_store(&args.s3, location)?),
        None => None,
    };
    let copied = ksuite_server::db::copy::copy(&source, &target, blobs.as_ref()).await?;
    let rows: u64 = copied.tables.iter().map(|(_, n)| n).sum();
    println!("copied {rows} rows in {} tables", copied.tables.len());
    for (table, n) in copied.tables.iter().filter(|(_, n)| *n > 0) {
        println!("  {table}: {n}");
    }
    println!(
        "search index: {} messages whole, {} from subject, addresses and snippet{}",
        copied.bodies_indexed,
        copied.bodies_missing,
        if args.blobs.is_none() && copied.bodies_missing > 0 {
            " (name the blob store with --blobs to index bodies too)"
        } else {
            ""
        }
    );
    Ok(())
}
