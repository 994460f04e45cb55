"""JSON bodies with numbers read as Decimal: a figure sent as 26.35 arrives as 26.35, never as a binary float."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class DecimalJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict | None = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return json.loads(stream.read().decode(encoding), parse_float=Decimal, parse_constant=_refuse)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(str(exc)) from None


def _refuse(name: str) -> Any:
    raise ValueError(_("不接受 %(n)s") % {"n": name})
