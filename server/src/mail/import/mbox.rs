//! Cuts an upload into messages while it streams in: an mbox file (each message after a
//! `From ` line, body lines `>From ` unescaped as mboxrd writes them) or a single `.eml`.
//! Line ends become CRLF, as IMAP and SMTP carry them. Memory stays bounded by the
//! message size limit whatever the upload holds: a message that grows past it is
//! dropped as it streams and reported as too large.

/// One piece of the upload.
#[derive(Debug, PartialEq)]
pub enum Piece {
    Message(Vec<u8>),
    TooLarge,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Format {
    Mbox,
    Eml,
}

/// A line longer than this is passed on in parts (a message without line breaks must
/// not make the splitter hold more than the message limit).
const LINE_PART: usize = 64 * 1024;

pub struct Splitter {
    max: usize,
    format: Option<Format>,
    /// The line read so far (no `\n` seen yet).
    line: Vec<u8>,
    /// Whether `line` continues a line already passed on in parts.
    mid_line: bool,
    current: Vec<u8>,
    /// The current message passed `max`; its bytes are dropped until the next one.
    over: bool,
}

impl Splitter {
    pub fn new(max: usize) -> Splitter {
        Splitter {
            max,
            format: None,
            line: Vec::new(),
            mid_line: false,
            current: Vec::new(),
            over: false,
        }
    }

    /// Takes the next bytes of the upload; returns the messages they completed.
    pub fn push(&mut self, mut chunk: &[u8]) -> Vec<Piece> {
        let mut out = Vec::new();
        while let Some(end) = chunk.iter().position(|&b| b == b'\n') {
            self.line.extend_from_slice(&chunk[..end]);
            let line = std::mem::take(&mut self.line);
            self.whole_line(&line, &mut out);
            chunk = &chunk[end + 1..];
        }
        self.line.extend_from_slice(chunk);
        if self.line.len() > LINE_PART {
            // Keep a final CR back: it may be the start of this line's CRLF.
            let keep = usize::from(self.line.last() == Some(&b'\r'));
            let part: Vec<u8> = self.line.drain(..self.line.len() - keep).collect();
            self.decide_format(&part);
            self.add(&part);
            self.mid_line = true;
        }
        out
    }

    /// Ends the upload; returns the last message.
    pub fn finish(mut self) -> Vec<Piece> {
        let mut out = Vec::new();
        if !self.line.is_empty() {
            let line = std::mem::take(&mut self.line);
            self.whole_line(&line, &mut out);
        }
        self.end_message(&mut out);
        out
    }

    fn decide_format(&mut self, first: &[u8]) {
        if self.format.is_none() {
            self.format = Some(if first.starts_with(b"From ") {
                Format::Mbox
            } else {
                Format::Eml
            });
        }
    }

    fn whole_line(&mut self, line: &[u8], out: &mut Vec<Piece>) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if std::mem::take(&mut self.mid_line) {
            self.add(line);
            self.add(b"\r\n");
            return;
        }
        self.decide_format(line);
        if self.format == Some(Format::Mbox) {
            if line.starts_with(b"From ") {
                self.end_message(out);
                return;
            }
            if is_escaped_from(line) {
                self.add(&line[1..]);
                self.add(b"\r\n");
                return;
            }
        }
        self.add(line);
        self.add(b"\r\n");
    }

    fn add(&mut self, bytes: &[u8]) {
        if self.over {
            return;
        }
        if self.current.len() + bytes.len() > self.max {
            self.over = true;
            self.current = Vec::new();
            return;
        }
        self.current.extend_from_slice(bytes);
    }

    fn end_message(&mut self, out: &mut Vec<Piece>) {
        if std::mem::take(&mut self.over) {
            out.push(Piece::TooLarge);
            return;
        }
        let mut message = std::mem::take(&mut self.current);
        // The empty line before the next `From ` line separates; it is not the message's.
        if self.format == Some(Format::Mbox) && message.ends_with(b"\r\n\r\n") {
            message.truncate(message.len() - 2);
        }
        if !message.iter().all(u8::is_ascii_whitespace) {
            out.push(Piece::Message(message));
        }
    }
}

