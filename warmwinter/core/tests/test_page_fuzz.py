"""Walk every server-rendered page as each demo persona, with hostile query strings, hostile
path parameters and hostile form posts: no input may produce a server error (5xx), and a post
that is refused (4xx) creates nothing.

The data is the demo week (`seed_demo --seed 7`, seeded once for the module) and what it
happens to lack (`_supplement_the_demo`). For each persona in turn:

1. every route without parameters, then the links, `hx-get`s, image sources and form actions
   its pages answer with (so detail pages are reached with ids the persona may see), up to
   `URLS_PER_ROUTE` URLs per route; a route no link reached is tried from `PARAM_SOURCES`;
2. every distinct `<form method="post">` on the pages that answered 200 (see `post_variants`):
   filled in plausibly, as rendered, each named submit button, each option of a short select,
   one field at a time given the hostile values of its input type (hidden fields tampered
   with, a non-image as the photo), an empty post, every field hostile at once, a body that
   cannot be parsed; the main ones also as HTMX requests (`HX-Request: true`);
3. every page that answered 200 once more with hostile query strings (`HOSTILE_QUERIES`),
   over the parameters the views read and the fields of the page's GET forms;
4. the routes of those pages with one path parameter at a time hostile (0, 2**63, markup,
   NUL, 10 000 characters).

A form, a page's query string and a route's path are fuzzed in full by the first persona that
meets them; the personas after it send the form filled in and the mixed query (their scope
is what differs), to keep the walk under a minute.

A page that shows a refused form (one of its forms was sent and has errors) answers 422, the
one status of a refused form (core/forms.py), whatever the page and whether HTMX asked; a 400
is only the answer to a request that could not be read at all (core/middleware.py).

Every request runs in a savepoint that is rolled back afterwards, so each one meets the same
seeded data (a valid post does its work and is undone) and a server error on PostgreSQL does
not poison the rest of the walk. Failures are grouped by cause and reported together.

Not covered: the JSON API and Open311 (test_api_fuzz.py and the leads tests), the admin, the
PDF renderings (`?format=pdf`: slow, and the format is the only input), forms a page builds
in JavaScript (the patrol app's offline queue posts to the API), pages of records the data
lacks (a lead's photos, an undone merge), and sequences of requests (each starts again from
the seeded data).
"""

from __future__ import annotations

import logging
import os
import re
import traceback
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import models, transaction
from django.forms import BaseForm
from django.test import Client
from django.test.utils import ContextList
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import NoReverseMatch, Resolver404

import warmwinter
from warmwinter.accounts.models import User
from warmwinter.core import clock
from warmwinter.core.forms import REFUSED
from warmwinter.dispatch.models import Shift, Team
from warmwinter.leads.models import Lead, LeadPhoto
from warmwinter.leads.services import LeadReport, lead_receive
from warmwinter.notifications.models import PushSubscription
from warmwinter.patrols.models import Encounter, FollowUp, PatrolNight
from warmwinter.people.models import (
    FamilyInquiry,
    InquiryMatch,
    LinkReview,
    Person,
    PersonMerge,
    TracingNotice,
)
from warmwinter.people.tracing import inquiry_create
from warmwinter.places.models import OrgLevel, OrgUnit, Place, PlaceKind
from warmwinter.stations.models import Admission, AidDecision, ServiceCase
from warmwinter.stations.views import PRINT_FORMS
from warmwinter.supplies.models import Transfer, Warehouse, WarehouseKind
from warmwinter.weather.models import WeatherWarning

# One worker seeds once and walks every persona.
pytestmark = [pytest.mark.xdist_group("page_fuzz")]

#: (label, username): the demo personas; None is an anonymous visitor.
PERSONAS: list[tuple[str, str | None]] = [
    ("city admin", "city_admin"),
    ("district admin (supplies: receive, transfer, targets)", "huangpu_admin"),
    ("district dispatcher", "huangpu_dispatcher"),
    ("hotline operator", "hotline"),
    ("patrol member", "pudong_patrol"),
    ("station worker", "station1_worker"),
    ("station leader", "station1_leader"),
    ("reporter", "reporter"),
    ("auditor", "auditor"),
    ("anonymous", None),
]

#: URL prefixes walked elsewhere or not pages: the admin, the JSON API, Open311 (machine
#: API, fuzzed by its own tests), the language switch, static files.
SKIPPED_PREFIXES = ("/admin/", "/api/", "/open311/", "/i18n/", "/static/")
#: Routes that would end the session or are not HTML pages (service worker, manifest).
SKIPPED_ROUTES = {"accounts:logout", "patrols:sw", "patrols:manifest"}
#: How many concrete URLs of one route a persona visits (different objects, filters, pages).
URLS_PER_ROUTE = 2

