"""The one scoping mechanism every query about scoped data goes through.

- a city-level user sees everything;
- a district user sees what belongs to their district's subtree (streets, communities, the
  district station);
- a station user sees what belongs to their station;
- a reporter (service point, social force) sees only what they reported themselves.

A model opts in by declaring `scope = Scope(org_field=..., reporter_field=...)`: `org_field`
is the lookup path to the OrgUnit that owns a row ("" when the model is OrgUnit itself).
`shared`, if given, adds the rows a unit sees beyond its subtree (a lead near a district border
is shown to the neighbour district until one of them takes it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from warmwinter.accounts.models import User

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Scope:
    org_field: str
    reporter_field: str | None = None
    #: unit → Q of the rows it also sees beyond its subtree.
    shared: Callable[[Any], models.Q] | None = None

    def path_lookup(self) -> str:
        return f"{self.org_field}__path__startswith" if self.org_field else "path__startswith"


def scope_for(model: type[models.Model]) -> Scope:
    scope = getattr(model, "scope", None)
    if not isinstance(scope, Scope):
        raise TypeError(f"{model.__name__} declares no Scope and cannot be fetched for a user")
    return scope


def visible_to(queryset: models.QuerySet[M], user: User | Any) -> models.QuerySet[M]:
    """Narrow `queryset` to the rows `user` may see."""
    from warmwinter.accounts.roles import Role
    from warmwinter.places.models import OrgLevel

    scope = scope_for(queryset.model)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    if user.role == Role.REPORTER:
        if scope.reporter_field is None:
            return queryset.none()
        return queryset.filter(**{scope.reporter_field: user})
    unit = user.org_unit
    if unit is None:
        return queryset.none()
    if unit.level == OrgLevel.CITY:
        return queryset
    own = models.Q(**{scope.path_lookup(): unit.path})
    if scope.shared is not None:
        return queryset.filter(own | scope.shared(unit))
    return queryset.filter(own)


def get_visible_or_404(queryset: models.QuerySet[M], user: User | Any, **lookup: Any) -> M:
    """The one object matching `lookup` that `user` may see, or 404 (never 403: the existence
    of another district's record is itself information)."""
    try:
        return visible_to(queryset, user).get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None
