//! Spam filtering with rspamd over its HTTP protocol (`--rspamd-url`): each arriving
//! message is streamed to `/checkv2` before it is acknowledged; rspamd's action decides
//! (reject: refused at DATA; soft reject or greylist: try again later; add header or
//! rewrite subject: filed in Spam; no action: the inbox), and its score is recorded in
//! `X-Spam-*` headers. When rspamd cannot answer, mail is accepted unscored (spam
//! filtering fails open, unlike virus scanning). Moving mail into or out of Spam (web app,
//! bulk actions, IMAP) leaves a lesson in a durable queue that [`teach`] hands to rspamd's
//! controller (`/learnspam`, `/learnham`).

use std::net::IpAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;

use crate::blobs::BlobStore;
use crate::db::Db;
use crate::jobs::Stop;
use crate::mail::blobs as mail_blobs;

/// Longest rspamd answer read.
const MAX_ANSWER: usize = 1024 * 1024;
/// Symbols named in `X-Spam-Symbols` at most.
const MAX_SYMBOLS: usize = 30;
/// Lessons handed to rspamd per round.
const LESSONS_PER_ROUND: i64 = 20;
/// How often pending lessons are looked for.
const LESSON_POLL: Duration = Duration::from_secs(5);
/// A lesson rspamd could not take for this long is dropped.
const LESSON_MAX_AGE_SECS: i64 = 24 * 3600;

/// Where rspamd listens.
#[derive(Clone, Debug)]
pub struct RspamdConfig {
    /// The normal worker, e.g. `http://127.0.0.1:11333`.
    pub url: String,
    /// The controller for learning, e.g. `http://127.0.0.1:11334`.
    pub controller_url: Option<String>,
    pub password: Option<String>,
    pub timeout: Duration,
}

pub struct Rspamd {
    config: RspamdConfig,
    client: reqwest::Client,
}

/// What to do with a message, from rspamd's action.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Action {
    Accept,
    Spam,
    Reject,
    Defer,
}

/// rspamd's verdict on one message.
#[derive(Debug)]
pub struct Scored {
    pub action: Action,
    pub score: f64,
    pub required: f64,
    /// Symbol names (made header-safe), highest scores first.
    pub symbols: Vec<String>,
}

#[derive(Deserialize)]
struct Answer {
    action: String,
    score: f64,
    required_score: f64,
    #[serde(default)]
    symbols: std::collections::HashMap<String, Symbol>,
}

#[derive(Deserialize)]
struct Symbol {
    #[serde(default)]
    score: f64,
}

impl Rspamd {
    pub fn new(config: RspamdConfig) -> anyhow::Result<Rspamd> {
        let client = reqwest::Client::builder().timeout(config.timeout).build()?;
        Ok(Rspamd { config, client })
    }

    /// Scores the spooled message at `path` (streamed, not loaded).
    pub async fn check(
        &self,
        path: &Path,
        ip: IpAddr,
        helo: &str,
        mail_from: &str,
    ) -> anyhow::Result<Scored> {
        let file = tokio::fs::File::open(path).await?;
        let url = format!("{}/checkv2", self.config.url.trim_end_matches('/'));
        let mut request = self
            .client
            .post(url)
            .header("IP", ip.to_string())
            .header("Helo", helo)
            .body(reqwest::Body::from(file));
        if !mail_from.is_empty() {
            request = request.header("From", mail_from);
        }
        let response = request.send().await?.error_for_status()?;
        let body = read_bounded(response).await?;
        let answer: Answer = serde_json::from_slice(&body)?;
        Ok(scored(answer))
    }

    /// Teaches rspamd that `raw` is spam or not.
    async fn learn(&self, raw: Vec<u8>, spam: bool) -> Result<(), Lesson> {
        let Some(base) = &self.config.controller_url else {
            return Err(Lesson::Drop);
        };
        let path = if spam { "learnspam" } else { "learnham" };
        let mut request = self
            .client
            .post(format!("{}/{path}", base.trim_end_matches('/')))
            .body(raw);
        if let Some(p) = &self.config.password {
            request = request.header("Password", p);
        }
        match request.send().await {
            // 2xx: learned, already learned (208) or too short to learn from (204).
            Ok(r) if r.status().is_success() => Ok(()),
            Ok(r) if r.status().is_client_error() => {
                tracing::warn!(status = %r.status(), "rspamd refused a lesson");
                Err(Lesson::Drop)
            }
            Ok(r) => {
                tracing::warn!(status = %r.status(), "rspamd could not learn now");
                Err(Lesson::Retry)
            }
            Err(e) => {
                tracing::warn!(error = %e, "rspamd controller unreachable");
                Err(Lesson::Retry)
            }
        }
    }
}

/// What became of a lesson rspamd did not take.
enum Lesson {
    Drop,
    Retry,
}

