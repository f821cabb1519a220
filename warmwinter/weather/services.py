"""Writes of the weather response: ingest a warning (every road ends here), record a forecast,
set a level by hand, expire what has run out. Every change of level is a `LevelEvent` and
switches on or off what the new level calls for (shelters open, notifications)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from warmwinter.accounts.permissions import Actor, require
from warmwinter.accounts.roles import Capability
from warmwinter.audit.models import AuditAction
from warmwinter.audit.services import audit_record
from warmwinter.core import clock
from warmwinter.core.validation import validate
from warmwinter.notifications.models import Urgency
from warmwinter.notifications.services import notify, recipients_for
from warmwinter.places.models import OrgLevel, OrgUnit, Place
from warmwinter.weather import defaults, rules, selectors
from warmwinter.weather.levels import ResponseLevel, level_changed
from warmwinter.weather.models import (
    EndReason,
    Forecast,
    LevelCause,
    LevelEvent,
    MsgType,
    PlaceActivation,
    RuleSet,
    WarningReceipt,
    WeatherWarning,
)
from warmwinter.weather.parsing import ParsedWarning, WarningRejectedError, parse_message

logger = logging.getLogger(__name__)


def rules_ensure() -> RuleSet:
    """The rules in force, installing the shipped defaults if there are none."""
    ruleset = selectors.ruleset_in_force()
    if ruleset is None:
        defaults.install(apps)
        ruleset = selectors.ruleset_in_force()
    assert ruleset is not None  # noqa: S101 - installed just above
    return ruleset


def _district_names() -> dict[str, str]:
    return dict(
        OrgUnit.objects.filter(level=OrgLevel.DISTRICT).values_list("code", "name").order_by()
    )


@dataclass(frozen=True)
class IngestResult:
    warning: WeatherWarning
    created: bool
    events: list[LevelEvent]


def warning_ingest(
    *, data: bytes | str, by: Actor | None = None, via: str = "api", now: datetime | None = None
) -> IngestResult:
    """Parse and store one warning from any road, then bring the levels of the districts it
    touches up to date, synchronously. A message seen before (by any road) is stored once:
    the result names the warning already stored and `created` is False.

    `by` is the user who enters or pushes it (MANAGE_WEATHER); None is the system polling the
    feed (`poll_weather_feed`).

    Raises WarningRejectedError (nothing is changed) for empty, oversized, hostile, malformed,
    unknown-type or unknown-area messages and for a cancel of a warning never received."""
    if by is not None:
        require(by, Capability.MANAGE_WEATHER)
    parsed = parse_message(data, districts=_district_names())
    now = now or timezone.now()
    try:
        with transaction.atomic():
            return _store(parsed, by=by, via=via, now=now)
    except IntegrityError:
        # Two deliveries of the same message raced; the other one stored it.
        existing = WeatherWarning.objects.filter(fingerprint=parsed.fingerprint).first()
        if existing is None:
            raise
        return IngestResult(existing, False, [])


def _store(parsed: ParsedWarning, *, by: Actor | None, via: str, now: datetime) -> IngestResult:
    existing = WeatherWarning.objects.filter(fingerprint=parsed.fingerprint).first()
    if existing is None:
        _check_identifier_reuse(parsed)
    if existing is not None:
        WarningReceipt.objects.create(
            warning=existing,
            source=parsed.source,
            sender=parsed.sender,
            identifier=parsed.identifier,
            raw=parsed.raw,
            via=via,
            received_at=now,
        )
        return IngestResult(existing, False, [])

    districts = list(
        OrgUnit.objects.filter(level=OrgLevel.DISTRICT, code__in=parsed.district_codes)
    )
    refers_to = _referenced_warning(parsed, districts, now)
    if parsed.msg_type == MsgType.CANCEL and refers_to is None:
        raise WarningRejectedError(
            "no_reference",
            _("解除消息找不到要解除的预警（%(t)s），未入库，响应等级不变")
            % {"t": parsed.identifier},
        )
    expires_at, assumed = parsed.expires_at, False
    if expires_at is None and parsed.msg_type != MsgType.CANCEL:
        # A signal text never names its expiry: the rules give its type a lifetime, so that a
        # January cold wave does not hold a district at its level in December.
        lifetime = selectors.warning_lifetime(rules_ensure(), parsed.warning_type)
        expires_at, assumed = parsed.effective_at + lifetime, True
    lapsed = parsed.msg_type != MsgType.CANCEL and expires_at is not None and expires_at <= now
    warning = WeatherWarning.objects.create(
        issuer=parsed.issuer or _("未注明"),
        sender=parsed.sender,
        identifier=parsed.identifier,
        msg_type=parsed.msg_type,
        references=" ".join(parsed.references),
        warning_type=parsed.warning_type,
        type_code=parsed.type_code,
        colour=parsed.colour,
        issued_at=parsed.issued_at,
        effective_at=parsed.effective_at,
        expires_at=expires_at,
        expiry_assumed=assumed,
        whole_city=parsed.whole_city,
        headline=parsed.headline,
        description=parsed.description,
        instruction=parsed.instruction,
        raw=parsed.raw,
        source=parsed.source,
        fingerprint=parsed.fingerprint,
        refers_to=refers_to,
        received_at=now,
        received_by=by,
        # Past its expiry when it arrives: kept as history, it changes no level.
        ended_at=now if lapsed else None,
        end_reason=EndReason.EXPIRED if lapsed else "",
    )
    warning.districts.set(districts)
    WarningReceipt.objects.create(
        warning=warning,
        source=parsed.source,
        sender=parsed.sender,
        identifier=parsed.identifier,
        raw=parsed.raw,
        via=via,
        received_at=now,
    )
    affected = set() if lapsed else _area_of(warning)
    if refers_to is not None and refers_to.ended_at is None and not lapsed:
        refers_to.ended_at = now
        refers_to.end_reason = (
            EndReason.CANCELLED if parsed.msg_type == MsgType.CANCEL else EndReason.UPDATED
        )
        refers_to.save(update_fields=["ended_at", "end_reason"])
        affected |= _area_of(refers_to)
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        target=warning,
        detail={
            "source": parsed.source,
            "msg_type": parsed.msg_type,
            "identifier": parsed.identifier,
        },
        via=via,
        actor_label="" if by is not None else via,
    )
    cause = LevelCause.CANCEL if parsed.msg_type == MsgType.CANCEL else LevelCause.WARNING
    events = [
        e
        for d in sorted(affected, key=lambda d: d.code)
        if (e := level_recompute(district=d, cause=cause, trigger=warning, now=now)) is not None
    ]
    return IngestResult(warning, True, events)


def _check_identifier_reuse(parsed: ParsedWarning) -> None:
    if parsed.source == "signal_text":
        return
    reused = WarningReceipt.objects.filter(identifier=parsed.identifier, sender=parsed.sender)
    if reused.exists():
        raise WarningRejectedError(
            "conflict",
            _("消息标识 %(i)s 已用于内容不同的另一条预警，未入库") % {"i": parsed.identifier},
        )


def _area_of(warning: WeatherWarning) -> set[OrgUnit]:
    if warning.whole_city:
        return set(OrgUnit.objects.filter(level=OrgLevel.DISTRICT))
    return set(warning.districts.all())


def _referenced_warning(
    parsed: ParsedWarning, districts: list[OrgUnit], now: datetime
) -> WeatherWarning | None:
    """What an Update or Cancel follows: the warning its `references` name (by any road's
    identifier), else the warning in force of the type (and colour) it names in the same area."""
    if parsed.msg_type == MsgType.ALERT:
        return None
    if parsed.references:
        by_id = (
            WeatherWarning.objects.filter(
                Q(identifier__in=parsed.references) | Q(receipts__identifier__in=parsed.references)
            )
            .distinct()
            .order_by("-issued_at", "-id")
            .first()
        )
        if by_id is not None:
            return by_id
    wanted_type, wanted_colour = parsed.replaces or (parsed.warning_type, None)
    candidates = WeatherWarning.objects.in_force(now).filter(warning_type=wanted_type)
    if parsed.msg_type == MsgType.CANCEL or parsed.replaces:
        candidates = candidates.filter(colour=wanted_colour or parsed.colour)
    if not parsed.whole_city:
        candidates = candidates.filter(Q(whole_city=True) | Q(districts__in=districts))
    return candidates.distinct().order_by("-issued_at", "-id").first()


def level_recompute(
    *,
    district: OrgUnit,
    cause: str,
    trigger: WeatherWarning | None = None,
    by: Actor | None = None,
    now: datetime | None = None,
) -> LevelEvent | None:
    """Bring `district`'s level in line with the warnings in force and tonight's forecast
    under the rules in force. Records an event (and switches effects) only when it changes.
    The common step of `warning_ingest`, `forecast_record` and `weather_refresh`, which have
    checked their user (or are the system); it checks nothing itself."""
    now = now or timezone.now()
    with transaction.atomic():
        # Serialise level changes per district: two warnings landing at once must not both
        # read the same "current" level.
        OrgUnit.objects.select_for_update().filter(pk=district.pk).first()
        ruleset = rules_ensure()
        warnings = list(selectors.warnings_in_force(district=district, now=now))
        warning_level, deciding = rules.level_for_warnings(
            warnings, key=selectors.warning_level_key(ruleset)
        )
        forecast = selectors.forecast_for(district, clock.tonight(now))
        forecast_level = rules.level_for_forecast(
            forecast.min_temp_c if forecast else None, selectors.forecast_threshold_rows(ruleset)
        )
        new = max(warning_level, forecast_level)
        old = selectors.current_level(district)
        if new == old:
            return None
        if deciding is not None and warning_level >= forecast_level:
            reason = _("%(w)s（%(i)s %(t)s 发布）对应 %(l)s（规则 v%(v)s）") % {
                "w": deciding.title,
                "i": deciding.issuer,
                "t": clock.local(deciding.issued_at).strftime("%m-%d %H:%M"),
                "l": new.label,
                "v": ruleset.version,
            }
            cause_warning = deciding
        elif forecast_level > ResponseLevel.NORMAL and forecast is not None:
            reason = _("预报今夜最低气温 %(c)s °C，达到预备标准（规则 v%(v)s）") % {
                "c": forecast.min_temp_c,
                "v": ruleset.version,
            }
            cause_warning = None
            cause = cause if cause != LevelCause.WARNING else LevelCause.FORECAST
        else:
            reason = _("%(w)s，已无生效的预警，恢复%(l)s") % {
                "w": _describe_ending(trigger, cause),
                "l": new.label,
            }
            cause_warning = trigger
        event = LevelEvent.objects.create(
            district=district,
            from_level=old,
            to_level=new,
            cause=cause,
            reason=reason[:500],
            warning=cause_warning,
            ruleset=ruleset,
            by=by,
            at=now,
        )
        _apply_effects(event, now=now)
        return event


def _describe_ending(trigger: WeatherWarning | None, cause: str) -> str:
    if trigger is None and cause == LevelCause.FORECAST:
        return _("今夜预报最低气温未达预备标准")
    if trigger is None:
        return str(LevelCause(cause).label)
    if trigger.msg_type == MsgType.CANCEL:
        return _("%(w)s已解除") % {"w": trigger.title}
    if trigger.msg_type == MsgType.UPDATE and trigger.refers_to is not None:
        return _("%(old)s已更新为%(new)s，本区不在更新后的预警范围内") % {
            "old": trigger.refers_to.title,
            "new": trigger.title,
        }
    if cause == LevelCause.EXPIRY:
        return _("%(w)s已过期") % {"w": trigger.title}
    return _("%(w)s") % {"w": trigger.title}


def level_set_manually(
    *, district: OrgUnit, level: int, reason: str, by: Actor, now: datetime | None = None
) -> LevelEvent:
    """The city admin raises or lowers a district's level with a reason. The level holds until
    the next warning, update, cancel, expiry or forecast for the district changes the picture."""
    require(by, Capability.MANAGE_WEATHER, within=district)
    if district.level != OrgLevel.DISTRICT:
        raise ValidationError({"district": _("只能调整区的响应等级")})
    if level not in ResponseLevel.values:
        raise ValidationError({"level": _("响应等级无效")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写调整原因")})
    now = now or timezone.now()
    with transaction.atomic():
        OrgUnit.objects.select_for_update().filter(pk=district.pk).first()
        old = selectors.current_level(district)
        if old == level:
            raise ValidationError({"level": _("该区已处于此响应等级")})
        event = LevelEvent.objects.create(
            district=district,
            from_level=old,
            to_level=level,
            cause=LevelCause.MANUAL,
            reason=reason[:500],
            ruleset=selectors.ruleset_in_force(),
            by=by,
            at=now,
        )
        _apply_effects(event, now=now)
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            target=event,
            detail={"from": int(old), "to": int(level), "reason": reason},
        )
    return event


def _apply_effects(event: LevelEvent, *, now: datetime) -> None:
    """Switch on or off what the new level calls for. Caller holds the district's row lock."""
    district = event.district
    transaction.on_commit(lambda: selectors.forget_cached_effects(district.pk))
    change = {
        "district_id": district.pk,
        "from_level": int(event.from_level),
        "to_level": int(event.to_level),
        "at": now,
    }
    transaction.on_commit(lambda: level_changed.send(sender=LevelEvent, **change))
    effects = selectors.effects_for(ResponseLevel(event.to_level), event.ruleset)
    if effects.shelters_open:
        already = set(
            PlaceActivation.objects.filter(district=district, closed_at__isnull=True).values_list(
                "place_id", flat=True
            )
        )
        places = Place.objects.active().filter(
            kind__in=selectors.shelter_kinds(), org_unit__path__startswith=district.path
        )
        PlaceActivation.objects.bulk_create(
            PlaceActivation(place=p, district=district, opened_at=now, opened_by_event=event)
            for p in places
            if p.pk not in already
        )
    else:
        PlaceActivation.objects.filter(district=district, closed_at__isnull=True).update(
            closed_at=now, closed_by_event=event
        )
    if effects.stock_check or event.to_level > event.from_level:
        # Stock against the new level's reserve targets: shortfall alerts and a transfer plan.
        from warmwinter.supplies.tasks import review_district_reserves

        code = district.code
        transaction.on_commit(lambda: review_district_reserves.enqueue(code))
    _notify(event, effects.notify_roles)


