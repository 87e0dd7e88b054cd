import itertools

from hypothesis import given
from hypothesis import strategies as st

from bawaba.core.references import ALPHABET, new_reference, normalise_reference


def test_reference_shape_avoids_look_alike_characters():
    for _ in range(200):
        reference = new_reference()
        assert len(reference) == 9 and reference[4] == "-"
        assert not set(reference.replace("-", "")) & set("01OILUZ")
        assert normalise_reference(reference) == reference


def test_citizen_typing_is_forgiven():
    reference = new_reference()
    typed = reference.lower().replace("-", " ")
    assert normalise_reference(typed) == reference
    assert normalise_reference(f"  {reference[:4]}.{reference[5:]} ") == reference


def test_garbage_is_not_a_reference():
    for raw in ["", "abc", "K7M2-9QXR-4", "<script>", "Ø" * 8, None]:
        assert normalise_reference(raw) is None


@given(st.data())
def test_any_single_wrong_symbol_is_detected(data):
    reference = new_reference().replace("-", "")
    position = data.draw(st.integers(0, 7))
    replacement = data.draw(st.sampled_from([c for c in ALPHABET if c != reference[position]]))
    typo = reference[:position] + replacement + reference[position + 1:]
    assert normalise_reference(typo) is None


def test_every_swap_of_neighbours_is_detected():
    for _ in range(300):
        reference = new_reference().replace("-", "")
        for i, j in itertools.pairwise(range(8)):
            if reference[i] == reference[j]:
                continue
            swapped = list(reference)
            swapped[i], swapped[j] = swapped[j], swapped[i]
            assert normalise_reference("".join(swapped)) is None
