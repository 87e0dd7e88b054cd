"""Assessment of one proof-of-life attempt: faces, quality, challenge steps in order, identity, 1:1 match.

Measured facts only; ``policy.decide`` turns them into accepted / review / refused.
"""

import hashlib
import time
from dataclasses import dataclass

import numpy as np

from . import face as facemod
from .challenge import CHALLENGE_STEPS
from .errors import FaceError
from .fingerprint import _phash as phash
from .fingerprint import fingerprint_distance
from .images import open_image, to_rgb_array
from .values import Assessment, FaceTemplate, Frame

ENGINE_VERSION = "1"
FRAME_MAX_SIDE = 640  # frames are analysed at most this large (phones send 480-720 px)
FRAME_DETECT_SIDE = 400  # faces are searched at this size (~10 ms of CPU a frame; at 320 a second face goes unseen)
MAX_FRAMES = 40
# Head turned when the yaw ratio (see face.yaw_ratio) moves this far from the capture's median (its neutral
# pose: most frames of a capture face the camera); eyes are judged on frames within FRONTAL_YAW of it.
TURN_YAW = 0.12
FRONTAL_YAW = 0.08
# A blink: eye openness under BLINK_RATIO x the capture's median openness, between frames at or above
# OPEN_RATIO x that median.
BLINK_RATIO = 0.7
OPEN_RATIO = 0.8
EMBED_MAX = 3  # frames embedded per attempt (~90 ms of CPU each): the most frontal one and one per head turn
# Frames whose fingerprints are all within this distance of the first one are one still picture.
STATIC_MAX_DISTANCE = 2

REASONS = {
    "no_frames": "no frame was sent",
    "too_many_frames": f"more than {MAX_FRAMES} frames were sent",
    "not_an_image": "a frame is not a JPEG, PNG or WebP image, or cannot be decoded",
    "timestamps_invalid": "frame times are negative or go backwards",
    "no_face_at_all": "no face in any frame",
    "no_face": "some frames show no face",
    "several_faces": "some frames show more than one face",
    "too_few_usable_frames": "too few frames show exactly one face",
    "low_quality": "too many frames are blurred, too dark, too bright or the face is too small",
    "static_frames": "every frame is the same still picture",
    "duplicate_frames": "the same frame was sent more than once",
    "challenge_incomplete": "not every step of the challenge was seen",
    "challenge_wrong_order": "the challenge steps were done, but not in the order asked",
    "challenge_too_late": "the challenge was completed after the time window",
    "challenge_extra_moves": "head turns that the challenge did not ask for",
    "identity_changed": "the frames do not all show the same person",
    "no_match": "the face does not match the enrolled reference",
    "weak_match": "the face matches the enrolled reference only weakly",
    "reference_model_mismatch": "the reference template was made by another model",
    "replayed_frames": "frames look like those of an earlier attempt (replay, or a new attempt in the same place)",
}


@dataclass
class _Seen:
    index: int
    at_ms: int
    rgb: np.ndarray
    face: facemod.FaceMeasure
    yaw: float = 0.0  # relative to the capture's median yaw

    @property
    def pose(self) -> str:
        if self.yaw >= TURN_YAW:
            return "turn_left"
        if self.yaw <= -TURN_YAW:
            return "turn_right"
        return "frontal" if abs(self.yaw) <= FRONTAL_YAW else "between"


