"""登记统计: daily counts per station, as a page and as xlsx."""

import io
from datetime import timedelta

from django.utils import timezone
from openpyxl import load_workbook

from warmwinter.audit.models import AuditEvent
from warmwinter.core import clock
from warmwinter.stations import services, statistics


def test_daily_counts_show_admitted_present_discharged_minors_and_elderly(
    admit, station_worker, station1
):
    now = timezone.now()
    today = clock.local_date()
    admit(
        admitted_at=now - timedelta(days=2),
        new_person={"name": "甲", "sex": "female", "age_estimate": 15},
    )
    old = admit(
        admitted_at=now - timedelta(days=2),
        new_person={"name": "乙", "sex": "male", "age_estimate": 80},
    )
    admit(new_person={"name": "丙", "sex": "male", "age_estimate": 30})
    services.discharge(by=station_worker, admission=old, reason="to_family")
    rows = {
        r.day: r
        for r in statistics.daily_rows(
            user=station_worker, start=today - timedelta(days=2), end=today, station=station1
        )
    }
    two_days_ago = rows[today - timedelta(days=2)]
    assert (two_days_ago.admitted, two_days_ago.minors, two_days_ago.elderly) == (2, 1, 1)
    assert two_days_ago.present == 2
    assert rows[today].admitted == 1
    assert rows[today].discharged["to_family"] == 1
    assert rows[today].present == 2  # 甲 and 丙; 乙 left today


def test_statistics_page_and_xlsx_export(client_for, station_worker, admit):
    admit(new_person={"name": "甲", "sex": "female", "age_estimate": 15})
    client = client_for(station_worker)
    page = client.get("/stations/statistics/")
    assert page.status_code == 200
    assert "上海市救助管理站" in page.content.decode()
    assert "上海市救助管理二站" not in page.content.decode()
    export = client.get("/stations/statistics/", {"format": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(export.content)).active
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["日期", "救助管理站或临时救助场所", "入站", "在站"]
    assert sum(row[2] for row in sheet.iter_rows(min_row=2, values_only=True)) == 1
    assert AuditEvent.objects.filter(action="export", actor=station_worker).exists()


def test_a_reversed_or_too_long_range_is_refused(client_for, station_worker):
    client = client_for(station_worker)
    assert (
        client.get(
            "/stations/statistics/", {"start": "2025-12-10", "end": "2025-12-01"}
        ).status_code
        == 422
    )
    assert (
        client.get(
            "/stations/statistics/", {"start": "2025-01-01", "end": "2025-12-31"}
        ).status_code
        == 422
    )
    assert client.get("/stations/statistics/", {"start": "not-a-date"}).status_code == 422


def test_another_station_cannot_be_counted_by_code(client_for, s2_worker):
    assert (
        client_for(s2_worker).get("/stations/statistics/", {"station": "S310000-1"}).status_code
        == 404
    )
