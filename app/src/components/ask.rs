//! The app's own question box, in place of the browser's `confirm()` and `prompt()`: those
//! block the page, cannot be styled or translated in their buttons, and look like a
//! phishing pop-up on phones. One `<dialog>` at the root answers every page; a page asks
//! with [`confirm`] or [`ask`] and gets a callback when the user agrees.

use leptos::prelude::*;

use crate::i18n::{Key, t};

/// What the user is asked for besides a yes.
#[derive(Clone, Debug, PartialEq)]
pub enum Answer {
    /// Only a yes (deletions, leaving a share).
    Yes,
    /// A web address, e.g. for a link in a message.
    Url { label: Key },
    /// The user must type `expected` again (deletions that cannot be undone and take much
    /// with them, as GitHub asks for a repository's name).
    Repeat { label: Key, expected: String },
}

/// A question on screen.
pub struct Question {
    pub message: String,
    pub confirm: Key,
    /// The confirm button is red: the action deletes or gives something up.
    pub danger: bool,
    pub answer: Answer,
}

struct Pending {
    question: Question,
    then: Box<dyn FnOnce(String)>,
}

/// The one open question, if any (a new question replaces one left open).
#[derive(Clone, Copy)]
struct Asker(RwSignal<Option<Pending>, LocalStorage>);

thread_local! {
    /// Kept outside the context tree: event handlers, where pages ask, run without a
    /// reactive owner to look a context up from.
    static ASKER: std::cell::Cell<Option<Asker>> = const { std::cell::Cell::new(None) };
}

/// The question slot, made on first use (at the root: [`AskDialog`] renders there).
fn asker() -> Asker {
    ASKER.get().unwrap_or_else(|| {
        let asker = Asker(RwSignal::new_local(None));
        ASKER.set(Some(asker));
        asker
    })
}

/// Shows `question`; `then` runs with the typed answer (empty for [`Answer::Yes`]) when the
/// user confirms, and never when they cancel.
pub fn ask(question: Question, then: impl FnOnce(String) + 'static) {
    asker().0.set(Some(Pending {
        question,
        then: Box::new(then),
    }));
}

/// Asks a yes/no question whose yes deletes or gives something up.
pub fn confirm(message: impl Into<String>, confirm: Key, then: impl FnOnce() + 'static) {
    ask(
        Question {
            message: message.into(),
            confirm,
            danger: true,
            answer: Answer::Yes,
        },
        move |_| then(),
    );
}

/// Whether `typed` answers `answer` (the confirm button stays disabled until it does).
pub fn acceptable(answer: &Answer, typed: &str) -> bool {
    let typed = typed.trim();
    match answer {
        Answer::Yes => true,
        Answer::Url { .. } => ["https://", "http://", "mailto:"]
            .iter()
            .any(|scheme| typed.len() > scheme.len() && typed.starts_with(scheme)),
        Answer::Repeat { expected, .. } => typed.eq_ignore_ascii_case(expected),
    }
}

/// The dialog itself, rendered once at the root.
#[component]
pub fn AskDialog() -> impl IntoView {
    let asker = asker();
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let typed = RwSignal::new(String::new());
    let open = move || asker.0.with(Option::is_some);
    let answer = move || {
        asker
            .0
            .with(|p| p.as_ref().map(|p| p.question.answer.clone()))
    };
    // The native modal dialog traps focus, makes the page inert and gives focus back to
    // the button that asked when it closes.
    Effect::new(move || {
        let open = open();
        if let Some(el) = dialog.get() {
            if open && !el.open() {
                typed.set(String::new());
                let _ = el.show_modal();
            } else if !open && el.open() {
                el.close();
            }
        }
    });
    let dismiss = move || asker.0.set(None);
    let agree = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let value = typed.get_untracked().trim().to_string();
        let ok = answer().is_some_and(|a| acceptable(&a, &value));
        if !ok {
            return;
        }
        let pending = asker.0.try_update(Option::take).flatten();
        // Closed before the answer runs: while the modal is open the page is inert, and an
        // answer may need to focus it again (the composer restoring its selection).
        if let Some(el) = dialog.get_untracked() {
            el.close();
        }
        if let Some(pending) = pending {
            (pending.then)(value);
        }
    };
    let message = move || {
        asker
            .0
            .with(|p| p.as_ref().map(|p| p.question.message.clone()))
            .unwrap_or_default()
    };
    let confirm_label = move || {
        asker
            .0
            .with(|p| p.as_ref().map(|p| p.question.confirm))
            .unwrap_or(Key::Delete)
    };
    let danger = move || {
        asker
            .0
            .with(|p| p.as_ref().is_some_and(|p| p.question.danger))
    };
    let field = move || match answer() {
        Some(Answer::Url { label }) => Some((label, "url", String::new())),
        Some(Answer::Repeat { label, expected }) => Some((label, "text", expected)),
        _ => None,
    };
    view! {
        <dialog node_ref=dialog class="ask card" aria-labelledby="ask-message" data-testid="ask"
                on:cancel=move |ev: web_sys::Event| { ev.prevent_default(); dismiss(); }>
            <form on:submit=agree>
                <p id="ask-message">{message}</p>
                {move || field().map(|(label, kind, expected)| view! {
                    <label class="field">
                        {t(label)}
                        <input type=kind data-testid="ask-input" autofocus autocomplete="off"
                               spellcheck="false" placeholder=expected bind:value=typed />
                    </label>
                })}
                <div class="dialog-actions">
                    <span class="spacer"></span>
                    <button type="submit" data-testid="ask-confirm"
                            class=move || if danger() { "button danger" } else { "button primary" }
                            disabled=move || !answer().is_some_and(|a| acceptable(&a, &typed.get()))>
                        {move || t(confirm_label())()}
                    </button>
                    <button type="button" class="button ghost" data-testid="ask-cancel"
                            autofocus=move || field().is_none() on:click=move |_| dismiss()>
                        {t(Key::Cancel)}
                    </button>
                </div>
            </form>
        </dialog>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_need_a_scheme_and_something_after_it() {
        let url = Answer::Url {
            label: Key::LinkAddress,
        };
        assert!(acceptable(&url, " https://example.org "));
        assert!(acceptable(&url, "mailto:a@example.org"));
        assert!(!acceptable(&url, "https://"));
        assert!(!acceptable(&url, "javascript:alert(1)"));
        assert!(!acceptable(&url, "example.org"));
    }

    #[test]
    fn a_repeat_must_match_the_expected_text() {
        let repeat = Answer::Repeat {
            label: Key::LinkAddress,
            expected: "team@example.org".into(),
        };
        assert!(acceptable(&repeat, "Team@Example.org"));
        assert!(!acceptable(&repeat, "team@example.com"));
        assert!(!acceptable(&repeat, ""));
        assert!(acceptable(&Answer::Yes, ""));
    }
}
