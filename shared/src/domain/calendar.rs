//! The calendar of working days: weekends and Tunisia's public holidays. It
//! serves the legal deadlines of information requests (`deadline`), and next the
//! opening hours of offices and the slots of appointments. The holidays are data:
//! the operator keeps the table (`/v1/holidays`, `store::holidays`); until one is
//! recorded, [`default_holidays`] applies.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use time::macros::{date, format_description};
use time::{Date, Month, Weekday};

/// A public holiday as the operator records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayRecord {
    /// `YYYY-MM-DD`
    pub date: String,
    pub name_fr: String,
    pub name_ar: String,
}

const DATE: &[time::format_description::FormatItem<'static>] =
    format_description!("[year]-[month]-[day]");

/// A date as the table writes it (`YYYY-MM-DD`).
pub fn parse_date(raw: &str) -> Option<Date> {
    Date::parse(raw.trim(), DATE).ok()
}

/// A date as the table writes it.
pub fn format_date(d: Date) -> String {
    d.format(DATE).unwrap_or_default()
}

/// The holidays in force: the recorded table, or the built-in one until the
/// operator records one.
pub fn in_force(recorded: Vec<HolidayRecord>) -> Vec<HolidayRecord> {
    if !recorded.is_empty() {
        return recorded;
    }
    default_holidays()
        .into_iter()
        .map(|(d, fr, ar)| HolidayRecord {
            date: format_date(d),
            name_fr: fr.to_owned(),
            name_ar: ar.to_owned(),
        })
        .collect()
}

/// The working days: weekends and public holidays are not.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    holidays: BTreeSet<Date>,
}

impl Calendar {
    pub fn new(holidays: impl IntoIterator<Item = Date>) -> Calendar {
        Calendar {
            holidays: holidays.into_iter().collect(),
        }
    }

    /// The calendar of recorded holidays (those in force, [`in_force`]).
    pub fn from_records(records: &[HolidayRecord]) -> Calendar {
        Calendar::new(records.iter().filter_map(|h| parse_date(&h.date)))
    }

    /// The calendar of [`default_holidays`].
    pub fn tunisia_default() -> Calendar {
        Calendar::new(default_holidays().into_iter().map(|(d, _, _)| d))
    }

    /// The holidays, in date order.
    pub fn holidays(&self) -> impl Iterator<Item = Date> + '_ {
        self.holidays.iter().copied()
    }

    pub fn is_weekend(d: Date) -> bool {
        matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
    }

    pub fn is_holiday(&self, d: Date) -> bool {
        self.holidays.contains(&d)
    }

    pub fn is_working_day(&self, d: Date) -> bool {
        !Calendar::is_weekend(d) && !self.is_holiday(d)
    }

    /// `d` if it is a working day, else the first working day after it.
    pub fn roll_forward(&self, d: Date) -> Date {
        let mut d = d;
        while !self.is_working_day(d) {
            match d.next_day() {
                Some(next) => d = next,
                None => break,
            }
        }
        d
    }

    /// The `n`th working day after `start` (`start` itself never counts).
    pub fn add_working_days(&self, start: Date, n: u16) -> Date {
        let mut d = start;
        let mut counted = 0;
        while counted < n {
            match d.next_day() {
                Some(next) => d = next,
                None => break,
            }
            if self.is_working_day(d) {
                counted += 1;
            }
        }
        d
    }
}

/// Tunisia's public holidays for 2026 and 2027 as (date, French name, Arabic name).
///
/// The civil ones are fixed by decree: 1 January, 20 March (Independence), 9 April
/// (Martyrs), 1 May (Labour), 25 July (Republic), 13 August (Women), 15 October
/// (Evacuation) and 17 December (Revolution: the presidential decree of 7 December
/// 2021 moved it there from 14 January, which is no longer a holiday).
///
/// The Islamic ones (Aïd el-Fitr and Aïd el-Idha, two days each, the Hijri new year,
/// the Mouled) follow the lunar calendar: the dates here are **estimated** from the
/// astronomical new moons, and the operator corrects them when the Mufti of the
/// Republic announces them. Some may fall on a weekend or on a civil holiday (Aïd
/// el-Fitr 1447 on 20 March 2026): they are listed all the same.
pub fn default_holidays() -> Vec<(Date, &'static str, &'static str)> {
    let mut days = Vec::new();
    for year in [2026, 2027] {
        for (month, day, fr, ar) in FIXED_HOLIDAYS {
            if let Ok(d) = Date::from_calendar_date(year, month, day) {
                days.push((d, fr, ar));
            }
        }
    }
    days.extend(ESTIMATED_ISLAMIC_HOLIDAYS);
    days.sort_by_key(|(d, _, _)| *d);
    days
}

const FIXED_HOLIDAYS: [(Month, u8, &str, &str); 8] = [
    (Month::January, 1, "Jour de l'An", "رأس السنة الإدارية"),
    (Month::March, 20, "Fête de l'Indépendance", "عيد الاستقلال"),
    (Month::April, 9, "Journée des Martyrs", "عيد الشهداء"),
    (Month::May, 1, "Fête du Travail", "عيد الشغل"),
    (Month::July, 25, "Fête de la République", "عيد الجمهورية"),
    (Month::August, 13, "Fête de la Femme", "عيد المرأة"),
    (Month::October, 15, "Fête de l'Évacuation", "عيد الجلاء"),
    (Month::December, 17, "Fête de la Révolution", "عيد الثورة"),
];

