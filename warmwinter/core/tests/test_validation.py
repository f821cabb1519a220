"""Validate once: a bound declared on a model field or in a named list gives the form field, the
API constraint and the service's check, all refusing with the same sentence."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.migrations.writer import MigrationWriter
from ninja import Schema
from pydantic import ValidationError as PydanticValidationError

from warmwinter.core.validation import (
    API_ERROR_TYPE,
    Above,
    AtLeast,
    AtMost,
    Limits,
    api_field,
    between,
    form_field,
    limits,
    refusal,
    validate,
)
from warmwinter.places.models import Place

HEIGHT = "身高应在 40–250 厘米之间"
AGE = between(0, 120, "估计年龄应在 0–120 岁之间")
QUANTITY = [Above(Decimal(0)), AtMost(Decimal(1_000_000))]
SEARCH = [MaxLengthValidator(40)]


class Sample(models.Model):
    """Never a table: abstract models have fields but no rows."""

    height_cm = models.PositiveSmallIntegerField(
        "身高", null=True, blank=True, validators=between(40, 250, HEIGHT)
    )
    temperature = models.DecimalField(
        "体温", max_digits=3, decimal_places=1, validators=between(Decimal(30), Decimal(45))
    )
    name = models.CharField("姓名", max_length=60, blank=True)
    notes = models.TextField("备注", max_length=2000, blank=True)

    class Meta:
        abstract = True
        app_label = "core"


def test_between_refuses_both_ends_with_its_own_sentence():
    validators = between(40, 250, HEIGHT)
    assert refusal(validators, 39) == HEIGHT
    assert refusal(validators, 251) == HEIGHT
    assert refusal(validators, 40) is None and refusal(validators, 250) is None


def test_a_bound_without_a_sentence_says_what_the_api_always_said():
    assert refusal(between(1, 5), 0) == "不能小于 1"
    assert refusal(between(1, 5), 6) == "不能大于 5"
    assert refusal([Above(0)], 0) == "须大于 0"


def test_bounds_are_written_out_by_migrations_and_compare_equal_after():
    validators = between(40, 250, HEIGHT)
    source, imports = MigrationWriter.serialize(validators)
    assert "warmwinter.core.validation.AtLeast(40, '身高应在 40–250 厘米之间')" in source
    assert "import warmwinter.core.validation" in imports
    assert between(40, 250, HEIGHT) == validators


def test_limits_are_the_tightest_bounds_of_a_field_or_a_list():
    assert limits(Sample, "height_cm") == Limits(minimum=40, maximum=250)
    assert limits(Sample, "name") == Limits(max_length=60)
    assert limits(AGE) == Limits(minimum=0, maximum=120)
    assert limits([*AGE, AtLeast(18), AtMost(130)]) == Limits(minimum=18, maximum=120)
    assert limits(QUANTITY).json_schema() == {"exclusiveMinimum": 0, "maximum": 1_000_000}


# --- forms ---------------------------------------------------------------------------------


class SampleForm(forms.Form):
    height_cm = form_field(Sample, "height_cm")
    temperature = form_field(Sample, "temperature", label="今日体温")
    name = form_field(Sample, "name")
    age = form_field(AGE, label="估计年龄", required=False)
    quantity = form_field(QUANTITY, max_digits=12, decimal_places=3)
    q = form_field(SEARCH, required=False)


def test_a_form_field_has_the_model_fields_type_label_and_blank():
    form = SampleForm()
    assert isinstance(form.fields["height_cm"], forms.IntegerField)
    assert form.fields["height_cm"].label == "身高"
    assert not form.fields["height_cm"].required
    assert isinstance(form.fields["temperature"], forms.DecimalField)
    assert form.fields["temperature"].label == "今日体温"
    assert form.fields["temperature"].required
    assert isinstance(form.fields["age"], forms.IntegerField)
    assert isinstance(form.fields["quantity"], forms.DecimalField)
    assert isinstance(form.fields["q"], forms.CharField)


def test_a_form_refuses_with_the_declared_sentence_once():
    form = SampleForm(
        {"height_cm": "300", "temperature": "29.5", "name": "", "age": "121", "quantity": "0"}
    )
    assert not form.is_valid()
    assert form.errors["height_cm"] == [HEIGHT]
    assert form.errors["temperature"] == ["不能小于 30"]
    assert form.errors["age"] == ["估计年龄应在 0–120 岁之间"]
    assert form.errors["quantity"] == ["须大于 0"]


def test_a_form_accepts_what_the_bounds_allow():
    form = SampleForm(
        {"height_cm": "40", "temperature": "45", "name": "", "age": "0", "quantity": "0.001"}
    )
    assert form.is_valid(), form.errors


def test_the_browser_is_told_the_bounds():
    html = str(SampleForm())
    assert 'name="height_cm" min="40" max="250"' in html
    assert 'name="temperature" step="0.1" min="30" max="45"' in html
    assert 'name="name" maxlength="60"' in html
    assert 'name="quantity" step="0.001" min="0.001" max="1000000"' in html
    assert 'name="q" maxlength="40"' in html


def test_a_hidden_field_gets_no_browser_bounds():
    field = form_field(between(-90, 90), widget=forms.HiddenInput, required=False)
    assert "min" not in field.widget.attrs
    assert refusal(field.validators, 91) == "不能大于 90"


# --- API schemas ---------------------------------------------------------------------------


class SampleIn(Schema):
    height_cm: Annotated[int, api_field(Sample, "height_cm")] | None = None
    temperature: Annotated[Decimal, api_field(Sample, "temperature")] | None = None
    name: Annotated[str, api_field(Sample, "name")] = ""
    age: Annotated[int, api_field(AGE, description="估计年龄")] | None = None
    q: Annotated[str, api_field(SEARCH)] = ""
    notes: Annotated[str, api_field(Sample, "notes")] = ""


def _api_errors(**data):
    with pytest.raises(PydanticValidationError) as refused:
        SampleIn(**data)
    return {e["loc"][0]: e for e in refused.value.errors()}


def test_the_api_refuses_with_the_declared_sentence():
    errors = _api_errors(height_cm=251, temperature="46", age=-1)
    assert errors["height_cm"]["type"] == API_ERROR_TYPE
    assert errors["height_cm"]["ctx"]["message"] == HEIGHT
    assert errors["temperature"]["ctx"]["message"] == "不能大于 45"
    assert errors["age"]["ctx"]["message"] == "估计年龄应在 0–120 岁之间"


def test_the_api_keeps_max_length_and_digits_of_the_model_field():
    assert _api_errors(name="长" * 61)["name"]["type"] == "string_too_long"
    assert _api_errors(q="长" * 41)["q"]["type"] == "string_too_long"
    assert _api_errors(notes="长" * 2001)["notes"]["type"] == "string_too_long"
    assert _api_errors(temperature="3.55")["temperature"]["type"] == "decimal_max_places"
    assert SampleIn(height_cm=None, name="张" * 60).name == "张" * 60


def test_the_openapi_schema_shows_the_bounds():
    properties = SampleIn.model_json_schema()["properties"]
    height = properties["height_cm"]["anyOf"][0]
    assert (height["type"], height["minimum"], height["maximum"]) == ("integer", 40, 250)
    assert properties["name"]["maxLength"] == 60
    # a Decimal is a number or a string: the bounds are the number's
    number, text, _null = properties["temperature"]["anyOf"]
    assert (number["type"], number["minimum"], number["maximum"]) == ("number", 30, 45)
    assert text == {"type": "string"}
    assert properties["age"]["anyOf"][0]["description"] == "估计年龄"


# --- services ------------------------------------------------------------------------------


def test_validate_checks_only_the_fields_the_user_typed():
    place = Place(name="长" * 121, address="")  # no org unit, kind or coordinates
    with pytest.raises(ValidationError) as refused:
        validate(place, fields=["name", "address"])
    assert set(refused.value.message_dict) == {"name"}
    validate(Place(name="新天地"), fields=["name"])


def test_validate_lets_the_callers_own_finding_speak_for_its_field():
    with pytest.raises(ValidationError) as refused:
        validate(Place(name="长" * 121), fields=["name"], errors={"name": "名称太长"})
    assert refused.value.message_dict == {"name": ["名称太长"]}
    with pytest.raises(ValidationError) as refused:
        validate(Place(name="新天地"), fields=["name"], errors={"kind": "请选择类型"})
    assert refused.value.message_dict == {"kind": ["请选择类型"]}


# --- the published schema ------------------------------------------------------------------


def _numeric(schema: dict) -> dict:
    """The number (or integer) branch of an "X or null" / "number or string" schema."""
    branches = schema.get("anyOf", [schema])
    return next(b for b in branches if b.get("type") in ("integer", "number"))


@pytest.mark.parametrize(
    ("component", "field", "bounds"),
    [
        ("PersonIn", "height_cm", {"minimum": 40, "maximum": 250}),
        ("PersonIn", "age_estimate", {"minimum": 0, "maximum": 120}),
        ("InquiryIn", "birth_year", {"minimum": 1900, "maximum": 2100}),
        ("IntakeIn", "people_count", {"minimum": 1, "maximum": 200}),
        ("IntakeIn", "lat", {"minimum": -90, "maximum": 90}),
        ("AdmissionIn", "temperature", {"minimum": 30, "maximum": 45}),
        ("DischargeIn", "visit_every_days", {"minimum": 1, "maximum": 365}),
        ("PlaceIn", "capacity", {"minimum": 0, "maximum": 100_000}),
        ("ForecastIn", "min_temp_c", {"minimum": -40, "maximum": 45}),
        ("ReceiptIn", "quantity", {"exclusiveMinimum": 0, "maximum": 1_000_000}),
    ],
)
def test_the_openapi_schema_shows_the_bounds_the_models_declare(client, component, field, bounds):
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"][component]
    shown = _numeric(schema["properties"][field])
    assert {k: shown.get(k) for k in bounds} == bounds


@pytest.mark.parametrize(
    ("component", "field", "max_length"),
    [("PersonIn", "name", 60), ("IntakeIn", "address", 200), ("InquiryIn", "description", 2000)],
)
def test_the_openapi_schema_shows_the_lengths_the_models_declare(
    client, component, field, max_length
):
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"][component]
    assert schema["properties"][field]["maxLength"] == max_length
