//! Mail settings of each address: signatures, an automatic reply, aliases and redirection.

use ksuite_common::{
    AddressRouting, AutoReply, MailAddress, Redirect, SignatureDefaults, SignatureInput,
};
use leptos::prelude::*;

use crate::api;
use crate::components::refusal::Refusal;
use crate::i18n::{Key, error_message, fill, t, text};
use crate::state::prefs::use_prefs;

/// The signatures of every address and the automatic replies of managed ones, from one
/// load.
#[component]
pub fn SignatureCards() -> impl IntoView {
    let loaded = LocalResource::new(|| async {
        let list = api::mail::addresses().await?;
        let mut replies = Vec::new();
        for a in list.iter().filter(|a| a.permission == "manage") {
            replies.push((a.address.clone(), api::mail::auto_reply(&a.address).await?));
        }
        Ok::<_, api::ApiError>((list, replies))
    });
    let ready = move || match loaded.get() {
        Some(Ok(both)) => both,
        _ => Default::default(),
    };
    view! {
        <div class="card">
            <h2>{t(Key::Signatures)}</h2>
            {move || ready().0.into_iter().map(|a| view! { <SignaturesForm address=a /> }).collect_view()}
            {move || loaded.get().and_then(Result::err).map(|e| view! {
                <Refusal error=e />
            })}
        </div>
        <section class="card" aria-labelledby="auto-reply-title" data-testid="auto-reply-card">
            <h2 id="auto-reply-title">{t(Key::AutoReply)}</h2>
            <p class="hint">{t(Key::AutoReplyHint)}</p>
            {move || ready().1.into_iter()
                .map(|(address, reply)| view! { <AutoReplyFields address reply /> }).collect_view()}
        </section>
    }
}

/// Aliases and redirection of each managed address.
#[component]
pub fn RoutingCard() -> impl IntoView {
    let loaded = LocalResource::new(|| async {
        let mut managed = Vec::new();
        for a in api::mail::addresses()
            .await?
            .into_iter()
            .filter(|a| a.permission == "manage")
        {
            let routing = api::mail::routing(&a.address).await?;
            managed.push((a.address, routing));
        }
        Ok::<_, api::ApiError>(managed)
    });
    view! {
        <section class="card" aria-labelledby="routing-title" data-testid="routing-card">
            <h2 id="routing-title">{t(Key::AliasesAndRedirection)}</h2>
            <p class="hint">{t(Key::AliasesHint)}</p>
            {move || match loaded.get() {
                Some(Ok(managed)) => managed.into_iter()
                    .map(|(address, routing)| view! { <RoutingForm address routing /> }).collect_view().into_any(),
                Some(Err(e)) => view! { <Refusal error=e /> }.into_any(),
                None => ().into_any(),
            }}
        </section>
    }
}

/// A change to an address's aliases or redirection.
#[derive(Clone)]
enum RoutingChange {
    AddAlias(String),
    RemoveAlias(String),
    Redirect(Redirect),
}

