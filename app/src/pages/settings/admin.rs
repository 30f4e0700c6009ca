//! Administration (administrators only): the server's mail addresses, who may use each
//! (read, send as, manage), new addresses, and deleting one with its content.

use ksuite_common::{AdminAddress, GrantAddress, NewAddress};
use leptos::prelude::*;

use crate::api;
use crate::components::ask::{Answer, Question, ask};
use crate::components::refusal::Refusal;
use crate::i18n::{Key, error_message, fill, t, text};
use crate::state::prefs::use_prefs;

const PERMISSIONS: [(&str, Key); 3] = [
    ("read", Key::PermRead),
    ("send", Key::PermSend),
    ("manage", Key::PermManage),
];

#[component]
pub fn AddressesCard() -> impl IntoView {
    let session = crate::state::session::use_session();
    view! {
        <Show when=move || session.user().is_some_and(|u| u.is_admin)
              fallback=|| view! { <div class="card"><p class="muted">{t(Key::AdminOnly)}</p></div> }>
            <AdminAddresses />
        </Show>
    }
}

/// A change to one address from its row.
#[derive(Clone)]
enum AddressChange {
    Grant(i64, GrantAddress),
    /// The address, then the account whose access ends.
    Revoke(i64, i64),
    /// The address, then the address typed again to confirm.
    Delete(i64, String),
}

async fn apply(change: AddressChange) -> Result<(), api::ApiError> {
    match change {
        AddressChange::Grant(id, req) => api::admin::grant(id, &req).await.map(drop),
        AddressChange::Revoke(id, user) => api::admin::revoke(id, user).await.map(drop),
        AddressChange::Delete(id, typed) => api::admin::delete(id, &typed).await,
    }
}

/// The rows' changes: each reloads the list.
type Changes = Action<AddressChange, Result<(), api::ApiError>>;

#[component]
fn AdminAddresses() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let addresses = LocalResource::new(move || {
        version.track();
        api::admin::addresses()
    });
    // The last answer of either action, as the card's one error line.
    let error = RwSignal::new(None::<api::ApiError>);
    let answered = move |result: Result<(), api::ApiError>| {
        error.set(result.err());
        version.update(|v| *v += 1);
    };
    let new_address = RwSignal::new(String::new());
    // Create is disabled while the address is on its way: a double click would otherwise
    // answer "already exists" right after creating it.
    let creating = Action::new_local(|req: &NewAddress| {
        let req = req.clone();
        async move { api::admin::create(&req).await }
    });
    Effect::new(move |_| {
        if let Some(result) = creating.value().get() {
            if result.is_ok() {
                new_address.set(String::new());
            }
            answered(result.map(drop));
        }
    });
    let change: Changes = Action::new_local(|c: &AddressChange| apply(c.clone()));
    Effect::new(move |_| {
        if let Some(result) = change.value().get() {
            answered(result);
        }
    });
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !creating.pending().get_untracked() {
            creating.dispatch(NewAddress {
                address: new_address.get_untracked(),
            });
        }
    };
    let listed = move || addresses.get().and_then(Result::ok).unwrap_or_default();
    view! {
        <div class="card">
            <h2>{t(Key::MailAddresses)}</h2>
            <p class="muted">{t(Key::MailAddressesHelp)}</p>
            <form class="inline-form" on:submit=create>
                <label for="new-address">{t(Key::NewAddress)}</label>
                <input id="new-address" type="text" required maxlength="254" placeholder="team" data-testid="new-address"
                       prop:value=move || new_address.get() on:input=move |ev| new_address.set(event_target_value(&ev)) />
                <button class="button primary small" type="submit" disabled=move || creating.pending().get()>{t(Key::Create)}</button>
            </form>
            {move || error.get().map(|e| view! { <Refusal error=e /> })}
            <Transition fallback=move || view! { <p>{t(Key::Loading)}</p> }>
                {move || addresses.get().and_then(Result::err).map(|e| view! { <Refusal error=e /> })}
                <ul class="admin-addresses">
                    <For each=listed key=address_key let:a>
                        <AddressItem address=a change=change />
                    </For>
                </ul>
            </Transition>
        </div>
    }
}

