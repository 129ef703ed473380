"""Contractors 服务供方: cleaning, gardening and pest-control providers, the areas they
serve, and their quarterly rating from those areas' inspections."""

from flask.views import MethodView
from flask_smorest import Blueprint
from peewee import fn

from api import scoring_settings
from api.audit_trail import audit, update_audited
from api.contractors.schemas import (
    ContractorCreateSchema,
    ContractorQuerySchema,
    ContractorSchema,
    ContractorUpdateSchema,
    QuarterRatingSchema,
    RatingQuerySchema,
)
from api.errors import abort
from api.extensions import PeeweePage
from api.security import in_scope, reference, roles, visible_site_ids
from models import write_transaction
from models.rules.periods import quarter_of
from models.rules.scoring import grade_for
from models.tables.inspections import Contractor, ContractorArea, Inspection
from models.tables.org import Area

blp = Blueprint(
    "contractors", __name__, url_prefix="/api/contractors", description="Contractors 服务供方"
)

READERS = ("admin", "hr", "supervisor", "manager")


def visible_contractors(query):
    """Confine a contractor query to the caller's sites: a contractor is seen through the
    areas it serves, so one serving none of the caller's sites is not there (admins see all,
    those serving no area yet included)."""
    site_ids = visible_site_ids()
    if site_ids is None:
        return query
    serving = (
        ContractorArea.select(ContractorArea.contractor).join(Area).where(Area.site.in_(site_ids))
    )
    return query.where(Contractor.id.in_(serving))


def contractor_or_404(contractor_id: int) -> Contractor:
    contractor = visible_contractors(
        Contractor.select().where(Contractor.id == contractor_id)
    ).first()
    if contractor is None:
        abort(404, "not_found", "No such contractor.")
    return contractor


def visible_links(contractors: list[int]):
    """The contractors' area links at the caller's sites only."""
    return in_scope(
        ContractorArea.select(ContractorArea)
        .join(Area)
        .where(ContractorArea.contractor.in_(contractors)),
        Area.site,
    ).order_by(ContractorArea.id)


def present(rows) -> list[dict]:
    """Contractors with the areas they serve at the caller's sites (another site's areas are
    not shown, as its objects never are)."""
    rows = list(rows)
    links: dict[int, list] = {r.id: [] for r in rows}
    if rows:
        for link in visible_links(list(links)):
            links[link.contractor_id].append({"area_id": link.area_id, "kind": link.kind})
    return [
        {
            **{
                f: getattr(r, f)
                for f in ("id", "name", "contact_name", "phone", "active", "created_at")
            },
            "service_kinds": r.kinds,
            "areas": links[r.id],
        }
        for r in rows
    ]


def set_areas(contractor: Contractor, areas: list[dict], kinds: list[str]) -> None:
    for index, link in enumerate(areas):
        reference(Area, link["area_id"], "areas")
        if link["kind"] not in kinds:
            abort(
                422,
                "validation_failed",
                f"The contractor does not provide {link['kind']}.",
                errors={"json": {"areas": {str(index): ["kind not among service_kinds"]}}},
            )
    ContractorArea.delete().where(ContractorArea.contractor == contractor).execute()
    for link in areas:
        # One contractor per area and kind: taking an area over moves it to this contractor.
        ContractorArea.delete().where(
            (ContractorArea.area == link["area_id"]) & (ContractorArea.kind == link["kind"])
        ).execute()
        ContractorArea.create(contractor=contractor, area=link["area_id"], kind=link["kind"])


class ContractorPage(PeeweePage):
    @property
    def items(self):
        return present(super().items)


@blp.route("")
class Contractors(MethodView):
    @roles(*READERS)
    @blp.arguments(ContractorQuerySchema, location="query")
    @blp.response(200, ContractorSchema(many=True))
    @blp.paginate(ContractorPage)
    def get(self, filters):
        """List the contractors serving areas at my sites (admins: every contractor)."""
        query = visible_contractors(Contractor.select()).order_by(Contractor.name)
        if "active" in filters:
            query = query.where(Contractor.active == filters["active"])
        if "kind" in filters:
            query = query.where(Contractor.service_kinds.contains(filters["kind"]))
        return query

    @roles("admin")
    @blp.arguments(ContractorCreateSchema)
    @blp.response(201, ContractorSchema)
    def post(self, data):
        """Add a contractor and the areas it serves."""
        areas = data.pop("areas", [])
        kinds = sorted(set(data.pop("service_kinds")))
        with write_transaction():
            contractor = Contractor.create(service_kinds=",".join(kinds), **data)
            set_areas(contractor, areas, kinds)
            audit("create", contractor)
        return present([contractor])[0]


@blp.route("/<int:contractor_id>")
class ContractorById(MethodView):
    @roles(*READERS)
    @blp.response(200, ContractorSchema)
    def get(self, contractor_id):
        """One contractor serving areas at my sites, with those areas."""
        contractor = contractor_or_404(contractor_id)
        return present([contractor])[0]

    @roles("admin")
    @blp.arguments(ContractorUpdateSchema)
    @blp.response(200, ContractorSchema)
    def patch(self, data, contractor_id):
        """Change a contractor or the areas it serves; set `active` to false to end it."""
        areas = data.pop("areas", None)
        with write_transaction():
            contractor = Contractor.get_or_none(Contractor.id == contractor_id)
            if contractor is None:
                abort(404, "not_found", "No such contractor.")
            if "service_kinds" in data:
                data["service_kinds"] = ",".join(sorted(set(data["service_kinds"])))
            update_audited(contractor, data)
            if areas is not None:
                set_areas(contractor, areas, contractor.kinds)
        return present([contractor])[0]


@blp.route("/<int:contractor_id>/ratings")
class ContractorRatings(MethodView):
    @roles(*READERS)
    @blp.arguments(RatingQuerySchema, location="query")
    @blp.response(200, QuarterRatingSchema(many=True))
    def get(self, filters, contractor_id):
        """The contractor's rating per quarter: the average score of its areas' inspections of
        the kinds it serves (at the sites I may see)."""
        contractor = contractor_or_404(contractor_id)
        year = filters["year"]
        served = visible_links([contractor.id])
        pairs = [(link.area_id, link.kind) for link in served]
        rows = []
        if pairs:
            condition = None
            for area_id, kind in pairs:
                term = (Inspection.area == area_id) & (Inspection.kind == kind)
                condition = term if condition is None else condition | term
            query = (
                in_scope(
                    Inspection.select(
                        Inspection.month,
                        fn.COUNT(Inspection.score).alias("n"),
                        fn.AVG(Inspection.score).alias("avg"),
                    ),
                    Inspection.site,
                )
                .where(
                    condition
                    & (Inspection.status == "final")
                    & Inspection.month.between(year * 100 + 1, year * 100 + 12)
                )
                .group_by(Inspection.month)
            )
            rows = list(query)
        # Monthly counts and averages from the database, weighted into quarters here.
        by_quarter = {q: [0, 0.0] for q in range(1, 5)}
        for row in rows:
            q = quarter_of(row.month)
            by_quarter[q][0] += row.n
            by_quarter[q][1] += (row.avg or 0) * row.n
        result = []
        for q, (count, total) in by_quarter.items():
            average = round(total / count, 1) if count else None
            band = grade_for(average, scoring_settings().bands)
            result.append(
                {
                    "year": year,
                    "quarter": q,
                    "inspections": count,
                    "average_score": average,
                    "grade": {"code": band.code, "name": band.name, "name_en": band.name_en}
                    if band
                    else None,
                }
            )
        return result