/// `>From `, `>>From `…: a body line mboxrd escaped by adding one `>`.
fn is_escaped_from(line: &[u8]) -> bool {
    let quotes = line.iter().take_while(|&&b| b == b'>').count();
    quotes > 0 && line[quotes..].starts_with(b"From ")
}

/// Whether `raw` starts with a header field (`Name: value`), as every message does.
pub fn looks_like_message(raw: &[u8]) -> bool {
    let first = raw.split(|&b| b == b'\n').next().unwrap_or_default();
    match first.iter().position(|&b| b == b':') {
        Some(colon) if colon > 0 => first[..colon].iter().all(|&b| b.is_ascii_graphic()),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(input: &[u8], chunk: usize, max: usize) -> Vec<Piece> {
        let mut s = Splitter::new(max);
        let mut out = Vec::new();
        for part in input.chunks(chunk.max(1)) {
            out.extend(s.push(part));
        }
        out.extend(s.finish());
        out
    }

    fn messages(pieces: &[Piece]) -> Vec<String> {
        pieces
            .iter()
            .map(|p| match p {
                Piece::Message(m) => String::from_utf8_lossy(m).into_owned(),
                Piece::TooLarge => "<too large>".into(),
            })
            .collect()
    }

    const MBOX: &[u8] = b"From a@example.com Mon Jan  1 00:00:00 2024\n\
Subject: one\n\nHello\n>From the start\n>>From deeper\n\n\
From b@example.com Tue Jan  2 00:00:00 2024\nSubject: two\n\nBye\n";

    #[test]
    fn mbox_splits_on_from_lines_and_unescapes_one_quote() {
        for chunk in [1, 2, 3, 7, 64, 4096] {
            assert_eq!(
                messages(&split(MBOX, chunk, 1 << 20)),
                vec![
                    "Subject: one\r\n\r\nHello\r\nFrom the start\r\n>From deeper\r\n",
                    "Subject: two\r\n\r\nBye\r\n",
                ],
                "chunk size {chunk}"
            );
        }
    }

    #[test]
    fn eml_is_one_message_with_crlf_kept() {
        let eml = b"From: a@example.com\r\nSubject: x\r\n\r\nFrom here on\r\nbody";
        assert_eq!(
            messages(&split(eml, 5, 1 << 20)),
            vec!["From: a@example.com\r\nSubject: x\r\n\r\nFrom here on\r\nbody\r\n"]
        );
    }

    #[test]
    fn a_message_over_the_limit_is_dropped_and_the_next_kept() {
        let mut mbox = b"From x\nSubject: big\n\n".to_vec();
        mbox.extend(std::iter::repeat_n(b'a', 200_000));
        mbox.extend(b"\nFrom y\nSubject: small\n\nok\n");
        let out = split(&mbox, 1000, 100_000);
        assert_eq!(
            messages(&out),
            vec!["<too large>", "Subject: small\r\n\r\nok\r\n"]
        );
    }

    #[test]
    fn a_line_split_into_parts_is_not_read_as_a_separator() {
        // A long line passed on in parts, whose next part starts with "From ".
        let mut mbox = b"From x\nSubject: long\n\n".to_vec();
        let head = mbox.len();
        mbox.extend(std::iter::repeat_n(b'b', LINE_PART + 10));
        mbox.extend(b"From not a separator\r\nend\n");
        let out = split(&mbox, head + LINE_PART + 10, 1 << 20);
        assert_eq!(out.len(), 1);
        let Piece::Message(m) = &out[0] else {
            panic!("expected a message")
        };
        assert!(m.ends_with(b"bbFrom not a separator\r\nend\r\n"));
    }

    #[test]
    fn empty_and_blank_uploads_give_nothing() {
        assert!(split(b"", 10, 100).is_empty());
        assert!(split(b"\n\n\r\n", 10, 100).is_empty());
        assert!(split(b"From x\n\nFrom y\n", 10, 100).is_empty());
    }

    #[test]
    fn header_check() {
        assert!(looks_like_message(b"Subject: x\r\n"));
        assert!(looks_like_message(b"X-Thing:y"));
        assert!(!looks_like_message(b"hello world: no\r\n"));
        assert!(!looks_like_message(b": empty name\r\n"));
        assert!(!looks_like_message(b"just text"));
    }
}
