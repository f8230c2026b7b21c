//! `switchboard`: the one binary. Run the server, migrate, load demo data, manage the platform.

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use serde::Deserialize;
use std::path::PathBuf;
use switch::{AsteriskCommand, FreeswitchCommand, KamailioCommand};
use switchboard_api::{AppState, Config};
use switchboard_domain::{Login, Password};
use switchboard_store::Store;

mod switch;

// Imports allocate a few small values per field of every line: glibc's allocator took a third
// of an import's own time, mimalloc a fraction of that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const DEFAULT_DATABASE_URL: &str = "sqlite://switchboard.db";
const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

#[derive(Parser)]
#[command(
    name = "switchboard",
    version,
    about = "Multi-tenant hosted-PBX administration: the REST API server and its tools"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// How log lines are written to standard error: `text` for people, `json` (one object a
    /// line) for a log collector.
    #[arg(
        long,
        global = true,
        env = "SWITCHBOARD_LOG_FORMAT",
        default_value = "text"
    )]
    log_format: LogFormat,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (migrates the database first).
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate(DatabaseArgs),
    /// Platform administration.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Call records.
    #[command(subcommand)]
    Calls(CallsCommand),
    /// Invoices from the provider's billing system.
    #[command(subcommand)]
    Invoices(InvoicesCommand),
    /// Connecting Kamailio, the SIP switch.
    #[command(subcommand)]
    Kamailio(KamailioCommand),
    /// Connecting FreeSWITCH: its configuration, and the call records it could not post.
    #[command(subcommand)]
    Freeswitch(FreeswitchCommand),
    /// Connecting Asterisk: its realtime tables, manager interface and call records.
    #[command(subcommand)]
    Asterisk(AsteriskCommand),
    /// Load the demo installation (if missing) and give its two customer domains a realistic,
    /// reproducible call history.
    Demo {
        #[command(flatten)]
        db: DatabaseArgs,
        /// Calls in all (split between the two demo domains); millions are fine.
        #[arg(long, default_value_t = 20_000)]
        calls: u64,
        /// The same seed gives the same history; running it again stores nothing twice.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Spread the calls over this many days up to now (default: about 400 calls a business
        /// day per domain, at least 30 days).
        #[arg(long)]
        days: Option<u64>,
        /// Call queues per domain before the calls are made (the demo has 3; more are added from
        /// extension 603, served by both agents, so reports can be tried on up to 20 queues).
        #[arg(long, value_parser = clap::value_parser!(u64)
            .range(3..=u64::from(switchboard_demo::MAX_DEMO_QUEUES)))]
        queues: Option<u64>,
    },
    /// Print the scope matrix (who may do what) from the policy data.
    Scopes {
        /// Print the Markdown of docs/scopes.md instead of a terminal table.
        #[arg(long)]
        markdown: bool,
    },
}

#[derive(Args, Clone)]
struct DatabaseArgs {
    /// sqlite://FILE (created if missing) or postgres://USER@HOST/DB.
    #[arg(long, env = "SWITCHBOARD_DATABASE_URL")]
    database_url: Option<String>,
    /// A TOML file with settings (database_url, listen, token lifetimes, …).
    #[arg(long, env = "SWITCHBOARD_CONFIG")]
    config: Option<PathBuf>,
}

#[derive(Args)]
struct ServeArgs {
    #[command(flatten)]
    db: DatabaseArgs,
    /// Address to listen on.
    #[arg(long, env = "SWITCHBOARD_LISTEN")]
    listen: Option<String>,
    /// Load the demo installation (if missing) and print its logins.
    #[arg(long)]
    demo: bool,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a super user (and the platform domain of its login, if missing).
    CreateSuperUser {
        #[command(flatten)]
        db: DatabaseArgs,
        /// The login, extension@domain, e.g. 100@platform.example.
        #[arg(long)]
        login: String,
        /// Read the password from this environment variable instead of asking.
        #[arg(long, default_value = "SWITCHBOARD_ADMIN_PASSWORD")]
        password_env: String,
        #[arg(long, default_value = "Platform")]
        first_name: String,
        #[arg(long, default_value = "Administrator")]
        last_name: String,
    },
}