LONG = "x" * 10_000
SCRIPT = "<script>alert(1)</script>"
NUL = "\x00"  # refused for every view at once (core/middleware.py): alone, never mixed in
#: An emoji, a right-to-left override, a CJK character beyond the BMP, a byte-order mark.
ODD_UNICODE = "🧊\u202e𠀀\ufeff"
HUGE_INT = "99999999999999999999"

#: Query parameters the views read (grep request.GET), given hostile values on every page.
QUERY_PARAMS = [
    "page", "q", "status", "district", "priority", "overdue", "format", "code", "kind",
    "w", "all", "group", "encounter", "lat", "lng", "age", "age_estimate", "name",
    "id_number", "phone", "sex", "person_id", "person_ref", "ref_type", "ref_id",
    "reporter_phone", "place_q", "station", "since", "until", "start", "date", "week",
]  # fmt: skip

#: A different kind of wrong in each parameter the views read most.
MIXED_QUERY = {
    "page": "abc", "district": SCRIPT, "priority": "9", "overdue": "1", "q": ODD_UNICODE,
    "status": "x", "format": "x", "lat": "nan", "lng": "inf", "age": "abc", "w": "abc",
    "person_id": "abc", "kind": "x", "sex": "x", "since": "2026-13-45", "start": "abc",
    "age_estimate": "NaN", "encounter": "abc", "until": "9999-12-31", "date": "0001-01-01",
    "week": "9999-W99",
}  # fmt: skip
#: (label, the value of every parameter in QUERY_PARAMS, or a query of its own). `page=-1`
#: and `page=99999999999999999999` are among "negative" and "huge number".
HOSTILE_QUERIES: list[tuple[str, str | dict[str, str]]] = [
    ("mixed", MIXED_QUERY),  # markup is in there
    ("NUL", NUL),
    ("10 000 chars", LONG),
    ("10 000 digits", "9" * 10_000),
    ("huge number", HUGE_INT),
    ("overflowing float", "1e309"),
    ("negative", "-1"),
]

#: Hostile values per input type, one field at a time.
TEXT_VALUES = [LONG, ODD_UNICODE, NUL]  # markup and blanks go into every field at once
NUMBER_VALUES = ["abc", "1e309", "-1", HUGE_INT]
DATE_VALUES = ["2026-13-45", "9999-12-31", "0001-01-01"]
DATETIME_VALUES = ["0000-00-00T99:99", "9999-12-31T23:59", "0001-01-01T00:00"]
TIME_VALUES = ["99:99", "abc"]
HIDDEN_VALUES = ["abc", HUGE_INT]
NOT_AN_OPTION = "<<not-an-option>>"

#: A plausible value for an empty field, so that a post gets past the form to the service.
PLAUSIBLE = {
    "text": "测试",
    "textarea": "测试说明",
    "search": "测试",
    "number": "1",
    "range": "1",
    "email": "test@example.cn",
    "tel": "13800138000",
    "url": "https://example.cn/",
    "date": f"{clock.local_date():%Y-%m-%d}",
    "datetime-local": f"{clock.local_date():%Y-%m-%d}T22:30",
    "time": "22:30",
    "password": "not-the-password",
}
PLAUSIBLE_BY_NAME = {"lat": "31.2304", "lng": "121.4737", "phone": "13800138000"}

#: Where our code lives, to name the line a server error came from.
OUR_CODE = str(Path(warmwinter.__file__).parent) + os.sep
#: Rows a refused post must not have created.
KEY_MODELS: list[type[models.Model]] = [Lead, Person, Encounter, Admission]


# --- candidates for path parameters no link reached ------------------------------------


