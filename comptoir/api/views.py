"""The back office's API pages: parse, load, one service call, respond."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from comptoir.api import services
from comptoir.api.forms import ApiKeyForm, WebhookForm
from comptoir.api.models import ApiKey, Scope, Webhook, WebhookDelivery
from comptoir.api.webhooks import webhook_ping as ping_queue
from comptoir.lib.http import post_data
from comptoir.staff.access import administrator_required, signed_in_employee

DELIVERIES_SHOWN = 50


@administrator_required
@never_cache
@require_http_methods(["GET", "POST"])
def api_keys(request: HttpRequest) -> HttpResponse:
    initial = {"employee": signed_in_employee(request).pk}
    form = ApiKeyForm(post_data(request), initial=initial)
    context: dict[str, object] = {"form": form}
    status = 200
    if request.method == "POST":
        if form.is_valid():
            key, clear = services.api_key_create(
                name=form.cleaned_data["name"],
                scope=Scope(form.cleaned_data["scope"]),
                employee=form.cleaned_data["employee"],
                created_by=signed_in_employee(request),
                may_export_personal_data=form.cleaned_data["may_export_personal_data"],
                may_erase_personal_data=form.cleaned_data["may_erase_personal_data"],
            )
            # Shown in this response only: the clear key is stored nowhere.
            context.update(created=key, clear_key=clear, form=ApiKeyForm(initial=initial))
        else:
            status = 400
    keys = ApiKey.objects.select_related("employee", "created_by").order_by("-id")
    context["keys"] = keys
    return render(request, "api/keys.html", context, status=status)


@administrator_required
@require_POST
def api_key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    key = get_object_or_404(ApiKey, pk=pk)
    if services.api_key_revoke(key=key, employee=signed_in_employee(request)):
        messages.success(request, _("The key %(name)s is revoked.") % {"name": key.name})
    return redirect("api_admin:keys")


@administrator_required
def webhook_list(request: HttpRequest) -> HttpResponse:
    return render(request, "api/webhooks.html", {"webhooks": Webhook.objects.order_by("id")})


def _webhook_form_data(form: WebhookForm) -> dict[str, object]:
    data = form.cleaned_data
    return {
        "url": data["url"],
        "topics": data["topics"],
        "description": data["description"],
        "allow_private_network": data["allow_private_network"],
    }


@administrator_required
@never_cache
@require_http_methods(["GET", "POST"])
def webhook_add(request: HttpRequest) -> HttpResponse:
    form = WebhookForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        webhook, secret = services.webhook_create(
            **_webhook_form_data(form),  # type: ignore[arg-type]
            created_by=signed_in_employee(request),
        )
        return render(request, "api/webhook_secret.html", {"webhook": webhook, "secret": secret})
    status = 400 if request.method == "POST" else 200
    return render(request, "api/webhook_form.html", {"form": form}, status=status)


@administrator_required
@require_http_methods(["GET", "POST"])
def webhook_edit(request: HttpRequest, pk: int) -> HttpResponse:
    webhook = get_object_or_404(Webhook, pk=pk)
    initial = {
        "url": webhook.url,
        "description": webhook.description,
        "topics": webhook.topics,
        "allow_private_network": webhook.allow_private_network,
        "is_active": webhook.is_active,
    }
    form = WebhookForm(post_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        services.webhook_update(
            webhook=webhook,
            **_webhook_form_data(form),  # type: ignore[arg-type]
            is_active=form.cleaned_data["is_active"],
        )
        messages.success(request, _("Successful update."))
        return redirect("api_admin:webhook", pk=webhook.pk)
    deliveries = WebhookDelivery.objects.filter(webhook=webhook).order_by("-id")
    context = {
        "form": form,
        "webhook": webhook,
        "deliveries": list(deliveries[:DELIVERIES_SHOWN]),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "api/webhook_form.html", context, status=status)


@administrator_required
@require_POST
def webhook_delete(request: HttpRequest, pk: int) -> HttpResponse:
    webhook = get_object_or_404(Webhook, pk=pk)
    if request.POST.get("confirm") != "yes":
        return render(request, "api/webhook_delete.html", {"webhook": webhook})
    services.webhook_delete(webhook=webhook)
    messages.success(request, _("Successful deletion."))
    return redirect("api_admin:webhooks")


@administrator_required
@never_cache
@require_POST
def webhook_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    webhook = get_object_or_404(Webhook, pk=pk)
    secret = services.webhook_secret_rotate(webhook=webhook)
    return render(request, "api/webhook_secret.html", {"webhook": webhook, "secret": secret})


@administrator_required
@require_POST
def webhook_ping(request: HttpRequest, pk: int) -> HttpResponse:
    webhook = get_object_or_404(Webhook, pk=pk)
    ping_queue(webhook=webhook)
    messages.success(request, _("A test event is queued; its delivery appears below."))
    return redirect("api_admin:webhook", pk=webhook.pk)


@administrator_required
@require_POST
def delivery_retry(request: HttpRequest, pk: int, delivery_pk: int) -> HttpResponse:
    delivery = get_object_or_404(WebhookDelivery, pk=delivery_pk, webhook_id=pk)
    if services.webhook_delivery_retry(delivery=delivery):
        messages.success(request, _("The delivery will be sent again."))
    return redirect("api_admin:webhook", pk=pk)