#[derive(Subcommand)]
enum InvoicesCommand {
    /// Load invoices for a domain from a JSON Lines file (one invoice a line, as in
    /// POST /api/v1/domains/{domain}/invoices). All are stored, or none; a bad line is named.
    Import {
        #[command(flatten)]
        db: DatabaseArgs,
        /// The file to import.
        file: PathBuf,
        /// The domain the invoices are for, e.g. acme.example.
        #[arg(long)]
        domain: String,
        /// Check the file and report, storing nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum CallsCommand {
    /// Import call records from a switch's files: Asterisk Master.csv or queue_log,
    /// FreeSWITCH mod_cdr_csv, or JSON Lines. Streams the file and stores whole batches. What it
    /// can read past (a wrong byte, an unknown event, a rotated log's partial call) is counted
    /// and reported; a line that is no call at all stops it, named, with what was stored
    /// before. Running the same file again stores nothing twice.
    Import {
        #[command(flatten)]
        db: DatabaseArgs,
        /// The file to import.
        file: PathBuf,
        /// The domain the calls belong to, e.g. acme.example.
        #[arg(long)]
        domain: String,
        /// jsonl, asterisk-csv, queue-log or freeswitch-csv (default: guessed from the first line).
        #[arg(long)]
        format: Option<String>,
        /// Check every line and report, storing nothing.
        #[arg(long)]
        dry_run: bool,
        /// Calls per transaction (default: 20000).
        #[arg(long)]
        batch_size: Option<usize>,
        /// The switch's time zone for CSV times (default: the domain's).
        #[arg(long)]
        timezone: Option<String>,
    },
}

/// Settings from a TOML file; every key is optional, flags and environment win.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    listen: Option<String>,
    access_token_seconds: Option<i64>,
    refresh_token_seconds: Option<i64>,
    reauth_seconds: Option<i64>,
    login_window_seconds: Option<i64>,
    account_max_failures: Option<i64>,
    address_max_failures: Option<i64>,
    lockout_seconds: Option<i64>,
    max_body_bytes: Option<usize>,
    header_read_timeout_seconds: Option<u64>,
    body_read_timeout_seconds: Option<u64>,
    handler_timeout_seconds: Option<u64>,
    /// Reverse proxies whose X-Forwarded-For / -Proto are believed: addresses or blocks.
    trusted_proxies: Option<Vec<switchboard_api::proxy::Cidr>>,
    /// Resellers and super users must log in with a second factor.
    two_factor_for_providers: Option<bool>,
    /// The name authenticator apps show beside a Switchboard login.
    two_factor_issuer: Option<String>,
    /// How long the second step of a login may wait after the password.
    login_challenge_seconds: Option<i64>,
    argon2_memory_kib: Option<u32>,
    argon2_iterations: Option<u32>,
    /// Where recordings are kept (default `switchboard-blobs`, or `SWITCHBOARD_BLOB_DIR`).
    blob_dir: Option<PathBuf>,
    max_audio_bytes: Option<usize>,
    /// The shared secret a switch authenticates with (or SWITCHBOARD_SWITCH_SECRET).
    switch_secret: Option<String>,
    /// Addresses a switch may call the switch endpoints from (default: loopback).
    switch_clients: Option<Vec<std::net::IpAddr>>,
    /// Where outside numbers go, for domains and resellers that name none: a SIP URI with
    /// {number}; empty: nowhere.
    #[serde(default, deserialize_with = "blank_is_none")]
    switch_gateway: Option<switchboard_domain::GatewayUri>,
    /// Where voicemail, attendants and conferences are served, likewise: a SIP URI with
    /// {service}; empty: nowhere.
    #[serde(default, deserialize_with = "blank_is_none")]
    switch_media_server: Option<switchboard_domain::MediaServerUri>,
    /// FreeSWITCH's event socket (`host:port`, e.g. 127.0.0.1:8021): agents' availability and
    /// queue log-ins go to its mod_callcenter as they change. Empty: no FreeSWITCH.
    #[serde(default, deserialize_with = "blank_is_none")]
    freeswitch_event_socket: Option<String>,
    /// Its password (or SWITCHBOARD_FREESWITCH_ESL_PASSWORD); FreeSWITCH's default is ClueCon.
    #[serde(default, deserialize_with = "blank_is_none")]
    freeswitch_event_socket_password: Option<String>,
    /// Asterisk's manager interface (`host:port`, e.g. 127.0.0.1:5038): queue members added,
    /// removed and paused as agents log in and change availability. Empty: no Asterisk.
    #[serde(default, deserialize_with = "blank_is_none")]
    asterisk_manager: Option<String>,
    /// The manager user (manager.conf) Switchboard logs in as.
    #[serde(default, deserialize_with = "blank_is_none")]
    asterisk_manager_username: Option<String>,
    /// Its secret (or SWITCHBOARD_ASTERISK_AMI_SECRET).
    #[serde(default, deserialize_with = "blank_is_none")]
    asterisk_manager_secret: Option<String>,
    /// Asterisk's own time zone, which its call records' times are in; empty: each domain's.
    #[serde(default, deserialize_with = "blank_is_none")]
    asterisk_timezone: Option<switchboard_domain::TimeZoneName>,
}

