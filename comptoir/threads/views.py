from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from comptoir.staff.access import employee_required
from comptoir.threads.models import Thread

PAGE_SIZE = 50


@employee_required
def home(request: HttpRequest) -> HttpResponse:
    threads = Thread.objects.select_related("contact", "customer", "assignee").order_by("-id")[
        :PAGE_SIZE
    ]
    return render(request, "threads/home.html", {"threads": threads})