/// One address's aliases (listed, removable, added one by one) and its redirection.
#[component]
fn RoutingForm(address: String, routing: AddressRouting) -> impl IntoView {
    let lang = use_prefs().lang;
    let current = RwSignal::new(routing.clone());
    let alias = RwSignal::new(String::new());
    let targets = RwSignal::new(routing.redirect.targets.join(", "));
    let keep = RwSignal::new(routing.redirect.keep_copy || routing.redirect.targets.is_empty());
    let change = Action::new_local({
        let address = address.clone();
        move |c: &RoutingChange| {
            let (address, c) = (address.clone(), c.clone());
            async move {
                match c {
                    RoutingChange::AddAlias(a) => api::mail::add_alias(&address, a).await,
                    RoutingChange::RemoveAlias(a) => {
                        api::mail::remove_alias(&address, &a).await?;
                        api::mail::routing(&address).await
                    }
                    RoutingChange::Redirect(r) => api::mail::set_redirect(&address, &r).await,
                }
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(r)) = change.value().get() {
            current.set(r);
            alias.set(String::new());
        }
    });
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        change.dispatch(RoutingChange::AddAlias(alias.get_untracked()));
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let list = targets
            .get_untracked()
            .split([',', ';', '\n'])
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect();
        change.dispatch(RoutingChange::Redirect(Redirect {
            targets: list,
            keep_copy: keep.get_untracked(),
        }));
    };
    let slug = address.replace(['@', '.'], "-");
    let id = move |what: &str| format!("routing-{what}-{slug}");
    let title = address.clone();
    view! {
        <div class="settings-form routing" data-address=address.clone()>
            <h3>{title}</h3>
            <ul class="plain-list aliases">
                {move || current.get().aliases.into_iter().map(|a| {
                    let remove = a.clone();
                    view! {
                        <li class="row" data-testid="alias">
                            <span class="wrap">{a}</span>
                            <button type="button" class="button small ghost"
                                    on:click=move |_| { change.dispatch(RoutingChange::RemoveAlias(remove.clone())); }>
                                {t(Key::Remove)}
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <form class="inline-form" on:submit=add>
                <label class="visually-hidden" for=id("alias")>{t(Key::NewAlias)}</label>
                <input id=id("alias") type="text" required maxlength="64" placeholder=move || text(lang.get(), Key::NewAlias)
                       bind:value=alias />
                <button class="button small" type="submit" disabled=move || change.pending().get()>{t(Key::AddAlias)}</button>
            </form>
            <form on:submit=save>
                <label for=id("targets")>{t(Key::RedirectTo)}</label>
                <input id=id("targets") type="text" aria-describedby=id("targets-hint") bind:value=targets />
                <p id=id("targets-hint") class="hint">{t(Key::RedirectHint)}</p>
                <label class="check">
                    <input type="checkbox" bind:checked=keep />
                    {t(Key::KeepCopy)}
                </label>
                <div class="actions">
                    <button class="button small primary" type="submit" disabled=move || change.pending().get()>{t(Key::Save)}</button>
                    <span role="status">
                        {move || change.value().get().map(|r| match r {
                            Ok(_) => view! { <span class="form-ok">{t(Key::Saved)}</span> }.into_any(),
                            Err(e) => view! { <span class="form-error">{error_message(lang.get(), &e)}</span> }.into_any(),
                        })}
                    </span>
                </div>
            </form>
        </div>
    }
}

#[component]
fn AutoReplyFields(address: String, reply: AutoReply) -> impl IntoView {
    let lang = use_prefs().lang;
    let enabled = RwSignal::new(reply.enabled);
    let starts = RwSignal::new(reply.starts_on.unwrap_or_default());
    let ends = RwSignal::new(reply.ends_on.unwrap_or_default());
    let subject = RwSignal::new(reply.subject);
    let body = RwSignal::new(reply.text);
    let days = RwSignal::new(reply.interval_days.to_string());
    let save = Action::new_local({
        let address = address.clone();
        move |r: &AutoReply| {
            let (address, r) = (address.clone(), r.clone());
            async move { api::mail::set_auto_reply(&address, &r).await }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let day = |s: RwSignal<String>| Some(s.get_untracked()).filter(|d| !d.is_empty());
        save.dispatch(AutoReply {
            enabled: enabled.get_untracked(),
            starts_on: day(starts),
            ends_on: day(ends),
            subject: subject.get_untracked(),
            text: body.get_untracked(),
            html: None,
            interval_days: days.get_untracked().trim().parse().unwrap_or(0),
        });
    };
    let slug = address.replace(['@', '.'], "-");
    let id = move |what: &str| format!("auto-reply-{what}-{slug}");
    let title = address.clone();
    view! {
        <form class="settings-form auto-reply" on:submit=submit data-address=address.clone()>
            <h3>{move || fill(text(lang.get(), Key::AutoReplyFor), &[("address", title.clone())])}</h3>
            <label class="check">
                <input type="checkbox" data-testid="auto-reply-on" bind:checked=enabled />
                {t(Key::AutoReplyEnabled)}
            </label>
            <div class="row">
                <span>
                    <label for=id("start")>{t(Key::FirstDay)}</label>
                    <input id=id("start") type="date" bind:value=starts />
                </span>
                <span>
                    <label for=id("end")>{t(Key::LastDay)}</label>
                    <input id=id("end") type="date" bind:value=ends />
                </span>
            </div>
            <label for=id("subject")>{t(Key::SubjectLabel)}</label>
            <input id=id("subject") type="text" maxlength="200" aria-describedby=id("subject-hint") bind:value=subject />
            <p id=id("subject-hint") class="hint">{t(Key::AutoReplySubjectHint)}</p>
            <label for=id("text")>{t(Key::MessageBody)}</label>
            <textarea id=id("text") rows="5" maxlength="10000" data-testid="auto-reply-text"
                      prop:value=move || body.get() on:input=move |ev| body.set(event_target_value(&ev))></textarea>
            <label for=id("days")>{t(Key::ReplyInterval)}</label>
            <input id=id("days") type="number" min="1" max="30" class="narrow" bind:value=days />
            <div class="actions">
                <button class="button small primary" type="submit" disabled=move || save.pending().get()>{t(Key::Save)}</button>
                <span role="status">
                    {move || save.value().get().map(|r| match r {
                        Ok(_) => view! { <span class="form-ok">{t(Key::Saved)}</span> }.into_any(),
                        Err(e) => view! { <span class="form-error">{error_message(lang.get(), &e)}</span> }.into_any(),
                    })}
                </span>
            </div>
        </form>
    }
}

/// A change to the user's signatures on one address.
#[derive(Clone)]
enum SignatureChange {
    Add(SignatureInput),
    Update(i64, SignatureInput),
    Delete(i64),
    Defaults(SignatureDefaults),
}

/// One address's signatures: each editable, a new one, and which starts new messages and
/// which replies.
#[component]
fn SignaturesForm(address: MailAddress) -> impl IntoView {
    let lang = use_prefs().lang;
    let current = RwSignal::new(address.clone());
    let status = RwSignal::new(None::<String>);
    let new_name = RwSignal::new(String::new());
    let new_body = RwSignal::new(String::new());
    let change = Action::new_local({
        let address = address.address.clone();
        move |c: &SignatureChange| {
            let (address, c) = (address.clone(), c.clone());
            async move {
                match c {
                    SignatureChange::Add(input) => api::mail::add_signature(&address, &input).await,
                    SignatureChange::Update(id, input) => {
                        api::mail::update_signature(&address, id, &input).await
                    }
                    SignatureChange::Delete(id) => api::mail::delete_signature(&address, id).await,
                    SignatureChange::Defaults(d) => {
                        api::mail::set_signature_defaults(&address, &d).await
                    }
                }
            }
        }
    });
    Effect::new(move |_| match change.value().get() {
        Some(Ok(updated)) => {
            // A signature just added leaves the "new" fields empty for the next one.
            if updated.signatures.len() > current.get_untracked().signatures.len() {
                new_name.set(String::new());
                new_body.set(String::new());
            }
            current.set(updated);
            status.set(Some(text(lang.get_untracked(), Key::Saved).to_string()));
        }
        Some(Err(e)) => status.set(Some(error_message(lang.get_untracked(), &e))),
        None => {}
    });
    let slug = address.address.replace(['@', '.'], "-");
    let (new_default_id, reply_default_id) = (
        format!("signature-new-{slug}"),
        format!("signature-reply-{slug}"),
    );
    let defaults = move |new: Option<i64>, reply: Option<i64>| {
        change.dispatch(SignatureChange::Defaults(SignatureDefaults {
            new_signature: new,
            reply_signature: reply,
        }));
    };
    let chooser = move |reply: bool, label: Key, id: String| {
        let picked = move || {
            let a = current.get();
            if reply {
                a.reply_signature
            } else {
                a.new_signature
            }
        };
        view! {
            <label for=id.clone()>{t(label)}</label>
            <select id=id data-testid=if reply { "signature-for-replies" } else { "signature-for-new" }
                    on:change=move |ev| {
                        let chosen = event_target_value(&ev).parse().ok();
                        let a = current.get_untracked();
                        if reply { defaults(a.new_signature, chosen) } else { defaults(chosen, a.reply_signature) }
                    }>
                <option value="" selected=move || picked().is_none()>{t(Key::NoSignature)}</option>
                {move || current.get().signatures.into_iter().map(|s| {
                    let id = s.id;
                    view! { <option value=id.to_string() selected=move || picked() == Some(id)>{s.name}</option> }
                }).collect_view()}
            </select>
        }
    };
    let label = address.address.clone();
    view! {
        <fieldset class="signatures" data-testid="signatures">
            <legend>{move || fill(text(lang.get(), Key::SignatureFor), &[("address", label.clone())])}</legend>
            {move || current.get().signatures.is_empty().then(|| view! { <p class="hint">{t(Key::NoSignaturesYet)}</p> })}
            <For each=move || current.get().signatures key=|s| (s.id, s.name.clone(), s.body.clone()) let:s>
                {
                    let id = s.id;
                    let name = RwSignal::new(s.name.clone());
                    let body = RwSignal::new(s.body.clone());
                    let field = format!("signature-{id}");
                    view! {
                        <form class="signature-form" data-testid="signature"
                              on:submit=move |ev| {
                                  ev.prevent_default();
                                  change.dispatch(SignatureChange::Update(id, SignatureInput { name: name.get_untracked(), body: body.get_untracked() }));
                              }>
                            <label for=format!("{field}-name")>{t(Key::SignatureName)}</label>
                            <input id=format!("{field}-name") type="text" maxlength="100" required bind:value=name />
                            <label for=field.clone()>{t(Key::SignatureText)}</label>
                            <textarea id=field maxlength="10000" prop:value=move || body.get()
                                      on:input=move |ev| body.set(event_target_value(&ev))></textarea>
                            <div class="actions">
                                <button class="button small primary" type="submit" disabled=move || change.pending().get()>{t(Key::Save)}</button>
                                <button class="button small ghost danger" type="button" disabled=move || change.pending().get()
                                        on:click=move |_| { change.dispatch(SignatureChange::Delete(id)); }>{t(Key::Delete)}</button>
                            </div>
                        </form>
                    }
                }
            </For>
            <Show when=move || !current.get().signatures.is_empty()>
                <div class="signature-defaults">
                    {chooser(false, Key::SignatureForNew, new_default_id.clone())}
                    {chooser(true, Key::SignatureForReplies, reply_default_id.clone())}
                </div>
            </Show>
            <form class="signature-form" data-testid="new-signature"
                  on:submit=move |ev| {
                      ev.prevent_default();
                      change.dispatch(SignatureChange::Add(SignatureInput { name: new_name.get_untracked(), body: new_body.get_untracked() }));
                  }>
                <h3>{t(Key::NewSignature)}</h3>
                <label for=format!("new-signature-{slug}-name")>{t(Key::SignatureName)}</label>
                <input id=format!("new-signature-{slug}-name") type="text" maxlength="100" required bind:value=new_name />
                <label for=format!("new-signature-{slug}")>{t(Key::SignatureText)}</label>
                <textarea id=format!("new-signature-{slug}") maxlength="10000" prop:value=move || new_body.get()
                          on:input=move |ev| new_body.set(event_target_value(&ev))></textarea>
                <div class="actions">
                    <button class="button small" type="submit" disabled=move || change.pending().get()>{t(Key::AddSignature)}</button>
                </div>
            </form>
            <p class="muted" role="status" data-testid="signatures-status">{move || status.get()}</p>
        </fieldset>
    }
}
