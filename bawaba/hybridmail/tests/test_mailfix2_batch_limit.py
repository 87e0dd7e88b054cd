"""Issue 11, point 1: "batches of up to 100,000" — a mail-merge list one row over the limit is refused whole,
with the limit in the reason, and nothing is stored."""

import pytest
from django.utils import translation

from bawaba.hybridmail import senders
from bawaba.hybridmail.models import Batch, Letter


def big_list(rows: int) -> bytes:
    return ("nom;adresse;code_postal\n" + "".join(f"Nom {i};1 rue Didouche;16000\n" for i in range(rows))).encode()


def test_a_list_one_row_over_the_batch_limit_is_refused_whole(ministry, sender_user, mail_products):
    with translation.override("en"), pytest.raises(senders.SubmissionRefused) as refused:
        senders.submit_merge(ministry, sender_user, "recommande", subject="", body="Bonjour {nom}.",
                             table=big_list(senders.MAX_BATCH + 1))
    assert refused.value.errors["list"] == ["At most 100 000 letters in one batch."]
    assert not Batch.objects.exists() and not Letter.objects.exists()
