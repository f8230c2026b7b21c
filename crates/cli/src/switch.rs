//! `switchboard kamailio …`, `switchboard freeswitch …` and `switchboard asterisk …`:
//! connecting a switch.

use super::{
    DEFAULT_LISTEN, DatabaseArgs, FileConfig, open_store, read_file_config, server_config,
    switch_config,
};
use anyhow::{Context, Result};
use clap::Subcommand;
use std::path::PathBuf;
use switchboard_api::AppState;
use switchboard_api::switch::freeswitch;

#[derive(Subcommand)]
pub enum KamailioCommand {
    /// Print a kamailio.cfg (Kamailio 5.6) that authenticates phones, routes every call and
    /// posts every call record through this installation.
    Config {
        #[command(flatten)]
        db: DatabaseArgs,
        /// Where Kamailio listens for SIP.
        #[arg(long, default_value = "udp:127.0.0.1:5060")]
        sip_listen: String,
        /// Switchboard's address as Kamailio reaches it (default: from `listen`).
        #[arg(long)]
        switchboard_url: Option<String>,
        /// Kamailio's worker processes.
        #[arg(long, default_value_t = 8)]
        children: u32,
    },
}

#[derive(Subcommand)]
pub enum FreeswitchCommand {
    /// Print FreeSWITCH's side of the connection: xml_curl.conf.xml (directory, dialplan and
    /// call queues from Switchboard), json_cdr.conf.xml (call history) and
    /// event_socket.conf.xml (agents' availability), for this installation's settings.
    Config {
        #[command(flatten)]
        db: DatabaseArgs,
        /// Switchboard's address as FreeSWITCH reaches it (default: from `listen`).
        #[arg(long)]
        switchboard_url: Option<String>,
        /// Where mod_json_cdr writes the records it could not post (give the same folder to
        /// `switchboard freeswitch import-spool`).
        #[arg(long, default_value = "/var/log/freeswitch/json_cdr")]
        spool_dir: String,
        /// Write the files into this folder (FreeSWITCH's conf folder, or a copy of it)
        /// instead of printing them.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Store the call records FreeSWITCH wrote to disk when a post failed (<uuid>.cdr.json or
    /// .cdr.xml). Each is moved into imported/ once stored (or already there), into rejected/
    /// when it can never be (with the reason); one that failed on Switchboard's side stays.
    ImportSpool {
        #[command(flatten)]
        db: DatabaseArgs,
        /// The folder (mod_json_cdr's err-log-dir).
        dir: PathBuf,
    },
}

#[derive(Subcommand)]
pub enum AsteriskCommand {
    /// Print Asterisk's side of the connection: extensions.conf (the [switchboard] context,
    /// which asks Switchboard where each call goes), pjsip.conf (the endpoint to the gateway
    /// and media server), extconfig.conf (PJSIP logins and queues from Switchboard: through
    /// res_config_curl, or on PostgreSQL from its `asterisk` views through res_config_pgsql,
    /// with res_pgsql.conf), sorcery.conf, manager.conf (Switchboard's manager user, for queue
    /// members, their pauses and phones' contacts) and cdr_manager.conf (call history).
    Config {
        #[command(flatten)]
        db: DatabaseArgs,
        /// Switchboard's address as Asterisk reaches it (default: from `listen`).
        #[arg(long)]
        switchboard_url: Option<String>,
        /// Write the files into this folder (a copy of /etc/asterisk, to merge) instead of
        /// printing them.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Have Asterisk ask Switchboard for its realtime rows over HTTP (res_config_curl) even
        /// when the database is PostgreSQL, whose views it otherwise reads (res_config_pgsql).
        #[arg(long)]
        over_http: bool,
    },
}

pub fn asterisk(command: AsteriskCommand) -> Result<()> {
    use switchboard_api::switch::asterisk::config;
    let AsteriskCommand::Config {
        db,
        switchboard_url,
        out,
        over_http,
    } = command;
    let file = read_file_config(db.config.as_ref())?;
    let secret = secret(&file)?;
    let url = switchboard_url.unwrap_or_else(|| default_url(&file));
    let manager = switch_config(&file).asterisk_manager;
    let (address, username, manager_secret) = match &manager {
        Some(m) => (m.address.as_str(), m.username.as_str(), m.secret.as_str()),
        None => ("127.0.0.1:5038", "switchboard", ""),
    };
    anyhow::ensure!(
        !manager_secret.is_empty(),
        "no manager secret: set asterisk_manager (e.g. \"127.0.0.1:5038\") and asterisk_manager_secret in the config file (or SWITCHBOARD_ASTERISK_AMI_SECRET), and give the same to `switchboard serve`"
    );
    let database = super::database_url(&db, &file);
    let realtime = if over_http || !database.starts_with("postgres") {
        config::Realtime::Curl
    } else {
        config::Realtime::Postgres(
            config::PgLogin::from_url(&database).map_err(anyhow::Error::msg)?,
        )
    };
    let modules = realtime.modules();
    let files = config::files(&config::ConfigParams {
        switchboard: &url,
        secret: &secret,
        manager: address,
        manager_username: username,
        manager_secret,
        realtime,
    });
    write_or_print(&files, out.as_deref(), |path| format!("; {path}"))?;
    println!(
        "; modules.conf preloads, in this order: {}",
        modules.join(", ")
    );
    println!(
        "; every phone lands in the [switchboard] context (extensions.conf), which asks Switchboard where each call goes; send a trunk's inbound numbers there as number@domain"
    );
    Ok(())
}

/// Write the files into `out`, or print each after its `heading` (a comment naming it).
fn write_or_print(
    files: &[switchboard_api::switch::ConfigFile],
    out: Option<&std::path::Path>,
    heading: impl Fn(&str) -> String,
) -> Result<()> {
    match out {
        Some(dir) => {
            for f in files {
                let path = dir.join(f.path);
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)
                        .with_context(|| format!("cannot create {}", parent.display()))?;
                }
                std::fs::write(&path, &f.text)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                println!("wrote {}", path.display());
            }
        }
        None => {
            for f in files {
                println!("{}\n{}", heading(f.path), f.text);
            }
        }
    }
    Ok(())
}