const FITR_1: (&str, &str) = ("Aïd el-Fitr", "عيد الفطر");
const FITR_2: (&str, &str) = ("Aïd el-Fitr (2e jour)", "عيد الفطر (اليوم الثاني)");
const IDHA_1: (&str, &str) = ("Aïd el-Idha", "عيد الأضحى");
const IDHA_2: (&str, &str) = ("Aïd el-Idha (2e jour)", "عيد الأضحى (اليوم الثاني)");
const HIJRI: (&str, &str) = ("Nouvel an de l'Hégire", "رأس السنة الهجرية");
const MOULED: (&str, &str) = ("Mouled", "المولد النبوي الشريف");

/// Estimated: corrected by the operator once announced.
const ESTIMATED_ISLAMIC_HOLIDAYS: [(Date, &str, &str); 12] = [
    (date!(2026 - 03 - 20), FITR_1.0, FITR_1.1),
    (date!(2026 - 03 - 21), FITR_2.0, FITR_2.1),
    (date!(2026 - 05 - 27), IDHA_1.0, IDHA_1.1),
    (date!(2026 - 05 - 28), IDHA_2.0, IDHA_2.1),
    (date!(2026 - 06 - 16), HIJRI.0, HIJRI.1),
    (date!(2026 - 08 - 25), MOULED.0, MOULED.1),
    (date!(2027 - 03 - 10), FITR_1.0, FITR_1.1),
    (date!(2027 - 03 - 11), FITR_2.0, FITR_2.1),
    (date!(2027 - 05 - 16), IDHA_1.0, IDHA_1.1),
    (date!(2027 - 05 - 17), IDHA_2.0, IDHA_2.1),
    (date!(2027 - 06 - 06), HIJRI.0, HIJRI.1),
    (date!(2027 - 08 - 14), MOULED.0, MOULED.1),
];

#[cfg(test)]
mod tests {
    use super::*;
    use time::Date;

    #[test]
    fn the_built_in_table_applies_until_one_is_recorded() {
        let built_in = in_force(Vec::new());
        assert!(built_in.iter().any(|h| h.date == "2026-12-17"));
        let cal = Calendar::from_records(&built_in);
        assert!(cal.is_holiday(date!(2026 - 12 - 17)));
        assert!(!cal.is_working_day(date!(2026 - 12 - 19)), "a Saturday");
        let own = vec![HolidayRecord {
            date: "2026-12-03".into(),
            name_fr: "Jour local".into(),
            name_ar: "يوم محلي".into(),
        }];
        let cal = Calendar::from_records(&in_force(own));
        assert!(cal.is_holiday(date!(2026 - 12 - 03)));
        assert!(!cal.is_holiday(date!(2026 - 12 - 17)));
        assert_eq!(parse_date(" 2026-12-03 "), Some(date!(2026 - 12 - 03)));
        assert_eq!(parse_date("2026-13-03"), None);
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        let cal = Calendar::tunisia_default();
        for (d, working) in [
            (date!(2026 - 11 - 30), true),  // Monday
            (date!(2026 - 12 - 05), false), // Saturday
            (date!(2026 - 12 - 06), false), // Sunday
            (date!(2026 - 12 - 17), false), // Revolution Day
            (date!(2026 - 01 - 14), true),  // no longer a holiday
            (date!(2026 - 03 - 20), false), // Independence (and Aïd el-Fitr)
            (date!(2027 - 05 - 17), false), // Aïd el-Idha, 2nd day (estimated)
        ] {
            assert_eq!(cal.is_working_day(d), working, "{d}");
        }
        let empty = Calendar::default();
        assert!(empty.is_working_day(date!(2026 - 12 - 17)));
        assert!(!empty.is_working_day(date!(2026 - 12 - 19)));
        assert_eq!(
            cal.add_working_days(date!(2026 - 12 - 11), 5),
            date!(2026 - 12 - 21)
        );
        assert_eq!(
            cal.roll_forward(date!(2026 - 03 - 20)),
            date!(2026 - 03 - 23)
        );
    }

    #[test]
    fn the_default_table_has_every_holiday_once() {
        let all = default_holidays();
        for year in [2026, 2027] {
            for (month, day) in [
                (Month::January, 1),
                (Month::March, 20),
                (Month::April, 9),
                (Month::May, 1),
                (Month::July, 25),
                (Month::August, 13),
                (Month::October, 15),
                (Month::December, 17),
            ] {
                let d = Date::from_calendar_date(year, month, day).unwrap();
                assert!(all.iter().any(|(h, _, _)| *h == d), "{d} missing");
            }
            let jan14 = Date::from_calendar_date(year, Month::January, 14).unwrap();
            assert!(
                !all.iter().any(|(h, _, _)| *h == jan14),
                "14 January is gone"
            );
        }
        for (d, fr, ar) in &all {
            assert!((2026..=2027).contains(&d.year()), "{d} out of range");
            assert!(
                !fr.trim().is_empty() && !ar.trim().is_empty(),
                "{d} unnamed"
            );
        }
        let mut keys: Vec<_> = all.iter().map(|(d, fr, _)| (*d, *fr)).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), all.len(), "duplicate entries");
        assert!(all.windows(2).all(|w| w[0].0 <= w[1].0), "sorted by date");
        // Two-day Aïds are two consecutive days.
        for name in ["Aïd el-Fitr", "Aïd el-Idha"] {
            for (d, fr, _) in all.iter().filter(|(_, fr, _)| *fr == name) {
                let next = d.next_day().unwrap();
                assert!(
                    all.iter()
                        .any(|(h, f, _)| *h == next && f.starts_with(name)),
                    "{fr} {d} has no second day"
                );
            }
        }
    }
}