#[component]
fn AddressItem(address: AdminAddress, change: Changes) -> impl IntoView {
    let prefs = use_prefs();
    let lang = prefs.lang;
    let id = address.id;
    let email = RwSignal::new(String::new());
    let permission = RwSignal::new("send".to_string());
    let grant = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        change.dispatch(AddressChange::Grant(
            id,
            GrantAddress {
                email: email.get_untracked(),
                permission: permission.get_untracked(),
            },
        ));
    };
    let name = address.address.clone();
    let messages = address.messages;
    let delete = move |_| {
        let question = fill(
            text(lang.get_untracked(), Key::ConfirmDeleteAddress),
            &[("address", name.clone()), ("count", messages.to_string())],
        );
        let asked = Question {
            message: question,
            confirm: Key::Delete,
            danger: true,
            answer: Answer::Repeat {
                label: Key::AddressToDelete,
                expected: name.clone(),
            },
        };
        ask(asked, move |typed| {
            change.dispatch(AddressChange::Delete(id, typed));
        });
    };
    let perm_label = move |p: &str| {
        PERMISSIONS
            .iter()
            .find(|(v, _)| *v == p)
            .map_or(p.to_string(), |(_, k)| text(lang.get(), *k).to_string())
    };
    let form_id = format!("grant-{id}");
    view! {
        <li class="admin-address" data-testid="admin-address">
            <div class="row">
                <strong>{address.address.clone()}</strong>
                <span class="muted">{move || fill(text(lang.get(), Key::MessageCount), &[("count", messages.to_string())])}</span>
                <button type="button" class="button small danger" on:click=delete>{t(Key::Delete)}</button>
            </div>
            <ul class="address-users">
                {address.users.iter().map(|u| {
                    let user_id = u.user_id;
                    let p = u.permission.clone();
                    view! {
                        <li>
                            <span>{format!("{} <{}>", u.display_name, u.email)}</span>
                            <span class="muted">{move || perm_label(&p)}</span>
                            <button type="button" class="button ghost small" aria-label=t(Key::RemoveAccess)
                                    on:click=move |_| { change.dispatch(AddressChange::Revoke(id, user_id)); }>"×"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <form class="inline-form" on:submit=grant>
                <label for=form_id.clone()>{t(Key::GiveAccess)}</label>
                <input id=form_id type="email" required placeholder="name@example.org" data-testid="grant-email"
                       prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev)) />
                <select aria-label=t(Key::Permission) on:change=move |ev| permission.set(event_target_value(&ev))>
                    {PERMISSIONS.iter().map(|(v, k)| view! {
                        <option value=*v selected=*v == "send">{t(*k)}</option>
                    }).collect_view()}
                </select>
                <button class="button small" type="submit">{t(Key::Add)}</button>
            </form>
        </li>
    }
}

/// Every account: plan, administrator, disabled (administrators only).
#[component]
pub fn UsersCard() -> impl IntoView {
    let session = crate::state::session::use_session();
    view! {
        <Show when=move || session.user().is_some_and(|u| u.is_admin)>
            <AdminUsers />
        </Show>
    }
}

#[component]
fn AdminUsers() -> impl IntoView {
    let prefs = use_prefs();
    let lang = prefs.lang;
    let change = Action::new_local(|(id, c): &(i64, ksuite_common::AdminUserChange)| {
        api::admin::change_user(*id, c.clone())
    });
    let users = LocalResource::new(move || {
        change.version().track();
        api::admin::users()
    });
    let row = move |u: ksuite_common::AdminUser| {
        let id = u.id;
        let send = move |c: ksuite_common::AdminUserChange| {
            change.dispatch((id, c));
        };
        let plan_id = format!("plan-{id}");
        view! {
            <li class="admin-user" data-testid="admin-user">
                <div>
                    <strong>{u.email.clone()}</strong>
                    <span class="muted">{u.display_name.clone()}</span>
                </div>
                <label for=plan_id.clone() class="visually-hidden">{t(Key::PlanLabel)}</label>
                <select id=plan_id data-testid="user-plan" on:change=move |ev| {
                    if let Some(plan) = ksuite_common::Plan::from_code(&event_target_value(&ev)) {
                        send(ksuite_common::AdminUserChange { plan: Some(plan), ..Default::default() });
                    }
                }>
                    {ksuite_common::Plan::ALL.into_iter().map(|p| view! {
                        <option value=p.code() selected=p == u.plan>{p.code()}</option>
                    }).collect_view()}
                </select>
                <label class="checkbox">
                    <input type="checkbox" prop:checked=u.is_admin on:change=move |ev| {
                        send(ksuite_common::AdminUserChange { is_admin: Some(event_target_checked(&ev)), ..Default::default() });
                    } />
                    {t(Key::AdminFlag)}
                </label>
                <label class="checkbox">
                    <input type="checkbox" data-testid="user-disabled" prop:checked=u.disabled on:change=move |ev| {
                        send(ksuite_common::AdminUserChange { disabled: Some(event_target_checked(&ev)), ..Default::default() });
                    } />
                    {t(Key::DisabledFlag)}
                </label>
            </li>
        }
    };
    view! {
        <div class="card" data-testid="admin-users">
            <h2>{t(Key::Users)}</h2>
            {move || change.value().get().and_then(Result::err).map(|e| view! {
                <Refusal error=e />
            })}
            <Transition fallback=move || view! { <p>{t(Key::Loading)}</p> }>
                {move || users.get().map(|r| match r {
                    Ok(items) => view! { <ul class="admin-users">{items.into_iter().map(row).collect_view()}</ul> }.into_any(),
                    Err(e) => view! { <p class="form-error">{error_message(lang.get(), &e)}</p> }.into_any(),
                })}
            </Transition>
        </div>
    }
}

/// Invitations for servers whose sign-up needs one (administrators only).
#[component]
pub fn InvitationsCard() -> impl IntoView {
    let session = crate::state::session::use_session();
    view! {
        <Show when=move || session.user().is_some_and(|u| u.is_admin)>
            <AdminInvitations />
        </Show>
    }
}

#[component]
fn AdminInvitations() -> impl IntoView {
    let prefs = use_prefs();
    let lang = prefs.lang;
    let email = RwSignal::new(String::new());
    let invite =
        Action::new_local(|req: &ksuite_common::NewInvitation| api::admin::invite(req.clone()));
    let revoke = Action::new_local(|id: &i64| api::admin::revoke_invitation(*id));
    let list = LocalResource::new(move || {
        invite.version().track();
        revoke.version().track();
        api::admin::invitations()
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let e = email.get_untracked();
        invite.dispatch(ksuite_common::NewInvitation {
            email: (!e.trim().is_empty()).then_some(e),
        });
    };
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    view! {
        <div class="card" data-testid="admin-invitations">
            <h2>{t(Key::Invitations)}</h2>
            <p class="muted">{t(Key::InvitationsHelp)}</p>
            <form class="inline-form" on:submit=submit>
                <label for="invite-email">{t(Key::InviteEmail)}</label>
                <input id="invite-email" type="email" maxlength="254" bind:value=email />
                <button class="button primary small" type="submit">{t(Key::CreateInvitation)}</button>
            </form>
            {move || invite.value().get().map(|r| match r {
                Ok(inv) => {
                    let link = format!("{origin}/signup?invite={}", inv.code.unwrap_or_default());
                    view! {
                        <div class="secret-box" role="status">
                            <p>{t(Key::InvitationLink)}</p>
                            <code class="secret" data-testid="invitation-link">{link}</code>
                        </div>
                    }.into_any()
                }
                Err(e) => view! { <Refusal error=e /> }.into_any(),
            })}
            <Transition fallback=move || view! { <p>{t(Key::Loading)}</p> }>
                {move || list.get().map(|r| match r {
                    Ok(items) => view! {
                        <ul class="app-password-list">
                            {items.into_iter().map(|i| {
                                let id = i.id;
                                let who = i.email.clone().unwrap_or_else(|| "—".into());
                                view! {
                                    <li class="app-password">
                                        <div>
                                            <strong>{who}</strong>
                                            <span class="muted">{prefs.date(i.expires_at)}</span>
                                        </div>
                                        {if i.used {
                                            view! { <span class="badge">{t(Key::InvitationUsed)}</span> }.into_any()
                                        } else {
                                            view! { <button class="button small danger" type="button"
                                                on:click=move |_| { revoke.dispatch(id); }>{t(Key::Withdraw)}</button> }.into_any()
                                        }}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <p class="form-error">{error_message(lang.get(), &e)}</p> }.into_any(),
                })}
            </Transition>
        </div>
    }
}

/// Redraws an address's row when its users or message count change. Spelled out: the wasm
/// build compiles `{:?}` to nothing (scripts/build-app.sh).
fn address_key(a: &AdminAddress) -> String {
    let users: Vec<String> = a
        .users
        .iter()
        .map(|u| format!("{}={}", u.email, u.permission))
        .collect();
    format!("{}:{}:{}", a.id, a.messages, users.join(","))
}
