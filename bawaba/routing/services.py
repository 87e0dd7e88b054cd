"""Route a new request to the competent service: explicit rules first, then the text classifier,
and the orientation queue when the classifier is not confident enough (or cannot run)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from django.conf import settings

from bawaba.core import refdata
from bawaba.core.textnorm import normalise
from bawaba.orgs.models import Service
from bawaba.orgs.services import orientation_service

from .models import RoutingCorrection, RoutingRule

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Decision:
    service: Service
    method: str  # "rule" | "classifier" | "orientation"
    confidence: float | None
    predicted_code: str  # what the classifier said (even when it was not confident enough)


def keyword_pattern(keyword: str) -> re.Pattern | None:
    """A normalised keyword as a pattern. Latin-script keywords match at the start of a word ("fibre"
    matches "fibres" but "poste" does not match "composte"); Arabic-script ones match anywhere, because
    Arabic writes the article and particles attached ("البريد", "بالبريد")."""
    keyword = " ".join(normalise(keyword).split())
    if not re.search(r"\w", keyword):
        return None  # punctuation only: it would match almost anything, so it is ignored
    body = r"\s+".join(re.escape(part) for part in keyword.split(" "))
    if keyword[0].isascii() and keyword[0].isalnum():
        return re.compile(r"(?<!\w)" + body)
    return re.compile(body)


def _rule_matches(rule: RoutingRule, patterns: list[re.Pattern], text: str, channel: str, category: str) -> bool:
    if rule.channel and rule.channel != channel:
        return False
    if rule.category and rule.category != category:
        return False
    if patterns and not any(p.search(text) for p in patterns):
        return False
    # A rule with no condition at all would catch everything: it never matches.
    return bool(rule.channel or rule.category or patterns)


def _active_rules() -> list[tuple[RoutingRule, list[re.Pattern]]]:
    """The active rules of active services in order, with their keyword patterns compiled (kept in memory
    until a rule, service, queue or organisation changes: bawaba.core.refdata)."""
    def compute():
        rules = RoutingRule.objects.filter(is_active=True, service__is_active=True).select_related(
            "service__organisation", "service__queue"
        )
        return [(rule, [p for p in (keyword_pattern(k) for k in rule.keywords.splitlines()) if p is not None])
                for rule in rules]

    return refdata.reference("routing-rules", compute)


def _service_for_code(code: str) -> Service | None:
    def compute():
        return {service.code: service for service in Service.objects.filter(is_active=True, is_orientation=False)
                .select_related("organisation", "queue")}

    return refdata.reference("routable-services", compute).get(code)


def route(*, subject: str, text: str, channel: str, category: str = "") -> Decision:
    full_text = f"{subject}\n{text}"
    normalised = normalise(full_text)
    for rule, patterns in _active_rules():
        if _rule_matches(rule, patterns, normalised, channel, category):
            return Decision(rule.service, "rule", 1.0, rule.service.code)
    # The service the citizen chose (portal, USSD menu, API) is an explicit choice: it goes before the
    # classifier. If the citizen chose wrong, the agent's transfer corrects it and teaches the classifier.
    chosen = _service_for_code(category) if category else None
    if chosen is not None:
        return Decision(chosen, "rule", 1.0, chosen.code)

    from .classifier import ModelUnavailable, get_classifier

    try:
        prediction = get_classifier().predict_one(full_text)
    except ModelUnavailable:
        # A request must never be lost because the model is missing: a human routes it.
        log.exception("routing classifier unavailable; sending the request to orientation")
        return Decision(orientation_service(), "orientation", None, "")
    service = None
    if prediction.service and prediction.confidence >= settings.ROUTING_CONFIDENCE_THRESHOLD:
        service = _service_for_code(prediction.service)
    if service is None:
        return Decision(orientation_service(), "orientation", prediction.confidence, prediction.service or "")
    return Decision(service, "classifier", prediction.confidence, prediction.service)


def record_correction(request, from_service, to_service, *, actor) -> RoutingCorrection | None:
    """Keep what an agent's transfer teaches the classifier (`bawaba routing train` uses it)."""
    if to_service.is_orientation or to_service.pk == from_service.pk:
        return None
    return RoutingCorrection.objects.create(
        request=request,
        text=f"{request.subject}\n{request.text}",
        predicted_code=request.predicted_service_code or from_service.code,
        corrected_code=to_service.code,
        corrected_by=actor,
    )
