//! `ibid`: the command-line face of the pipeline. Kept thin: parsing, calling the library
//! crates, printing. Everything that computes lives in the stage crates.

mod dedup;
mod demo;
mod eval;
mod passages;
mod quotes_sample;
mod report;
mod seeds;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};
use ibid_export::{Format, Kind};
use ibid_pipeline::IngestOptions;
use ibid_store::Store;

/// Exit code when the command worked but some input was rejected.
const EXIT_REJECTED: u8 = 2;

/// ibid turns piles of scraped news into stories: clean text, duplicates, shared passages,
/// quotes and entities, in one embedded SQLite file.
#[derive(Debug, Parser)]
#[command(name = "ibid", version, about, long_about = None)]
struct Cli {
    /// The store: one SQLite file [default: ibid.db; ibid-demo.db for `ibid demo`]. `ingest`
    /// and `demo` create it when missing; every other command needs it to exist.
    #[arg(long, global = true, env = "IBID_DB")]
    db: Option<PathBuf>,
    /// More log output on stderr (-v info, -vv debug). `IBID_LOG` takes a full filter.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Read articles from files, folders (recursively) or `-` (stdin), then run the pipeline.
    ///
    /// Formats (detected by extension and content): plain text (one article per file, id = file
    /// name without extension); JSONL and gzip JSONL (one article per line); HTML pages (`.html`,
    /// `.htm`, also gzipped: main text and metadata extracted, the page kept); WARC archives
    /// (`.warc`, `.warc.gz`: one article per HTML response record, id = URL). Bad records are
    /// reported with file and line, stored for `ibid rejected`, and the rest is ingested; the
    /// exit code is 2 when anything was rejected. Creates the store when it does not exist.
    Ingest {
        /// Files, folders or `-`.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Print a JSON summary on stdout.
        #[arg(long)]
        json: bool,
        /// Only store the originals; run the derived stages later with `ibid process`.
        #[arg(long)]
        no_process: bool,
        /// Largest single record (text file, JSONL line, HTML page, WARC record) accepted, in
        /// bytes; what one record may weigh bounds the memory of processing it.
        #[arg(long, default_value_t = ibid_ingest::DEFAULT_MAX_RECORD_BYTES)]
        max_record_bytes: usize,
        /// Records per transaction.
        #[arg(long, default_value_t = 1000)]
        batch: usize,
    },
    /// Bring derived data (cleaning, duplicates, stories) up to date with the stored originals.
    Process {
        /// Print a JSON summary on stdout.
        #[arg(long)]
        json: bool,
        /// Recompute a stage (and what depends on it) from the originals instead of reusing
        /// its stored results; every stage when no STAGE is given.
        #[arg(long, value_name = "STAGE", num_args = 0..=1, default_missing_value = "all")]
        rebuild: Option<RebuildArg>,
    },
    /// Write a stage's results in the export contract's fields.
    Export {
        /// What to export.
        kind: KindArg,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = FormatArg::Jsonl)]
        format: FormatArg,
        /// Output file (default: stdout; Parquet needs a file).
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
    /// List stories, largest first.
    Stories {
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Show at most this many.
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// List passages that articles share (reused text), most widely shared first.
    ///
    /// Each passage is a cluster of aligned occurrences whose earliest is the source; its id
    /// (`p-ARTICLE:START-END`, the source span) is what `ibid show` takes.
    Passages {
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Show at most this many.
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Also list passages repeated only within one outlet (its boilerplate).
        #[arg(long)]
        boilerplate: bool,
    },
    /// Show one article, story, storyline or shared passage by id.
    ///
    /// For a passage (an id from `ibid passages`): the source text, then every copy with a
    /// word diff against it, cuts as `[-…-]` and additions as `{+…+}` (coloured on a
    /// terminal unless NO_COLOR is set); `--json` gives the diff as a list of operations.
    Show {
        /// An article id, a story id (`s-…`), a storyline id (`l-…`) or a passage id (`p-…`).
        id: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List input that could not be ingested, with where and why.
    ///
    /// With --warnings: values of stored articles that could not be used as given (an id
    /// that is an object, a date that cannot be read), each with its raw value.
    Rejected {
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// List warnings about stored articles' values instead of rejections.
        #[arg(long)]
        warnings: bool,
    },
    /// Counts of what the store holds.
    Status {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Group exact and near-duplicate articles without a store: one `{id, group}` JSON line per
    /// input article (exit code 2 when input was rejected).
    Dedup(dedup::DedupArgs),
    /// Score ibid on the evaluation datasets with their standard metrics.
    Eval {
        /// The evaluation data folder [default: ../shared/data].
        #[arg(long, global = true, env = "IBID_DATA")]
        data: Option<PathBuf>,
        #[command(subcommand)]
        what: eval::EvalCommand,
    },
    /// Run the whole pipeline on the example corpus that ships with ibid and print what it found.
    Demo {
        /// Print a JSON summary on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Serve the web UI and the JSON API (OpenAPI at /api/openapi.json) over the store.
    ///
    /// Read-only: safe to run while `ibid ingest` writes. No authentication, so it binds to
    /// loopback unless told otherwise. Port 0 picks a free port; the address is printed.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = ibid_serve::DEFAULT_ADDR)]
        addr: std::net::SocketAddr,
        /// Concurrent read connections [default: 2 per core].
        #[arg(long, default_value_t = 0, hide_default_value = true)]
        readers: usize,
        /// Seconds a connection may take to send a request (idle keep-alive connections are
        /// closed after it).
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
        header_timeout: u64,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum KindArg {
    Articles,
    Stories,
    Alignments,
    Quotes,
    Entities,
}

impl From<KindArg> for Kind {
    fn from(k: KindArg) -> Self {
        match k {
            KindArg::Articles => Kind::Articles,
            KindArg::Stories => Kind::Stories,
            KindArg::Alignments => Kind::Alignments,
            KindArg::Quotes => Kind::Quotes,
            KindArg::Entities => Kind::Entities,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum RebuildArg {
    All,
    Clean,
    Extract,
    Dedup,
    Stories,
    Align,
}

impl From<RebuildArg> for ibid_pipeline::Stage {
    fn from(s: RebuildArg) -> Self {
        match s {
            RebuildArg::All => Self::All,
            RebuildArg::Clean => Self::Clean,
            RebuildArg::Extract => Self::Extract,
            RebuildArg::Dedup => Self::Dedup,
            RebuildArg::Stories => Self::Stories,
            RebuildArg::Align => Self::Align,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    Jsonl,
    Csv,
    Parquet,
}

impl From<FormatArg> for Format {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Jsonl => Format::Jsonl,
            FormatArg::Csv => Format::Csv,
            FormatArg::Parquet => Format::Parquet,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    if !matches!(cli.command, Command::Serve { .. } | Command::Demo { .. }) {
        die_quietly_on_closed_pipe();
    }
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Lets a closed stdout (`ibid stories --json | head`) end the process the way it ends `cat`,
/// by SIGPIPE, instead of a panic in `println!`: Rust ignores SIGPIPE so that writes report
/// EPIPE, and the printing macros turn that into a panic. Not for the server, where a client
/// hanging up must stay an error on one socket.
fn die_quietly_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: restores the default disposition of one signal before any thread is started;
    // no handler code runs.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "error",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("IBID_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

/// Colour on a terminal unless `NO_COLOR` (no-color.org) is set; plain markup otherwise.
fn diff_markup() -> report::Markup {
    use std::io::IsTerminal;
    if std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
    {
        report::Markup::Colour
    } else {
        report::Markup::Plain
    }
}

/// Opens the store, creating it when missing: for the commands that write (`ingest`).
fn open(db: &Path) -> Result<Store> {
    Store::open(db).with_context(|| format!("cannot open store {}", db.display()))
}

/// Opens the store for a command that writes: one writer at a time, the next one waits and
/// says for whom (see `ibid_store::WriterLock`).
pub(crate) fn open_writer(db: &Path, command: &str) -> Result<Store> {
    Store::open_writer(db, command, |holder| match holder {
        Some(h) => eprintln!("waiting for {}: {h} is writing to it", db.display()),
        None => eprintln!(
            "waiting for {}: another ibid is writing to it",
            db.display()
        ),
    })
    .with_context(|| format!("cannot open store {}", db.display()))
}

/// Refuses a missing store for a command that needs an existing one: `ibid --db typo.db
/// stories` must say so rather than print nothing and leave a stray file behind.
fn require_store(db: &Path) -> Result<()> {
    if !db.exists() {
        bail!(
            "no store at {}: give the store with --db PATH (or IBID_DB), or create it with `ibid ingest FILES`",
            db.display()
        );
    }
    Ok(())
}

/// Opens an existing store for a command that reads it (see [`require_store`]).
fn open_existing(db: &Path) -> Result<Store> {
    require_store(db)?;
    open(db)
}

fn run(cli: Cli) -> Result<ExitCode> {
    let default_db = match cli.command {
        Command::Demo { .. } => "ibid-demo.db",
        _ => "ibid.db",
    };
    let db = cli.db.unwrap_or_else(|| PathBuf::from(default_db));
    match cli.command {
        Command::Ingest {
            paths,
            json,
            no_process,
            max_record_bytes,
            batch,
        } => {
            let mut store = open_writer(&db, "ibid ingest")?;
            let mut opts = IngestOptions {
                process: !no_process,
                batch_records: batch.max(1),
                ..IngestOptions::default()
            };
            opts.read.max_record_bytes = max_record_bytes;
            let report = ibid_pipeline::ingest(&mut store, &paths, &opts)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                report::print_ingest(&mut std::io::stdout().lock(), &report, &db)?;
            }
            Ok(if report.counts.rejected > 0 {
                ExitCode::from(EXIT_REJECTED)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Process { json, rebuild } => {
            require_store(&db)?;
            let mut store = open_writer(&db, "ibid process")?;
            if let Some(stage) = rebuild {
                ibid_pipeline::invalidate(&mut store, stage.into())?;
            }
            let report = ibid_pipeline::process(&mut store, true)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                report::print_process(&mut std::io::stdout().lock(), &report)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Export { kind, format, out } => {
            let store = open_existing(&db)?;
            let format = Format::from(format);
            let rows = match &out {
                Some(path) => {
                    // Write beside the target and rename, so a failed export never leaves a
                    // half-written file under the requested name.
                    let tmp = path.with_extension("ibid-partial");
                    let file = std::fs::File::create(&tmp)
                        .with_context(|| format!("cannot create {}", tmp.display()))?;
                    let n = ibid_export::export(&store, kind.into(), format, file)?;
                    std::fs::rename(&tmp, path)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    n
                }
                None => {
                    if format == Format::Parquet {
                        bail!("Parquet is binary: give a file with --out");
                    }
                    let stdout = std::io::stdout();
                    let n = ibid_export::export(&store, kind.into(), format, stdout)?;
                    std::io::stdout().flush()?;
                    n
                }
            };
            tracing::info!(rows, kind = Kind::from(kind).name(), "exported");
            Ok(ExitCode::SUCCESS)
        }
        Command::Stories { json, limit } => {
            let store = open_existing(&db)?;
            let stories = store.stories()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&stories)?);
            } else {
                report::print_stories(&mut std::io::stdout().lock(), &store, &stories, limit)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Show { id, json } => {
            let store = open_existing(&db)?;
            let out = &mut std::io::stdout().lock();
            if let Some(article) = store.article(&id)? {
                if json {
                    writeln!(out, "{}", serde_json::to_string_pretty(&article)?)?;
                } else {
                    report::print_article(out, &store, &article)?;
                }
            } else if let Some(story) = store.story(&id)? {
                if json {
                    writeln!(out, "{}", serde_json::to_string_pretty(&story)?)?;
                } else {
                    report::print_story(out, &store, &story)?;
                }
            } else if let Some(stories) = Some(store.storyline(&id)?).filter(|s| !s.is_empty()) {
                if json {
                    writeln!(
                        out,
                        "{}",
                        serde_json::to_string_pretty(&serde_json::json!({
                            "id": id,
                            "stories": stories,
                        }))?
                    )?;
                } else {
                    report::print_storyline(out, &id, &stories)?;
                }
            } else if let Some(passage) = passages::detail(&store, &id)? {
                if json {
                    writeln!(out, "{}", serde_json::to_string_pretty(&passage)?)?;
                } else {
                    report::print_passage(out, &passage, diff_markup())?;
                }
            } else {
                bail!(
                    "no article, story (s-…), storyline (l-…) or passage (p-…) with id {id:?} in {}",
                    db.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Passages {
            json,
            limit,
            boilerplate,
        } => {
            let store = open_existing(&db)?;
            let list = passages::list(&store, limit, boilerplate)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                report::print_passages(&mut std::io::stdout().lock(), &list)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Rejected { json, warnings } => {
            let store = open_existing(&db)?;
            if warnings {
                let rows = store.warnings()?;
                if json {
                    println!("{}", serde_json::to_string_pretty(&rows)?);
                } else {
                    report::print_warnings(&mut std::io::stdout().lock(), &rows)?;
                }
                return Ok(ExitCode::SUCCESS);
            }
            let rows = store.rejected()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                report::print_rejected(&mut std::io::stdout().lock(), &rows)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Status { json } => {
            let store = open_existing(&db)?;
            let counts = store.counts()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&counts)?);
            } else {
                report::print_status(&mut std::io::stdout().lock(), &db, &counts)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo { json } => demo::run(&db, json),
        Command::Dedup(args) => Ok(if dedup::run(args)? {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(EXIT_REJECTED)
        }),
        Command::Serve {
            addr,
            readers,
            header_timeout,
        } => {
            if !addr.ip().is_loopback() {
                eprintln!("warning: serving on {addr}, beyond this machine; ibid has no login");
            }
            let opts = ibid_serve::ServeOptions {
                db: db.clone(),
                addr,
                readers,
                limits: ibid_serve::ServeLimits {
                    header_timeout: std::time::Duration::from_secs(header_timeout),
                    ..ibid_serve::ServeLimits::default()
                },
            };
            ibid_serve::serve(&opts, |bound| {
                println!(
                    "ibid serve: http://{bound}/ (store {}; Ctrl-C stops)",
                    db.display()
                );
                // Scripts and tests wait for this line to learn the port.
                let _ = std::io::stdout().flush();
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Eval { data, what } => {
            eval::run(what, &eval::data_dir(data))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
