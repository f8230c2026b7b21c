//! Real SIP parts for the switch tests: Kamailio (Debian's, configured by Switchboard) and sipp
//! phones, everything on 127.0.0.1, every wait bounded.

use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

pub const KAMAILIO: &str = "/usr/sbin/kamailio";
pub const SIPP: &str = "/usr/bin/sipp";

/// Both must be installed (scripts/test installs them); a missing one fails the suite loudly.
pub fn require_tools() {
    for tool in [KAMAILIO, SIPP] {
        assert!(
            Path::new(tool).exists(),
            "{tool} is missing: the switch tests run the real Kamailio and sipp \
             (apt-get install kamailio kamailio-utils-modules kamailio-extra-modules sip-tester, \
             or run scripts/test, which installs them)"
        );
    }
}

pub fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .map(|a| a.port())
        .expect("a free UDP port")
}

/// A running Kamailio.
pub struct Kamailio {
    child: Child,
    pub log: PathBuf,
}

impl Kamailio {
    pub async fn start(dir: &Path, cfg: &str, port: u16) -> Kamailio {
        let cfg_path = dir.join("kamailio.cfg");
        std::fs::write(&cfg_path, cfg).unwrap();
        let log = dir.join("kamailio.log");
        let child = Command::new(KAMAILIO)
            .args(["-DD", "-E", "-f"])
            .arg(&cfg_path)
            .args(["-Y", dir.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .kill_on_drop(true)
            .spawn()
            .expect("start kamailio");
        let k = Kamailio { child, log };
        // "Port bound" is not "workers ready": ask with OPTIONS until it answers.
        let started = Instant::now();
        while !options_ping(port) {
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "kamailio did not answer OPTIONS on {port}: {}",
                k.log_text()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        k
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Stop Kamailio and its workers: SIGTERM, on which its main process ends its children
    /// (a SIGKILL would leave them running, orphaned); SIGKILL only if it does not end.
    pub async fn stop(mut self) {
        if let Some(pid) = self.child.id() {
            let _ = std::process::Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status();
            if tokio::time::timeout(Duration::from_secs(5), self.child.wait())
                .await
                .is_ok()
            {
                return;
            }
        }
        let _ = self.child.kill().await;
    }
}

impl Drop for Kamailio {
    /// A test that failed half-way stops Kamailio too, workers included.
    fn drop(&mut self) {
        if let Some(pid) = self.child.id() {
            let _ = std::process::Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status();
        }
    }
}

fn options_ping(port: u16) -> bool {
    let Ok(socket) = UdpSocket::bind("127.0.0.1:0") else {
        return false;
    };
    let local = socket.local_addr().map(|a| a.port()).unwrap_or(0);
    let _ = socket.set_read_timeout(Some(Duration::from_millis(300)));
    let msg = format!(
        "OPTIONS sip:127.0.0.1:{port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:{local};branch=z9hG4bK-probe{local}\r\n\
         From: <sip:probe@127.0.0.1>;tag=p{local}\r\nTo: <sip:127.0.0.1:{port}>\r\nCall-ID: probe-{local}@127.0.0.1\r\n\
         CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
    );
    if socket.send_to(msg.as_bytes(), ("127.0.0.1", port)).is_err() {
        return false;
    }
    let mut buf = [0u8; 2048];
    matches!(socket.recv(&mut buf), Ok(n) if String::from_utf8_lossy(&buf[..n]).starts_with("SIP/2.0 200"))
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// What a sipp run did.
pub struct Run {
    pub ok: bool,
    pub output: String,
    pub elapsed: Duration,
}

/// A sipp client run (one call or registration), bounded at 30 s.
pub async fn sipp_client(
    dir: &Path,
    name: &str,
    scenario: &str,
    kamailio: u16,
    args: &[&str],
) -> Run {
    let path = write(dir, &format!("{name}.xml"), scenario);
    let started = Instant::now();
    let out = Command::new(SIPP)
        .arg(format!("127.0.0.1:{kamailio}"))
        .arg("-sf")
        .arg(&path)
        .args([
            "-i",
            "127.0.0.1",
            "-p",
            &free_udp_port().to_string(),
            "-m",
            "1",
            "-l",
            "1",
        ])
        .args([
            "-timeout",
            "30s",
            "-timeout_error",
            "-recv_timeout",
            "20000",
            "-nostdin",
            "-trace_err",
        ])
        .args([
            "-error_file",
            dir.join(format!("{name}.errors")).to_str().unwrap(),
        ])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .await
        .expect("run sipp");
    let errors = std::fs::read_to_string(dir.join(format!("{name}.errors"))).unwrap_or_default();
    Run {
        ok: out.status.success(),
        output: format!(
            "{}\n{}\n{errors}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        elapsed: started.elapsed(),
    }
}

/// A phone that answers (or not): a sipp server on `port`, for `calls` calls.
pub struct Phone {
    child: Child,
    errors: PathBuf,
    messages: PathBuf,
}

impl Phone {
    pub fn start(dir: &Path, name: &str, scenario: &str, port: u16, user: &str) -> Phone {
        let path = write(dir, &format!("{name}.xml"), scenario);
        let child = Command::new(SIPP)
            .arg("-sf")
            .arg(&path)
            .args([
                "-i",
                "127.0.0.1",
                "-p",
                &port.to_string(),
                "-key",
                "user",
                user,
                "-nostdin",
            ])
            // One call, then the phone hangs up its sipp: `finished` tells how it went.
            .args(["-m", "1", "-timeout", "120s", "-trace_err", "-error_file"])
            .arg(dir.join(format!("{name}.errors")))
            .args(["-trace_msg", "-message_file"])
            .arg(dir.join(format!("{name}.messages")))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("start a sipp phone");
        Phone {
            child,
            errors: dir.join(format!("{name}.errors")),
            messages: dir.join(format!("{name}.messages")),
        }
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }

    /// Whether the phone went through its one call as its scenario says (waiting at most
    /// `within` for it to end).
    pub async fn finished(mut self, within: Duration) -> bool {
        let done = tokio::time::timeout(within, self.child.wait()).await;
        let ok = matches!(done, Ok(Ok(status)) if status.success());
        let _ = self.child.kill().await;
        if !ok {
            eprintln!(
                "phone: {done:?}\n{}",
                std::fs::read_to_string(&self.errors).unwrap_or_default()
            );
        }
        ok
    }

    /// Whether the phone received an INVITE (it rang), whatever happened next.
    pub async fn rang(mut self) -> bool {
        let _ = self.child.kill().await;
        std::fs::read_to_string(&self.messages).is_ok_and(|m| m.contains("INVITE sip:"))
    }

    /// Whether the phone was called at this Request-URI (`user@host`).
    pub async fn called_at(mut self, target: &str) -> bool {
        let _ = self.child.kill().await;
        std::fs::read_to_string(&self.messages)
            .is_ok_and(|m| m.contains(&format!("INVITE sip:{target}")))
    }

    /// Whether the phone was never called: no INVITE reached it.
    pub async fn never_called(mut self) -> bool {
        let _ = self.child.kill().await;
        !std::fs::read_to_string(&self.messages).is_ok_and(|m| m.contains("INVITE sip:"))
    }
}

/// REGISTER, answer the 401 with the password (`-au`/`-ap`), and expect `expect` at the end.
pub fn register(expect: u16) -> String {
    let request = |cseq: u32, auth: &str| {
        format!(
            r#"  <send retrans="500">
    <![CDATA[
      REGISTER sip:[domain] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[user]@[domain]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[user]@[domain]>
      Call-ID: [call_id]
      CSeq: {cseq} REGISTER
      Contact: <sip:[user]@127.0.0.1:[contact_port]>
      {auth}
      Max-Forwards: 70
      Expires: [expires]
      User-Agent: sipp-phone
      Content-Length: 0

    ]]>
  </send>
"#
        )
    };
    format!(
        r#"<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="register">
{}  <recv response="401" auth="true"/>
{}  <recv response="{expect}"/>
</scenario>
"#,
        request(1, ""),
        request(2, "[authentication]")
    )
}

/// A call from `[user]` to `[to]@[domain]`, authenticated; answered (held `hold_ms`, then BYE)
/// when `expect` is 200, else refused with `expect`.
pub fn call(expect: u16, hold_ms: u32) -> String {
    call_as(expect, hold_ms, true)
}

/// An INVITE from a carrier (no login) to a number, answered.
pub fn carrier_call() -> String {
    call_as(200, 300, false)
}

fn call_as(expect: u16, hold_ms: u32, login: bool) -> String {
    let invite = |cseq: u32, auth: &str| {
        format!(
            r#"  <send retrans="500">
    <![CDATA[
      INVITE sip:[to]@[domain] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[user]@[domain]>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[to]@[domain]>
      Call-ID: [call_id]
      CSeq: {cseq} INVITE
      Contact: <sip:[user]@[local_ip]:[local_port]>
      {auth}
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
"#
        )
    };
    let ack_negative = r#"  <send>
    <![CDATA[
      ACK sip:[to]@[domain] SIP/2.0
      [last_Via:]
      From: <sip:[user]@[domain]>;tag=[pid]SIPpTag00[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: [cseq] ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
"#;
    let challenge = if !login {
        String::new()
    } else {
        format!(
            "{}  <recv response=\"407\" auth=\"true\"/>\n{}",
            invite(1, ""),
            ack_negative.replace("[cseq]", "1")
        )
    };
    let outcome = if expect == 200 {
        format!(
            r#"  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="183" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="200" rrs="true"/>
  <send>
    <![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[user]@[domain]>;tag=[pid]SIPpTag00[call_number]
      [last_To:]
      [routes]
      Call-ID: [call_id]
      CSeq: 2 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <pause milliseconds="{hold_ms}"/>
  <send retrans="500">
    <![CDATA[
      BYE [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:[user]@[domain]>;tag=[pid]SIPpTag00[call_number]
      [last_To:]
      [routes]
      Call-ID: [call_id]
      CSeq: 3 BYE
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200"/>
"#
        )
    } else {
        format!(
            r#"  <recv response="100" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="180" optional="true"/>
  <recv response="{expect}"/>
{}"#,
            ack_negative.replace("[cseq]", "2")
        )
    };
    format!(
        r#"<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="call">
{challenge}{}{outcome}</scenario>
"#,
        invite(2, if login { "[authentication]" } else { "" })
    )
}

/// One response of a phone to the request it just received. `new_tag`: the phone adds its
/// To-tag (the first answers to an INVITE); `cseq` names the request it answers.
fn reply(status: &str, new_tag: bool, cseq: &str, extra: &str) -> String {
    let to = if new_tag {
        "[last_To:];tag=[pid]SIPpTag01[call_number]"
    } else {
        "[last_To:]"
    };
    let retrans = if status.starts_with("200") && new_tag {
        " retrans=\"500\""
    } else {
        ""
    };
    format!(
        r#"  <send{retrans}>
    <![CDATA[
      SIP/2.0 {status}
      [last_Via:]
      [last_From:]
      {to}
      [last_Call-ID:]
      {cseq}
      {extra}
      Content-Length: 0

    ]]>
  </send>
"#
    )
}

const CONTACT: &str = "[last_Record-Route:]\n      Contact: <sip:[user]@127.0.0.1:[local_port]>";

/// A phone that answers after ringing `ring_ms`, then waits for the BYE.
pub fn answering(ring_ms: u32) -> String {
    format!(
        r#"<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="answering">
  <recv request="INVITE" crlf="true"/>
{}  <pause milliseconds="{ring_ms}"/>
{}  <recv request="ACK" crlf="true"/>
  <recv request="BYE"/>
{}</scenario>
"#,
        reply("180 Ringing", true, "[last_CSeq:]", CONTACT),
        reply("200 OK", true, "[last_CSeq:]", CONTACT),
        reply("200 OK", false, "[last_CSeq:]", ""),
    )
}

/// A phone that is busy: it answers 486.
pub fn busy() -> String {
    format!(
        r#"<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="busy">
  <recv request="INVITE" crlf="true"/>
{}  <recv request="ACK"/>
</scenario>
"#,
        reply("486 Busy Here", true, "[last_CSeq:]", ""),
    )
}

/// A phone that rings and never answers (until the switch cancels it).
pub fn ringing() -> String {
    format!(
        r#"<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="ringing">
  <recv request="INVITE" crlf="true"/>
{}  <recv request="CANCEL">
    <action>
      <ereg regexp="[0-9]+" search_in="hdr" header="CSeq:" assign_to="cs"/>
    </action>
  </recv>
{}{}  <recv request="ACK"/>
</scenario>
"#,
        reply("180 Ringing", true, "[last_CSeq:]", CONTACT),
        reply("200 OK", true, "[last_CSeq:]", ""),
        reply("487 Request Terminated", true, "CSeq: [$cs] INVITE", ""),
    )
}
