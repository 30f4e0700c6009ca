//! Placing the sending address's signature in the text: above the quote of a reply, and
//! swapped in place when the user picks another signature or another sender.

/// The signature block put in a new message.
pub(super) fn signature_block(signature: &str) -> String {
    let s = signature.trim_end();
    if s.is_empty() {
        String::new()
    } else if s.starts_with("--") {
        format!("{s}\n")
    } else {
        format!("-- \n{s}\n")
    }
}

/// `text` with the signature block `old` replaced by `new`: where `old` is, else just above
/// the quoted text, else at the end after a blank line.
pub(super) fn swap_signature(text: &str, old: &str, new: &str, quote: &str) -> String {
    if !old.is_empty()
        && let Some(i) = text.find(old)
    {
        return format!("{}{new}{}", &text[..i], &text[i + old.len()..]);
    }
    if new.is_empty() {
        return text.to_string();
    }
    if !quote.is_empty()
        && let Some(i) = text.find(quote)
    {
        return format!("{}{new}\n{}", &text[..i], &text[i..]);
    }
    format!("{}\n\n{new}", text.trim_end_matches('\n'))
}

#[cfg(test)]
mod tests {
    use super::swap_signature;

    #[test]
    fn a_chosen_signature_replaces_the_one_in_the_message() {
        let work = "-- \nAnn Smith\n";
        let short = "-- \nA.\n";
        let quote = "On Monday, Bob wrote:\n> Hi\n";
        // Placed first: above the quote, or at the end.
        let started = swap_signature(&format!("\n\n{quote}"), "", work, quote);
        assert_eq!(started, format!("\n\n{work}\n{quote}"));
        assert_eq!(swap_signature("\n\n", "", work, ""), format!("\n\n{work}"));
        // Another one takes its place, whatever was written around it.
        let written = format!("Thanks!{}", &started[..]);
        let swapped = swap_signature(&written, work, short, quote);
        assert_eq!(swapped, format!("Thanks!\n\n{short}\n{quote}"));
        // None removes it; choosing one again after that puts it back above the quote.
        let none = swap_signature(&swapped, short, "", quote);
        assert_eq!(none, format!("Thanks!\n\n\n{quote}"));
        assert!(swap_signature(&none, "", work, quote).contains(&format!("{work}\n{quote}")));
        // Edited away by the user: the new one goes at the end.
        assert_eq!(
            swap_signature("Hello\n\n", work, short, ""),
            format!("Hello\n\n{short}")
        );
    }
}
