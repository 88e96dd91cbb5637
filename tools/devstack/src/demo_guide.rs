//! The demo's services guide for Tunis: its offices with Tunisian hours (two
//! sessions, the summer's single session, Ramadan hours), and its civil-status
//! certificates served by the Bab Bhar e-ticket queue. The national procedures
//! need no seeding: every municipality's guide starts from the catalogue that
//! ships with the code (`shared/data/procedures.json`).

use baladiya::domain::eticket::{Shift, WeeklyHours};
use baladiya::domain::geo::{Coordinates, GeoBounds};
use baladiya::domain::guide::hours::{OfficeHours, Seasonal};
use baladiya::domain::guide::overlay::{self, EticketLink, Settings};
use baladiya::domain::guide::{Category, Office};
use baladiya::domain::{MunicipalityId, Text};
use baladiya::store::Store;

fn shift(open: &str, close: &str) -> Shift {
    Shift {
        open: open.into(),
        close: close.into(),
    }
}

fn week(days: Vec<Shift>, saturday: Vec<Shift>) -> WeeklyHours {
    WeeklyHours {
        mon: days.clone(),
        tue: days.clone(),
        wed: days.clone(),
        thu: days.clone(),
        fri: days,
        sat: saturday,
        sun: vec![],
    }
}

/// Tunisian administration hours: 08:00–12:30 and 14:00–17:30 (Saturday
/// morning at civil status), 07:30–13:30 in July and August, 08:00–14:30 in
/// Ramadan.
fn tunisian_hours(saturday: bool) -> OfficeHours {
    let sat = if saturday {
        vec![shift("08:00", "12:00")]
    } else {
        vec![]
    };
    OfficeHours {
        regular: week(
            vec![shift("08:00", "12:30"), shift("14:00", "17:30")],
            sat.clone(),
        ),
        summer: Some(Seasonal {
            from: "07-01".into(),
            to: "08-31".into(),
            hours: week(vec![shift("07:30", "13:30")], sat.clone()),
        }),
        ramadan: Some(week(vec![shift("08:00", "14:30")], sat)),
        exceptions: vec![],
        open_on_public_holidays: false,
    }
}

fn name(ar: &str, fr: &str) -> Text {
    Text {
        ar: ar.into(),
        fr: fr.into(),
        en: String::new(),
    }
}

pub async fn seed(store: &Store) -> Result<(), String> {
    let tunis = MunicipalityId::parse("tunis").expect("valid slug");
    let now = baladiya::clock::now_rfc3339();
    if !store
        .offices(&tunis)
        .await
        .map_err(|e| e.to_string())?
        .is_empty()
    {
        return Ok(());
    }
    let offices = [
        Office {
            code: "civil-status-bab-bhar".into(),
            name: name(
                "مكتب الحالة المدنية بباب بحر",
                "Bureau de l'état civil de Bab Bhar",
            ),
            address: Some(name("نهج فرنسا، تونس", "Avenue de France, Tunis")),
            location: Coordinates::parse(36.7992, 10.1802, &GeoBounds::TUNISIA).ok(),
            phone: Some("+216 71 000 000".into()),
            categories: vec![Category::CivilStatus, Category::Administrative],
            hours: tunisian_hours(true),
            eticket_agency: Some("bab-bhar".into()),
            updated_at: now.clone(),
        },
        Office {
            code: "technical-service".into(),
            name: name("المصلحة الفنية", "Service technique"),
            address: Some(name("ساحة القصبة، تونس", "Place de la Kasbah, Tunis")),
            location: Coordinates::parse(36.7986, 10.1700, &GeoBounds::TUNISIA).ok(),
            phone: None,
            categories: vec![Category::UrbanPlanning, Category::Regulatory],
            hours: tunisian_hours(false),
            eticket_agency: None,
            updated_at: now.clone(),
        },
        Office {
            code: "recette".into(),
            name: name("القباضة البلدية", "Recette municipale"),
            address: Some(name("ساحة القصبة، تونس", "Place de la Kasbah, Tunis")),
            location: Coordinates::parse(36.7988, 10.1705, &GeoBounds::TUNISIA).ok(),
            phone: None,
            categories: vec![Category::Financial, Category::Other],
            hours: tunisian_hours(false),
            eticket_agency: Some("bab-bhar".into()),
            updated_at: now.clone(),
        },
    ];
    for o in &offices {
        store
            .put_office(&tunis, o)
            .await
            .map_err(|e| e.to_string())?;
    }
    // Civil-status certificates: "take a ticket for this" at Bab Bhar.
    for code in [
        "birth-certificate",
        "marriage-certificate",
        "death-certificate",
        "life-certificate",
    ] {
        let index = store
            .guide_index(&tunis, true)
            .await
            .map_err(|e| e.to_string())?;
        let entry = store
            .guide_entry(&tunis, code, true)
            .await
            .map_err(|e| e.to_string())?;
        let set = Settings {
            hidden: false,
            eticket: Some(EticketLink {
                agency: "bab-bhar".into(),
                service: "civil-status".into(),
            }),
            forms: Vec::new(),
        };
        let change =
            overlay::settings(&index, entry, code, set, &now).map_err(|e| e.to_string())?;
        store
            .write_guide(&tunis, code, index.version, &change)
            .await
            .map_err(|e| e.to_string())?;
    }
    println!("services guide of tunis: {} offices", offices.len());
    Ok(())
}
