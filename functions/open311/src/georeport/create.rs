//! `POST requests.{fmt}`: a client with an API key files a complaint.

use super::*;

/// The key an `api_key` parameter names, if it is one of `m`'s and not revoked.
pub(super) async fn authenticate(
    ctx: &Ctx,
    m: &MunicipalityId,
    raw: Option<&str>,
) -> Result<ApiKeyRecord, Failure> {
    let refused = || {
        Failure::new(
            StatusCode::FORBIDDEN,
            "api_key was not provided or is not valid",
        )
    };
    let (id, secret) = raw.and_then(open311::parse_key).ok_or_else(refused)?;
    let key = ctx
        .store
        .get_api_key(m, id.as_str())
        .await?
        .filter(|k| k.revoked_at.is_none())
        .ok_or_else(refused)?;
    if !open311::digests_match(&open311::key_digest(secret), &key.digest) {
        return Err(refused());
    }
    Ok(key)
}

/// `requests.{fmt}` (POST, form-encoded, with an `api_key`): file a complaint.
/// A retry with the same `Idempotency-Key` within a day gets the same request
/// back.
pub(super) async fn create(
    ctx: &Ctx,
    view: &RequestView<'_>,
    req: &Request,
    m: Option<MunicipalityId>,
) -> Result<Answer, Failure> {
    let params = Params::of_query(req)?.with_form(view, req)?;
    let (m, _) = jurisdiction(ctx, m, &params).await?;
    let key = authenticate(ctx, &m, params.get("api_key")).await?;
    let code = params
        .get("service_code")
        .map(str::trim)
        .ok_or_else(|| Failure::bad("service_code was not provided"))?;
    let categories = offered(ctx, &m).await?;
    let category = categories
        .iter()
        .find(|c| c.active && c.code == code)
        .ok_or_else(|| Failure::not_found("service_code provided was not found"))?;
    // Attributes: ours are checked; others (a client's own, such as
    // FixMyStreet's `fixmystreet_id`) are ignored, as the specification allows.
    let subcategory = match params.single_value("subcategory")? {
        None => None,
        Some(value) => Some(
            category
                .subcategories
                .iter()
                .find(|s| s.code == value)
                .map(|s| s.code.clone())
                .ok_or_else(|| Failure::bad("attribute[subcategory] is not one of its values"))?,
        ),
    };
    let area = match params.single_value("area")? {
        None => None,
        Some(value) => Some(
            ctx.store
                .areas(&m)
                .await?
                .into_iter()
                .find(|a| a.code == value)
                .map(|a| a.code)
                .ok_or_else(|| Failure::bad("attribute[area] is not one of its values"))?,
        ),
    };
    let location = match (params.get("lat"), params.get("long")) {
        (None, None) => None,
        (Some(lat), Some(lon)) => {
            let number = |v: &str| v.trim().parse::<f64>().ok().filter(|x| x.is_finite());
            let point = number(lat)
                .zip(number(lon))
                .and_then(|(lat, lon)| Coordinates::parse(lat, lon, &ctx.geo).ok())
                .ok_or_else(|| {
                    Failure::bad("lat and long must be a point (WGS84 degrees) in the service area")
                })?;
            Some(point)
        }
        _ => return Err(Failure::bad("lat and long must be given together")),
    };
    let address = match params.get("address_string") {
        None => None,
        Some(a) => Some(
            complaint::parse_address(a)
                .map_err(|_| Failure::bad("address_string must be 1 to 200 characters of text"))?,
        ),
    };
    if location.is_none() && address.is_none() {
        return Err(Failure::bad(if params.get("address_id").is_some() {
            "address_id is not known to this server: send lat and long, or address_string"
        } else {
            "a location is required: lat and long, or address_string"
        }));
    }
    let description = text_param(&params, "description", open311::DESCRIPTION_MAX)?;
    let email = params
        .get("email")
        .map(|e| {
            Contact::parse_email(e).map_err(|_| Failure::bad("email is not an e-mail address"))
        })
        .transpose()?;
    let first = text_param(&params, "first_name", 60)?;
    let last = text_param(&params, "last_name", 60)?;
    let origin = Origin {
        key_id: key.id.clone(),
        client: key.name.clone(),
        email,
        phone: text_param(&params, "phone", 40)?,
        account_id: text_param(&params, "account_id", 100)?,
        // FixMyStreet spells it `deviceid`.
        device_id: match text_param(&params, "device_id", 100)? {
            Some(d) => Some(d),
            None => text_param(&params, "deviceid", 100)?,
        },
        media_url: params
            .get("media_url")
            .map(open311::parse_media_url)
            .transpose()?
            .flatten(),
    };
    let reporter_name = match (first, last) {
        (None, None) => None,
        (f, l) => Some([f, l].into_iter().flatten().collect::<Vec<_>>().join(" ")),
    };
    let data = ComplaintData {
        category: category.code.clone(),
        subcategory,
        description: description.unwrap_or_default(),
        location,
        address,
        area,
        // Open311 requests are public (as on FixMyStreet); the person's name is
        // for staff only.
        public: true,
        hide_name: true,
        reporter_name,
        origin: Some(origin),
    };
    let filing =
        decide::file::<Complaint>(&m, &Filer::client(&key.client_user), data, None, view.now);
    let case = &filing.case;
    // The form without its key, in a stable order: what a retry sends again.
    let mut canonical: Vec<&(String, String)> = params
        .pairs
        .iter()
        .filter(|(k, _)| k != "api_key")
        .collect();
    canonical.sort();
    let canonical: Vec<u8> = canonical
        .iter()
        .flat_map(|(k, v)| [k.as_bytes(), b"=", v.as_bytes(), b"\n"].concat())
        .collect();
    // A retry is recognised by its `Idempotency-Key` only: two identical forms
    // without one are two reports (as the specification knows no such thing).
    let retry_key = view
        .idempotency_key()
        .map_err(|_| Failure::bad("Idempotency-Key must be 8 to 128 visible characters"))?;
    let idem = retry_key
        .map(|k| Idempotency::new(&keys::tenant(&m), &key.client_user, k.as_str(), &canonical));
    let answer = serde_json::json!({ "id": case.id }).to_string();
    let id = match ctx
        .store
        .file_case(&filing, Vec::new(), idem.as_ref(), &answer)
        .await
    {
        Ok(Created::New) => case.id.clone(),
        Ok(Created::Replayed(stored)) => serde_json::from_str::<serde_json::Value>(&stored.body)
            .ok()
            .and_then(|v| v["id"].as_str().map(str::to_owned))
            .ok_or_else(|| Failure::from(StoreError::Corrupt("stored answer".into())))?,
        Err(StoreError::IdempotencyMismatch) => {
            return Err(Failure::bad(
                "this Idempotency-Key was used for another request",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let notice = label(
        view.lang,
        "تم تسجيل طلبكم لدى البلدية؛ تتبّعوه بهذا المعرّف.",
        "Votre signalement est enregistré par la municipalité ; suivez-le avec cet identifiant.",
        "Your request is registered with the municipality; follow it with this id.",
    );
    // 200, as the specification's samples and mySociety's servers answer.
    Ok(Answer {
        status: StatusCode::OK,
        root: "service_requests",
        node: Node::List(
            "request",
            vec![Node::Object(vec![
                ("service_request_id", Node::text(id)),
                ("service_notice", Node::text(notice)),
                ("account_id", Node::Null),
            ])],
        ),
        cache: "no-store",
    })
}
