"""Validate once. A bound on what a user may type is declared in one place: on the model field
(`validators=between(40, 250, _("身高应在 40–250 厘米之间"))`), or, for a value that is not stored
as it is typed (an estimated age becomes a birth year), as one named validator list in the app
that owns it. Everything that takes input derives from that declaration:

- `form_field(Person, "height_cm")`: the page's form field, of the field's type, carrying the same
  validators (so the page says the same sentence) and min/max/step/maxlength for the browser;
- `Annotated[int, api_field(Person, "height_cm")]`: the API schema's constraint, which runs the
  same validators and shows the bounds (and a CharField's max_length) in the OpenAPI schema;
- `validate(instance, fields=…)`: the model's own `full_clean` of the fields a user typed, which
  services call before they save, so that the page, the API and a worker cannot differ.

A bound without a sentence of its own says "不能小于 N" / "不能大于 N" / "须大于 N", the words the API
has always used (`warmwinter/api.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import (
    BaseValidator,
    DecimalValidator,
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
    ProhibitNullCharactersValidator,
)
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from pydantic import Field, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.fields import FieldInfo
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

Validator = Callable[[Any], None]
#: A model class (with a field name) or a named validator list: where a bound is declared.
Source = type[models.Model] | Sequence[Validator]

#: The pydantic error type of a refusal by a declared validator; `warmwinter/api.py` answers
#: with its message as it is.
API_ERROR_TYPE = "declared_validator"


@deconstructible
class AtLeast(MinValueValidator):
    message = _("不能小于 %(limit_value)s")


@deconstructible
class AtMost(MaxValueValidator):
    message = _("不能大于 %(limit_value)s")


@deconstructible
class Above(BaseValidator):
    """An exclusive lower bound (a quantity must be more than 0)."""

    message = _("须大于 %(limit_value)s")
    code = "min_value"

    def compare(self, a: Any, b: Any) -> bool:
        return bool(a <= b)


def between(low: Any, high: Any, message: Any = None) -> list[BaseValidator]:
    """`low` ≤ value ≤ `high`, refused with `message` (both ends), or with the plain
    "不能小于 N" / "不能大于 N" when there is none. Deconstructible: migrations write it out."""
    return [AtLeast(low, message), AtMost(high, message)]


_RANGE = (MinValueValidator, MaxValueValidator, Above)


@dataclass(frozen=True)
class Limits:
    """The bounds a list of validators enforces, in JSON Schema's words."""

    minimum: Any = None
    maximum: Any = None
    exclusive_minimum: Any = None
    max_length: int | None = None

    def json_schema(self) -> dict[str, Any]:
        words = {
            "minimum": self.minimum,
            "maximum": self.maximum,
            "exclusiveMinimum": self.exclusive_minimum,
        }
        return {k: _json_number(v) for k, v in words.items() if v is not None}

    @property
    def number_type(self) -> type:
        values = [self.minimum, self.maximum, self.exclusive_minimum]
        return next((type(v) for v in values if v is not None), int)


def _json_number(value: Any) -> int | float:
    return int(value) if value == int(value) else float(value)


def _limit(validator: BaseValidator) -> Any:
    value = validator.limit_value
    return value() if callable(value) else value


def _model_field(source: Source, name: str) -> models.Field[Any, Any]:
    model = cast(type[models.Model], source)
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise TypeError(f"{model.__name__}.{name} is a relation, not a field with a value")
    return field


def validators_of(source: Source, name: str | None = None) -> list[Validator]:
    """The validators of `source.name` (a model field: its own and Django's, e.g. max_length),
    or the named list itself."""
    if name is None:
        return list(cast(Sequence[Validator], source))
    return list(_model_field(source, name).validators)


def limits(source: Source, name: str | None = None) -> Limits:
    """The tightest bounds among the validators of `source` (see `validators_of`), and a model
    field's max_length (a TextField's is not among its validators)."""
    found: dict[str, Any] = {}
    if name is not None and (length := _model_field(source, name).max_length):
        found["max_length"] = length
    for v in validators_of(source, name):
        if isinstance(v, MinValueValidator):
            found["minimum"] = max(found.get("minimum", _limit(v)), _limit(v))
        elif isinstance(v, MaxValueValidator):
            found["maximum"] = min(found.get("maximum", _limit(v)), _limit(v))
        elif isinstance(v, Above):
            found["exclusive_minimum"] = max(found.get("exclusive_minimum", _limit(v)), _limit(v))
        elif isinstance(v, MaxLengthValidator):
            found["max_length"] = min(found.get("max_length", _limit(v)), _limit(v))
    return Limits(**found)


def refusal(validators: Iterable[Validator], value: Any) -> str | None:
    """The sentence of the first validator that refuses `value`, or None. For services that
    collect their errors field by field."""
    for validator in validators:
        try:
            validator(value)
        except ValidationError as exc:
            return str(exc.messages[0])
    return None


# --- forms ----------------------------------------------------------------------------------

_FORM_CLASSES: dict[type, type[forms.Field]] = {
    int: forms.IntegerField,
    Decimal: forms.DecimalField,
    float: forms.FloatField,
}


