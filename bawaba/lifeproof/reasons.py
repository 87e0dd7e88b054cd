"""Translated words for the engine's reason codes (bawaba.lifeproof.biometrics.REASONS gives them in English for
developers) and for the app's own refusals."""

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "no_frames": _("No picture was received."),
    "too_many_frames": _("Too many pictures were sent."),
    "not_an_image": _("A picture sent is not an image."),
    "timestamps_invalid": _("The pictures' times are not consistent."),
    "replayed_frames": _("These pictures were already sent in an earlier attempt."),
    "static_frames": _("The pictures do not move: a photo held to the camera?"),
    "no_face_at_all": _("No face was seen."),
    "too_few_usable_frames": _("Too few pictures show one clear face."),
    "no_match": _("The face does not match the reference photo."),
    "identity_changed": _("The face changed during the capture."),
    "challenge_wrong_order": _("The movements were not done in the order asked."),
    "challenge_incomplete": _("Not every movement asked was seen."),
    "challenge_too_late": _("The movements were done too late."),
    "reference_model_mismatch": _("The reference must be enrolled again."),
    "several_faces": _("Several faces were seen."),
    "no_face": _("Some pictures show no face."),
    "weak_match": _("The likeness with the reference photo is uncertain."),
    "low_quality": _("The pictures are blurred, too dark or too bright."),
    "challenge_extra_moves": _("Extra movements were seen."),
    "duplicate_frames": _("Some pictures are repeated."),
    "engine_error": _("The check could not run; a person will look at it."),
}


def describe(code: str) -> str:
    return str(MESSAGES.get(code, code))
