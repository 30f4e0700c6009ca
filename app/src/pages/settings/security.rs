//! Two-factor authentication and application passwords.

use ksuite_common::{AppPasswordInfo, DeviceProtocol, TwoFactorSetup};
use leptos::prelude::*;

use crate::api;
use crate::browser::copy_to_clipboard;
use crate::components::ask::confirm;
use crate::components::refusal::Refusal;
use crate::i18n::{Key, error_message, fill, t, text};
use crate::state::prefs::use_prefs;

/// Where the 2FA card is in its flow.
#[derive(Clone)]
enum Step {
    Status,
    Scanning(TwoFactorSetup),
    ShowCodes(Vec<String>),
}

#[component]
pub fn TwoFactorCard() -> impl IntoView {
    let prefs = use_prefs();
    let lang = prefs.lang;
    let version = RwSignal::new(0u32);
    let status = LocalResource::new(move || {
        version.track();
        api::account::two_factor()
    });
    let step = RwSignal::new(Step::Status);
    let error = RwSignal::new(None::<String>);
    let code = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let fail = move |e: &api::ApiError| error.set(Some(error_message(lang.get_untracked(), e)));

    // Each step is an Action: its pending state disables its button (no double submits),
    // and its answer moves the card on or shows the error.
    let setup = Action::new_local(|_: &()| api::account::two_factor_setup());
    let enable = Action::new_local(|c: &String| api::account::two_factor_enable(c.clone()));
    let disable = Action::new_local(|p: &String| api::account::two_factor_disable(p.clone()));
    Effect::new(move |_| match setup.value().get() {
        Some(Ok(s)) => step.set(Step::Scanning(s)),
        Some(Err(e)) => fail(&e),
        None => {}
    });
    Effect::new(move |_| match enable.value().get() {
        Some(Ok(codes)) => {
            code.set(String::new());
            step.set(Step::ShowCodes(codes.codes));
            version.update(|v| *v += 1);
        }
        Some(Err(e)) => fail(&e),
        None => {}
    });
    Effect::new(move |_| match disable.value().get() {
        Some(Ok(())) => {
            password.set(String::new());
            version.update(|v| *v += 1);
        }
        Some(Err(e)) => fail(&e),
        None => {}
    });

    let start = move |_| {
        error.set(None);
        setup.dispatch(());
    };
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        let c = code.get_untracked().trim().replace(' ', "");
        if c.is_empty() {
            error.set(Some(
                text(lang.get_untracked(), Key::TwoFactorCodeMissing).to_string(),
            ));
            return;
        }
        enable.dispatch(c);
    };
    let turn_off = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        disable.dispatch(password.get_untracked());
    };

    view! {
        <section class="card settings-form" aria-labelledby="twofa-title" data-testid="two-factor">
            <h2 id="twofa-title">{t(Key::TwoFactorTitle)}</h2>
            {move || match step.get() {
                Step::Scanning(setup) => view! {
                    <p>{t(Key::ScanQr)}</p>
                    <div class="qr" inner_html=setup.qr_svg.clone()></div>
                    <p>{t(Key::SecretKey)} ": " <code data-testid="totp-secret">{setup.secret.clone()}</code></p>
                    <form on:submit=confirm novalidate>
                        <label for="twofa-code">{t(Key::TwoFactorCode)}</label>
                        <input id="twofa-code" class="one-time-code" type="text" inputmode="numeric" autocomplete="one-time-code"
                               maxlength="9" placeholder="123 456" bind:value=code />
                        <button class="button primary" type="submit" disabled=move || enable.pending().get()>{t(Key::Confirm)}</button>
                        <button class="button ghost" type="button" on:click=move |_| step.set(Step::Status)>{t(Key::Cancel)}</button>
                    </form>
                }.into_any(),
                Step::ShowCodes(codes) => view! {
                    <h3>{t(Key::RecoveryCodesTitle)}</h3>
                    <p>{t(Key::RecoveryCodesHelp)}</p>
                    <ul class="codes" data-testid="recovery-codes">
                        {codes.iter().map(|c| view! { <li><code>{c.clone()}</code></li> }).collect_view()}
                    </ul>
                    <div class="actions">
                        <button class="button" type="button" on:click={
                            let all = codes.join("\n");
                            move |_| copy_to_clipboard(&all)
                        }>{t(Key::Copy)}</button>
                        <button class="button primary" type="button" on:click=move |_| step.set(Step::Status)>{t(Key::Done)}</button>
                    </div>
                }.into_any(),
                Step::Status => view! {
                    <Transition fallback=move || view! { <p>{t(Key::Loading)}</p> }>
                        {move || status.get().map(|r| match r {
                            Ok(s) if s.enabled => view! {
                                <p class="status-on">{t(Key::TwoFactorOn)}</p>
                                <p class="muted">{fill(text(lang.get(), Key::RecoveryCodesLeft), &[("n", s.recovery_codes_left.to_string())])}</p>
                                <form on:submit=turn_off>
                                    <label for="twofa-password">{t(Key::PasswordToTurnOff)}</label>
                                    <input id="twofa-password" type="password" autocomplete="current-password" required bind:value=password />
                                    <button class="button danger" type="submit" disabled=move || disable.pending().get()>{t(Key::TurnOff)}</button>
                                </form>
                            }.into_any(),
                            Ok(_) => view! {
                                <p>{t(Key::TwoFactorOff)}</p>
                                <button class="button primary" type="button" disabled=move || setup.pending().get() on:click=start>{t(Key::TurnOn)}</button>
                            }.into_any(),
                            Err(e) => view! { <p class="form-error">{error_message(lang.get(), &e)}</p> }.into_any(),
                        })}
                    </Transition>
                }.into_any(),
            }}
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert">{move || error.get()}</p>
            </Show>
        </section>
    }
}

