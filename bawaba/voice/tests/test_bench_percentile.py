"""bench/voice_load.py's percentiles: nearest rank over the sorted samples, percents from 0 to 100 (it once passed
fractions to a function taking percents, and every p95 printed was the fastest sample)."""

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench" / "voice_load.py"


@pytest.fixture(scope="module")
def voice_load():
    spec = importlib.util.spec_from_file_location("voice_load_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_percentiles_are_nearest_rank_over_the_samples(voice_load):
    values = [float(v) for v in range(1, 101)]  # 1 … 100 ms
    assert [voice_load.percentile(values, q) for q in (50, 95, 99, 100)] == [50.0, 95.0, 99.0, 100.0]
    assert voice_load.percentile([7.0], 95) == 7.0
    skewed = sorted([5.0] * 90 + [80.0] * 9 + [900.0])
    assert (voice_load.percentile(skewed, 50), voice_load.percentile(skewed, 95),
            voice_load.percentile(skewed, 99)) == (5.0, 80.0, 80.0)
    with pytest.raises(ValueError):
        voice_load.percentile(values, 0.95 * 0)


def test_the_table_prints_the_95th_percentile_not_the_fastest_sample(voice_load):
    stats = voice_load.Stats()
    for ms in range(1, 101):
        stats.add("arrival", float(ms), 200, True)
    lines, met = voice_load.table(stats)
    assert lines[1].split()[:6] == ["arrival", "100", "0", "50.0", "95.0", "99.0"]
    assert met is True
    stats.add("arrival", 5000.0, 200, True)
    stats.samples["arrival"] = [float(ms) for ms in range(101, 201)]  # every answer above 100 ms
    assert voice_load.table(stats)[1] is False