/// An optional value of the config file, where an empty string means "not set".
fn blank_is_none<'de, D, T>(d: D) -> std::result::Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    use serde::de::IntoDeserializer;
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(s) if s.trim().is_empty() => Ok(None),
        Some(s) => T::deserialize(s.into_deserializer()).map(Some),
    }
}

fn read_file_config(path: Option<&PathBuf>) -> Result<FileConfig> {
    match path {
        None => Ok(FileConfig::default()),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the config file {}", path.display()))?;
            toml::from_str(&text)
                .with_context(|| format!("the config file {} is not valid", path.display()))
        }
    }
}

fn server_config(file: &FileConfig) -> Config {
    let d = Config::default();
    Config {
        access_token_seconds: file.access_token_seconds.unwrap_or(d.access_token_seconds),
        refresh_token_seconds: file
            .refresh_token_seconds
            .unwrap_or(d.refresh_token_seconds),
        reauth_seconds: file.reauth_seconds.unwrap_or(d.reauth_seconds),
        login_window_seconds: file.login_window_seconds.unwrap_or(d.login_window_seconds),
        account_max_failures: file.account_max_failures.unwrap_or(d.account_max_failures),
        address_max_failures: file.address_max_failures.unwrap_or(d.address_max_failures),
        lockout_seconds: file.lockout_seconds.unwrap_or(d.lockout_seconds),
        max_body_bytes: file.max_body_bytes.unwrap_or(d.max_body_bytes),
        header_read_timeout_seconds: file
            .header_read_timeout_seconds
            .unwrap_or(d.header_read_timeout_seconds),
        body_read_timeout_seconds: file
            .body_read_timeout_seconds
            .unwrap_or(d.body_read_timeout_seconds),
        handler_timeout_seconds: file
            .handler_timeout_seconds
            .unwrap_or(d.handler_timeout_seconds),
        trusted_proxies: file.trusted_proxies.clone().unwrap_or(d.trusted_proxies),
        two_factor_for_providers: file
            .two_factor_for_providers
            .unwrap_or(d.two_factor_for_providers),
        two_factor_issuer: file
            .two_factor_issuer
            .clone()
            .unwrap_or(d.two_factor_issuer.clone()),
        login_challenge_seconds: file
            .login_challenge_seconds
            .unwrap_or(d.login_challenge_seconds),
        argon2_memory_kib: file.argon2_memory_kib.unwrap_or(d.argon2_memory_kib),
        argon2_iterations: file.argon2_iterations.unwrap_or(d.argon2_iterations),
        blob_dir: std::env::var_os("SWITCHBOARD_BLOB_DIR")
            .map(PathBuf::from)
            .or_else(|| file.blob_dir.clone())
            .unwrap_or(d.blob_dir.clone()),
        max_audio_bytes: file.max_audio_bytes.unwrap_or(d.max_audio_bytes),
        switch: switch_config(file),
    }
}

