//! Mail filters (rules), applied in order to arriving messages: list, reorder, enable,
//! edit, delete. The editor is a chunk of its own.

use ksuite_common::{
    FilterAction, FilterCondition, FilterField, FilterInput, FilterOp, MailFilter,
};
use leptos::prelude::*;

use crate::api::{self, ApiError};
use crate::components::refusal::Refusal;
use crate::i18n::{Key, t};
use crate::state::prefs::use_prefs;

const FIELDS: [(FilterField, &str, Key); 5] = [
    (FilterField::From, "from", Key::FieldFrom),
    (FilterField::To, "to", Key::FieldTo),
    (FilterField::Subject, "subject", Key::FieldSubject),
    (FilterField::Body, "body", Key::FieldBody),
    (FilterField::Size, "size", Key::FieldSize),
];

const OPS: [(FilterOp, &str, Key); 5] = [
    (FilterOp::Contains, "contains", Key::OpContains),
    (FilterOp::NotContains, "not_contains", Key::OpNotContains),
    (FilterOp::Is, "is", Key::OpIs),
    (FilterOp::Greater, "greater", Key::OpGreater),
    (FilterOp::Less, "less", Key::OpLess),
];

const ACTIONS: [(&str, Key); 5] = [
    ("move", Key::ActMove),
    ("mark_read", Key::ActMarkRead),
    ("flag", Key::ActFlag),
    ("forward", Key::ActForward),
    ("delete", Key::ActDelete),
];

/// One condition row being edited.
#[derive(Clone, Copy)]
struct ConditionRow {
    key: u32,
    field: RwSignal<String>,
    op: RwSignal<String>,
    value: RwSignal<String>,
}

/// One action row being edited: its kind and its folder or address.
#[derive(Clone, Copy)]
struct ActionRow {
    key: u32,
    kind: RwSignal<String>,
    arg: RwSignal<String>,
}

fn field_name(f: FilterField) -> &'static str {
    FIELDS.iter().find(|x| x.0 == f).map_or("from", |x| x.1)
}

fn op_name(o: FilterOp) -> &'static str {
    OPS.iter().find(|x| x.0 == o).map_or("contains", |x| x.1)
}

fn action_parts(a: &FilterAction) -> (&'static str, String) {
    match a {
        FilterAction::Move { folder } => ("move", folder.clone()),
        FilterAction::MarkRead => ("mark_read", String::new()),
        FilterAction::Flag => ("flag", String::new()),
        FilterAction::Forward { to } => ("forward", to.clone()),
        FilterAction::Delete => ("delete", String::new()),
    }
}

/// The filter being edited: `None` id for a new one.
#[derive(Clone)]
struct Editing {
    id: Option<i64>,
    filter: FilterInput,
}

/// What the filter editor is built from: the filter, then what saving and cancelling do.
type EditorArgs = (Editing, Callback<()>, Callback<()>);

/// The filter editor is its own chunk: the page paints first, the editor arrives meanwhile.
#[wasm_split_helpers::wasm_split(filter_editor, fallible)]
fn editor_chunk() -> Result<crate::lazy::Build<EditorArgs>, crate::lazy::ChunkMissing> {
    Ok(|(editing, on_done, on_cancel)| {
        view! { <FilterEditor editing=editing on_done=on_done on_cancel=on_cancel /> }.into_any()
    })
}

/// A change to the filter list from its rows.
#[derive(Clone)]
enum ListChange {
    /// The filters' ids in their new order.
    Reorder(Vec<i64>),
    /// On or off: the filter as it is, with `enabled` flipped.
    Enable(i64, FilterInput),
    Delete(i64),
}

async fn apply(change: ListChange) -> Result<(), ApiError> {
    match change {
        ListChange::Reorder(ids) => api::mail::reorder_filters(ids).await.map(drop),
        ListChange::Enable(id, input) => api::mail::update_filter(id, &input).await.map(drop),
        ListChange::Delete(id) => api::mail::delete_filter(id).await,
    }
}