def assess(reference: FaceTemplate, frames: list[Frame], challenge: tuple[str, ...], window_ms: int) -> Assessment:
    """Measure an attempt: ``frames`` in capture order, ``challenge`` as issued by ``new_challenge``,
    ``window_ms`` the time allowed from the start of the capture to the last step."""
    if sorted(challenge) != sorted(CHALLENGE_STEPS):
        raise ValueError(f"a challenge is a permutation of {CHALLENGE_STEPS}, not {challenge!r}")
    started = time.perf_counter()
    challenge = tuple(challenge)
    reasons: list[str] = []
    if not frames:
        return Assessment({"engine": ENGINE_VERSION}, ["no_frames"], [], [], None, None, challenge, False, [])
    if len(frames) > MAX_FRAMES:
        return Assessment({"engine": ENGINE_VERSION}, ["too_many_frames"], [], [], None, None, challenge, False, [])
    times = [frame.at_ms for frame in frames]
    if any(not isinstance(t, int) or isinstance(t, bool) for t in times):
        return Assessment({"engine": ENGINE_VERSION}, ["timestamps_invalid"], [], [], None, None, challenge, False, [])
    if any(t < 0 for t in times) or any(b < a for a, b in zip(times, times[1:], strict=False)):
        reasons.append("timestamps_invalid")
    digests = [hashlib.sha256(frame.image).hexdigest() if isinstance(frame.image, bytes) else "" for frame in frames]
    if len(set(digests)) < len(digests):
        reasons.append("duplicate_frames")

    face_counts: list[int] = []
    fingerprints: list[str] = []
    per_frame: list[dict] = []
    seen: list[_Seen] = []
    sweep = {0, len(frames) // 2, len(frames) - 1}
    for index, frame in enumerate(frames):
        row: dict = {"at_ms": frame.at_ms}
        try:
            image = open_image(frame.image)
        except FaceError as error:
            face_counts.append(-1)
            fingerprints.append("")
            row.update(faces=-1, error=error.code)
            per_frame.append(row)
            continue
        fingerprints.append(phash(image))
        rgb, scale = to_rgb_array(image, FRAME_MAX_SIDE)
        rects = facemod.detect(rgb, max_side=FRAME_DETECT_SIDE)
        if len(rects) == 1 and index in sweep:
            # A smaller second face (someone beside or behind) is missed at the reduced size: look again at
            # full size on a few frames (~30 ms of CPU each).
            rects = facemod.detect(rgb, max_side=FRAME_MAX_SIDE) if max(rgb.shape[:2]) > FRAME_DETECT_SIDE else rects
            rects = rects or facemod.detect(rgb, max_side=FRAME_DETECT_SIDE)
        face_counts.append(len(rects))
        row["faces"] = len(rects)
        if len(rects) == 1:
            measured = facemod.measure(rgb, rects[0], scale)
            row.update(
                yaw=round(measured.yaw, 3),
                eyes=measured.eyes,
                blur=round(measured.blur, 1),
                brightness=round(measured.brightness, 1),
                face_px=measured.width,
                poor=measured.poor(),
            )
            seen.append(_Seen(index, frame.at_ms, rgb, measured))
        per_frame.append(row)

    if any(count == -1 for count in face_counts):
        reasons.append("not_an_image")
    if all(count <= 0 for count in face_counts):
        if any(count == 0 for count in face_counts):
            reasons.append("no_face_at_all")
    elif any(count == 0 for count in face_counts):
        reasons.append("no_face")
    if any(count > 1 for count in face_counts):
        reasons.append("several_faces")
    valid = [f for f in fingerprints if f]
    if len(valid) >= 2 and all(fingerprint_distance(valid[0], f) <= STATIC_MAX_DISTANCE for f in valid[1:]):
        reasons.append("static_frames")

    steps_seen = _steps(seen)
    passed, challenge_reasons, matched = _check_challenge(steps_seen, challenge, window_ms)
    reasons.extend(challenge_reasons)

    match_distance = identity_spread = None
    distances: dict[int, float] = {}
    embedded: list[int] = []
    if reference.model != facemod.MODEL_NAME:
        reasons.append("reference_model_mismatch")
    elif seen:
        chosen = _frames_to_embed(seen, matched)
        vectors = {s.index: facemod.embed(s.rgb, s.face) for s in chosen}
        embedded = sorted(vectors)
        ref = reference.as_array()
        distances = {i: float(np.linalg.norm(v - ref)) for i, v in vectors.items()}
        frontal = [distances[s.index] for s in chosen if abs(s.yaw) < TURN_YAW]
        match_distance = round(float(np.median(frontal or list(distances.values()))), 4)
        if len(vectors) >= 2:  # distance of every embedded frame to the anchor frame (chosen[0])
            anchor = vectors[chosen[0].index]
            identity_spread = round(max(float(np.linalg.norm(v - anchor)) for v in vectors.values()), 4)

    scores = {
        "engine": ENGINE_VERSION,
        "model": facemod.MODEL_NAME,
        "thresholds": {
            "turn_yaw": TURN_YAW,
            "blink_ratio": BLINK_RATIO,
            "open_ratio": OPEN_RATIO,
            "frontal_yaw": FRONTAL_YAW,
            "min_blur": facemod.MIN_BLUR,
            "brightness": [facemod.MIN_BRIGHTNESS, facemod.MAX_BRIGHTNESS],
            "min_face_px": facemod.MIN_FACE_PX,
        },
        "frames": per_frame,
        "usable_frames": len(seen),
        "poor_frames": sum(1 for s in seen if s.face.poor()),
        "yaw_range": [round(min(s.face.yaw for s in seen), 3), round(max(s.face.yaw for s in seen), 3)]
        if seen
        else None,
        "embedded_frames": embedded,
        "match_distances": {str(i): round(d, 4) for i, d in distances.items()},
        "match_distance": match_distance,
        "identity_spread": identity_spread,
        "window_ms": window_ms,
        "elapsed_ms": round((time.perf_counter() - started) * 1000),
    }
    return Assessment(
        scores=scores,
        reasons=list(dict.fromkeys(reasons)),
        steps_seen=steps_seen,
        face_counts=face_counts,
        match_distance=match_distance,
        identity_spread=identity_spread,
        challenge=challenge,
        challenge_passed=passed,
        fingerprints=fingerprints,
    )


def _steps(seen: list[_Seen]) -> list[tuple[str, int]]:
    """Challenge steps recognised in frames with one face, in time order.

    Yaw is taken relative to the capture's median (its neutral pose). A turn is the first frame of a run of
    frames turned that way. A blink is a run of near-frontal frames whose eye openness falls under BLINK_RATIO
    of the capture's median, between near-frontal frames with open eyes (eyes are judged only on near-frontal
    frames: a turned head hides part of the eye).
    """
    if not seen:
        return []
    neutral = float(np.median([s.face.yaw for s in seen]))
    for s in seen:
        s.yaw = s.face.yaw - neutral
    steps: list[tuple[str, int]] = []
    previous_pose = None
    for s in seen:
        pose = s.pose
        if pose in ("turn_left", "turn_right") and pose != previous_pose:
            steps.append((pose, s.at_ms))
        previous_pose = pose
    frontal = [s for s in seen if s.pose == "frontal"]
    if len(frontal) >= 3:
        usual = float(np.median([s.face.eyes for s in frontal]))
        last_open = False
        closed_since = None
        for s in frontal:
            if s.face.eyes < BLINK_RATIO * usual:
                if last_open and closed_since is None:
                    closed_since = s.at_ms
            elif s.face.eyes >= OPEN_RATIO * usual:
                if closed_since is not None:
                    steps.append(("blink", closed_since))
                    closed_since = None
                last_open = True
    steps.sort(key=lambda step: step[1])
    return steps


def _check_challenge(steps_seen, challenge, window_ms) -> tuple[bool, list[str], list[tuple[str, int]]]:
    """(passed, reasons, matched steps): the challenge must be a subsequence of the steps seen."""
    matched: list[tuple[str, int]] = []
    position = 0
    for wanted in challenge:
        while position < len(steps_seen) and steps_seen[position][0] != wanted:
            position += 1
        if position == len(steps_seen):
            break
        matched.append(steps_seen[position])
        position += 1
    kinds = {step for step, _ in steps_seen}
    if len(matched) < len(challenge):
        if all(step in kinds for step in challenge):
            return False, ["challenge_wrong_order"], matched
        return False, ["challenge_incomplete"], matched
    reasons = []
    if any(at_ms > window_ms for _, at_ms in matched):
        return False, ["challenge_too_late"], matched
    extra_turns = [s for s in steps_seen if s[0] != "blink" and s not in matched]
    if extra_turns:
        reasons.append("challenge_extra_moves")
    return True, reasons, matched


def _frames_to_embed(seen: list[_Seen], matched) -> list[_Seen]:
    """The anchor (most frontal frame with the most open eyes), a frame of each matched turn, then first and
    last frames: at most EMBED_MAX. Blink frames are not embedded (closed eyes move the embedding)."""
    by_time = {s.at_ms: s for s in seen}
    anchor = min(seen, key=lambda s: (round(abs(s.yaw), 2), -s.face.eyes, -s.face.blur))
    chosen: dict[int, _Seen] = {anchor.index: anchor}
    for step, at_ms in matched:
        if step != "blink" and at_ms in by_time:
            chosen.setdefault(by_time[at_ms].index, by_time[at_ms])
    for s in (seen[0], seen[-1]):
        if len(chosen) < EMBED_MAX and s.pose == "frontal":
            chosen.setdefault(s.index, s)
    return [anchor] + sorted((s for s in chosen.values() if s is not anchor), key=lambda s: s.index)[: EMBED_MAX - 1]
