from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from warmwinter.accounts.auth import request_user
from warmwinter.accounts.scoping import get_visible_or_404, visible_to
from warmwinter.core.validation import api_field
from warmwinter.pagination import BoundedLimitOffsetPagination
from warmwinter.places import geo, selectors, services
from warmwinter.places.models import KeyPlaceType, OrgLevel, OrgUnit, Place, PlaceKind
from warmwinter.places.validators import PLACE_SEARCH, Lat, Lng, OrgCode

router = Router()

Datum = Literal["wgs84", "gcj02"]


class OrgUnitOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None = Field(None, alias="parent.code")
    lat: float | None
    lng: float | None


class PlaceOut(Schema):
    id: int
    kind: str
    kind_label: str
    key_place_type: str
    name: str
    address: str
    org_unit_code: str = Field(..., alias="org_unit.code")
    org_unit_name: str = Field(..., alias="org_unit.name")
    lat: float
    lng: float
    h3_cell: str
    phone: str
    opening_hours: str
    capacity: int | None
    is_public: bool

    @staticmethod
    def resolve_kind_label(obj: Place) -> str:
        return str(obj.get_kind_display())


class PlaceDetailOut(PlaceOut):
    risk_notes: str


class NearbyPlaceOut(Schema):
    place: PlaceOut
    distance_m: float


class PlaceIn(Schema):
    kind: PlaceKind
    key_place_type: KeyPlaceType | Literal[""] = ""
    name: Annotated[str, api_field(Place, "name", min_length=1)]
    org_unit_code: OrgCode
    lat: Lat
    lng: Lng
    datum: Datum = Field("wgs84", description="坐标系：wgs84，或地图应用给出的 gcj02（自动换算）")
    address: Annotated[str, api_field(Place, "address")] = ""
    phone: Annotated[str, api_field(Place, "phone")] = ""
    opening_hours: Annotated[str, api_field(Place, "opening_hours")] = ""
    capacity: Annotated[int, api_field(Place, "capacity")] | None = None
    risk_notes: Annotated[str, api_field(Place, "risk_notes")] = ""
    is_public: bool = False


class PlaceFilter(Schema):
    kind: PlaceKind | None = None
    district: OrgCode | None = Field(None, description="区代码，如 310101")
    q: Annotated[str, api_field(PLACE_SEARCH)] = ""


class NearbyQuery(Schema):
    lat: Lat
    lng: Lng
    datum: Datum = "wgs84"
    radius_m: Annotated[float, Field(gt=0, le=20000, allow_inf_nan=False)] = 2000
    kind: PlaceKind | None = None


class ConvertedPoint(Schema):
    lat: float
    lng: float
    in_shanghai: bool


def _district_or_422(code: str | None) -> OrgUnit | None:
    if not code:
        return None
    district = selectors.district_by_code(code)
    if district is None:
        raise HttpError(422, _("没有代码为 %(code)s 的区") % {"code": code})
    return district


@router.get("/places", response=list[PlaceOut], summary="地点列表（按权限范围）")
@paginate(BoundedLimitOffsetPagination)
def list_places(request: HttpRequest, filters: Query[PlaceFilter]) -> Any:
    qs = selectors.places_for(
        user=request_user(request),
        kind=filters.kind,
        district=_district_or_422(filters.district),
        q=filters.q,
    )
    return qs


@router.get("/places/geojson", summary="地图图层：地点 GeoJSON（按权限范围）")
def places_geojson(request: HttpRequest, kind: PlaceKind | None = None) -> dict[str, Any]:
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [p.lng, p.lat]},
            "properties": {
                "id": p.pk,
                "name": p.name,
                "kind": p.kind,
                "kind_label": str(p.get_kind_display()),
                "key_place_type": str(p.get_key_place_type_display()) if p.key_place_type else "",
                "address": p.address,
                "org_unit": p.org_unit.name,
            },
        }
        for p in selectors.places_for(user=request_user(request), kind=kind)
    ]
    return {"type": "FeatureCollection", "features": features}


@router.get("/places/nearby", response=list[NearbyPlaceOut], summary="附近的地点（H3 索引）")
def nearby_places(request: HttpRequest, query: Query[NearbyQuery]) -> Any:
    point = geo.to_wgs84(query.lat, query.lng, datum=query.datum)
    geo.check_in_shanghai(point.lat, point.lng)
    found = selectors.places_near(
        selectors.places_for(user=request_user(request), kind=query.kind),
        lat=point.lat,
        lng=point.lng,
        radius_m=query.radius_m,
    )
    return found


@router.get("/places/{int:place_id}", response=PlaceDetailOut, summary="地点详情")
def get_place(request: HttpRequest, place_id: int) -> Any:
    return selectors.place_for(request_user(request), place_id)


@router.post("/places", response={201: PlaceDetailOut}, summary="新建地点")
def create_place(request: HttpRequest, payload: PlaceIn) -> Any:
    user = request_user(request)
    org_unit = get_visible_or_404(OrgUnit.objects.all(), user, code=payload.org_unit_code)
    place = services.place_create(
        by=user,
        org_unit=org_unit,
        **payload.dict(exclude={"org_unit_code"}),
    )
    return Status(201, place)


@router.get("/org-units", response=list[OrgUnitOut], summary="组织单位（区划、街镇、救助站）")
@paginate(BoundedLimitOffsetPagination)
def list_org_units(
    request: HttpRequest, level: OrgLevel | None = None, parent: OrgCode | None = None
) -> Any:
    qs = visible_to(OrgUnit.objects.select_related("parent"), request_user(request))
    if level:
        qs = qs.filter(level=level)
    if parent:
        qs = qs.filter(parent__code=parent)
    return qs


@router.get("/org-units/{code}", response=OrgUnitOut, summary="组织单位详情")
def get_org_unit(request: HttpRequest, code: OrgCode) -> Any:
    return get_visible_or_404(
        OrgUnit.objects.select_related("parent"), request_user(request), code=code
    )


@router.get("/geo/to-wgs84", response=ConvertedPoint, summary="GCJ-02 坐标换算为 WGS-84")
def convert_gcj02(request: HttpRequest, lat: Lat, lng: Lng) -> Any:
    point = geo.gcj02_to_wgs84(lat, lng)
    return {
        "lat": point.lat,
        "lng": point.lng,
        "in_shanghai": geo.in_shanghai(point.lat, point.lng),
    }
