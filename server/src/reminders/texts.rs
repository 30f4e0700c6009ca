//! The words and date formats of reminder messages, in the recipient's language and
//! time zone.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use ksuite_common::Language;

pub struct Words {
    pub reminder: &'static str,
    pub when: &'static str,
    pub place: &'static str,
    pub late: &'static str,
    pub all_day: &'static str,
}

pub fn words(lang: Language) -> Words {
    match lang {
        Language::Fr => Words {
            reminder: "Rappel",
            when: "Quand",
            place: "Lieu",
            late: "Envoyé en retard : le serveur était indisponible à l'heure du rappel.",
            all_day: "toute la journée",
        },
        Language::De => Words {
            reminder: "Erinnerung",
            when: "Wann",
            place: "Ort",
            late: "Verspätet gesendet: Der Server war zur Erinnerungszeit nicht erreichbar.",
            all_day: "ganztägig",
        },
        Language::It => Words {
            reminder: "Promemoria",
            when: "Quando",
            place: "Luogo",
            late: "Inviato in ritardo: il server non era disponibile all'ora del promemoria.",
            all_day: "tutto il giorno",
        },
        Language::Es => Words {
            reminder: "Recordatorio",
            when: "Cuándo",
            place: "Lugar",
            late: "Enviado con retraso: el servidor no estaba disponible a la hora del recordatorio.",
            all_day: "todo el día",
        },
        Language::Pt => Words {
            reminder: "Lembrete",
            when: "Quando",
            place: "Local",
            late: "Enviado com atraso: o servidor estava indisponível na hora do lembrete.",
            all_day: "o dia todo",
        },
        _ => Words {
            reminder: "Reminder",
            when: "When",
            place: "Where",
            late: "Sent late: the server was unavailable at the reminder time.",
            all_day: "all day",
        },
    }
}

fn locale(lang: Language) -> chrono::Locale {
    match lang {
        Language::Fr => chrono::Locale::fr_FR,
        Language::De => chrono::Locale::de_DE,
        Language::It => chrono::Locale::it_IT,
        Language::Es => chrono::Locale::es_ES,
        Language::Pt => chrono::Locale::pt_PT,
        _ => chrono::Locale::en_GB,
    }
}

/// "Monday 2 March 2026, 10:00" (or the day alone for all-day events), in `zone`.
pub fn format_date(start: DateTime<Utc>, all_day: bool, zone: Tz, lang: Language) -> String {
    let l = locale(lang);
    if all_day {
        // All-day occurrences are kept as midnight in the user's zone.
        let day = start
            .with_timezone(&zone)
            .format_localized("%A %-d %B %Y", l);
        format!("{day} ({})", words(lang).all_day)
    } else {
        let t = start.with_timezone(&zone);
        let zone_name = if zone == Tz::UTC {
            " UTC".to_string()
        } else {
            String::new()
        };
        format!(
            "{}{zone_name}",
            t.format_localized("%A %-d %B %Y, %H:%M", l)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_the_users_language_and_zone() {
        let t = DateTime::parse_from_rfc3339("2026-03-02T09:00:00Z")
            .expect("time")
            .with_timezone(&Utc);
        assert_eq!(
            format_date(t, false, chrono_tz::Europe::Paris, Language::Fr),
            "lundi 2 mars 2026, 10:00"
        );
        assert_eq!(
            format_date(t, false, Tz::UTC, Language::En),
            "Monday 2 March 2026, 09:00 UTC"
        );
        assert_eq!(
            format_date(t, false, chrono_tz::Europe::Berlin, Language::De),
            "Montag 2 März 2026, 10:00"
        );
    }
}
