"""The one exception of the biometric engine."""


class FaceError(ValueError):
    """A reference photo (or a frame, where it matters) that cannot give a face template.

    ``code`` is stable and meant for programs (map it to a translated message in the app);
    ``str(error)`` is an English reason for logs and developers.

    Codes: ``not_an_image`` (bytes are not JPEG/PNG/WebP, or cannot be decoded), ``too_large`` (more pixels
    than IMAGE_MAX_PIXELS), ``no_face``, ``several_faces``, ``too_small`` (face under the minimum width),
    ``low_quality`` (too blurred, too dark or too bright to make a template worth keeping).
    """

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code