def _notify(event: LevelEvent, roles: tuple[str, ...]) -> None:
    raised = event.to_level > event.from_level
    if not raised:
        roles = selectors.effects_for(ResponseLevel(event.from_level), event.ruleset).notify_roles
    if not roles:
        return
    to_level = ResponseLevel(event.to_level)
    if not raised:
        urgency = Urgency.INFO
    elif to_level >= ResponseLevel.II:
        urgency = Urgency.URGENT
    elif to_level >= ResponseLevel.IV:
        urgency = Urgency.WARNING
    else:
        urgency = Urgency.INFO
    effects = selectors.effects_for(to_level, event.ruleset)
    switched = []
    if effects.shelters_open:
        switched.append(_("临时救助场所和求助引导点开放"))
    if effects.stock_check:
        switched.append(_("盘点救助物资"))
    body = event.reason
    if raised and switched:
        body += "；" + "、".join(switched)
    notify(
        recipients=recipients_for(org_unit=event.district, roles=roles),
        title=_("%(d)s响应等级：%(f)s → %(t)s")
        % {
            "d": event.district.name,
            "f": ResponseLevel(event.from_level).label,
            "t": to_level.label,
        },
        body=body,
        url=reverse("weather:district", args=[event.district.code]),
        urgency=urgency,
        source="weather",
    )