fn switch_config(file: &FileConfig) -> switchboard_api::switch::SwitchConfig {
    let d = switchboard_api::switch::SwitchConfig::default();
    let blank_is_none = |v: Option<String>| v.filter(|s| !s.is_empty());
    switchboard_api::switch::SwitchConfig {
        secret: blank_is_none(std::env::var("SWITCHBOARD_SWITCH_SECRET").ok())
            .or_else(|| blank_is_none(file.switch_secret.clone())),
        clients: file.switch_clients.clone().unwrap_or(d.clients),
        routes: switchboard_domain::SwitchRoutes {
            gateway: file.switch_gateway.clone(),
            media_server: file.switch_media_server.clone(),
        },
        freeswitch_event_socket: file.freeswitch_event_socket.clone().map(|address| {
            switchboard_api::switch::freeswitch::esl::EslConfig {
                address,
                password: blank_is_none(std::env::var("SWITCHBOARD_FREESWITCH_ESL_PASSWORD").ok())
                    .or_else(|| blank_is_none(file.freeswitch_event_socket_password.clone()))
                    .unwrap_or_else(|| "ClueCon".to_owned()),
            }
        }),
        asterisk_manager: file.asterisk_manager.clone().map(|address| {
            switchboard_api::switch::asterisk::ami::AmiConfig {
                address,
                username: file
                    .asterisk_manager_username
                    .clone()
                    .unwrap_or_else(|| "switchboard".to_owned()),
                secret: blank_is_none(std::env::var("SWITCHBOARD_ASTERISK_AMI_SECRET").ok())
                    .or_else(|| blank_is_none(file.asterisk_manager_secret.clone()))
                    .unwrap_or_default(),
                timezone: file.asterisk_timezone.clone(),
            }
        }),
    }
}

/// The database URL: flag or environment, then the config file, then the SQLite default.
fn database_url(db: &DatabaseArgs, file: &FileConfig) -> String {
    db.database_url
        .clone()
        .or_else(|| file.database_url.clone())
        .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned())
}

async fn open_store(db: &DatabaseArgs, file: &FileConfig) -> Result<Store> {
    let url = database_url(db, file);
    let store = Store::connect(&url).await?;
    let applied = store.migrate().await?;
    if applied > 0 {
        tracing::info!(applied, "database migrated");
    }
    Ok(store)
}

/// Argon2id allocates 19 MiB per hash. Once such a block is freed, glibc raises its mmap
/// threshold and keeps later blocks in per-thread arenas: over 200 MiB at rest after a few
/// logins. A fixed threshold keeps large blocks on mmap, returned to the system when freed
/// (15 MiB at rest with the demo data; see BENCHMARKS.md).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_large_allocations_on_mmap() {
    // SAFETY: mallopt only sets an allocator parameter; it runs before any other thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_large_allocations_on_mmap() {}

