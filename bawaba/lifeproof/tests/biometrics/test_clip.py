"""The Y4M clip that Chromium's fake camera plays: well-formed, and the engine sees its challenge in it."""

import cv2
import numpy as np

from bawaba.lifeproof.biometrics import Frame, assess, decide
from bawaba.lifeproof.biometrics import make_clips as clips

ORDER = ("blink", "turn_left", "turn_right")


def read_y4m(path):
    data = path.read_bytes()
    header, _, body = data.partition(b"\n")
    fields = {field[:1]: field[1:] for field in header.split()[1:]}
    width, height = int(fields[b"W"]), int(fields[b"H"])
    size = width * height * 3 // 2
    frames = []
    marker = b"FRAME\n"
    while body:
        assert body.startswith(marker)
        frames.append(np.frombuffer(body[len(marker) : len(marker) + size], np.uint8).reshape(height * 3 // 2, width))
        body = body[len(marker) + size :]
    return header.decode(), frames


def test_the_clip_is_a_y4m_that_performs_blink_left_right(tmp_path, reference):
    path = clips.write_y4m(tmp_path / "proof.y4m", ORDER, fps=10, seconds=6)
    header, yuv_frames = read_y4m(path)
    assert header == "YUV4MPEG2 W320 H240 F10:1 Ip A1:1 C420jpeg"
    assert len(yuv_frames) == 60
    assert path.stat().st_size == len(header) + 1 + 60 * (6 + 320 * 240 * 3 // 2)
    # What the phone page would capture: a frame every 300 ms.
    frames = [
        Frame(clips.encode(cv2.cvtColor(yuv, cv2.COLOR_YUV2RGB_I420)), i * 100)
        for i, yuv in enumerate(yuv_frames)
        if i % 3 == 0
    ]
    assessment = assess(reference, frames, ORDER, window_ms=6000)
    assert [step for step, _ in assessment.steps_seen] == list(ORDER)
    assert decide(assessment).outcome == "accepted"
