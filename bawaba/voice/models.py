"""Telephony: numbers and their IVR (configured per organisation in the admin), agents' states, calls and
their history, and the agents scheduled per half-hour for the staffing page."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Languages(models.TextChoices):
    FR = "fr", _("French")
    AR = "ar", _("Arabic")
    BOTH = "fr+ar", _("French and Arabic (the caller chooses)")


class VoiceNumber(models.Model):
    """A number citizens call, owned by one organisation, with its IVR: language choice, menu, hours."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="voice_numbers")
    number = models.CharField(_("number (international format)"), max_length=16, unique=True,
                              validators=[RegexValidator(r"^\+[1-9]\d{6,14}$", _("E.164, e.g. +213215550100."))])
    label = models.CharField(_("label"), max_length=120, blank=True)
    provider = models.CharField(_("provider"), max_length=32, default="africastalking")
    languages = models.CharField(_("languages"), max_length=8, choices=Languages.choices, default=Languages.BOTH)
    greeting_fr = models.CharField(_("greeting (French)"), max_length=300, blank=True)
    greeting_ar = models.CharField(_("greeting (Arabic)"), max_length=300, blank=True)
    closed_fr = models.CharField(_("closed message (French)"), max_length=300, blank=True)
    closed_ar = models.CharField(_("closed message (Arabic)"), max_length=300, blank=True)
    # The provider's text-to-speech voice per language (Africa's Talking: `voice` attribute of Say); blank: default.
    voice_fr = models.CharField(_("text-to-speech voice (French)"), max_length=40, blank=True)
    voice_ar = models.CharField(_("text-to-speech voice (Arabic)"), max_length=40, blank=True)
    hold_music_url = models.URLField(_("hold music URL"), blank=True)
    default_service = models.ForeignKey(
        "orgs.Service", verbose_name=_("service when the caller chooses nothing"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+")
    voicemail_enabled = models.BooleanField(_("voicemail outside opening hours"), default=True)
    callback_threshold_seconds = models.PositiveIntegerField(
        _("offer a callback above this estimated wait (seconds)"), default=120)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("voice number")
        verbose_name_plural = _("voice numbers")

    def __str__(self):
        return f"{self.number} {self.label}".strip()

    @property
    def offered_languages(self) -> list[str]:
        return ["fr", "ar"] if self.languages == Languages.BOTH else [self.languages]

    def clean(self):
        if self.default_service_id and self.organisation_id \
                and self.default_service.organisation_id != self.organisation_id:
            raise ValidationError({"default_service": _("The service must belong to the number's organisation.")})


class MenuOption(models.Model):
    """“Press 1 for faults”: a key of the number's menu and the service that takes those calls."""

    number = models.ForeignKey(VoiceNumber, on_delete=models.CASCADE, related_name="options")
    digit = models.CharField(_("key"), max_length=1, validators=[RegexValidator(r"^[1-9]$", _("A key from 1 to 9."))])
    label_fr = models.CharField(_("label (French)"), max_length=120)
    label_ar = models.CharField(_("label (Arabic)"), max_length=120, blank=True)
    service = models.ForeignKey("orgs.Service", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["number", "digit"]
        constraints = [models.UniqueConstraint(fields=["number", "digit"], name="voice_option_unique_digit")]
        verbose_name = _("menu option")

    def __str__(self):
        return f"{self.digit}: {self.label_fr}"

    def label(self, language: str) -> str:
        return (self.label_ar if language == "ar" else "") or self.label_fr

    def clean(self):
        # Another organisation's service is allowed (the shared centre's number may route to an operator).
        if self.service_id and not self.service.is_active:
            raise ValidationError({"service": _("This service is not active.")})


class AgentStateKind(models.TextChoices):
    OFFLINE = "offline", _("Signed out of the phone")
    AVAILABLE = "available", _("Available")
    RESERVED = "reserved", _("Call ringing")
    ON_CALL = "on_call", _("On a call")
    WRAP_UP = "wrap_up", _("Wrap-up")
    PAUSED = "paused", _("Pause")


class PauseReason(models.TextChoices):
    BREAK = "break", _("Break")
    MEAL = "meal", _("Meal")
    TRAINING = "training", _("Training")
    BACK_OFFICE = "back_office", _("Back-office work")
    MISSED = "missed", _("Missed a call")


class AgentState(models.Model):
    """The phone state of one agent. `version` rises with every change: the console's ETag."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True,
                                related_name="voice_state")
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=AgentStateKind.choices, default=AgentStateKind.OFFLINE)
    pause_reason = models.CharField(max_length=12, choices=PauseReason.choices, blank=True)
    since = models.DateTimeField()
    # Where the provider rings the agent: a SIP address or a phone number.
    contact = models.CharField(_("phone or SIP address"), max_length=120, blank=True)
    call = models.ForeignKey("Call", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    version = models.BigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["organisation", "state", "since"], name="voice_agent_org_state")]

    def __str__(self):
        return f"{self.user_id} {self.state}"


class AgentStateChange(models.Model):
    """The history of agents' states (the audit trail; also what an adherence report would read)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=AgentStateKind.choices)
    pause_reason = models.CharField(max_length=12, choices=PauseReason.choices, blank=True)
    call = models.ForeignKey("Call", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["organisation", "at"], name="voice_agentchange_org_at")]

    def __str__(self):
        return f"{self.user_id} {self.state} {self.at:%H:%M:%S}"


class CallState(models.TextChoices):
    IVR = "ivr", _("In the menu")
    QUEUED = "queued", _("Waiting")
    OFFERED = "offered", _("Ringing an agent")
    CONNECTED = "connected", _("With an agent")
    WRAP_UP = "wrap_up", _("Wrap-up")
    VOICEMAIL = "voicemail", _("Leaving a voicemail")
    ENDED = "ended", _("Ended")


class Outcome(models.TextChoices):
    ANSWERED = "answered", _("Answered")
    ABANDONED = "abandoned", _("Abandoned while waiting")
    ABANDONED_IVR = "abandoned_ivr", _("Hung up in the menu")
    CALLBACK_DONE = "callback_done", _("Called back")
    VOICEMAIL = "voicemail", _("Voicemail")
    CLOSED = "closed", _("Closed (no voicemail)")
    REJECTED = "rejected", _("Rejected (number not in service)")


SERVICE_LEVEL_SECONDS = 20


class Call(models.Model):
    """One citizen's call, from arrival to wrap-up: the record of its wait, answer, talk and outcome."""

    provider = models.CharField(max_length=32)
    session_id = models.CharField(max_length=120)
    number = models.ForeignKey(VoiceNumber, null=True, blank=True, on_delete=models.PROTECT, related_name="calls")
    organisation = models.ForeignKey("orgs.Organisation", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    service = models.ForeignKey("orgs.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    caller = models.CharField(max_length=32, db_index=True)  # E.164 when the provider gave one
    destination = models.CharField(max_length=32, blank=True)
    direction = models.CharField(max_length=10, default="inbound")
    language = models.CharField(max_length=2, blank=True)
    state = models.CharField(max_length=10, choices=CallState.choices, default=CallState.IVR)
    step = models.CharField(max_length=20, blank=True)  # where the IVR is: language, menu, callback_offer…
    retries = models.PositiveSmallIntegerField(default=0)
    choices = models.JSONField(default=dict, blank=True)  # what the caller chose in the IVR
    outcome = models.CharField(max_length=14, choices=Outcome.choices, blank=True)

    arrived_at = models.DateTimeField()
    queued_at = models.DateTimeField(null=True, blank=True)  # the caller's place; kept by a callback
    offered_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    talk_ended_at = models.DateTimeField(null=True, blank=True)
    wrapup_ended_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    wait_seconds = models.PositiveIntegerField(null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)  # as the provider billed it

    callback_requested_at = models.DateTimeField(null=True, blank=True)
    callback_due_at = models.DateTimeField(null=True, blank=True)
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    request = models.ForeignKey("servicedesk.Request", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="calls")
    recording_url = models.URLField(max_length=500, blank=True)
    voicemail_status = models.CharField(max_length=10, blank=True)  # pending, stored, failed
    # The voicemail's audio, fetched from recording_url and checked (type, size); shown on the request's page.
    recording = models.FileField(upload_to="voicemail/%Y/%m/", blank=True)
    recording_type = models.CharField(max_length=20, blank=True)
    recording_sha256 = models.CharField(max_length=64, blank=True)

    # Replays: each question's callbackUrl carries `seq`; a callback for an answered question (or the same
    # first callback twice) gets the answer already given, and nothing is done twice.
    seq = models.PositiveIntegerField(default=0)
    last_payload = models.CharField(max_length=64, blank=True)
    last_answer = models.TextField(blank=True)

    class Meta:
        ordering = ["-arrived_at"]
        constraints = [models.UniqueConstraint(fields=["provider", "session_id"], name="voice_call_unique_session")]
        indexes = [
            models.Index(fields=["organisation", "state", "queued_at"], name="voice_call_org_state_q"),
            models.Index(fields=["organisation", "arrived_at"], name="voice_call_org_arrived"),
            models.Index(fields=["state", "offered_at"], name="voice_call_state_offered"),
        ]

    def __str__(self):
        return f"{self.session_id} {self.caller} {self.state}"


class CallEvent(models.Model):
    """The call's history: IVR choices, queueing, offers, answer, transfers, end. Kept across transfers."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24)
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.call_id} {self.kind}"


class ScheduledAgents(models.Model):
    """How many agents are planned in one half-hour (compared with the staffing forecast)."""

    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    slot = models.TimeField(help_text=_("Start of the half-hour, local time"))
    agents = models.PositiveIntegerField()

    class Meta:
        ordering = ["organisation", "date", "slot"]
        constraints = [models.UniqueConstraint(fields=["organisation", "date", "slot"],
                                               name="voice_schedule_unique_slot")]
        verbose_name = _("scheduled agents")
        verbose_name_plural = _("scheduled agents")

    def __str__(self):
        return f"{self.organisation_id} {self.date} {self.slot:%H:%M} {self.agents}"

    def clean(self):
        if self.slot is not None and (self.slot.minute not in (0, 30) or self.slot.second):
            raise ValidationError({"slot": _("A half-hour starts at :00 or :30.")})
