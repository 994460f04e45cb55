"""The admin site: group robots (off until enabled) and the record of every message sent, read-only."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from notifications.models import Delivery, Notification, WebhookTarget


@admin.register(WebhookTarget)
class WebhookTargetAdmin(admin.ModelAdmin):
    list_display = ["name", "department", "kind", "enabled"]
    list_filter = ["kind", "enabled"]
    search_fields = ["name", "department__name"]
    autocomplete_fields = ["department"]


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnly):
    list_display = ["created_at", "recipient", "kind", "title", "department", "read_at"]
    list_filter = ["kind", "day"]
    search_fields = ["title", "recipient__username", "department__name"]
    list_select_related = ["recipient", "department"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly):
    list_display = ["created_at", "channel", "recipient", "department", "target", "result", "detail"]
    list_filter = ["channel", "result", "day"]
    search_fields = ["target", "recipient__username", "department__name", "key"]
    list_select_related = ["recipient", "department"]
