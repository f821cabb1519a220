"""Validate once: a quantity out of bounds is refused alike by the warehouse page, the API and
the service, with the same sentence, and nothing is booked."""

from decimal import Decimal

import pytest

from warmwinter.conftest import api_post, refused_by_api, refused_by_service, refused_on_page
from warmwinter.supplies import services
from warmwinter.supplies.models import StockMovement


@pytest.mark.parametrize(
    ("quantity", "message"), [("0", "须大于 0"), ("1000001", "不能大于 1000000")]
)
@pytest.mark.parametrize("way", ["page", "api", "service"])
def test_a_quantity_out_of_bounds_is_refused_alike_everywhere(
    way, quantity, message, city_admin, catalogue, warehouses, client_for, token_for
):
    client = client_for(city_admin)
    receipt = {"source_kind": "donation", "source": "上海市慈善基金会", "quantity": quantity}
    if way == "page":
        page = client.post(
            f"/supplies/warehouses/{warehouses.huangpu.pk}/receive/",
            {**receipt, "item": catalogue.coat.pk},
        )
        refused_on_page(page, message)
    elif way == "api":
        data = {**receipt, "warehouse_id": warehouses.huangpu.pk, "item": catalogue.coat.code}
        answer = api_post(client, token_for(city_admin), "/api/v1/supplies/receipts", data)
        refused_by_api(answer, "quantity", message)
    else:
        with refused_by_service("quantity", message):
            services.stock_receive(
                by=city_admin,
                warehouse=warehouses.huangpu,
                item=catalogue.coat,
                quantity=Decimal(quantity),
                source_kind="donation",
                source="上海市慈善基金会",
            )
    assert not StockMovement.objects.exists()