def forecast_record(
    *,
    night: date,
    min_temp_c: Decimal,
    district: OrgUnit | None = None,
    issuer: str = "",
    by: Actor | None = None,
    now: datetime | None = None,
) -> tuple[Forecast, list[LevelEvent]]:
    """Record a forecast night minimum (for a district, or the whole city) and apply the
    forecast rule: at or below the threshold raises "prepare" even without a warning. `by` is
    the user who enters it (MANAGE_WEATHER), None a feed the system reads."""
    if by is not None:
        require(by, Capability.MANAGE_WEATHER, within=district)
    if district is not None and district.level != OrgLevel.DISTRICT:
        raise ValidationError({"district": _("预报须针对区或全市")})
    now = now or timezone.now()
    forecast = Forecast(
        district=district,
        night=night,
        min_temp_c=min_temp_c,
        issuer=issuer,
        received_by=by,
        received_at=now,
    )
    validate(forecast, fields=("min_temp_c", "issuer"))
    with transaction.atomic():
        forecast.save(force_insert=True)
        targets = (
            [district]
            if district is not None
            else list(OrgUnit.objects.filter(level=OrgLevel.DISTRICT).order_by("code"))
        )
        events = [
            e
            for d in targets
            if (e := level_recompute(district=d, cause=LevelCause.FORECAST, now=now)) is not None
        ]
    return forecast, events