def form_field(source: Source, name: str | None = None, **kwargs: Any) -> forms.Field:
    """The form field for model field `source.name` (its own `formfield()`: type, label,
    required unless blank, max_length, digits; `kwargs` override) or for a named validator list
    (a CharField for a length, else an IntegerField, DecimalField or FloatField by the type of
    its bounds; `form_class=` to choose), refusing with the same validators, and with
    min/max/maxlength for the browser."""
    declared = validators_of(source, name)
    if name is not None:
        made = _model_field(source, name).formfield(**kwargs)
        if made is None:
            raise TypeError(f"{name} has no form field")
        field = made
    else:
        bounds = limits(declared)
        if bounds.max_length is not None:
            kwargs.setdefault("max_length", bounds.max_length)
            form_class = kwargs.pop("form_class", forms.CharField)
        else:
            form_class = kwargs.pop("form_class", None) or _FORM_CLASSES[bounds.number_type]
        field = form_class(**kwargs)
    # The form field's own checks of the same kind (max_length, digits) stay: they answer in the
    # words of a form. Its min/max (e.g. 0 for a positive integer) give way to the declared ones.
    own = {type(v) for v in field.validators}
    field.validators = [v for v in field.validators if not isinstance(v, _RANGE)] + [
        v for v in declared if isinstance(v, _RANGE) or type(v) not in own
    ]
    browser = _browser_attrs(limits(declared), field)
    for attr, value in (("min_value", browser.get("min")), ("max_value", browser.get("max"))):
        if hasattr(field, attr):  # what the field would tell a widget given to it later
            setattr(field, attr, value)
    if not field.widget.is_hidden:
        field.widget.attrs.update(browser)
    return field


def _browser_attrs(bounds: Limits, field: forms.Field) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    if bounds.minimum is not None:
        attrs["min"] = bounds.minimum
    elif bounds.exclusive_minimum is not None:
        # The least value the field can hold above the bound: 0.001 with three decimal places.
        places = getattr(field, "decimal_places", None)
        step = Decimal(1).scaleb(-places) if places else 1
        attrs["min"] = bounds.exclusive_minimum + step
    if bounds.maximum is not None:
        attrs["max"] = bounds.maximum
    return attrs


# --- API schemas ----------------------------------------------------------------------------

#: Checks that pydantic makes itself from the constraints `api_field` passes it.
_PYDANTIC_CHECKS = (MaxLengthValidator, DecimalValidator, ProhibitNullCharactersValidator)


@dataclass(frozen=True)
class _Declared:
    """pydantic metadata: run the declared validators after the value is parsed, and show their
    bounds in the JSON schema."""

    validators: tuple[Validator, ...]
    bounds: Limits

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler.resolve_ref_schema(handler(schema))
        # A Decimal is "a number or a string": the bounds belong to the number.
        numbers = [s for s in json_schema.get("anyOf", []) if s.get("type") == "number"]
        (numbers[0] if numbers else json_schema).update(self.bounds.json_schema())
        return json_schema

    def _check(self, value: Any) -> Any:
        message = refusal(self.validators, value)
        if message is not None:
            raise PydanticCustomError(API_ERROR_TYPE, "{message}", {"message": message})
        return value


def api_field(source: Source, name: str | None = None, **kwargs: Any) -> FieldInfo:
    """The constraint of an API schema field, for `Annotated[int, api_field(Person,
    "height_cm")]`: the model field's max_length (and a DecimalField's digits) as pydantic
    constraints, and its declared validators run on the value with their own message. `kwargs`
    go to pydantic's `Field` (description, pattern, allow_inf_nan …)."""
    declared = validators_of(source, name)
    bounds = limits(source, name)
    if name is not None:
        model_field = _model_field(source, name)
        if isinstance(model_field, models.DecimalField):
            kwargs.setdefault("max_digits", model_field.max_digits)
            kwargs.setdefault("decimal_places", model_field.decimal_places)
    if bounds.max_length is not None:
        kwargs.setdefault("max_length", bounds.max_length)
    info = cast(FieldInfo, Field(**kwargs))
    checks = tuple(v for v in declared if not isinstance(v, _PYDANTIC_CHECKS))
    if checks:
        info.metadata.append(_Declared(checks, bounds))
    return info


# --- services -------------------------------------------------------------------------------


def field_errors(instance: models.Model, fields: Iterable[str]) -> dict[str, list[str]]:
    """What `full_clean` finds wrong with `fields` of `instance` (their validators, lengths,
    choices, blank) and the model's own `clean()`: field → sentences. The other fields, the
    unique checks and the constraints (database queries) are left out."""
    wanted = set(fields)
    exclude = [f.name for f in instance._meta.concrete_fields if f.name not in wanted]
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        return dict(exc.message_dict)
    return {}


def validate(
    instance: models.Model, *, fields: Iterable[str], errors: dict[str, Any] | None = None
) -> None:
    """Refuse `instance` before it is saved: one ValidationError with `errors` (what the caller
    found itself, which speaks for its fields) and what `field_errors` finds in the others."""
    found: dict[str, Any] = field_errors(instance, fields)
    found.update(errors or {})
    if found:
        raise ValidationError(found)