#[component]
pub fn FiltersCard() -> impl IntoView {
    let editor = LocalResource::new(editor_chunk);
    // Every change (here or in the editor) reloads the list.
    let version = RwSignal::new(0u32);
    let filters = LocalResource::new(move || {
        version.track();
        api::mail::filters()
    });
    let change = Action::new_local(|c: &ListChange| apply(c.clone()));
    Effect::new(move |_| {
        if change.value().get().is_some() {
            version.update(|v| *v += 1);
        }
    });
    let busy = move || change.pending().get();
    let editing = RwSignal::new(None::<Editing>);
    let input_of = |f: &MailFilter| FilterInput {
        name: f.name.clone(),
        enabled: f.enabled,
        match_all: f.match_all,
        conditions: f.conditions.clone(),
        actions: f.actions.clone(),
        stop: f.stop,
    };
    let reorder = move |list: &[MailFilter], index: usize, up: bool| {
        let mut ids: Vec<i64> = list.iter().map(|f| f.id).collect();
        let other = if up {
            index.checked_sub(1)
        } else {
            Some(index + 1)
        };
        if let Some(other) = other.filter(|o| *o < ids.len()) {
            ids.swap(index, other);
            change.dispatch(ListChange::Reorder(ids));
        }
    };
    let new_filter = move |_| {
        editing.set(Some(Editing {
            id: None,
            filter: FilterInput {
                name: String::new(),
                enabled: true,
                match_all: true,
                conditions: vec![FilterCondition {
                    field: FilterField::From,
                    op: FilterOp::Contains,
                    value: String::new(),
                }],
                actions: vec![FilterAction::Move {
                    folder: "archive".into(),
                }],
                stop: false,
            },
        }))
    };
    view! {
        <div class="card">
            <h2>{t(Key::Filters)}</h2>
            <p class="muted">{t(Key::FiltersHelp)}</p>
            {move || change.value().get().and_then(Result::err).map(|e| view! { <Refusal error=e /> })}
            <Transition fallback=move || view! { <p>{t(Key::Loading)}</p> }>
                {move || filters.get().map(|loaded| {
                    let filters = match loaded {
                        Ok(filters) => filters,
                        Err(e) => return view! { <Refusal error=e /> }.into_any(),
                    };
                    if filters.is_empty() {
                        return view! { <p class="empty">{t(Key::NoFilters)}</p> }.into_any();
                    }
                    let count = filters.len();
                    let order = StoredValue::new(filters.clone());
                    view! {
                        <ol class="filter-list" data-testid="filter-list">
                            {filters.into_iter().enumerate().map(|(i, f)| {
                                let id = f.id;
                                let mut flipped = input_of(&f);
                                flipped.enabled = !flipped.enabled;
                                let flipped = StoredValue::new(flipped);
                                let for_edit = StoredValue::new(f.clone());
                                view! {
                                    <li data-testid="filter">
                                        <span class="name">{f.name.clone()}</span>
                                        <label class="check">
                                            <input type="checkbox" prop:checked=f.enabled disabled=busy
                                                   on:change=move |_| { change.dispatch(ListChange::Enable(id, flipped.get_value())); } />
                                            {t(Key::FilterEnabled)}
                                        </label>
                                        <button type="button" class="button ghost small" aria-label=t(Key::MoveUp)
                                                disabled=move || i == 0 || busy()
                                                on:click=move |_| order.with_value(|l| reorder(l, i, true))>"↑"</button>
                                        <button type="button" class="button ghost small" aria-label=t(Key::MoveDown)
                                                disabled=move || i + 1 == count || busy()
                                                on:click=move |_| order.with_value(|l| reorder(l, i, false))>"↓"</button>
                                        <button type="button" class="button small" on:click=move |_| editing.set(Some(Editing {
                                            id: Some(id), filter: for_edit.with_value(input_of),
                                        }))>{t(Key::Edit)}</button>
                                        <button type="button" class="button small danger" disabled=busy
                                                on:click=move |_| { change.dispatch(ListChange::Delete(id)); }>{t(Key::Delete)}</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ol>
                    }.into_any()
                })}
            </Transition>
            {move || match editing.get() {
                Some(e) => {
                    let on_done = Callback::new(move |_| { editing.set(None); version.update(|v| *v += 1); });
                    let on_cancel = Callback::new(move |_| editing.set(None));
                    crate::lazy::chunk_view(editor, (e, on_done, on_cancel)).into_any()
                }
                None => view! {
                    <button type="button" class="button primary small" data-testid="new-filter" on:click=new_filter>{t(Key::NewFilter)}</button>
                }.into_any(),
            }}
        </div>
    }
}

#[component]
fn FilterEditor(editing: Editing, on_done: Callback<()>, on_cancel: Callback<()>) -> impl IntoView {
    let lang = use_prefs().lang;
    let f = editing.filter;
    let name = RwSignal::new(f.name.clone());
    let enabled = RwSignal::new(f.enabled);
    let match_all = RwSignal::new(f.match_all);
    let stop = RwSignal::new(f.stop);
    let next = StoredValue::new(0u32);
    let key = move || {
        let k = next.get_value();
        next.set_value(k + 1);
        k
    };
    let conditions = RwSignal::new(
        f.conditions
            .iter()
            .map(|c| ConditionRow {
                key: key(),
                field: RwSignal::new(field_name(c.field).into()),
                op: RwSignal::new(op_name(c.op).into()),
                value: RwSignal::new(c.value.clone()),
            })
            .collect::<Vec<_>>(),
    );
    let actions = RwSignal::new(
        f.actions
            .iter()
            .map(|a| {
                let (kind, arg) = action_parts(a);
                ActionRow {
                    key: key(),
                    kind: RwSignal::new(kind.into()),
                    arg: RwSignal::new(arg),
                }
            })
            .collect::<Vec<_>>(),
    );
    let folders = LocalResource::new(api::mail::folders);
    let build = move || FilterInput {
        name: name.get_untracked(),
        enabled: enabled.get_untracked(),
        match_all: match_all.get_untracked(),
        stop: stop.get_untracked(),
        conditions: conditions
            .get_untracked()
            .iter()
            .map(|r| FilterCondition {
                field: FIELDS
                    .iter()
                    .find(|x| x.1 == r.field.get_untracked())
                    .map_or(FilterField::From, |x| x.0),
                op: OPS
                    .iter()
                    .find(|x| x.1 == r.op.get_untracked())
                    .map_or(FilterOp::Contains, |x| x.0),
                value: r.value.get_untracked(),
            })
            .collect(),
        actions: actions
            .get_untracked()
            .iter()
            .map(|r| match r.kind.get_untracked().as_str() {
                "mark_read" => FilterAction::MarkRead,
                "flag" => FilterAction::Flag,
                "forward" => FilterAction::Forward {
                    to: r.arg.get_untracked(),
                },
                "delete" => FilterAction::Delete,
                _ => FilterAction::Move {
                    folder: r.arg.get_untracked(),
                },
            })
            .collect(),
    };
    let id = editing.id;
    // Save is disabled while the filter is on its way (a double click made two filters).
    let saving = Action::new_local(move |input: &FilterInput| {
        let input = input.clone();
        async move {
            match id {
                Some(id) => api::mail::update_filter(id, &input).await,
                None => api::mail::create_filter(&input).await,
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = saving.value().get() {
            on_done.run(());
        }
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !saving.pending().get_untracked() {
            saving.dispatch(build());
        }
    };
    // Move targets: system folders by role, the user's own folders by name.
    let folder_options = move || {
        let mut options: Vec<(String, String)> = Vec::new();
        if let Some(Ok(list)) = folders.get() {
            for f in list {
                let value = f.role.clone().unwrap_or_else(|| f.name.clone());
                if !options.iter().any(|(v, _)| *v == value) {
                    options.push((value, crate::pages::mail::folder_name(lang.get(), &f)));
                }
            }
        }
        options
    };
    view! {
        <form class="filter-editor" data-testid="filter-editor" on:submit=save>
            <div class="field">
                <label for="filter-name">{t(Key::FilterName)}</label>
                <input id="filter-name" type="text" maxlength="100" required data-testid="filter-name"
                       prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            </div>
            <fieldset>
                <legend>{t(Key::Conditions)}</legend>
                <select aria-label=t(Key::Conditions) on:change=move |ev| match_all.set(event_target_value(&ev) == "all")>
                    <option value="all" selected=move || match_all.get()>{t(Key::MatchAll)}</option>
                    <option value="any" selected=move || !match_all.get()>{t(Key::MatchAny)}</option>
                </select>
                <For each=move || conditions.get() key=|r| r.key let:row>
                    <div class="filter-row" data-testid="filter-condition">
                        <select aria-label=t(Key::Conditions) on:change=move |ev| row.field.set(event_target_value(&ev))>
                            {FIELDS.iter().map(|(_, v, k)| view! {
                                <option value=*v selected=move || row.field.get() == *v>{t(*k)}</option>
                            }).collect_view()}
                        </select>
                        <select aria-label=t(Key::Conditions) on:change=move |ev| row.op.set(event_target_value(&ev))>
                            {OPS.iter().map(|(_, v, k)| view! {
                                <option value=*v selected=move || row.op.get() == *v>{t(*k)}</option>
                            }).collect_view()}
                        </select>
                        <input type="text" aria-label=t(Key::Conditions) prop:value=move || row.value.get()
                               on:input=move |ev| row.value.set(event_target_value(&ev)) />
                        <button type="button" class="button ghost small" aria-label=t(Key::Delete)
                                on:click=move |_| conditions.update(|l| l.retain(|r| r.key != row.key))>"×"</button>
                    </div>
                </For>
                <button type="button" class="button small" on:click=move |_| {
                    let k = key();
                    conditions.update(|l| l.push(ConditionRow {
                        key: k,
                        field: RwSignal::new("subject".into()),
                        op: RwSignal::new("contains".into()),
                        value: RwSignal::new(String::new()),
                    }));
                }>{t(Key::AddCondition)}</button>
            </fieldset>
            <fieldset>
                <legend>{t(Key::FilterActions)}</legend>
                <For each=move || actions.get() key=|r| r.key let:row>
                    <div class="filter-row" data-testid="filter-action">
                        <select aria-label=t(Key::FilterActions) on:change=move |ev| {
                            let kind = event_target_value(&ev);
                            row.arg.set(if kind == "move" { "archive".into() } else { String::new() });
                            row.kind.set(kind);
                        }>
                            {ACTIONS.iter().map(|(v, k)| view! {
                                <option value=*v selected=move || row.kind.get() == *v>{t(*k)}</option>
                            }).collect_view()}
                        </select>
                        {move || match row.kind.get().as_str() {
                            "move" => view! {
                                <select aria-label=t(Key::ActMove) on:change=move |ev| row.arg.set(event_target_value(&ev))>
                                    {folder_options().into_iter().map(|(v, label)| {
                                        let selected = v == row.arg.get_untracked();
                                        view! { <option value=v selected=selected>{label}</option> }
                                    }).collect_view()}
                                </select>
                            }.into_any(),
                            "forward" => view! {
                                <input type="email" aria-label=t(Key::ActForward) placeholder="name@example.org"
                                       prop:value=move || row.arg.get() on:input=move |ev| row.arg.set(event_target_value(&ev)) />
                            }.into_any(),
                            _ => ().into_any(),
                        }}
                        <button type="button" class="button ghost small" aria-label=t(Key::Delete)
                                on:click=move |_| actions.update(|l| l.retain(|r| r.key != row.key))>"×"</button>
                    </div>
                </For>
                <button type="button" class="button small" on:click=move |_| {
                    let k = key();
                    actions.update(|l| l.push(ActionRow { key: k, kind: RwSignal::new("mark_read".into()), arg: RwSignal::new(String::new()) }));
                }>{t(Key::AddAction)}</button>
            </fieldset>
            <label class="check"><input type="checkbox" bind:checked=stop />{t(Key::StopAfter)}</label>
            <label class="check"><input type="checkbox" bind:checked=enabled />{t(Key::FilterEnabled)}</label>
            {move || saving.value().get().and_then(Result::err).map(|e| view! { <Refusal error=e /> })}
            <div class="actions">
                <button class="button primary small" type="submit" data-testid="save-filter" disabled=move || saving.pending().get()>{t(Key::Save)}</button>
                <button class="button ghost small" type="button" on:click=move |_| on_cancel.run(())>{t(Key::Cancel)}</button>
            </div>
        </form>
    }
}