def weather_refresh(*, now: datetime | None = None) -> list[LevelEvent]:
    """Expire warnings past their expiry time and let levels follow; drop forecast-driven
    levels whose night is over. Run periodically (task `refresh_levels`, command
    `weather_refresh`)."""
    now = now or timezone.now()
    events: list[LevelEvent] = []
    expired = list(
        WeatherWarning.objects.filter(
            ended_at__isnull=True, expires_at__lte=now, msg_type__in=[MsgType.ALERT, MsgType.UPDATE]
        )
    )
    for warning in expired:
        with transaction.atomic():
            updated = WeatherWarning.objects.filter(pk=warning.pk, ended_at__isnull=True).update(
                ended_at=now, end_reason=EndReason.EXPIRED
            )
            if not updated:
                continue  # another refresh got there first
            for district in sorted(_area_of(warning), key=lambda d: d.code):
                event = level_recompute(
                    district=district, cause=LevelCause.EXPIRY, trigger=warning, now=now
                )
                if event is not None:
                    events.append(event)
    # Warnings received before they took effect: their level starts when they do.
    became_effective = (
        WeatherWarning.objects.in_force(now)
        .filter(
            effective_at__gt=F("received_at"),
            effective_at__gte=now - timedelta(days=1),
            level_events__isnull=True,
        )
        .order_by("effective_at", "id")
    )
    for warning in became_effective:
        for district in sorted(_area_of(warning), key=lambda d: d.code):
            event = level_recompute(
                district=district, cause=LevelCause.WARNING, trigger=warning, now=now
            )
            if event is not None:
                events.append(event)
    latest_forecast_driven = [
        dl.district
        for dl in selectors.district_levels(OrgUnit.objects.filter(level=OrgLevel.DISTRICT))
        if dl.event is not None and dl.event.cause == LevelCause.FORECAST and dl.level > 0
    ]
    for district in latest_forecast_driven:
        event = level_recompute(district=district, cause=LevelCause.FORECAST, now=now)
        if event is not None:
            events.append(event)
    return events