async fn read_bounded(mut response: reqwest::Response) -> anyhow::Result<Vec<u8>> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > MAX_ANSWER {
            anyhow::bail!("rspamd's answer is over {MAX_ANSWER} bytes");
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn scored(answer: Answer) -> Scored {
    let action = match answer.action.as_str() {
        "reject" => Action::Reject,
        "soft reject" | "greylist" => Action::Defer,
        "add header" | "rewrite subject" => Action::Spam,
        _ => Action::Accept,
    };
    let mut symbols: Vec<(String, f64)> = answer
        .symbols
        .into_iter()
        .map(|(name, s)| {
            let safe: String = name
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                .take(64)
                .collect();
            (safe, s.score)
        })
        .filter(|(name, _)| !name.is_empty())
        .collect();
    symbols.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Scored {
        action,
        score: answer.score,
        required: answer.required_score,
        symbols: symbols
            .into_iter()
            .take(MAX_SYMBOLS)
            .map(|(name, _)| name)
            .collect(),
    }
}

/// The `X-Spam-*` header lines recording a verdict.
pub fn headers(s: &Scored) -> String {
    let spam = s.action == Action::Spam;
    let mut out = format!(
        "X-Spam-Status: {}, score={:.2} required={:.2}\r\nX-Spam-Score: {:.2}\r\n",
        if spam { "Yes" } else { "No" },
        s.score,
        s.required,
        s.score
    );
    if spam {
        out.push_str("X-Spam-Flag: YES\r\n");
    }
    if !s.symbols.is_empty() {
        out.push_str(&format!("X-Spam-Symbols: {}\r\n", s.symbols.join(", ")));
    }
    out
}

/// Hands queued lessons to rspamd, every few seconds and at stop; without a controller
/// they are dropped.
pub async fn teach(db: Db, blobs: BlobStore, rspamd: Option<Arc<Rspamd>>, mut stop: Stop) {
    let mut tick = tokio::time::interval(LESSON_POLL);
    loop {
        let stopping = tokio::select! {
            _ = tick.tick() => false,
            _ = stop.stopped() => true,
        };
        if let Err(e) = teach_round(&db, &blobs, rspamd.as_deref()).await {
            tracing::warn!(error = %e, "teaching the spam filter failed");
        }
        if stopping {
            return;
        }
    }
}

async fn teach_round(db: &Db, blobs: &BlobStore, rspamd: Option<&Rspamd>) -> anyhow::Result<()> {
    let Some(rspamd) = rspamd.filter(|r| r.config.controller_url.is_some()) else {
        crate::on_db!(db, |dbc| sqlx::query("DELETE FROM spam_lessons")
            .execute(dbc)
            .await
            .map(crate::db::Done::from))?;
        return Ok(());
    };
    crate::on_db!(db, |dbc| sqlx::query(
        "DELETE FROM spam_lessons WHERE created_at < $1"
    )
    .bind(crate::now_unix() - LESSON_MAX_AGE_SECS)
    .execute(dbc)
    .await
    .map(crate::db::Done::from))?;
    let lessons: Vec<(i64, String, bool)> = crate::on_db!(db, |dbc| sqlx::query_as(
        "SELECT id, blob, spam <> 0 FROM spam_lessons ORDER BY id LIMIT $1"
    )
    .bind(LESSONS_PER_ROUND)
    .fetch_all(dbc)
    .await)?;
    for (id, blob, spam) in lessons {
        let outcome = match mail_blobs::read(blobs, &blob).await {
            Ok(raw) => rspamd.learn(raw, spam).await,
            Err(_) => Err(Lesson::Drop), // the message is gone for good
        };
        if let Err(Lesson::Retry) = outcome {
            return Ok(()); // rspamd is not there now: keep this and the rest for later
        }
        crate::on_db!(db, |dbc| sqlx::query(
            "DELETE FROM spam_lessons WHERE id = $1"
        )
        .bind(id)
        .execute(dbc)
        .await
        .map(crate::db::Done::from))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(action: &str) -> Answer {
        serde_json::from_str(&format!(
            r#"{{"action":"{action}","score":7.5,"required_score":15,
                "symbols":{{"A\r\nX: y":{{"score":1}},"BAYES_SPAM":{{"score":5}}}}}}"#
        ))
        .expect("answer")
    }

    #[test]
    fn actions_map_to_what_happens_to_the_message() {
        assert_eq!(scored(answer("reject")).action, Action::Reject);
        assert_eq!(scored(answer("soft reject")).action, Action::Defer);
        assert_eq!(scored(answer("greylist")).action, Action::Defer);
        assert_eq!(scored(answer("add header")).action, Action::Spam);
        assert_eq!(scored(answer("rewrite subject")).action, Action::Spam);
        assert_eq!(scored(answer("no action")).action, Action::Accept);
    }

    #[test]
    fn headers_are_safe_and_ordered() {
        let h = headers(&scored(answer("add header")));
        assert_eq!(
            h,
            "X-Spam-Status: Yes, score=7.50 required=15.00\r\nX-Spam-Score: 7.50\r\n\
             X-Spam-Flag: YES\r\nX-Spam-Symbols: BAYES_SPAM, AXy\r\n"
        );
    }
}
