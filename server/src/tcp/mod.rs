//! What the mail listeners (inbound SMTP, submission, IMAP) share: connection limits and
//! a connection that can turn into TLS half-way (STARTTLS).

pub mod admission;
pub mod stream;

pub use admission::{Admission, Slot};
pub use stream::Conn;
