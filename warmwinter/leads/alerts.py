"""Alerting the team a lead was dispatched to (「派单提醒」): a Web Push to every member's
subscribed patrol app and, for an urgent lead, an SMS through the gateway seam.

The message names the lead, its priority and a short place, never the person: it travels
through a browser vendor's push service (encrypted) and shows on a locked phone's screen.
Run by the `alert_team` task after the dispatch commits; the lifecycle's chase of unaccepted
leads sends the second alert.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from warmwinter.leads.models import Lead, LeadEvent, LeadEventKind, LeadStatus
from warmwinter.leads.rules import priority_label
from warmwinter.notifications.push import push_to_users
from warmwinter.notifications.sms import sms_backend

#: The priority whose alerts also go by SMS (leads/rules.py: 1 紧急).
URGENT = 1


def lead_phone_url(lead: Lead) -> str:
    """The lead on the team's phone: its card on 「我的派单」, where it is accepted."""
    return f"/dispatch/my/#lead-{lead.pk}"


def place_text(lead: Lead) -> str:
    """Where, in a few words: the known place, else the address, else the street."""
    text = lead.place.name if lead.place else (lead.address or lead.org_unit.name)
    return text[:40]


def alert_payload(lead: Lead, *, round_: int) -> dict[str, Any]:
    label = priority_label(lead.priority)
    title = (_("再次提醒：%(p)s线索待接单") if round_ > 1 else _("新派单：%(p)s线索")) % {
        "p": label
    }
    return {
        "type": "lead-dispatched",
        "lead": lead.pk,
        "code": lead.tracking_code,
        "priority": lead.priority,
        "place": place_text(lead),
        "round": round_,
        "title": title,
        "body": f"{lead.tracking_code} · {place_text(lead)}",
        "url": lead_phone_url(lead),
    }


def alert_team(*, lead_id: int, round_: int = 1) -> int:
    """Alert the members of the lead's team, if it still waits for them to accept; returns
    how many devices and phones were reached. `round_` 1 is the dispatch, 2 the reminder."""
    lead = Lead.objects.select_related("team", "place", "org_unit").filter(pk=lead_id).first()
    if lead is None or lead.status != LeadStatus.DISPATCHED or lead.team is None:
        return 0
    members = list(lead.team.members.filter(is_active=True))
    payload = alert_payload(lead, round_=round_)
    pushed = push_to_users(users=members, payload=payload)
    texted = 0
    if lead.priority == URGENT:
        backend = sms_backend()
        text = f"{payload['title']} {payload['body']}"
        for member in members:
            if member.phone:
                backend.send(phone=member.phone, text=text)
                texted += 1
    Lead.objects.filter(pk=lead.pk, alerts_sent__lt=round_).update(alerts_sent=round_)
    LeadEvent.objects.create(
        lead=lead,
        kind=LeadEventKind.NOTE,
        note=(_("已提醒%(team)s：推送 %(n)d 台设备，短信 %(m)d 人"))
        % {"team": lead.team.name, "n": pushed.sent, "m": texted},
    )
    return pushed.sent + texted


def leads_to_chase() -> Any:
    """Dispatched leads not yet accepted (the chase looks at each one's limits)."""
    return Lead.objects.filter(status=LeadStatus.DISPATCHED, dispatched_at__isnull=False).only(
        "pk", "priority", "time_limit_factor", "dispatched_at", "alerts_sent"
    )