/// Creates an application password and shows it once; `created` is bumped afterwards.
#[component]
pub fn NewAppPasswordForm(
    #[prop(into)] default_name: String,
    created: RwSignal<u32>,
) -> impl IntoView {
    let prefs = use_prefs();
    let lang = prefs.lang;
    let name = RwSignal::new(default_name);
    let create = Action::new_local(|n: &String| api::account::create_app_password(n.clone()));
    Effect::new(move |_| {
        if create.value().with(|v| matches!(v, Some(Ok(_)))) {
            created.update(|v| *v += 1);
        }
    });
    // The new password is shown once, from the answer; an error replaces it.
    let secret = move || {
        create
            .value()
            .get()
            .and_then(Result::ok)
            .map(|c| c.password)
    };
    let error = move || {
        create
            .value()
            .with(|v| v.as_ref().and_then(|r| r.as_ref().err().cloned()))
            .map(|e| error_message(lang.get(), &e))
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        create.dispatch(name.get_untracked());
    };
    view! {
        <form class="inline-form" on:submit=submit>
            <label for="app-password-name">{t(Key::AppPasswordName)}</label>
            <input id="app-password-name" type="text" maxlength="100" required bind:value=name />
            <button class="button primary" type="submit" disabled=move || create.pending().get()>{t(Key::CreateAppPasswordForDevice)}</button>
        </form>
        {move || error().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
        {move || secret().map(|s| view! {
            <div class="secret-box" role="status">
                <p>{t(Key::AppPasswordCreated)}</p>
                <code class="secret" data-testid="new-app-password">{s.clone()}</code>
                <button class="button small" type="button" on:click=move |_| copy_to_clipboard(&s)>{t(Key::Copy)}</button>
            </div>
        })}
    }
}

#[component]
pub fn AppPasswordsCard() -> impl IntoView {
    let prefs = use_prefs();
    let lang = prefs.lang;
    let version = RwSignal::new(0u32);
    let list = LocalResource::new(move || {
        version.track();
        api::account::app_passwords()
    });
    let revoking = Action::new_local(|id: &i64| api::account::revoke_app_password(*id));
    Effect::new(move |_| {
        if revoking.value().with(|v| v.is_some()) {
            version.update(|v| *v += 1);
        }
    });
    let revoke_error = move || {
        revoking
            .value()
            .with(|v| v.as_ref().and_then(|r| r.as_ref().err().cloned()))
            .map(|e| error_message(lang.get(), &e))
    };
    let revoke = move |id: i64| {
        confirm(
            text(lang.get_untracked(), Key::ConfirmRevoke),
            Key::Revoke,
            move || {
                revoking.dispatch(id);
            },
        );
    };
    let row = move |p: AppPasswordInfo| {
        let used = match p.last_used_at {
            Some(at) => {
                let mut used = fill(text(lang.get(), Key::LastUsed), &[("date", prefs.date(at))]);
                if let Some(protocol) = p.last_used_protocol {
                    let by = match protocol {
                        DeviceProtocol::Dav => Key::UsedByDav,
                        DeviceProtocol::Imap => Key::UsedByImap,
                        DeviceProtocol::Submission => Key::UsedBySubmission,
                    };
                    used = format!("{used} ({})", text(lang.get(), by));
                }
                used
            }
            None => text(lang.get(), Key::NeverUsed).to_string(),
        };
        let created = fill(
            text(lang.get(), Key::CreatedOn),
            &[("date", prefs.date(p.created_at))],
        );
        let id = p.id;
        view! {
            <li class="app-password">
                <div>
                    <strong>{p.name.clone()}</strong>
                    <span class="muted">{created} " · " {used}</span>
                </div>
                <button class="button small danger" type="button" disabled=move || revoking.pending().get()
                        on:click=move |_| revoke(id)>{t(Key::Revoke)}</button>
            </li>
        }
    };
    view! {
        <section class="card settings-form" aria-labelledby="app-passwords-title" data-testid="app-passwords">
            <h2 id="app-passwords-title">{t(Key::AppPasswordsTitle)}</h2>
            <p class="muted">{t(Key::AppPasswordsHelp)}</p>
            <NewAppPasswordForm default_name="" created=version />
            {move || revoke_error().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <Transition fallback=move || view! { <p>{t(Key::Loading)}</p> }>
                {move || list.get().map(|r| match r {
                    Ok(items) if items.is_empty() => view! { <p class="muted">{t(Key::NoAppPasswords)}</p> }.into_any(),
                    Ok(items) => view! {
                        <ul class="app-password-list">{items.into_iter().map(row).collect_view()}</ul>
                    }.into_any(),
                    Err(e) => view! { <p class="form-error">{error_message(lang.get(), &e)}</p> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

/// Change the password: the current one is asked again; other browsers are signed out.
#[component]
pub fn PasswordCard() -> impl IntoView {
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let change = Action::new_local(|req: &ksuite_common::PasswordChange| {
        api::account::change_password(req.clone())
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = change.value().get() {
            current.set(String::new());
            new.set(String::new());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        change.dispatch(ksuite_common::PasswordChange {
            current_password: current.get_untracked(),
            new_password: new.get_untracked(),
        });
    };
    view! {
        <section class="card settings-form" aria-labelledby="password-title" data-testid="password-card">
            <h2 id="password-title">{t(Key::ChangePassword)}</h2>
            <form on:submit=submit>
                <label for="current-password">{t(Key::CurrentPassword)}</label>
                <input id="current-password" type="password" autocomplete="current-password" required bind:value=current />
                <label for="new-password">{t(Key::NewPassword)}</label>
                <input id="new-password" type="password" autocomplete="new-password" required minlength="10"
                       aria-describedby="new-password-hint" bind:value=new />
                <p id="new-password-hint" class="hint">{t(Key::PasswordHint)}</p>
                <button class="button primary small" type="submit" disabled=move || change.pending().get()>
                    {t(Key::ChangePassword)}
                </button>
            </form>
            {move || change.value().get().map(|r| match r {
                Ok(()) => view! { <p class="form-ok" role="status">{t(Key::PasswordChanged)}</p> }.into_any(),
                Err(e) => view! { <Refusal error=e /> }.into_any(),
            })}
        </section>
    }
}

/// The signed-in browsers, each with "Sign out", and "Sign out everywhere else".
#[component]
pub fn SessionsCard() -> impl IntoView {
    let prefs = use_prefs();
    let lang = prefs.lang;
    let end = Action::new_local(|id: &i64| api::account::end_session(*id));
    let others = Action::new_local(|_: &()| api::account::sign_out_others());
    let list = LocalResource::new(move || {
        end.version().track();
        others.version().track();
        api::account::sessions()
    });
    let row = move |s: ksuite_common::ActiveSession| {
        let id = s.id;
        let seen = fill(
            text(lang.get(), Key::LastActive),
            &[("date", prefs.date(s.last_seen_at.unwrap_or(s.created_at)))],
        );
        let device = s
            .device
            .clone()
            .unwrap_or_else(|| text(lang.get(), Key::UnknownDevice).to_string());
        view! {
            <li class="app-password" data-testid="session">
                <div>
                    <strong>{device}</strong>
                    <span class="muted">{seen}</span>
                </div>
                {if s.current {
                    view! { <span class="badge">{t(Key::ThisDevice)}</span> }.into_any()
                } else {
                    view! {
                        <button class="button small danger" type="button" on:click=move |_| { end.dispatch(id); }>
                            {t(Key::SignOut)}
                        </button>
                    }.into_any()
                }}
            </li>
        }
    };
    view! {
        <section class="card settings-form" aria-labelledby="sessions-title" data-testid="sessions">
            <h2 id="sessions-title">{t(Key::ActiveSessions)}</h2>
            <p class="muted">{t(Key::ActiveSessionsHelp)}</p>
            <Transition fallback=move || view! { <p>{t(Key::Loading)}</p> }>
                {move || list.get().map(|r| match r {
                    Ok(items) => view! {
                        <ul class="app-password-list">{items.into_iter().map(row).collect_view()}</ul>
                    }.into_any(),
                    Err(e) => view! { <p class="form-error">{error_message(lang.get(), &e)}</p> }.into_any(),
                })}
            </Transition>
            <button class="button small" type="button" data-testid="sign-out-others" on:click=move |_| { others.dispatch(()); }>
                {t(Key::SignOutOthers)}
            </button>
        </section>
    }
}