fn main() -> std::process::ExitCode {
    keep_large_allocations_on_mmap();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            // The message and its causes; a person needs no stack trace here.
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<()> {
    let cli = Cli::parse();
    let logs = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    match cli.log_format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().flatten_event(true).init(),
    }
    match cli.command {
        Command::Scopes { markdown } => {
            if markdown {
                print!("{}", switchboard_policy::docs::render_markdown());
            } else {
                print!("{}", switchboard_policy::docs::render_text());
            }
            Ok(())
        }
        Command::Migrate(db) => {
            let file = read_file_config(db.config.as_ref())?;
            let url = database_url(&db, &file);
            let store = Store::connect(&url).await?;
            let applied = store.migrate().await?;
            println!("{applied} migration(s) applied; the database is up to date");
            Ok(())
        }
        Command::Admin(AdminCommand::CreateSuperUser {
            db,
            login,
            password_env,
            first_name,
            last_name,
        }) => {
            let file = read_file_config(db.config.as_ref())?;
            let login = Login::parse(&login).map_err(|e| anyhow::anyhow!("--login: {e}"))?;
            let raw = match std::env::var(&password_env) {
                Ok(p) => p,
                Err(_) => prompt_password()?,
            };
            let password = Password::parse(&raw).map_err(|e| anyhow::anyhow!("password: {e}"))?;
            let store = open_store(&db, &file).await?;
            let state = AppState::new(store, server_config(&file)).map_err(anyhow::Error::msg)?;
            let user = switchboard_api::bootstrap::create_super_user(
                &state,
                &login,
                &password,
                &first_name,
                &last_name,
            )
            .await
            .map_err(|e| anyhow::anyhow!("{}", e.message))?;
            println!("super user {login} created (id {})", user.id);
            Ok(())
        }
        Command::Serve(args) => serve(args).await,
        Command::Kamailio(command) => switch::kamailio(command),
        Command::Freeswitch(command) => switch::freeswitch(command).await,
        Command::Asterisk(command) => switch::asterisk(command),
        Command::Demo {
            db,
            calls,
            seed,
            days,
            queues,
        } => demo(db, calls, seed, days, queues).await,
        Command::Calls(CallsCommand::Import {
            db,
            file,
            domain,
            format,
            dry_run,
            batch_size,
            timezone,
        }) => import_calls(db, file, domain, format, dry_run, batch_size, timezone).await,
        Command::Invoices(InvoicesCommand::Import {
            db,
            file,
            domain,
            dry_run,
        }) => import_invoices(db, file, domain, dry_run).await,
    }
}

fn prompt_password() -> Result<String> {
    use std::io::{BufRead, IsTerminal, Write};
    if !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_owned());
    }
    eprint!(
        "Password for the new super user (at least {} characters): ",
        Password::MIN
    );
    std::io::stderr().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

async fn serve(args: ServeArgs) -> Result<()> {
    let file = read_file_config(args.db.config.as_ref())?;
    let listen = args
        .listen
        .clone()
        .or_else(|| file.listen.clone())
        .unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
    let store = open_store(&args.db, &file).await?;
    let state = AppState::new(store.clone(), server_config(&file)).map_err(anyhow::Error::msg)?;
    if args.demo {
        let logins = switchboard_demo::load(&state)
            .await
            .map_err(|e| anyhow::anyhow!("loading the demo data failed: {}", e.message))?;
        // The same seeded history `switchboard demo` makes by default, once.
        if !switchboard_demo::has_call_history(&state)
            .await
            .map_err(|e| anyhow::anyhow!("reading the call history failed: {}", e.message))?
        {
            switchboard_demo::fill_call_history(&state, 10_000, 1, None, |_| {})
                .await
                .map_err(|e| anyhow::anyhow!("generating calls failed: {}", e.message))?;
        }
        println!(
            "Demo installation ready. Every login's password is: {}",
            switchboard_demo::DEMO_PASSWORD
        );
        println!();
        println!("  {:<26} {:<24} where", "login", "scope");
        for l in &logins {
            println!("  {:<26} {:<24} {}", l.login, l.scope.as_str(), l.note);
        }
        println!();
    } else if store.is_empty().await? {
        println!("This installation has no users yet. To get the first login, either");
        println!(
            "  create a super user:  switchboard admin create-super-user --login 100@platform.example"
        );
        println!("  or load demo data:    switchboard serve --demo");
        println!();
    }
    // FreeSWITCH's event socket, when configured: kept for as long as Switchboard runs.
    let _connections = switchboard_api::switch::start_connections(&state);
    // Housekeeping: expired sessions and old failed-login counts go every ten minutes.
    let housekeeping = store.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            tick.tick().await;
            match housekeeping
                .purge_expired(switchboard_domain::Timestamp::now(), 86_400)
                .await
            {
                Ok(0) => {}
                Ok(n) => tracing::info!(rows = n, "expired sessions and login failures removed"),
                Err(e) => tracing::warn!(error = %e, "housekeeping failed"),
            }
        }
    });
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    println!("Switchboard is listening on http://{addr}");
    println!("  portal:          http://{addr}/  (log in with a login above)");
    println!("  API description: http://{addr}/api/v1/openapi.json");
    println!(
        "  log in:          curl -s http://{addr}/api/v1/auth/token -H 'content-type: application/json' -d '{{\"username\":\"101@acme.example\",\"password\":\"…\"}}'"
    );
    switchboard_server::serve(listener, state, stop_requested()).await?;
    Ok(())
}

