"""The inbox (消息中心): every signed-in person sees their own notifications, and only those."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from zhili.accounts.models import User
from zhili.notify import selectors, services
from zhili.notify.models import Notification
from zhili.web.views import Pager

PAGE_SIZE = 20


class UserRequest(HttpRequest):
    """A request that ``login_required`` let through."""

    user: User


@require_GET
@login_required
def inbox(request: UserRequest) -> HttpResponse:
    paginator = Paginator(selectors.notification_list(user=request.user), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "page": page,
        "pager": Pager(page.number, paginator.num_pages),
        "any_unread": any(not n.is_read for n in page),
    }
    return render(request, "notify/inbox.html", context)


@require_POST
@login_required
def mark_read(request: UserRequest, pk: int) -> HttpResponseRedirect:
    """Mark one read; then go where ``next`` says (the notification's link) or back to the inbox."""
    try:
        services.notification_mark_read(user=request.user, notification_id=pk)
    except Notification.DoesNotExist:
        raise Http404("没有这条消息") from None
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("notify:inbox")


@require_POST
@login_required
def mark_all_read(request: UserRequest) -> HttpResponseRedirect:
    services.notification_mark_all_read(user=request.user)
    return redirect("notify:inbox")
