"""Demo reports for the local stack: a few public complaints in Tunis, some moved on
by staff, and one filed by a GeoReport v2 client with the demo Open311 key; the
municipal council of Tunis with a meeting held and one planned — so that the
app's lists, the map, the timelines, the committees, the OParl view and the
Open311 server have something to show. Everything goes through the API, as the app and a client
would; retries are idempotent (fixed Idempotency-Keys), so running it twice
files nothing twice.

    demo.py --api URL --citizen TOKEN --staff TOKEN --open311-key KEY

Exits non-zero (and says why) if any request is refused.
"""

import argparse
import datetime
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

M = "tunis"

REPORTS = [
    # (idempotency key, body, staff's steps afterwards)
    (
        "demo-report-1",
        {
            "category": "lighting",
            "subcategory": "lamp-out",
            "description": "Trois lampadaires éteints avenue Habib Bourguiba, côté théâtre.",
            "location": {"lat": 36.8002, "lon": 10.1806},
            "address": "Avenue Habib Bourguiba, Tunis",
        },
        [("in_progress", "Équipe d'éclairage public prévenue.")],
    ),
    (
        "demo-report-2",
        {
            "category": "roads",
            "subcategory": "pothole",
            "description": "حفرة كبيرة في وسط الطريق أمام المدرسة الابتدائية.",
            "location": {"lat": 36.8065, "lon": 10.1650},
            "address": "Rue de Rome, Tunis",
        },
        [
            ("in_progress", "Signalé au service de la voirie."),
            ("resolved", "Nid-de-poule rebouché le matin même."),
        ],
    ),
    (
        "demo-report-3",
        {
            "category": "waste",
            "subcategory": "dumping",
            "description": "Dépôt sauvage de gravats sur le trottoir depuis une semaine.",
            "location": {"lat": 36.7960, "lon": 10.1720},
            "address": "Rue d'Angleterre, Tunis",
        },
        [],
    ),
]

OPEN311_REQUEST = {
    "service_code": "water-sanitation",
    "description": "Regard ouvert au coin de la rue, dangereux pour les enfants.",
    "lat": "36.8100",
    "long": "10.1770",
    "address_string": "Rue de Marseille, Tunis",
    "first_name": "Client",
    "last_name": "GeoReport",
}


def seat(ar, fr, role):
    return {"name": {"ar": ar, "fr": fr}, "role": role, "from": "2023-03-01"}


# The council (fictional members) and its meetings: (key, body, held).
COUNCIL = {
    "kind": "council",
    "name": {"ar": "المجلس البلدي بتونس", "fr": "Conseil municipal de Tunis"},
    "from": "2023-03-01",
    "members": [
        seat("سنية بن علي", "Sonia Ben Ali", "president"),
        seat("كريم الطرابلسي", "Karim Trabelsi", "rapporteur"),
        seat("أمل الجزيري", "Amel Jaziri", "member"),
        seat("هشام الماجري", "Hichem Mejri", "member"),
        seat("ليلى الشابي", "Leila Chebbi", "member"),
    ],
}
PLACE = {"ar": "قاعة الجلسات بقصر البلدية", "fr": "Salle des séances, hôtel de ville"}
MEETINGS = [
    (
        "demo-council-meeting-1",
        {
            "start": "2026-10-29T10:00:00+01:00",
            "place": PLACE,
            "agenda": [
                {"title": {"ar": "مشروع ميزانية 2027", "fr": "Projet de budget 2027"}},
                {"title": {"ar": "برنامج صيانة الطرقات", "fr": "Programme d'entretien de la voirie"}},
            ],
        },
        True,
    ),
    (
        "demo-council-meeting-2",
        {
            "start": "2027-01-14T10:00:00+01:00",
            "place": PLACE,
            "agenda": [
                {"title": {"ar": "المصادقة على محضر الجلسة السابقة", "fr": "Approbation du PV de la séance précédente"}},
            ],
        },
        False,
    ),
]


def seed_council(api, staff):
    base = f"{api}/v1/municipalities/{M}"
    c = call("POST", f"{base}/committees", COUNCIL, staff, key="demo-council")
    for key, body, held in MEETINGS:
        mt = call("POST", f"{base}/committees/{c['id']}/meetings", body, staff, key=key)
        now = call("GET", f"{base}/meetings/{mt['id']}")
        if held and now["status"] == "planned":
            call("POST", f"{base}/meetings/{mt['id']}/status", {"status": "held"}, staff)
    print(f"demo council {c['id']} ({len(MEETINGS)} meetings)")


POLL = {
    "title": {"ar": "أين نهيّئ الحديقة العمومية الجديدة؟", "fr": "Où aménager le nouveau jardin public ?"},
    "kind": "single",
    "choices": [
        {"text": {"ar": "باب سويقة", "fr": "Bab Souika"}},
        {"text": {"ar": "الحفصية", "fr": "Hafsia"}},
        {"text": {"ar": "لافايات", "fr": "Lafayette"}},
    ],
    "eligibility": {"who": "anyone"},
    "live_results": True,
}


def seed_poll(api, staff):
    # Open from today for three months (the key follows the day, so a re-run
    # the same day writes nothing twice).
    today = datetime.date.today()
    body = dict(POLL,
                opens_at=f"{today.isoformat()}T00:00:00+01:00",
                closes_at=f"{(today + datetime.timedelta(days=90)).isoformat()}T18:00:00+01:00")
    base = f"{api}/v1/municipalities/{M}/polls"
    p = call("POST", base, body, staff, key=f"demo-poll-{today.isoformat()}")
    now = call("GET", f"{base}/{p['id']}", token=staff)
    if now["status"] == "draft":
        call("POST", f"{base}/{p['id']}/publication", token=staff)
    print(f"demo poll {p['id']}")


def call(method, url, body=None, token=None, form=None, key=None):
    headers = {"accept-language": "fr"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["content-type"] = "application/json"
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        headers["content-type"] = "application/x-www-form-urlencoded"
    if token:
        headers["authorization"] = f"Bearer {token}"
    if key:
        headers["idempotency-key"] = key
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        sys.exit(f"demo data: {method} {url} → {e.code}: {e.read().decode()[:300]}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--api", required=True)
    p.add_argument("--citizen", required=True)
    p.add_argument("--staff", required=True)
    p.add_argument("--open311-key", required=True)
    a = p.parse_args()
    base = f"{a.api}/v1/municipalities/{M}/complaints"
    for key, body, steps in REPORTS:
        c = call("POST", base, body, a.citizen, key=key)
        # A replay answers the complaint as it was filed: read it as it is now.
        c = call("GET", f"{base}/{c['id']}", token=a.staff)
        done = [e["state"] for e in c["timeline"]]
        for state, note in steps:
            if state in done:
                continue
            call(
                "POST",
                f"{base}/{c['id']}/transitions",
                {"state": state, "note": note},
                a.staff,
            )
        print(f"demo complaint {c['id']} ({body['category']})")
    form = dict(OPEN311_REQUEST, api_key=a.open311_key)
    r = call(
        "POST",
        f"{a.api}/open311/v2/{M}/requests.json",
        form=form,
        key="demo-open311-request-1",
    )
    print(f"demo Open311 request {r[0]['service_request_id']} (water-sanitation)")
    seed_council(a.api, a.staff)
    seed_poll(a.api, a.staff)


if __name__ == "__main__":
    main()
