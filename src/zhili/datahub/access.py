"""Who may read which dataset: one rule for the catalogue pages, the map, CKAN and reports.

- open (无条件开放): everyone, signed in or not;
- shared (部门间共享): every member of staff;
- restricted (受限): the owning department's staff, leaders and administrators.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from zhili.accounts.models import User
from zhili.datahub.models import Dataset, Sharing


def reads_everything(user: Any) -> bool:
    return isinstance(user, User) and user.is_active and user.is_county_wide


def sharing_filter(user: Any) -> Q:
    """The datasets a user other than a leader may read, as a filter on Dataset."""
    readable = Q(sharing=Sharing.OPEN)
    if isinstance(user, User) and user.is_active and user.works_in_back_office:
        own = user.departments.values("pk")
        readable |= Q(sharing=Sharing.SHARED) | Q(sharing=Sharing.RESTRICTED, department__in=own)
    return readable


def datasets_visible_to(user: Any) -> QuerySet[Dataset]:
    qs = Dataset.objects.select_related("department", "current")
    return qs if reads_everything(user) else qs.filter(sharing_filter(user))


def can_read(user: Any, dataset: Dataset) -> bool:
    return datasets_visible_to(user).filter(pk=dataset.pk).exists()