pub fn kamailio(command: KamailioCommand) -> Result<()> {
    let KamailioCommand::Config {
        db,
        sip_listen,
        switchboard_url,
        children,
    } = command;
    let file = read_file_config(db.config.as_ref())?;
    let secret = secret(&file)?;
    let url = switchboard_url.unwrap_or_else(|| default_url(&file));
    print!(
        "{}",
        switchboard_api::switch::kamailio::config(
            &switchboard_api::switch::kamailio::ConfigParams {
                listen: &sip_listen,
                switchboard: &url,
                secret: &secret,
                children,
            }
        )
    );
    Ok(())
}

/// The switch secret, which a switch's configuration carries inside a URL or a header.
fn secret(file: &FileConfig) -> Result<String> {
    let secret = switch_config(file).secret.context(
        "no switch secret: set switch_secret in the config file or SWITCHBOARD_SWITCH_SECRET (letters and digits), and give the same to `switchboard serve`",
    )?;
    anyhow::ensure!(
        secret.bytes().all(|b| b.is_ascii_alphanumeric()),
        "the switch secret must be letters and digits only (it travels inside a URL)"
    );
    Ok(secret)
}

fn default_url(file: &FileConfig) -> String {
    let listen = file.listen.as_deref().unwrap_or(DEFAULT_LISTEN);
    format!("http://{listen}")
}

pub async fn freeswitch(command: FreeswitchCommand) -> Result<()> {
    match command {
        FreeswitchCommand::Config {
            db,
            switchboard_url,
            spool_dir,
            out,
        } => {
            let file = read_file_config(db.config.as_ref())?;
            let secret = secret(&file)?;
            let url = switchboard_url.unwrap_or_else(|| default_url(&file));
            let socket = switch_config(&file).freeswitch_event_socket;
            let (address, password) = match &socket {
                Some(s) => (s.address.as_str(), s.password.as_str()),
                None => ("127.0.0.1:8021", "ClueCon"),
            };
            let files = freeswitch::config::files(&freeswitch::config::ConfigParams {
                switchboard: &url,
                secret: &secret,
                event_socket: address,
                event_socket_password: password,
                spool_dir: &spool_dir,
            });
            write_or_print(&files, out.as_deref(), |path| format!("<!-- {path} -->"))?;
            println!(
                "<!-- modules.conf.xml loads, in this order: {} -->",
                freeswitch::config::MODULES.join(", ")
            );
            if socket.is_none() {
                println!(
                    "<!-- and in Switchboard's config file: freeswitch_event_socket = \"{address}\" (with its password), so agents' availability reaches mod_callcenter -->"
                );
            }
            Ok(())
        }
        FreeswitchCommand::ImportSpool { db, dir } => import_spool(db, dir).await,
    }
}

async fn import_spool(db: DatabaseArgs, dir: PathBuf) -> Result<()> {
    let file = read_file_config(db.config.as_ref())?;
    let store = open_store(&db, &file).await?;
    let state = AppState::new(store.clone(), server_config(&file)).map_err(anyhow::Error::msg)?;
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {bar:40} {pos}/{len} files ({eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let report = freeswitch::spool::import(&state, &dir, |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })
    .await
    .with_context(|| format!("{}: cannot read or move its files", dir.display()))?;
    bar.finish_and_clear();
    let s = report.stored;
    println!(
        "{} files: {} calls stored ({} new, {} merged into calls already there, {} already there), {} rejected, {} kept to try again",
        report.files,
        s.inserted + s.merged + s.duplicates,
        s.inserted,
        s.merged,
        s.duplicates,
        report.rejected.len(),
        report.kept.len()
    );
    for (path, why) in &report.rejected {
        println!(
            "  rejected (moved to {}/): {}: {why}",
            freeswitch::spool::REJECTED,
            path.display()
        );
    }
    for (path, why) in &report.kept {
        println!("  kept: {}: {why}", path.display());
    }
    store.close().await;
    anyhow::ensure!(
        report.kept.is_empty(),
        "{} files could not be stored now; run this again later",
        report.kept.len()
    );
    Ok(())
}
