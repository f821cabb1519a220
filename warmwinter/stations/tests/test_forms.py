"""The national standard forms (民发〔2014〕132号) print from the records, filled and ready to
sign — as a page and as a PDF with the Chinese font embedded — and the decisions behind
不予救助通知书 and 终止救助通知书 are recorded with their grounds, who decided and when."""

import re
import zlib

import pytest
from django.core.exceptions import ValidationError

from warmwinter.audit.models import AuditEvent
from warmwinter.people.models import TimelineEntry
from warmwinter.stations import pdf, services
from warmwinter.stations.models import AidDecision, DischargeReason


def _streams(body: bytes) -> list[bytes]:
    out = []
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", body, re.S):
        try:
            out.append(zlib.decompress(raw))
        except zlib.error:
            out.append(raw)
    return out


def _pdf_text_chars(body: bytes) -> set[str]:
    """Every character the PDF's fonts map back to text (their ToUnicode CMaps): what a
    reader's copy-and-paste or search finds."""
    chars: set[str] = set()
    for stream in _streams(body):
        for hexes in re.findall(rb"<[0-9a-fA-F]+>\s*<([0-9a-fA-F]+)>", stream):
            text = bytes.fromhex(hexes.decode()).decode("utf-16-be", errors="ignore")
            chars.update(text)
    return chars


def _assert_pdf_with(body: bytes, *texts: str) -> None:
    assert body.startswith(b"%PDF-")
    objects = body + b"".join(_streams(body))
    assert b"/FontFile2" in objects, "a TrueType font is embedded"
    assert b"Noto-Sans-SC" in objects
    pages = re.findall(rb"/Type\s*/Page(?![s\w])", objects)
    assert len(pages) == 1, "the form fits on one A4 sheet"
    chars = _pdf_text_chars(body)
    for text in texts:
        missing = {c for c in text if not c.isspace()} - chars
        assert not missing, f"{text!r}: {missing} not in the PDF's text"


@pytest.fixture
def admission(admit):
    return admit(
        new_person={"name": "王小明", "sex": "male", "age_estimate": 45},
        held_items="手机一部",
        held_items_seal="F-0012",
    )


@pytest.fixture
def refusal(station_leader, station1):
    return services.aid_refuse(
        by=station_leader,
        station=station1,
        new_person={"name": "赵有钱", "sex": "male", "age_estimate": 35},
        reason="not_in_need",
        detail="本人持有返程车票和现金，可自行解决食宿",
    )


@pytest.fixture
def termination(station_leader, admission):
    return services.aid_terminate(
        by=station_leader,
        admission=admission,
        reason="violated_rules",
        detail="酒后殴打同室受助人员，经劝阻不改",
    )


