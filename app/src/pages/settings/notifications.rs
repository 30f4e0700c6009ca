//! Settings → Notifications (this device and the others that receive reminders) and
//! Settings → Integrations (chat webhooks).

use ksuite_common::{PushSubscriptionInput, WebhookFormat, WebhookInput};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use crate::api;
use crate::i18n::{Key, error_message, t};
use crate::state::prefs::use_prefs;

#[wasm_bindgen(module = "/src/push.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = enablePush)]
    async fn enable_push(vapid_key: &str) -> Result<JsValue, JsValue>;
}

/// Why enabling failed, as a message key.
fn enable_failure(e: &JsValue) -> Key {
    let reason = js_sys::Reflect::get(e, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_default();
    match reason.as_str() {
        "denied" => Key::NotificationsDenied,
        "unsupported" => Key::NotificationsUnsupported,
        _ => Key::ErrGeneric,
    }
}

#[component]
pub fn NotificationsCard() -> impl IntoView {
    let lang = use_prefs().lang;
    let version = RwSignal::new(0u32);
    let devices = LocalResource::new(move || {
        version.track();
        api::reminders::devices()
    });
    let message = RwSignal::new(None::<String>);
    let enable = Action::new_local(move |_: &()| async move {
        let key = api::reminders::vapid_key()
            .await
            .map_err(|e| error_message(lang.get_untracked(), &e))?;
        let json = enable_push(&key.key)
            .await
            .map_err(|e| crate::i18n::text(lang.get_untracked(), enable_failure(&e)).to_string())?;
        let sub: PushSubscriptionInput = json
            .as_string()
            .and_then(|s| serde_json::from_str(&s).ok())
            .ok_or_else(|| crate::i18n::text(lang.get_untracked(), Key::ErrGeneric).to_string())?;
        api::reminders::subscribe(sub)
            .await
            .map_err(|e| error_message(lang.get_untracked(), &e))?;
        version.update(|v| *v += 1);
        Ok::<_, String>(crate::i18n::text(lang.get_untracked(), Key::NotificationsOn).to_string())
    });
    let test = Action::new_local(move |_: &()| async move {
        api::reminders::test_push()
            .await
            .map(|r| r.detail)
            .map_err(|e| error_message(lang.get_untracked(), &e))
    });
    Effect::new(move |_| {
        for r in [enable.value().get(), test.value().get()]
            .into_iter()
            .flatten()
        {
            message.set(Some(r.unwrap_or_else(|e| e)));
        }
    });
    let removing = Action::new_local(|id: &i64| api::reminders::remove_device(*id));
    Effect::new(move |_| {
        if let Some(result) = removing.value().get() {
            if let Err(e) = result {
                message.set(Some(error_message(lang.get_untracked(), &e)));
            }
            version.update(|v| *v += 1);
        }
    });
    let remove = move |id: i64| {
        removing.dispatch(id);
    };
    view! {
        <section class="card settings-form" aria-labelledby="push-title" data-testid="notifications">
            <h2 id="push-title">{t(Key::NotificationsTitle)}</h2>
            <p class="hint">{t(Key::NotificationsIntro)}</p>
            <div class="row">
                <button type="button" class="button primary" disabled=move || enable.pending().get()
                    on:click=move |_| { enable.dispatch(()); }>{t(Key::EnableOnDevice)}</button>
                <button type="button" class="button" disabled=move || test.pending().get()
                    on:click=move |_| { test.dispatch(()); }>{t(Key::SendTest)}</button>
            </div>
            <p role="status" data-testid="push-status">{move || message.get()}</p>
            <h3>{t(Key::Devices)}</h3>
            <Transition fallback=|| ()>
                {move || devices.get().map(|r| match r {
                    Ok(list) if list.is_empty() => view! { <p class="hint">{t(Key::NoDevices)}</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="plain-list" data-testid="devices">
                            {list.into_iter().map(|d| {
                                let id = d.id;
                                view! {
                                    <li>
                                        <span class="wrap">{d.device_name.clone()}</span>
                                        " · " <span class="hint">{d.service.clone()}</span>
                                        <button type="button" class="button small" on:click=move |_| remove(id)>{t(Key::Remove)}</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <p role="alert">{error_message(lang.get_untracked(), &e)}</p> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

fn format_label(f: WebhookFormat) -> &'static str {
    match f {
        WebhookFormat::Slack => "kChat / Mattermost / Slack / Rocket.Chat / Google Chat",
        WebhookFormat::Discord => "Discord",
        WebhookFormat::Teams => "Microsoft Teams",
        WebhookFormat::Json => "JSON",
    }
}

#[component]
pub fn WebhooksCard() -> impl IntoView {
    let lang = use_prefs().lang;
    let version = RwSignal::new(0u32);
    let hooks = LocalResource::new(move || {
        version.track();
        api::reminders::webhooks()
    });
    let name = RwSignal::new(String::new());
    let url = RwSignal::new(String::new());
    let template = RwSignal::new(ksuite_common::DEFAULT_WEBHOOK_TEMPLATE.to_string());
    let format = RwSignal::new(WebhookFormat::Slack.code().to_string());
    let message = RwSignal::new(None::<String>);
    // The webhook being edited (the form then saves it instead of adding one).
    let editing = RwSignal::new(None::<i64>);
    let clear = move || {
        editing.set(None);
        name.set(String::new());
        url.set(String::new());
        template.set(ksuite_common::DEFAULT_WEBHOOK_TEMPLATE.to_string());
        format.set(WebhookFormat::Slack.code().to_string());
    };
    let create = Action::new_local(move |(id, input): &(Option<i64>, WebhookInput)| {
        let (id, input) = (*id, input.clone());
        async move {
            match id {
                Some(id) => api::reminders::update_webhook(id, input).await,
                None => api::reminders::create_webhook(input).await,
            }
        }
    });
    Effect::new(move |_| match create.value().get() {
        Some(Ok(_)) => {
            clear();
            message.set(None);
            version.update(|v| *v += 1);
        }
        Some(Err(e)) => message.set(Some(error_message(lang.get_untracked(), &e))),
        None => {}
    });
    let edit = move |h: ksuite_common::Webhook| {
        editing.set(Some(h.id));
        name.set(h.name);
        url.set(h.url);
        template.set(h.template);
        format.set(h.format.code().to_string());
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        create.dispatch((
            editing.get_untracked(),
            WebhookInput {
                name: name.get_untracked(),
                url: url.get_untracked(),
                template: Some(template.get_untracked()),
                format: WebhookFormat::from_code(&format.get_untracked()).unwrap_or_default(),
            },
        ));
    };
    // Test or delete a webhook: the test's answer (or a refusal) is the card's message.
    let acting = Action::new_local(|(id, test): &(i64, bool)| {
        let (id, test) = (*id, *test);
        async move {
            if test {
                api::reminders::test_webhook(id)
                    .await
                    .map(|r| Some(r.detail))
            } else {
                api::reminders::delete_webhook(id).await.map(|()| None)
            }
        }
    });
    Effect::new(move |_| {
        if let Some(result) = acting.value().get() {
            match result {
                Ok(detail) => message.set(detail),
                Err(e) => message.set(Some(error_message(lang.get_untracked(), &e))),
            }
            version.update(|v| *v += 1);
        }
    });
    let act = move |id: i64, test: bool| {
        acting.dispatch((id, test));
    };
    view! {
        <section class="card settings-form" aria-labelledby="hooks-title" data-testid="webhooks">
            <h2 id="hooks-title">{t(Key::WebhooksTitle)}</h2>
            <p class="hint">{t(Key::WebhooksIntro)}</p>
            <Transition fallback=|| ()>
                {move || hooks.get().map(|r| match r {
                    Ok(list) if list.is_empty() => view! { <p class="hint">{t(Key::NoWebhooks)}</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="plain-list" data-testid="webhook-list">
                            {list.into_iter().map(|h| {
                                let id = h.id;
                                let for_edit = h.clone();
                                view! {
                                    <li>
                                        <strong>{h.name.clone()}</strong> " · " <span class="wrap hint">{h.url.clone()}</span>
                                        <div class="row">
                                            <button type="button" class="button small" on:click=move |_| act(id, true)>{t(Key::SendTest)}</button>
                                            <button type="button" class="button small" on:click=move |_| edit(for_edit.clone())>{t(Key::Edit)}</button>
                                            <button type="button" class="button small danger" on:click=move |_| act(id, false)>{t(Key::Remove)}</button>
                                        </div>
                                        <details>
                                            <summary>{t(Key::RecentDeliveries)}</summary>
                                            <ul class="plain-list">
                                                {h.attempts.iter().map(|a| view! {
                                                    <li>{format!("{} · {} · {}", a.at, if a.ok { "✓" } else { "✗" },
                                                        a.error.clone().unwrap_or_else(|| a.status.map(|s| s.to_string()).unwrap_or_default()))}</li>
                                                }).collect_view()}
                                            </ul>
                                        </details>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <p role="alert">{error_message(lang.get_untracked(), &e)}</p> }.into_any(),
                })}
            </Transition>
            <p role="status" data-testid="webhook-status">{move || message.get()}</p>
            <form on:submit=submit>
                <h3>{move || if editing.get().is_some() { t(Key::Edit)() } else { t(Key::AddWebhook)() }}</h3>
                <label for="hook-name">{t(Key::WebhookName)}</label>
                <input id="hook-name" type="text" required maxlength="100" bind:value=name />
                <label for="hook-url">{t(Key::WebhookUrl)}</label>
                <input id="hook-url" type="url" required placeholder="https://chat.example.com/hooks/…" bind:value=url />
                <label for="hook-format">{t(Key::WebhookFormat)}</label>
                <select id="hook-format" on:change=move |e| format.set(event_target_value(&e))>
                    {WebhookFormat::ALL.into_iter().map(|f| view! {
                        <option value=f.code() selected=move || format.get() == f.code()>{format_label(f)}</option>
                    }).collect_view()}
                </select>
                <label for="hook-template">{t(Key::WebhookTemplate)}</label>
                <textarea id="hook-template" rows="4" maxlength="4000" bind:value=template></textarea>
                <button type="submit" class="button primary" disabled=move || create.pending().get()>
                    {move || if editing.get().is_some() { t(Key::Save)() } else { t(Key::AddWebhook)() }}
                </button>
                <Show when=move || editing.get().is_some()>
                    <button type="button" class="button ghost" on:click=move |_| clear()>{t(Key::Cancel)}</button>
                </Show>
            </form>
        </section>
    }
}