def _spread(qs: models.QuerySet[Any], field_name: str = "pk") -> list[Any]:
    """The first, a middle and the last value of `field_name`: objects in and out of scope."""
    values = list(qs.order_by("pk").values_list(field_name, flat=True))
    if not values:
        return []
    return list(dict.fromkeys([values[0], values[len(values) // 2], values[-1]]))


def _pks(model: type[models.Model], field_name: str = "pk", **lookup: Any) -> Callable[[], list]:
    """Candidate values of `field_name` of `model`'s rows matching `lookup`."""
    return lambda: _spread(model._default_manager.filter(**lookup), field_name)


def _one_per_status(model: type[models.Model]) -> Callable[[], list[Any]]:
    """The first row in each status: each state's page shows its own forms."""

    def pks() -> list[Any]:
        first: dict[str, Any] = {}
        for pk, status in model._default_manager.order_by("pk").values_list("pk", "status"):
            first.setdefault(status, pk)
        return list(first.values())

    return pks


def _shift_pairs() -> list[dict[str, Any]]:
    return [{"pk": s.team_id, "shift_pk": s.pk} for s in Shift.objects.order_by("pk")[:2]]


def _photo_pairs() -> list[dict[str, Any]]:
    return [{"pk": p.lead_id, "photo_pk": p.pk} for p in LeadPhoto.objects.order_by("pk")[:2]]


_lead = _one_per_status(Lead)
_admission = _one_per_status(Admission)
_service = _one_per_status(ServiceCase)
_warehouse = _pks(Warehouse)
_stations = _pks(OrgUnit, "code", level=OrgLevel.STATION)
_districts = _pks(OrgUnit, "code", level=OrgLevel.DISTRICT)
_shelters = _pks(Place, kind=PlaceKind.TEMP_SHELTER)
_notices = _one_per_status(TracingNotice)
_inquiries = _pks(FamilyInquiry)

#: route → a function giving candidate kwargs (a list of dicts), or per parameter a function
#: giving candidate values. Every route with parameters must be here (the test says so). The
#: city admin opens them all (the links of the first pages need not show every state); the
#: other personas open them where no link took them.
PARAM_SOURCES: dict[
    str, Callable[[], list[dict[str, Any]]] | dict[str, Callable[[], list[Any]]]
] = {
    "dispatch:assign": {"pk": _lead},
    "dispatch:accept": {"pk": _lead},
    "dispatch:arrive": {"pk": _lead},
    "dispatch:close": {"pk": _lead},
    "dispatch:nobody_found": {"pk": _lead},
    "dispatch:ambulance": {"pk": _lead},
    "dispatch:team": {"pk": _pks(Team)},
    "dispatch:team_archive": {"pk": _pks(Team)},
    "dispatch:shift_add": {"pk": _pks(Team)},
    "dispatch:shift_remove": _shift_pairs,
    "dispatch:shift_repeat": _shift_pairs,
    "leads:track_code": {"code": _pks(Lead, "tracking_code")},
    "leads:detail": {"pk": _lead},
    "leads:photo": _photo_pairs,
    "leads:merge": {"pk": _lead},
    "leads:cancel": {"pk": _lead},
    "notifications:device_revoke": {"pk": _pks(PushSubscription)},
    "patrols:night": {"pk": _pks(PatrolNight)},
    "patrols:night_edit": {"pk": _pks(PatrolNight)},
    "patrols:encounter": {"pk": _pks(Encounter)},
    "patrols:encounter_arrival": {"pk": _pks(Encounter)},
    "patrols:follow_up_done": {"pk": _pks(FollowUp)},
    "people:detail": {"pk": _pks(Person)},
    "people:edit": {"pk": _pks(Person)},
    "people:review_decide": {"pk": _one_per_status(LinkReview)},
    "people:merge_undo": {"pk": _pks(PersonMerge)},
    "people:notice_edit": {"pk": _notices},
    "people:notice_approve": {"pk": _notices},
    "people:notice_withdraw": {"pk": _notices},
    "people:inquiry_detail": {"pk": _inquiries},
    "people:inquiry_photo": {"pk": _inquiries},
    "people:inquiry_decide": {"pk": _pks(InquiryMatch)},
    "people:public_notice_photo": {"pk": _notices},
    "places:detail": {"pk": _pks(Place)},
    "stations:home": {"code": _stations},
    "stations:admit": {"code": _stations},
    "stations:disinfection": {"code": _stations},
    "stations:roster": {"code": _stations},
    "stations:rounds": {"code": _stations},
    "stations:long_stay": {"code": _stations},
    "stations:refuse": {"code": _stations},
    "stations:shelter": {"pk": _shelters},
    "stations:shelter_admit": {"pk": _shelters},
    "stations:decision_print": {"pk": _pks(AidDecision)},
    "stations:terminate": {"pk": _admission},
    "stations:placement_step": {"pk": _admission},
    "stations:health": {"pk": _admission},
    "stations:admission": {"pk": _admission},
    "stations:print_registration": {"pk": _admission},
    "stations:print": {"pk": _admission, "form": lambda: list(PRINT_FORMS)},
    "stations:assign_bed": {"pk": _admission},
    "stations:extend": {"pk": _admission},
    "stations:visit": {"pk": _admission},
    "stations:discharge": {"pk": _admission},
    "stations:open_service": {"pk": _admission},
    "stations:service_step": {"pk": _service},
    "stations:service_close": {"pk": _service},
    "supplies:warehouse": {"pk": _warehouse},
    "supplies:issue": {"pk": _warehouse},
    "supplies:receive": {"pk": _warehouse},
    "supplies:transfer": {"pk": _warehouse},
    "supplies:correct": {"pk": _warehouse},
    "supplies:mobile_issue": {"pk": _pks(Warehouse, kind=WarehouseKind.MOBILE)},
    "supplies:transfer_receive": {"pk": _one_per_status(Transfer)},
    "supplies:export": {"kind": lambda: ["stock", "movements", "given"]},  # its _EXPORTS
    "weather:warning": {"pk": _pks(WeatherWarning)},
    "weather:district": {"code": _districts},
    "weather:set_level": {"code": _districts},
}

#: Hostile values per path converter.
HOSTILE_PATH_VALUES: dict[str, list[Any]] = {
    "int": [0, 2**63],
    "str": [SCRIPT, NUL, LONG, "%"],
    "slug": ["zzz", "x" * 300],
}


# --- routes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # namespaced: "leads:detail"
    pattern: str  # the path with its parameters as <converter:name>
    converters: tuple[tuple[str, str], ...]  # (parameter, converter type)


_CONVERTER_TYPES = {"IntConverter": "int", "StringConverter": "str", "SlugConverter": "slug"}


def walk_routes() -> list[Route]:
    routes: list[Route] = []

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for p in patterns:
            route = str(p.pattern)
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, prefix + route, ns)
            elif isinstance(p, URLPattern) and p.name:
                path = "/" + prefix + route
                name = namespace + p.name
                if path.startswith(SKIPPED_PREFIXES) or name in SKIPPED_ROUTES:
                    continue
                converters = getattr(p.pattern, "converters", {})
                routes.append(
                    Route(
                        name=name,
                        pattern=path,
                        converters=tuple(
                            (k, _CONVERTER_TYPES.get(type(c).__name__, "str"))
                            for k, c in converters.items()
                        ),
                    )
                )

    walk(get_resolver().url_patterns, "", "")
    return routes


# --- forms -----------------------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # an input type, "textarea" or "select"
    value: str = ""
    options: list[str] = field(default_factory=list)
    selected: list[str] = field(default_factory=list)
    checked: bool = False
    multiple: bool = False


@dataclass
class Form:
    method: str
    action: str
    enctype: str
    fields: list[Field] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)


class PageParser(HTMLParser):
    """The forms of a page and the URLs it points to (links, hx-get, image sources)."""

    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.forms: list[Form] = []
        self.urls: list[str] = []
        self._form: Form | None = None
        self._by_id: dict[str, Form] = {}
        self._select: Field | None = None
        self._option: tuple[str | None, bool] | None = None
        self._option_text = ""
        self._textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        for key in ("href", "hx-get", "src"):
            if a.get(key):
                self.urls.append(urljoin(self.base, a[key]))
        if tag == "form":
            self._form = Form(
                method=a.get("method", "get").lower(),
                action=urljoin(self.base, a.get("action") or a.get("hx-post") or self.base),
                enctype=a.get("enctype", "application/x-www-form-urlencoded"),
            )
            if a.get("hx-post"):
                self._form.method = "post"
            self.forms.append(self._form)
            if a.get("id"):
                self._by_id[a["id"]] = self._form
            return
        form = self._by_id.get(a["form"]) if a.get("form") else self._form
        if form is None or "disabled" in a:
            return
        name = a.get("name", "")
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "image"):
                if name:
                    form.buttons.append((name, a.get("value", "")))
            elif name and kind not in ("reset", "button"):
                form.fields.append(
                    Field(name, kind, value=a.get("value", ""), checked="checked" in a)
                )
        elif tag == "button" and a.get("type", "submit").lower() == "submit" and name:
            form.buttons.append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = Field(name, "textarea")
            form.fields.append(self._textarea)
        elif tag == "select" and name:
            self._select = Field(name, "select", multiple="multiple" in a)
            form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = (a.get("value"), "selected" in a)
            self._option_text = ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data
        if self._option is not None:
            self._option_text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag in ("option", "select") and self._option is not None:
            value, selected = self._option
            value = self._option_text.strip() if value is None else value
            assert self._select is not None
            self._select.options.append(value)
            if selected:
                self._select.selected.append(value)
            self._option = None
        if tag == "select":
            self._select = None


Payload = dict[str, list[Any]]


def as_rendered(form: Form, *, plausible: bool) -> Payload:
    """What a browser sends for `form` untouched, or `plausible`: with its empty fields filled
    in and a radio button chosen, so that the post gets past the form to the service."""
    data: Payload = defaultdict(list)
    for f in form.fields:
        if f.kind == "checkbox" and f.checked:
            data[f.name].append(f.value or "on")
        elif f.kind == "radio":
            if f.checked or (plausible and f.name not in data):
                data[f.name] = [f.value or "on"]
        elif f.kind == "select":
            chosen = f.selected or [o for o in f.options if o][:1] or f.options[:1]
            data[f.name] += chosen if f.multiple else chosen[:1]
        elif f.kind not in ("checkbox", "file"):
            value = f.value
            if plausible and not value.strip():
                value = PLAUSIBLE_BY_NAME.get(f.name, PLAUSIBLE.get(f.kind, "1"))
            data[f.name].append(value)
    if form.buttons:
        name, value = form.buttons[0]
        data[name] = [value]
    return {k: v for k, v in data.items() if v}


def hostile_values(f: Field) -> list[Any]:
    """The hostile values for one field, by its input type."""
    kind = f.kind
    if kind in ("number", "range"):
        return NUMBER_VALUES
    if kind == "date":
        return DATE_VALUES
    if kind == "datetime-local":
        return DATETIME_VALUES
    if kind == "time":
        return TIME_VALUES
    if kind in ("select", "checkbox", "radio"):
        return [NOT_AN_OPTION]
    if kind == "hidden":
        return [] if f.name == "csrfmiddlewaretoken" else HIDDEN_VALUES
    if kind == "file":
        return [
            SimpleUploadedFile("note.txt", b"not an image", content_type="text/plain"),
            SimpleUploadedFile("photo.jpg", b"\xff\xd8 truncated", content_type="image/jpeg"),
        ]
    return TEXT_VALUES  # text, textarea, search, email, tel, url, password, anything new


def post_variants(form: Form, *, first: bool) -> Iterator[tuple[str, Payload, bool]]:
    """(what, payload, also as HTMX): the posts one form is fuzzed with. The `first` time a
    form is met it gets every option of its short selects, every hostile value in every
    field one at a time, and hostile values in every field at once; later (another persona,
    another scope) it is posted filled in."""
    base = as_rendered(form, plausible=True)
    # One field per name: a group of checkboxes or radios is one field to the server.
    fields: dict[str, Field] = {}
    for f in form.fields:
        fields.setdefault(f.name, f)
    typed = [f for f in fields.values() if f.kind not in ("hidden", "file")]

    def every_field(k: int) -> Payload:
        """The k-th hostile value in every field (not NUL, which has the post refused whole)."""
        values = {f.name: [v for v in hostile_values(f) if v != NUL] for f in typed}
        return {**base, **{name: [vs[k % len(vs)]] for name, vs in values.items()}}

    yield "filled in", base, True
    if not first:
        return
    yield "as rendered", as_rendered(form, plausible=False), False
    for name, value in form.buttons[1:]:
        yield f"button {name}={value}", {**base, name: [value]}, False
    for f in fields.values():
        if f.kind in ("select", "radio") and not f.multiple and len(f.options) <= 10:
            for option in [o for o in f.options if [o] != base.get(f.name)][:3]:
                yield f"{f.name}={_short(option)} (an option)", {**base, f.name: [option]}, False
        for value in hostile_values(f):
            shown = value.name if isinstance(value, SimpleUploadedFile) else _short(value)
            yield f"{f.name}={shown}", {**base, f.name: [value]}, False
    yield "empty post", {k: v for k, v in base.items() if k == "csrfmiddlewaretoken"}, True
    yield "every field hostile (#1)", every_field(0), True
    yield "every field hostile (#2)", every_field(1), False
    for label, value in (("markup", SCRIPT), ("blank", "   ")):
        yield f"every field {label}", {**base, **{f.name: [value] for f in typed}}, False


def _short(value: Any) -> str:
    text = str(value)
    return repr(text if len(text) <= 30 else f"{text[:12]}…({len(text)} chars)")


# --- the walk --------------------------------------------------------------------------


@dataclass
class Coverage:
    """What the walk has covered so far, over all personas, and what failed."""

    routes: dict[str, Route]
    baseline_counts: list[int]
    #: cause (an exception and where our code raised it) → the requests that met it
    failures: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    forms_done: set[tuple[str, tuple[str, ...]]] = field(default_factory=set)
    queries_done: set[str] = field(default_factory=set)
    paths_done: set[str] = field(default_factory=set)
    pages: int = 0
    forms: int = 0
    posts: int = 0
    requests: int = 0


@dataclass
class PersonaWalk:
    persona: str
    client: Client
    cov: Coverage
    visited: set[str] = field(default_factory=set)
    per_route: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    pages: dict[str, str] = field(default_factory=dict)  # route → first URL answering 200
    get_fields: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    forms_seen: set[tuple[str, tuple[str, ...]]] = field(default_factory=set)

    def request(self, method: str, url: str, what: str, **kwargs: Any) -> Any:
        """One request in a savepoint that is rolled back; a 5xx or an exception is a failure.
        A refused post (4xx) must leave the key tables as they were."""
        self.cov.requests += 1
        cache.clear()  # rate limits would otherwise answer 429 to most of the walk
        try:
            with transaction.atomic():
                response = getattr(self.client, method)(url, **kwargs)
                if method == "post" and 400 <= response.status_code < 500:
                    counts = [m._default_manager.count() for m in KEY_MODELS]
                    if counts != self.cov.baseline_counts:
                        cause = (
                            f"a refused post created rows ({self.cov.baseline_counts} → {counts})"
                        )
                        self._fail(method, url, what, cause, str(response.status_code))
                transaction.set_rollback(True)
        except Exception as exc:  # noqa: BLE001 - any exception is a finding, reported with the rest
            self._fail(method, url, what, *_describe(exc))
            return None
        if response.streaming:  # consuming it closes it, as the test client arranges
            b"".join(response.streaming_content)
        if response.status_code >= 500:
            self._fail(method, url, what, f"status {response.status_code}", "")
        elif response.status_code != REFUSED and _refused_forms(response):
            cause = f"a refused form answered {response.status_code}, not {REFUSED}"
            self._fail(method, url, what, cause, ", ".join(_refused_forms(response)))
        elif response.status_code == 400 and "400.html" not in _templates(response):
            cause = f"a refusal answered 400 (unreadable requests only), not {REFUSED}"
            self._fail(method, url, what, cause, "")
        return response

    def _fail(self, method: str, url: str, what: str, cause: str, detail: str) -> None:
        shown = url if len(url) <= 120 else f"{url[:100]}…({len(url)} chars)"
        line = f"[{self.persona}] {method.upper()} {shown} [{what}]" + (
            f": {detail}" if detail else ""
        )
        self.cov.failures[cause].append(line)

    def route_of(self, url: str) -> tuple[Route, str] | None:
        """The walked route `url` is a page of, and the URL as the test client wants it."""
        parts = urlsplit(url)
        if parts.netloc not in ("", "testserver"):
            return None
        try:
            match = resolve(parts.path)
        except Resolver404:
            return None
        route = self.cov.routes.get(match.view_name)
        if route is None:
            return None
        return route, parts.path + (f"?{parts.query}" if parts.query else "")

    def crawl(self, start: list[str], *, beyond_cap: bool = False) -> None:
        """Visit `start` (`beyond_cap`: however many of a route) and what its pages link to,
        `URLS_PER_ROUTE` URLs per route; fuzz their forms."""
        queue = [(url, beyond_cap) for url in start]
        while queue:
            link, exempt = queue.pop(0)
            found = self.route_of(link)
            if found is None or found[1] in self.visited:
                continue
            route, url = found
            if "format=pdf" in url or (self.per_route[route.name] >= URLS_PER_ROUTE and not exempt):
                continue
            self.visited.add(url)
            self.per_route[route.name] += 1
            response = self.request("get", url, "as linked")
            if response is None or response.status_code != 200:
                continue
            if "html" not in response.get("Content-Type", ""):
                continue
            if route.name not in self.pages:
                self.pages[route.name] = url
                self.cov.pages += 1
            parser = PageParser(url)
            parser.feed(response.content.decode("utf-8", "replace"))
            queue += [(u, False) for u in parser.urls]
            for form in parser.forms:
                queue.append((form.action, False))  # a form's target is a page of its own too
                if form.method == "post":
                    self.fuzz_form(url, form)
                else:
                    self.get_fields[route.name].update(f.name for f in form.fields)

    def fuzz_form(self, page: str, form: Form) -> None:
        found = self.route_of(form.action)
        if found is None:
            return
        route, action = found
        key = (route.name, tuple(sorted({f.name for f in form.fields})))
        if key in self.forms_seen:
            return
        self.forms_seen.add(key)
        first = key not in self.cov.forms_done
        self.cov.forms_done.add(key)
        self.cov.forms += 1
        multipart = "multipart" in form.enctype or any(f.kind == "file" for f in form.fields)
        sent: set[str] = set()  # a form with few fields gives the same payload more than once
        for what, payload, htmx_too in post_variants(form, first=first):
            same = repr(sorted((k, [getattr(i, "name", i) for i in v]) for k, v in payload.items()))
            if same in sent:
                continue
            sent.add(same)
            for htmx in (False, True) if htmx_too else (False,):
                kwargs: dict[str, Any] = {"headers": {"HX-Request": "true"}} if htmx else {}
                if multipart:
                    for item in (i for v in payload.values() for i in v):
                        if isinstance(item, SimpleUploadedFile):
                            item.seek(0)
                    kwargs["data"] = payload
                else:
                    kwargs["data"] = urlencode(payload, doseq=True)
                    kwargs["content_type"] = "application/x-www-form-urlencoded"
                self.cov.posts += 1
                label = f"form on {page}: {what}" + (" (HTMX)" if htmx else "")
                self.request("post", action, label, **kwargs)
        if first:  # a body that cannot be parsed: multipart without its boundary
            self.cov.posts += 1
            unreadable = {"data": b"a=1", "content_type": "multipart/form-data"}
            self.request("post", action, f"form on {page}: unreadable body", **unreadable)

    def fuzz_queries(self) -> None:
        """Each page that answered 200 again, with hostile query strings."""
        for route_name, url in self.pages.items():
            path = urlsplit(url).path
            names = [*QUERY_PARAMS, *sorted(self.get_fields[route_name] - set(QUERY_PARAMS))]
            first = route_name not in self.cov.queries_done
            self.cov.queries_done.add(route_name)
            for label, values in HOSTILE_QUERIES if first else HOSTILE_QUERIES[:1]:
                params = values if isinstance(values, dict) else dict.fromkeys(names, values)
                query = urlencode(params)
                self.request("get", f"{path}?{query}", f"query: {label}")
            if first:
                mixed = urlencode(MIXED_QUERY)
                htmx = {"HX-Request": "true"}
                self.request("get", f"{path}?{mixed}", "query: mixed (HTMX)", headers=htmx)

    def kwargs_of_page(self, route: Route) -> dict[str, Any]:
        """The path parameters of the page of `route` this persona opened."""
        return resolve(urlsplit(self.pages[route.name]).path).kwargs

    def fuzz_paths(self, routes: list[Route], real: Callable[[Route], dict[str, Any]]) -> None:
        """`routes` with one path parameter at a time hostile, the others `real`."""
        for route in routes:
            if route.name in self.cov.paths_done or not route.converters:
                continue
            self.cov.paths_done.add(route.name)
            kwargs = real(route)
            for param, converter in route.converters:
                for value in HOSTILE_PATH_VALUES[converter]:
                    try:
                        url = reverse(route.name, kwargs={**kwargs, param: value})
                    except NoReverseMatch:  # a value the converter refuses is no request
                        continue
                    self.request("get", url, f"path {param}={_short(value)}")
                    self.request("post", url, f"path {param}={_short(value)}")


def _templates(response: Any) -> set[str]:
    return {t.name for t in getattr(response, "templates", []) if t.name}


def _refused_forms(response: Any) -> list[str]:
    """The forms in the page's context that were sent, validated and refused."""
    found: dict[int, str] = {}
    rendered = getattr(response, "context", None)
    if rendered is None:
        return []
    for context in rendered if isinstance(rendered, ContextList) else [rendered]:
        for value in context.flatten().values():
            # `_errors` is set once the view validated the form: never validate one here.
            if isinstance(value, BaseForm) and value.is_bound and getattr(value, "_errors", None):
                found[id(value)] = type(value).__name__
    return sorted(found.values())


def _describe(exc: BaseException) -> tuple[str, str]:
    """(the exception's type and the innermost frame of our own code it came through, its
    message)."""
    ours = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(OUR_CODE)]
    where = f" at {ours[-1].filename[len(OUR_CODE) :]}:{ours[-1].lineno}" if ours else ""
    return f"{type(exc).__name__}{where}", re.sub(r"\s+", " ", str(exc))[:160]