/// Ctrl-C, or SIGTERM from systemd or a container runtime: stop taking connections, let the
/// requests in flight finish, close the database.
async fn stop_requested() {
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM; only Ctrl-C stops the server");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
    tracing::info!("stopping: finishing the requests in flight");
}

/// The domain a `--domain` flag names.
async fn domain_by_flag(store: &Store, raw: &str) -> Result<switchboard_domain::Domain> {
    let name =
        switchboard_domain::DomainName::parse(raw).map_err(|e| anyhow::anyhow!("--domain: {e}"))?;
    store
        .get_domain_by_name(
            &switchboard_policy::operator_visibility(switchboard_policy::Resource::Domains),
            &name,
        )
        .await
        .map_err(|_| anyhow::anyhow!("--domain: there is no domain {name}"))
}

async fn import_invoices(
    db: DatabaseArgs,
    file: PathBuf,
    domain: String,
    dry_run: bool,
) -> Result<()> {
    let text = std::fs::read_to_string(&file)
        .with_context(|| format!("cannot read {}", file.display()))?;
    let invoices = switchboard_api::invoices::parse_invoices(&text)
        .map_err(|e| anyhow::anyhow!("{}: {e}; nothing was stored", file.display()))?;
    let config = read_file_config(db.config.as_ref())?;
    let store = open_store(&db, &config).await?;
    let domain = domain_by_flag(&store, &domain).await?;
    if dry_run {
        println!(
            "{} invoice(s) checked; nothing stored (--dry-run)",
            invoices.len()
        );
        return Ok(());
    }
    let n = switchboard_api::invoices::import_invoices(&store, &domain, invoices)
        .await
        .map_err(|e| anyhow::anyhow!("{e}; nothing was stored"))?;
    println!("{n} invoice(s) stored for {}", domain.name);
    Ok(())
}

/// What an import's summary says besides its counts: what it read in a way to know about.
fn import_notes(r: &switchboard_api::import::ImportReport) -> Vec<String> {
    let mut notes = Vec::new();
    if r.partial > 0 {
        notes.push(format!(
            "{} began in an earlier file (a rotated log): rebuilt from their last event, with the caller unknown",
            counted(r.partial, "call")
        ));
    }
    if r.unfinished > 0 {
        notes.push(format!(
            "{} still waiting in a queue when the file ended: not stored; import the next file for them",
            counted(r.unfinished, "call")
        ));
    }
    if !r.unknown_events.is_empty() {
        let names: Vec<String> = r
            .unknown_events
            .iter()
            .map(|(name, n)| format!("{name} ×{n}"))
            .collect();
        notes.push(format!(
            "events not known here, skipped: {}",
            names.join(", ")
        ));
    }
    if r.latin1 > 0 {
        let lines: Vec<String> = r.latin1_lines.iter().map(u64::to_string).collect();
        notes.push(format!(
            "{} not UTF-8, read as Latin-1 (line {}{})",
            counted(r.latin1, "line"),
            lines.join(", "),
            if r.latin1 > r.latin1_lines.len() as u64 {
                ", …"
            } else {
                ""
            }
        ));
    }
    notes
}

