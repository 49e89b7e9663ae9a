from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from comptoir.lib.tokens import same_secret
from comptoir.threads.models import Thread


def thread_get_for_token(token: str) -> Thread | None:
    """The thread whose secret token this is, compared in constant time; None otherwise."""
    if not token.isalnum() or not 16 <= len(token) <= 32:
        return None
    thread = Thread.objects.filter(token=token).first()
    if thread is None or not same_secret(token, thread.token):
        return None
    return thread


def conversation(request: HttpRequest, token: str) -> HttpResponse:
    thread = thread_get_for_token(token)
    if thread is None:
        raise Http404
    messages = thread.messages.filter(private=False).select_related("employee")
    return render(
        request, "contact_form/conversation.html", {"thread": thread, "messages": messages}
    )
