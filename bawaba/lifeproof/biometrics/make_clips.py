"""Generated frame sequences and camera clips from still portraits (no lawful recording of a blink or a head
turn of a known person was available to ship).

What the generator does to one public-domain portrait:
- **head turn**: a smooth horizontal displacement centred on the nose (the nose and the middle of the face move,
  the eyes and the outline much less), which moves the nose against the eye corners as a real yaw does;
- **blink**: both eyes covered by an ellipse of skin colour sampled under each eye, with a thin dark lash line;
- small per-frame jitter (shift, light, sensor noise) so that no two frames are the same picture.

What that does NOT prove: that real blinks and head turns of real people (glasses, beards, elderly eyelids,
motion blur, side light, cheap front cameras) are recognised as well; the engine's thresholds were tuned
against these generated moves and should be re-checked on consented recordings before production use.

Command line (a Y4M clip that Chromium plays as a camera with ``--use-fake-device-for-media-stream
--use-file-for-fake-video-capture=<file>.y4m``)::

    python -m bawaba.lifeproof.biometrics.make_clips /tmp/proof.y4m [--order blink,turn_left,turn_right]
"""

import argparse
import io
import random
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from . import face as facemod
from .challenge import CHALLENGE_STEPS
from .images import open_image, to_rgb_array
from .values import Frame

DATA = Path(__file__).resolve().parent / "data"
PORTRAITS = DATA / "portraits"
DEFAULT_PORTRAIT = "scanlon_mary_021762.jpg"
FRAME_SIZE = (320, 240)
TURN_AMOUNT = 0.5  # nose displacement, in eye distances, of a generated head turn


def portrait(name: str = DEFAULT_PORTRAIT) -> bytes:
    return (PORTRAITS / name).read_bytes()


def _landmarks(rgb: np.ndarray) -> np.ndarray:
    rects = facemod.detect(rgb)
    if len(rects) != 1:
        raise ValueError(f"expected one face in the portrait, found {len(rects)}")
    return facemod.measure(rgb, rects[0]).points


def staged(image_bytes: bytes, size=FRAME_SIZE, face_fraction: float = 0.45) -> tuple[np.ndarray, np.ndarray]:
    """The portrait placed in a ``size`` frame (face about ``face_fraction`` of the frame's height), and its
    5 landmarks in that frame."""
    rgb, _ = to_rgb_array(open_image(image_bytes))
    points = _landmarks(rgb)
    eye_distance = float(np.hypot(*(points[0:2].mean(0) - points[2:4].mean(0))))
    scale = face_fraction * size[1] / (eye_distance * 2.6)
    resized = cv2.resize(rgb, (round(rgb.shape[1] * scale), round(rgb.shape[0] * scale)), interpolation=cv2.INTER_AREA)
    centre = points.mean(axis=0) * scale
    canvas = np.full((size[1], size[0], 3), 0, np.uint8)
    canvas[:] = resized[: min(8, resized.shape[0]), : min(8, resized.shape[1])].reshape(-1, 3).mean(axis=0)
    ox, oy = round(size[0] / 2 - centre[0]), round(size[1] * 0.48 - centre[1])
    x0, y0 = max(0, ox), max(0, oy)
    x1, y1 = min(size[0], ox + resized.shape[1]), min(size[1], oy + resized.shape[0])
    canvas[y0:y1, x0:x1] = resized[y0 - oy : y1 - oy, x0 - ox : x1 - ox]
    return canvas, points * scale + np.array([ox, oy])


def turn_head(rgb: np.ndarray, points: np.ndarray, amount: float) -> np.ndarray:
    """Move the nose by ``amount`` eye distances (> 0: to the image's right = the person's left)."""
    left, right = points[0:2].mean(0), points[2:4].mean(0)
    eye_distance = float(np.hypot(*(right - left)))
    nose = points[4] + (0, -0.25 * eye_distance)
    ys, xs = np.mgrid[0 : rgb.shape[0], 0 : rgb.shape[1]].astype(np.float32)
    sx, sy = 0.55 * eye_distance, 0.5 * eye_distance
    bump = np.exp(-(((xs - nose[0]) / sx) ** 2) / 2 - (((ys - nose[1]) / sy) ** 2) / 2)
    dx = amount * eye_distance * bump
    return cv2.remap(
        rgb, (xs - dx).astype(np.float32), ys, interpolation=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )


