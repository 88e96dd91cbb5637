//! The `committees` function: the municipal council and its standing, special
//! and working committees, with their members (always public), and their
//! meetings (planned, held, cancelled; public or closed) with numbered agenda
//! items and decisions. Staff with `committees` write; anyone reads (a closed
//! agenda item shows its number only). Ten usual committees are suggested to
//! a new municipality.

mod committees;
mod meetings;
mod oparl;

use baladiya::http::Answer;
use baladiya::http::RequestView;
use baladiya::http::router::RouteMatch;
use oparl::Kind;

pub use baladiya::http::public_url::PublicUrl;

baladiya::context! {
    public_url: PublicUrl,
}

baladiya::routes! {
    Ctx => dispatch;
    List: get "/v1/municipalities/{m}/committees",
    Create: post "/v1/municipalities/{m}/committees",
    Suggestions: get "/v1/municipalities/{m}/committees/suggestions",
    Get: get "/v1/municipalities/{m}/committees/{id}",
    Edit: put "/v1/municipalities/{m}/committees/{id}",
    CommitteeMeetings: get "/v1/municipalities/{m}/committees/{id}/meetings",
    Plan: post "/v1/municipalities/{m}/committees/{id}/meetings",
    Meetings: get "/v1/municipalities/{m}/meetings",
    Meeting: get "/v1/municipalities/{m}/meetings/{id}",
    Revise: put "/v1/municipalities/{m}/meetings/{id}",
    Status: post "/v1/municipalities/{m}/meetings/{id}/status",
    OparlSystem: get "/oparl/v1/{m}",
    OparlBodies: get "/oparl/v1/{m}/bodies",
    OparlBody: get "/oparl/v1/{m}/body",
    OparlOrganizations: get "/oparl/v1/{m}/organizations",
    OparlOrganization: get "/oparl/v1/{m}/organizations/{id}",
    OparlPeople: get "/oparl/v1/{m}/people",
    OparlPerson: get "/oparl/v1/{m}/people/{id}",
    OparlMemberships: get "/oparl/v1/{m}/memberships",
    OparlMembership: get "/oparl/v1/{m}/memberships/{id}",
    OparlMeetings: get "/oparl/v1/{m}/meetings",
    OparlMeeting: get "/oparl/v1/{m}/meetings/{id}",
    OparlAgendaItems: get "/oparl/v1/{m}/agenda-items",
    OparlAgendaItem: get "/oparl/v1/{m}/agenda-items/{id}",
    OparlFiles: get "/oparl/v1/{m}/files",
    OparlFile: get "/oparl/v1/{m}/files/{id}",
    OparlLegislativeTerms: get "/oparl/v1/{m}/legislative-terms",
    OparlLegislativeTerm: get "/oparl/v1/{m}/legislative-terms/{id}",
    OparlLocations: get "/oparl/v1/{m}/locations",
    OparlLocation: get "/oparl/v1/{m}/locations/{id}",
    OparlPapers: get "/oparl/v1/{m}/papers",
    OparlConsultations: get "/oparl/v1/{m}/consultations",
}

async fn dispatch(ctx: &Ctx, view: &RequestView<'_>, m: RouteMatch<Op>) -> Answer {
    let muni = m.municipality()?;
    let id = m.param("id");
    match m.op {
        Op::List => committees::list(ctx, view, &muni).await,
        Op::Create => committees::create(ctx, view, &muni).await,
        Op::Suggestions => committees::suggestions(ctx, view, &muni).await,
        Op::Get => committees::get(ctx, view, &muni, id).await,
        Op::Edit => committees::edit(ctx, view, &muni, id).await,
        Op::CommitteeMeetings => meetings::list(ctx, view, &muni, Some(id)).await,
        Op::Plan => meetings::plan(ctx, view, &muni, id).await,
        Op::Meetings => meetings::list(ctx, view, &muni, None).await,
        Op::Meeting => meetings::get(ctx, view, &muni, id).await,
        Op::Revise => meetings::revise(ctx, view, &muni, id).await,
        Op::Status => meetings::status(ctx, view, &muni, id).await,
        Op::OparlSystem => oparl::serve(ctx, view, &muni, Kind::System, id).await,
        Op::OparlBodies => oparl::serve(ctx, view, &muni, Kind::Bodies, id).await,
        Op::OparlBody => oparl::serve(ctx, view, &muni, Kind::Body, id).await,
        Op::OparlOrganizations => oparl::serve(ctx, view, &muni, Kind::Organizations, id).await,
        Op::OparlOrganization => oparl::serve(ctx, view, &muni, Kind::Organization, id).await,
        Op::OparlPeople => oparl::serve(ctx, view, &muni, Kind::People, id).await,
        Op::OparlPerson => oparl::serve(ctx, view, &muni, Kind::Person, id).await,
        Op::OparlMemberships => oparl::serve(ctx, view, &muni, Kind::Memberships, id).await,
        Op::OparlMembership => oparl::serve(ctx, view, &muni, Kind::Membership, id).await,
        Op::OparlMeetings => oparl::serve(ctx, view, &muni, Kind::Meetings, id).await,
        Op::OparlMeeting => oparl::serve(ctx, view, &muni, Kind::Meeting, id).await,
        Op::OparlAgendaItems => oparl::serve(ctx, view, &muni, Kind::AgendaItems, id).await,
        Op::OparlAgendaItem => oparl::serve(ctx, view, &muni, Kind::AgendaItem, id).await,
        Op::OparlFiles => oparl::serve(ctx, view, &muni, Kind::Files, id).await,
        Op::OparlFile => oparl::serve(ctx, view, &muni, Kind::File, id).await,
        Op::OparlLegislativeTerms => {
            oparl::serve(ctx, view, &muni, Kind::LegislativeTerms, id).await
        }
        Op::OparlLegislativeTerm => oparl::serve(ctx, view, &muni, Kind::LegislativeTerm, id).await,
        Op::OparlLocations => oparl::serve(ctx, view, &muni, Kind::Locations, id).await,
        Op::OparlLocation => oparl::serve(ctx, view, &muni, Kind::Location, id).await,
        Op::OparlPapers => oparl::serve(ctx, view, &muni, Kind::Papers, id).await,
        Op::OparlConsultations => oparl::serve(ctx, view, &muni, Kind::Consultations, id).await,
    }
}