async fn import_calls(
    db: DatabaseArgs,
    file: PathBuf,
    domain: String,
    format: Option<String>,
    dry_run: bool,
    batch_size: Option<usize>,
    timezone: Option<String>,
) -> Result<()> {
    use switchboard_api::import::{Format, ImportOptions};
    let format = match format.as_deref() {
        Some(name) => Some(Format::parse(name).ok_or_else(|| {
            anyhow::anyhow!(
                "--format: {name} is not one of jsonl, asterisk-csv, queue-log, freeswitch-csv"
            )
        })?),
        None => None,
    };
    let timezone = timezone
        .map(|t| {
            switchboard_domain::TimeZoneName::parse(&t)
                .map_err(|e| anyhow::anyhow!("--timezone: {e}"))
        })
        .transpose()?;
    if batch_size == Some(0) {
        anyhow::bail!("--batch-size: at least 1");
    }
    let config = read_file_config(db.config.as_ref())?;
    let store = open_store(&db, &config).await?;
    let batch_size = batch_size.unwrap_or_else(|| store.ingest_batch_size());
    let domain = domain_by_flag(&store, &domain).await?;
    let handle =
        std::fs::File::open(&file).with_context(|| format!("cannot open {}", file.display()))?;
    let size = handle.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = indicatif::ProgressBar::new(size);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {bar:40} {bytes}/{total_bytes} {msg} ({eta})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let options = ImportOptions {
        format,
        batch_size,
        dry_run,
        timezone,
    };
    let reader = std::io::BufReader::with_capacity(1 << 20, handle);
    let started = std::time::Instant::now();
    let result = switchboard_api::import::import_calls(
        &store,
        &domain,
        reader,
        &options,
        |bytes, report| {
            bar.set_position(bytes);
            bar.set_message(format!("{} calls", report.calls));
        },
    )
    .await;
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64().max(0.001);
    match result {
        Ok(r) => {
            let verb = if dry_run {
                "checked (dry run, nothing stored)"
            } else {
                "imported"
            };
            println!(
                "{}: {} {verb} ({} new, {} merged into calls already there, {} already there) from {}, {}, {} skipped; {:.0} calls/s",
                counted(r.lines, "line"),
                counted(r.calls, "call"),
                r.inserted,
                r.merged,
                r.duplicates,
                counted(r.call_lines, "call record"),
                counted(r.events, "queue event"),
                r.skipped,
                r.calls as f64 / seconds
            );
            for note in import_notes(&r) {
                println!("  {note}");
            }
            Ok(())
        }
        Err(e) => {
            eprintln!(
                "stopped. Before the error, {} calls were stored ({} new); the batch with the bad line was not.",
                e.report.inserted + e.report.duplicates,
                e.report.inserted
            );
            anyhow::bail!("{}: {e}", file.display())
        }
    }
}

async fn demo(
    db: DatabaseArgs,
    calls: u64,
    seed: u64,
    days: Option<u64>,
    queues: Option<u64>,
) -> Result<()> {
    let file = read_file_config(db.config.as_ref())?;
    let store = open_store(&db, &file).await?;
    let state = AppState::new(store.clone(), server_config(&file)).map_err(anyhow::Error::msg)?;
    switchboard_demo::load(&state)
        .await
        .map_err(|e| anyhow::anyhow!("loading the demo data failed: {}", e.message))?;
    if let Some(queues) = queues {
        let made = switchboard_demo::add_queues(&state, queues as usize)
            .await
            .map_err(|e| anyhow::anyhow!("adding demo queues failed: {}", e.message))?;
        println!("{made} call queues added; each demo domain has {queues} or more.");
    }
    let bar = indicatif::ProgressBar::new(calls);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {bar:40} {pos}/{len} calls ({per_sec}, {eta})",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let started = std::time::Instant::now();
    let per_domain = calls / 2;
    let summary = switchboard_demo::fill_call_history(&state, per_domain, seed, days, |done| {
        bar.set_position(done)
    })
    .await
    .map_err(|e| anyhow::anyhow!("generating calls failed: {}", e.message))?;
    bar.finish_and_clear();
    println!(
        "{} calls generated ({} new, {} already there, of which {} changed and were merged) in {:.1} s, for {}. Log in with serve --demo's logins.",
        per_domain * 2,
        summary.inserted,
        summary.duplicates + summary.merged,
        summary.merged,
        started.elapsed().as_secs_f64(),
        switchboard_demo::DEMO_DOMAINS.join(" and ")
    );
    store.close().await;
    Ok(())
}