def ruleset_draft(*, by: Actor) -> RuleSet:
    """A new unpublished version copied from the rules in force, for the city admin to edit."""
    require(by, Capability.MANAGE_WEATHER)
    with transaction.atomic():
        source = rules_ensure()
        latest = RuleSet.objects.select_for_update().order_by("-version").first()
        version = (latest.version if latest else 0) + 1
        draft = RuleSet.objects.create(
            version=version, note=_("由 v%(v)s 复制") % {"v": source.version}, created_by=by
        )
        related_rows = (
            "warning_rules",
            "warning_lifetimes",
            "forecast_rules",
            "effects",
            "patrol_requirements",
        )
        for related in related_rows:
            rows = list(getattr(source, related).all())
            for row in rows:
                row.pk = None
                row.ruleset = draft
            if rows:
                type(rows[0]).objects.bulk_create(rows)
        audit_record(actor=by, action=AuditAction.CREATE, target=draft)
    return draft


def ruleset_publish(*, ruleset: RuleSet, by: Actor) -> RuleSet:
    """Put a draft in force. Levels follow at the next warning, forecast or refresh."""
    require(by, Capability.MANAGE_WEATHER)
    with transaction.atomic():
        updated = RuleSet.objects.filter(pk=ruleset.pk, published_at__isnull=True).update(
            published_at=timezone.now()
        )
        if not updated:
            raise ValidationError(_("该版本已发布"))
        ruleset.refresh_from_db()
        audit_record(
            actor=by, action=AuditAction.UPDATE, target=ruleset, detail={"published": True}
        )
    return ruleset