def first_candidate(route: Route) -> dict[str, Any]:
    """Path parameters for `route`: the first candidate, or any value the converter takes."""
    filler = {"int": 1, "str": "x", "slug": "x"}
    found = (candidates(route) or [{}])[0]
    return {p: found.get(p, filler[c]) for p, c in route.converters}


def candidates(route: Route) -> list[dict[str, Any]]:
    """Path parameters for `route` from the seeded data, for routes no link reached."""
    source = PARAM_SOURCES.get(route.name)
    if source is None:
        return []
    if callable(source):
        return source()
    per_param = {param: source[param]() for param, _ in route.converters}
    if not all(per_param.values()):
        return []
    # Vary one parameter at a time around the first value of the others.
    first = {param: values[0] for param, values in per_param.items()}
    out = [first]
    for param, values in per_param.items():
        out += [{**first, param: v} for v in values[1:]]
    return out


# --- the test --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_site(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The demo week, seeded once for the module in a transaction rolled back at its end."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("seed_demo", seed=7, stdout=StringIO())
            _supplement_the_demo()
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def quiet_refusals() -> Iterator[None]:
    """Thousands of refusals are the point here: do not log each 4xx (with its traceback) as
    a warning. Server errors are still logged."""
    loggers = [logging.getLogger(name) for name in ("django.request", "django.security")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    yield
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


def _supplement_the_demo() -> None:
    """What the demo week happens not to hold, though pages have forms for it: a family inquiry
    matched to a file, and one spot reported twice just now (a likely duplicate to merge)."""
    admin = User.objects.get(username="city_admin")
    person = Person.objects.exclude(name="").order_by("pk").first()
    assert person is not None
    inquiry_create(
        by=admin,
        org_unit=OrgUnit.objects.get(code="310000"),
        sought_name=person.name,
        sex=person.sex,
        contact_name="张丽",
        contact_phone="13900001111",
    )
    spot = Place.objects.filter(kind=PlaceKind.KEY_PLACE, org_unit__code__startswith="310101")
    place = spot.order_by("pk").first()
    assert place is not None
    for description in ("桥下有人躺着", "桥洞里有位老人"):
        report = LeadReport(channel="grid", lat=place.lat, lng=place.lng, description=description)
        lead_receive(report=report, by=admin)


def test_every_route_with_parameters_has_candidate_values():
    missing = [
        f"{r.name} ({r.pattern})"
        for r in walk_routes()
        if r.converters and r.name not in PARAM_SOURCES
    ]
    assert missing == [], "add these routes to PARAM_SOURCES so the fuzz reaches them"


def test_no_page_input_causes_a_server_error(demo_site, db, quiet_refusals):
    routes = {r.name: r for r in walk_routes()}
    cov = Coverage(routes=routes, baseline_counts=[m._default_manager.count() for m in KEY_MODELS])
    walks: list[PersonaWalk] = []
    for persona, username in PERSONAS:
        client = Client()
        if username:
            client.force_login(User.objects.get(username=username))
        walk = PersonaWalk(persona=persona, client=client, cov=cov)
        walk.crawl([reverse(r.name) for r in routes.values() if not r.converters])
        everything = not walks  # the city admin, who sees every record
        for route in routes.values():
            if route.converters and (everything or walk.per_route[route.name] == 0):
                urls = [reverse(route.name, kwargs=kw) for kw in candidates(route)]
                walk.crawl(urls, beyond_cap=everything)
        walk.fuzz_queries()
        # Hostile path parameters, around the ids of a page this persona could open.
        walk.fuzz_paths([routes[name] for name in walk.pages], walk.kwargs_of_page)
        walks.append(walk)
    # The routes no persona could open, as the city admin.
    walks[0].fuzz_paths(list(routes.values()), first_candidate)
    summary = (
        f"{len(routes)} routes, {len(cov.queries_done)} of them opened (200) by someone; "
        f"{cov.pages} pages (route × persona), {len(cov.forms_done)} distinct forms "
        f"({cov.forms} form × persona), {cov.posts} posts, {cov.requests} requests"
    )
    print(summary)
    report = [
        f"{cause} ({len(lines)} requests):\n  " + "\n  ".join(lines)
        for cause, lines in cov.failures.items()
    ]
    assert not report, f"{len(report)} kinds of failure ({summary}):\n" + "\n".join(report)