/// "1 line", "2 lines".
fn counted(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/switchboard.toml explains every setting: it must parse, hold every key, and show
    /// the defaults it says it shows.
    #[test]
    fn the_sample_configuration_sets_every_key_to_its_default() {
        let text = include_str!("../../../docs/switchboard.toml");
        let sample: FileConfig = toml::from_str(text).expect("it parses");
        let keys: toml::Table = toml::from_str(text).expect("it parses");
        // Destructured whole: a new setting fails to compile here until the sample has it.
        let FileConfig {
            database_url,
            listen,
            access_token_seconds,
            refresh_token_seconds,
            reauth_seconds,
            login_window_seconds,
            account_max_failures,
            address_max_failures,
            lockout_seconds,
            max_body_bytes,
            header_read_timeout_seconds,
            body_read_timeout_seconds,
            handler_timeout_seconds,
            trusted_proxies,
            two_factor_for_providers,
            two_factor_issuer,
            login_challenge_seconds,
            argon2_memory_kib,
            argon2_iterations,
            blob_dir,
            max_audio_bytes,
            switch_secret,
            switch_clients,
            switch_gateway,
            switch_media_server,
            freeswitch_event_socket,
            freeswitch_event_socket_password,
            asterisk_manager,
            asterisk_manager_username,
            asterisk_manager_secret,
            asterisk_timezone,
        } = &sample;
        let set = [
            database_url.is_some() && listen.is_some() && blob_dir.is_some(),
            access_token_seconds.is_some() && refresh_token_seconds.is_some(),
            reauth_seconds.is_some() && login_window_seconds.is_some(),
            account_max_failures.is_some() && address_max_failures.is_some(),
            lockout_seconds.is_some() && max_body_bytes.is_some() && max_audio_bytes.is_some(),
            argon2_memory_kib.is_some() && argon2_iterations.is_some(),
            header_read_timeout_seconds.is_some() && body_read_timeout_seconds.is_some(),
            handler_timeout_seconds.is_some() && trusted_proxies.is_some(),
            two_factor_for_providers.is_some() && two_factor_issuer.is_some(),
            login_challenge_seconds.is_some(),
            switch_secret.is_some() && switch_clients.is_some(),
            // Blank in the sample (none by default): present, read as unset.
            switch_gateway.is_none() && keys.contains_key("switch_gateway"),
            switch_media_server.is_none() && keys.contains_key("switch_media_server"),
            freeswitch_event_socket.is_none() && keys.contains_key("freeswitch_event_socket"),
            freeswitch_event_socket_password.as_deref() == Some("ClueCon"),
            asterisk_manager.is_none() && keys.contains_key("asterisk_manager"),
            asterisk_manager_username.as_deref() == Some("switchboard"),
            asterisk_manager_secret.is_none() && keys.contains_key("asterisk_manager_secret"),
            asterisk_timezone.is_none() && keys.contains_key("asterisk_timezone"),
        ];
        assert!(set.iter().all(|s| *s), "{set:?}");
        assert_eq!(database_url.as_deref(), Some(DEFAULT_DATABASE_URL));
        assert_eq!(listen.as_deref(), Some(DEFAULT_LISTEN));
        assert_eq!(
            format!("{:?}", server_config(&sample)),
            format!("{:?}", Config::default())
        );
    }
}
