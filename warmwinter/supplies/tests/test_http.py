"""Pages and API from the outside: scope (Huangpu vs Pudong), roles, bad input, exports."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from warmwinter.audit.models import AuditAction, AuditEvent
from warmwinter.supplies import selectors, services
from warmwinter.supplies.models import MovementKind, StockMovement

API = "/api/v1/supplies"


def post_json(client, url, data, token=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(url, json.dumps(data), content_type="application/json", **headers)


@pytest.fixture
def stocked(catalogue, warehouses, receive):
    receive(warehouses.pudong_mobile, catalogue.coat, 5, batch="PD-COAT")
    receive(warehouses.pudong_mobile, catalogue.food, 10, batch="PD-FOOD")
    receive(warehouses.huangpu, catalogue.coat, 8, batch="HP-COAT")
    return warehouses


# --- scope ------------------------------------------------------------------------------


def test_huangpu_admin_sees_only_huangpu_warehouses_on_the_page_and_in_the_api(
    client_for, token_for, huangpu_admin, stocked
):
    page = client_for(huangpu_admin).get("/supplies/")
    assert page.status_code == 200
    assert "黄浦区救助物资仓库" in page.content.decode()
    assert "浦东新区救助物资仓库" not in page.content.decode()
    api = client_for(huangpu_admin).get(f"{API}/warehouses")
    assert [w["code"] for w in api.json()["items"]] == ["hp"]


def test_huangpu_admin_cannot_open_a_pudong_warehouse_page_or_api(
    client_for, huangpu_admin, stocked
):
    client = client_for(huangpu_admin)
    assert client.get(f"/supplies/warehouses/{stocked.pudong_mobile.pk}/").status_code == 404
    response = client.get(f"{API}/warehouses/{stocked.pudong_mobile.pk}")
    assert response.status_code == 404
    assert response.json()["detail"] == "未找到，或不在您的查看范围内"


def test_issuing_from_another_districts_warehouse_is_refused_on_page_and_api(
    client_for, token_for, huangpu_admin, catalogue, stocked
):
    before = StockMovement.objects.count()
    page = client_for(huangpu_admin).post(
        f"/supplies/mobile/{stocked.pudong_mobile.pk}/issue/",
        {f"qty-{catalogue.coat.pk}": "1", "recipient_label": "越区发放"},
    )
    assert page.status_code == 404
    api = post_json(
        client_for(huangpu_admin),
        f"{API}/issues",
        {
            "warehouse_id": stocked.pudong_mobile.pk,
            "lines": [{"item": "cotton-coat", "quantity": 1}],
            "recipient_label": "越区发放",
        },
        token=token_for(huangpu_admin),
    )
    assert api.status_code == 404
    assert StockMovement.objects.count() == before
    assert selectors.on_hand(stocked.pudong_mobile, catalogue.coat) == 5


def test_a_reporter_has_no_supplies_page_or_api(client_for, reporter, stocked):
    client = client_for(reporter)
    assert client.get("/supplies/").status_code == 403
    assert client.get(f"{API}/warehouses").status_code == 403


def test_the_auditor_reads_every_district_but_cannot_issue(
    client_for, token_for, auditor, catalogue, stocked
):
    client = client_for(auditor)
    assert client.get(f"/supplies/warehouses/{stocked.pudong_mobile.pk}/").status_code == 200
    response = post_json(
        client,
        f"{API}/issues",
        {
            "warehouse_id": stocked.pudong_mobile.pk,
            "lines": [{"item": "cotton-coat", "quantity": 1}],
            "recipient_label": "x",
        },
        token=token_for(auditor),
    )
    assert response.status_code == 403
    assert (
        client.post(
            f"/supplies/mobile/{stocked.pudong_mobile.pk}/issue/",
            {f"qty-{catalogue.coat.pk}": "1", "recipient_label": "x"},
        ).status_code
        == 403
    )


def test_huangpu_admin_cannot_read_pudongs_shortfalls(client_for, huangpu_admin, stocked):
    client = client_for(huangpu_admin)
    assert client.get(f"{API}/shortfalls?district=310115").status_code == 404
    assert client.get("/supplies/reserves/?district=310115").status_code == 404


def test_a_transfer_is_received_only_by_the_destination_side(
    client_for, token_for, city_admin, huangpu_admin, pudong_admin, catalogue, warehouses, receive
):
    receive(warehouses.city, catalogue.quilt, 50)
    sent = post_json(
        client_for(city_admin),
        f"{API}/transfers",
        {
            "from_warehouse_id": warehouses.city.pk,
            "to_warehouse_id": warehouses.pudong.pk,
            "lines": [{"item": "quilt", "quantity": 20}],
        },
        token=token_for(city_admin),
    )
    assert sent.status_code == 201, sent.content
    transfer_id = sent.json()["id"]
    assert sent.json()["status"] == "in_transit"
    assert (
        post_json(
            client_for(huangpu_admin),
            f"{API}/transfers/{transfer_id}/receive",
            {},
            token=token_for(huangpu_admin),
        ).status_code
        == 404
    )
    received = post_json(
        client_for(pudong_admin),
        f"{API}/transfers/{transfer_id}/receive",
        {},
        token=token_for(pudong_admin),
    )
    assert received.status_code == 200
    assert selectors.on_hand(warehouses.pudong, catalogue.quilt) == 20
    again = post_json(
        client_for(pudong_admin),
        f"{API}/transfers/{transfer_id}/receive",
        {},
        token=token_for(pudong_admin),
    )
    assert again.status_code == 422
    assert "已签收" in again.json()["detail"]


# --- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("quantity", "message"),
    [(-1, "须大于 0"), (0, "须大于 0"), (1.5, "须为整数"), ("abc", "lines.1.quantity")],
)
def test_bad_quantities_are_refused_by_the_api_with_a_chinese_message(
    client_for, token_for, pudong_patrol, stocked, quantity, message
):
    before = StockMovement.objects.count()
    response = post_json(
        client_for(pudong_patrol),
        f"{API}/issues",
        {
            "warehouse_id": stocked.pudong_mobile.pk,
            "lines": [
                {"item": "instant-food", "quantity": 1},
                {"item": "cotton-coat", "quantity": quantity},
            ],
            "recipient_label": "拒绝入站 男",
        },
        token=token_for(pudong_patrol),
    )
    assert response.status_code == 422
    assert message in response.json()["detail"]
    assert StockMovement.objects.count() == before


def test_an_expired_batch_is_refused_by_the_api_and_nothing_is_written(
    client_for, token_for, pudong_patrol, catalogue, warehouses, receive
):
    receive(
        warehouses.pudong_mobile,
        catalogue.water,
        6,
        batch="OLD-WATER",
        expires_on=datetime.date(2020, 1, 1),
        days_ago=1,
    )
    before = StockMovement.objects.count()
    response = post_json(
        client_for(pudong_patrol),
        f"{API}/issues",
        {
            "warehouse_id": warehouses.pudong_mobile.pk,
            "lines": [{"item": "water", "quantity": 1, "batch": "OLD-WATER"}],
            "recipient_label": "女 约40岁",
        },
        token=token_for(pudong_patrol),
    )
    assert response.status_code == 422
    assert "已于 2020-01-01 过期" in response.json()["detail"]
    assert StockMovement.objects.count() == before


def test_unknown_items_and_missing_recipients_are_refused(
    client_for, token_for, pudong_patrol, stocked
):
    client, token = client_for(pudong_patrol), token_for(pudong_patrol)
    unknown = post_json(
        client,
        f"{API}/issues",
        {
            "warehouse_id": stocked.pudong_mobile.pk,
            "lines": [{"item": "golden-bar", "quantity": 1}],
            "recipient_label": "x",
        },
        token=token,
    )
    assert unknown.status_code == 422
    assert "没有代码为 golden-bar 的物资" in unknown.json()["detail"]
    nobody = post_json(
        client,
        f"{API}/issues",
        {"warehouse_id": stocked.pudong_mobile.pk, "lines": [{"item": "water", "quantity": 1}]},
        token=token,
    )
    assert nobody.status_code == 422
    assert "受领人" in nobody.json()["detail"]


def test_a_fractional_coat_on_the_phone_page_shows_an_error_and_changes_nothing(
    client_for, pudong_patrol, catalogue, stocked
):
    response = client_for(pudong_patrol).post(
        f"/supplies/mobile/{stocked.pudong_mobile.pk}/issue/",
        {
            f"qty-{catalogue.coat.pk}": "0.5",
            f"qty-{catalogue.food.pk}": "2",
            "recipient_label": "拒绝入站",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert "数量须为整数" in response.content.decode()
    assert selectors.on_hand(stocked.pudong_mobile, catalogue.food) == 10


def test_the_receipt_form_refuses_a_negative_quantity(
    client_for, pudong_admin, catalogue, warehouses
):
    response = client_for(pudong_admin).post(
        f"/supplies/warehouses/{warehouses.pudong.pk}/receive/",
        {
            "item": catalogue.quilt.pk,
            "quantity": "-5",
            "source_kind": "donation",
            "source": "爱心企业",
        },
    )
    assert response.status_code == 422
    assert StockMovement.objects.count() == 0


# --- the patrol's phone and what it produces --------------------------------------------


def test_a_refusing_person_gets_a_coat_and_food_from_mobile_stock_and_it_shows_everywhere(
    client_for, token_for, pudong_patrol, pudong_admin, catalogue, stocked
):
    response = client_for(pudong_patrol).post(
        f"/supplies/mobile/{stocked.pudong_mobile.pk}/issue/",
        {
            f"qty-{catalogue.coat.pk}": "1",
            f"qty-{catalogue.food.pk}": "2",
            "recipient_label": "世纪大道地下通道 男 约60岁 拒绝入站",
            "ref_type": "patrols.encounter",
            "ref_id": "41",
            "person_ref": "people.person:7",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "已发放" in response.content.decode()
    # the team's stock
    assert selectors.on_hand(stocked.pudong_mobile, catalogue.coat) == 4
    assert selectors.on_hand(stocked.pudong_mobile, catalogue.food) == 8
    # the person's file
    given = client_for(pudong_admin).get(f"{API}/person-issues?person_ref=people.person:7")
    assert sorted((m["item_code"], m["quantity"]) for m in given.json()) == [
        ("cotton-coat", "-1.000"),
        ("instant-food", "-2.000"),
    ]
    assert {m["ref_type"] + ":" + m["ref_id"] for m in given.json()} == {"patrols.encounter:41"}
    # the district's statistics
    stats = client_for(pudong_admin).get(f"{API}/given").json()
    assert {(r["district_code"], r["item"]["code"], Decimal(r["quantity"])) for r in stats} == {
        ("310115", "cotton-coat", 1),
        ("310115", "instant-food", 2),
    }


def test_the_phone_page_shows_what_the_team_carries(client_for, pudong_patrol, stocked):
    page = client_for(pudong_patrol).get("/supplies/mobile/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "浦东一分队随车物资" in body
    assert 'data-testid="usable-cotton-coat">5<' in body


# --- exports ----------------------------------------------------------------------------


def _sheet_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    wb = load_workbook(io.BytesIO(response.content))
    return [list(r) for r in wb.active.iter_rows(values_only=True)]


def test_stock_export_is_a_real_workbook_in_the_users_scope_and_is_audited(
    client_for, pudong_admin, stocked
):
    rows = _sheet_rows(client_for(pudong_admin).get("/supplies/export/stock.xlsx"))
    assert rows[0][:4] == ["仓库代码", "仓库", "所属单位", "物资"]
    assert {(r[0], r[3], r[8]) for r in rows[1:]} == {
        ("pd-m1", "棉大衣", 5),
        ("pd-m1", "方便食品", 10),
    }
    event = AuditEvent.objects.filter(actor=pudong_admin, action=AuditAction.EXPORT).get()
    assert event.detail == {"export": "stock"}


def test_movements_and_given_exports_cover_the_period(
    client_for, pudong_admin, pudong_patrol, catalogue, stocked
):
    services.stock_issue(
        by=pudong_patrol,
        warehouse=stocked.pudong_mobile,
        lines=[services.Line(catalogue.coat, Decimal(2))],
        recipient_kind="person",
        recipient_label="女 约30岁",
    )
    client = client_for(pudong_admin)
    movements = _sheet_rows(client.get("/supplies/export/movements.xlsx?kind=issue"))
    assert [(r[2], r[4], r[7]) for r in movements[1:]] == [("发放", "棉大衣", -2)]
    given = _sheet_rows(client.get("/supplies/export/given.xlsx"))
    assert given[1:] == [["310115", "浦东新区", "棉大衣", "件", 2]]
    assert AuditEvent.objects.filter(actor=pudong_admin, action=AuditAction.EXPORT).count() == 2


def test_a_patrol_member_cannot_export_and_bad_periods_are_refused(
    client_for, pudong_patrol, pudong_admin, stocked
):
    assert client_for(pudong_patrol).get("/supplies/export/stock.xlsx").status_code == 403
    bad = client_for(pudong_admin).get(
        "/supplies/export/movements.xlsx?since=2026-02-01&until=2026-01-01"
    )
    assert bad.status_code == 422
    assert "开始日期不能晚于结束日期" in bad.content.decode()


# --- list pages stay cheap --------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/supplies/",
        "/supplies/movements/",
        "/supplies/alerts/",
        "/supplies/transfers/",
        "/supplies/mobile/",
        "/supplies/reserves/?district=310115",
    ],
)
def test_list_pages_use_a_bounded_number_of_queries(
    client_for, pudong_admin, pudong_patrol, catalogue, stocked, url, django_assert_max_num_queries
):
    for n in range(5):
        services.stock_issue(
            by=pudong_patrol,
            warehouse=stocked.pudong_mobile,
            lines=[services.Line(catalogue.food, Decimal(1))],
            recipient_kind="person",
            recipient_label=f"受助人{n}",
        )
    client = client_for(pudong_admin)
    with django_assert_max_num_queries(25):
        assert client.get(url).status_code == 200


def test_the_warehouse_page_lists_its_receipts(client_for, pudong_admin, stocked):
    page = client_for(pudong_admin).get(f"/supplies/warehouses/{stocked.pudong_mobile.pk}/")
    assert page.status_code == 200
    assert str(MovementKind.RECEIPT.label) in page.content.decode()


def test_quilts_go_to_a_shelter_in_the_district_but_not_to_another_districts_shelter(
    client_for, token_for, pudong_admin, catalogue, warehouses, receive, unit
):
    from warmwinter.places.models import Place, PlaceKind

    def shelter(name, code, lat, lng):
        return Place.objects.create(
            kind=PlaceKind.TEMP_SHELTER, name=name, org_unit=unit(code), lat=lat, lng=lng
        )

    own = shelter("陆家嘴临时救助场所", "310115009", 31.2286, 121.5270)
    other = shelter("南京东路临时救助场所", "310101002", 31.2320, 121.4750)
    receive(warehouses.pudong, catalogue.quilt, 30)
    client, token = client_for(pudong_admin), token_for(pudong_admin)

    def issue(place):
        return post_json(
            client,
            f"{API}/issues",
            {
                "warehouse_id": warehouses.pudong.pk,
                "lines": [{"item": "quilt", "quantity": 10}],
                "recipient_kind": "shelter",
                "shelter_id": place.pk,
            },
            token=token,
        )

    assert issue(other).status_code == 404
    ok = issue(own)
    assert ok.status_code == 201, ok.content
    assert ok.json()[0]["recipient_label"] == "陆家嘴临时救助场所"
    assert selectors.on_hand(warehouses.pudong, catalogue.quilt) == 20


def test_a_naive_issue_time_is_read_as_shanghai_time_and_a_future_one_is_refused(
    client_for, token_for, pudong_patrol, stocked
):
    client, token = client_for(pudong_patrol), token_for(pudong_patrol)

    def issue(when):
        return post_json(
            client,
            f"{API}/issues",
            {
                "warehouse_id": stocked.pudong_mobile.pk,
                "lines": [{"item": "instant-food", "quantity": 1}],
                "recipient_label": "离线补录",
                "occurred_at": when,
            },
            token=token,
        )

    ok = issue("2026-01-05T21:30:00")
    assert ok.status_code == 201, ok.content
    stored = StockMovement.objects.get(pk=ok.json()[0]["id"]).occurred_at
    assert stored == datetime.datetime(2026, 1, 5, 13, 30, tzinfo=datetime.UTC)
    future = issue("2099-01-01T00:00:00")
    assert future.status_code == 422
    assert "不能晚于现在" in future.json()["detail"]


def test_a_coat_and_food_given_to_a_person_on_file_appear_on_the_files_timeline(
    client_for, pudong_patrol, huangpu_admin, catalogue, stocked, unit
):
    from warmwinter.people.models import Person, TimelineEntry, TimelineKind
    from warmwinter.people.selectors import timeline_for

    person = Person.objects.create(org_unit=unit("310115"), features="男，约60岁，灰色外套")
    response = client_for(pudong_patrol).post(
        f"/supplies/mobile/{stocked.pudong_mobile.pk}/issue/",
        {
            f"qty-{catalogue.coat.pk}": "1",
            f"qty-{catalogue.food.pk}": "2",
            "recipient_label": "拒绝入站",
            "person_id": str(person.pk),
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    entry = TimelineEntry.objects.get(person=person)
    assert entry.kind == TimelineKind.SUPPLY
    assert "棉大衣 1件" in entry.summary and "方便食品 2份" in entry.summary
    assert entry.org_unit.code == "310115"
    assert list(timeline_for(user=pudong_patrol, person=person)) == [entry]
    assert StockMovement.objects.filter(person_ref=f"people.person:{person.pk}").count() == 2
    # Huangpu cannot attach an issue to a Pudong file it has never met.
    api = client_for(huangpu_admin).post(
        f"{API}/issues",
        json.dumps(
            {
                "warehouse_id": stocked.huangpu.pk,
                "lines": [{"item": "cotton-coat", "quantity": 1}],
                "person_id": person.pk,
            }
        ),
        content_type="application/json",
    )
    assert api.status_code == 404
    assert selectors.on_hand(stocked.huangpu, catalogue.coat) == 8