@pytest.mark.parametrize(
    ("form", "title"),
    [
        ("registration", "求助登记表"),
        ("service-discharge", "在站服务及离站登记表"),
        ("self-leave", "自行离站声明书"),
    ],
)
def test_each_admission_form_prints_as_a_page_and_as_a_pdf_with_the_person_on_it(
    client_for, station_worker, admission, form, title
):
    client = client_for(station_worker)
    url = f"/stations/admissions/{admission.pk}/print/{form}/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert title in html and "王小明" in html and "签字" in html
    response = client.get(url, {"format": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    _assert_pdf_with(response.content, title, "王小明")
    assert AuditEvent.objects.filter(detail__print=form, detail__format="pdf").exists()


def test_refusal_notice_prints_with_the_grounds_and_who_decided(
    client_for, station_worker, refusal
):
    client = client_for(station_worker)
    html = client.get(f"/stations/decisions/{refusal.pk}/").content.decode()
    assert "不予救助通知书" in html and "赵有钱" in html
    assert "有条件自行解决食宿或返回" in html and "返程车票" in html and "station1_leader" in html
    response = client.get(f"/stations/decisions/{refusal.pk}/", {"format": "pdf"})
    _assert_pdf_with(response.content, "不予救助通知书", "赵有钱", "返程车票")


def test_termination_notice_prints_and_the_stay_ends_with_the_decision(
    client_for, station_worker, termination, admission
):
    admission.refresh_from_db()
    assert admission.status == "discharged"
    assert admission.discharge_reason == DischargeReason.TERMINATED
    client = client_for(station_worker)
    html = client.get(f"/stations/decisions/{termination.pk}/").content.decode()
    assert "终止救助通知书" in html and "王小明" in html and "严重违反" in html
    assert "手机一部" in html
    detail = client.get(f"/stations/admissions/{admission.pk}/").content.decode()
    assert "酒后殴打" in detail
    response = client.get(f"/stations/decisions/{termination.pk}/", {"format": "pdf"})
    _assert_pdf_with(response.content, "终止救助通知书", "王小明")


def test_another_station_cannot_see_a_decision_or_print_a_form(
    client_for, s2_worker, refusal, termination, admission
):
    client = client_for(s2_worker)
    for url in (
        f"/stations/decisions/{refusal.pk}/",
        f"/stations/decisions/{termination.pk}/?format=pdf",
        f"/stations/admissions/{admission.pk}/print/registration/?format=pdf",
    ):
        assert client.get(url).status_code == 404, url


def test_the_city_prints_any_stations_decision(client_for, city_admin, refusal):
    assert client_for(city_admin).get(f"/stations/decisions/{refusal.pk}/").status_code == 200


def test_a_leader_refuses_aid_through_the_page_and_the_notice_follows(client_for, station_leader):
    client = client_for(station_leader)
    assert client.get("/stations/s/S310000-1/refuse/").status_code == 200
    response = client.post(
        "/stations/s/S310000-1/refuse/",
        {"name": "钱某", "sex": "female", "reason": "false_info", "detail": "多次冒用他人姓名"},
    )
    decision = AidDecision.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(
        f"/stations/decisions/{decision.pk}/"
    )
    assert decision.kind == "refuse" and decision.decided_by == station_leader
    assert AuditEvent.objects.filter(action="create", target_id=str(decision.pk)).exists()
    assert TimelineEntry.objects.filter(person=decision.person, summary__contains="不予救助")
    home = client.get("/stations/s/S310000-1/").content.decode()
    assert "钱某" in home.split('data-testid="decisions"')[1]


def test_a_refusal_needs_the_facts_and_a_ground_that_fits(client_for, station_leader):
    client = client_for(station_leader)
    response = client.post(
        "/stations/s/S310000-1/refuse/",
        {"name": "钱某", "sex": "female", "reason": "violated_rules", "detail": " "},
    )
    assert response.status_code == 422
    assert not AidDecision.objects.exists()


def test_a_worker_cannot_decide_only_the_leader_can(client_for, station_worker, admission):
    client = client_for(station_worker)
    assert client.get("/stations/s/S310000-1/refuse/").status_code == 403
    response = client.post(
        f"/stations/admissions/{admission.pk}/terminate/",
        {"reason": "violated_rules", "detail": "打架"},
    )
    assert response.status_code == 403
    assert not AidDecision.objects.exists()


def test_a_leader_terminates_through_the_page(client_for, station_leader, admission):
    response = client_for(station_leader).post(
        f"/stations/admissions/{admission.pk}/terminate/",
        {"reason": "stay_ended", "detail": "期满三次劝离仍拒绝离站"},
    )
    decision = AidDecision.objects.get()
    assert response.status_code == 302
    assert decision.admission == admission and decision.kind == "terminate"


def test_aid_is_not_terminated_for_a_minor(client_for, station_leader, admit):
    minor = admit(new_person={"name": "小刚", "sex": "male", "age_estimate": 15})
    response = client_for(station_leader).post(
        f"/stations/admissions/{minor.pk}/terminate/",
        {"reason": "violated_rules", "detail": "打架"},
    )
    assert response.status_code == 422
    assert "未成年人不得终止救助" in response.content.decode()
    minor.refresh_from_db()
    assert minor.status == "in_station"


def test_a_missing_font_is_a_clear_error_not_a_crash(
    client_for, station_worker, admission, settings, tmp_path
):
    settings.STATIONS_PDF_FONT_DIR = str(tmp_path)
    response = client_for(station_worker).get(
        f"/stations/admissions/{admission.pk}/print/registration/", {"format": "pdf"}
    )
    assert response.status_code == 503
    assert (
        "Noto Sans SC" in response.content.decode() and "npm install" in response.content.decode()
    )
    with pytest.raises(pdf.FormFontMissing):
        pdf.font_files()


def test_the_pdf_never_fetches_anything_but_the_fonts():
    fetcher = pdf._url_fetcher()
    with pytest.raises(ValueError, match="不加载外部资源"):
        fetcher.fetch("file:///etc/passwd")
    with pytest.raises(ValueError):
        fetcher.fetch("http://example.com/x.png")


def test_a_plain_discharge_cannot_claim_aid_was_terminated(client_for, station_worker, admission):
    response = client_for(station_worker).post(
        f"/stations/admissions/{admission.pk}/discharge/", {"reason": "terminated"}
    )
    assert response.status_code == 422
    with pytest.raises(ValidationError, match="带班领导作出决定"):
        services.discharge(by=station_worker, admission=admission, reason="terminated")
    admission.refresh_from_db()
    assert admission.status == "in_station"