def close_eyes(rgb: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Both eyelids painted shut: skin colour from under each eye, and a thin dark lash line."""
    out = rgb.copy()
    mask = np.zeros(rgb.shape[:2], np.uint8)
    lashes = []
    for corners in (points[0:2], points[2:4]):
        width = float(np.hypot(*(corners[0] - corners[1])))
        centre = corners.mean(axis=0)
        below = centre + (0, 0.75 * width)
        y, x = int(np.clip(below[1], 0, rgb.shape[0] - 1)), int(np.clip(below[0], 0, rgb.shape[1] - 1))
        half = max(1, int(width * 0.15))
        skin = rgb[max(0, y - half) : y + half + 1, max(0, x - half) : x + half + 1].reshape(-1, 3).mean(axis=0)
        axes = (max(2, round(width * 0.75)), max(2, round(width * 0.45)))
        cv2.ellipse(mask, (round(centre[0]), round(centre[1])), axes, 0, 0, 360, 255, -1)
        cv2.ellipse(out, (round(centre[0]), round(centre[1])), axes, 0, 0, 360, tuple(float(c) for c in skin), -1)
        lashes.append((centre, width))
    soft = cv2.GaussianBlur(mask, (0, 0), 1.5).astype(np.float32)[..., None] / 255
    out = (out * soft + rgb * (1 - soft)).astype(np.uint8)
    for centre, width in lashes:
        cv2.ellipse(
            out,
            (round(centre[0]), round(centre[1] + width * 0.1)),
            (max(2, round(width * 0.55)), max(1, round(width * 0.15))),
            0,
            20,
            160,
            (40, 30, 30),
            max(1, round(width / 10)),
        )
    return out


def _jitter(rgb: np.ndarray, rng: random.Random) -> np.ndarray:
    shift = np.float32([[1, 0, rng.uniform(-2, 2)], [0, 1, rng.uniform(-2, 2)]])
    moved = cv2.warpAffine(rgb, shift, (rgb.shape[1], rgb.shape[0]), borderMode=cv2.BORDER_REPLICATE)
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0, 2.0, rgb.shape)
    return np.clip(moved * rng.uniform(0.95, 1.05) + noise, 0, 255).astype(np.uint8)


def poses(order, hold: int = 2) -> list[str]:
    """Pose of each frame: ``hold`` neutral frames, then each step (``hold`` frames) followed by neutral."""
    names = []
    names += ["neutral"] * hold
    for step in order:
        names += {"blink": ["closed"], "turn_left": ["left"] * hold, "turn_right": ["right"] * hold}[step]
        names += ["neutral"] * hold
    return names


def render(canvas: np.ndarray, points: np.ndarray, pose: str) -> np.ndarray:
    if pose == "closed":
        return close_eyes(canvas, points)
    if pose == "left":
        return turn_head(canvas, points, TURN_AMOUNT)
    if pose == "right":
        return turn_head(canvas, points, -TURN_AMOUNT)
    return canvas


def encode(rgb: np.ndarray, quality: int = 85) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def sequence(
    image_bytes: bytes,
    order=CHALLENGE_STEPS,
    step_ms: int = 400,
    seed: int = 0,
    hold: int = 2,
    start_ms: int = 0,
    size=FRAME_SIZE,
) -> list[Frame]:
    """Frames (JPEG) of a generated attempt performing ``order``; one frame every ``step_ms``."""
    rng = random.Random(seed)
    canvas, points = staged(image_bytes, size)
    frames = []
    for i, pose in enumerate(poses(order, hold)):
        frames.append(Frame(encode(_jitter(render(canvas, points, pose), rng)), start_ms + i * step_ms))
    return frames


def still(image_bytes: bytes, count: int = 9, step_ms: int = 400, seed: int = 0, size=FRAME_SIZE) -> list[Frame]:
    """A photo held to the camera: the same face in every frame, slight hand shake, no blink, no turn."""
    rng = random.Random(seed)
    canvas, _ = staged(image_bytes, size)
    return [Frame(encode(_jitter(canvas, rng)), i * step_ms) for i in range(count)]


def write_y4m(
    path, order=CHALLENGE_STEPS, fps: int = 10, seconds: float = 6.0, image_bytes: bytes | None = None, size=FRAME_SIZE
) -> Path:
    """A Y4M (4:2:0) clip: neutral, then each step of ``order`` for 1/7 of the clip (~0.86 s at 6 s) with
    neutral between, looping cleanly (it starts and ends neutral). 115,206 bytes a frame at 320 x 240, so the
    default 6 s at 10 fps is 6.9 MB: generated into a temporary directory by tests, not shipped."""
    path = Path(path)
    canvas, points = staged(image_bytes or portrait(), size)
    total = round(fps * seconds)
    slot = total / (len(order) * 2 + 1)  # neutral, step, neutral, step, neutral, step, neutral
    rng = random.Random(0)
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{size[0]} H{size[1]} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for i in range(total):
            part = int(i / slot)
            pose = "neutral"
            if part % 2 == 1 and part // 2 < len(order):
                # The eyes stay shut for the whole slot (~0.9 s): the page asks to close the eyes for a moment,
                # since a reflex blink (0.1-0.3 s) falls between frames captured a few times a second.
                pose = {"blink": "closed", "turn_left": "left", "turn_right": "right"}[order[part // 2]]
            rgb = _jitter(render(canvas, points, pose), rng)
            yuv = cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420)
            out.write(b"FRAME\n" + yuv.tobytes())
    return path


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output")
    parser.add_argument("--order", default=",".join(CHALLENGE_STEPS))
    parser.add_argument("--fps", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--portrait", default=DEFAULT_PORTRAIT)
    args = parser.parse_args(argv)
    order = tuple(args.order.split(","))
    path = write_y4m(args.output, order, args.fps, args.seconds, portrait(args.portrait))
    print(f"{path}: {path.stat().st_size} bytes, {order}")


if __name__ == "__main__":
    main()
