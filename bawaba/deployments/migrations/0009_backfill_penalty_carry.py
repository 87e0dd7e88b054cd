"""Late penalties of the statements issued before the cap applied over the contract.

Those statements charged at most the cap rate × their gross and dropped the rest. Here each contract's regular
payment statements are replayed in order: the penalties due (from the stored detail), carried in, charged (as
stored: issued amounts do not change), carried out. The last statement's carry is then charged by the next one,
so what was dropped is billed after all, within the cap. The contracts have no stated amount yet, so nothing is
waived; the cap recorded is the cap rate × the cumulative gross, as a statement issued now would record it.
"""

from decimal import Decimal

from django.db import migrations
from django.db.models import Sum


def backfill(apps, schema_editor):
    PaymentStatement = apps.get_model("deployments", "PaymentStatement")
    Contract = apps.get_model("deployments", "Contract")
    contract_ids = set(PaymentStatement.objects.values_list("contract_id", flat=True))
    for contract in Contract.objects.filter(pk__in=contract_ids).order_by("pk"):
        carried = Decimal("0")
        regular = (PaymentStatement.objects.filter(contract=contract, kind="regular")
                   .select_related("work_statement").order_by("work_statement__period_end", "pk"))
        for statement in regular:
            due = sum((Decimal(entry["amount"]) for entry in statement.penalty_detail or []), Decimal("0"))
            charged_to_date = (PaymentStatement.objects.filter(contract=contract, issued_at__lte=statement.issued_at)
                               .aggregate(s=Sum("penalty_amount"))["s"] or Decimal("0"))
            cumulative = statement.work_statement.cumulative_amount if statement.work_statement else Decimal("0")
            carried_out = max(Decimal("0"), carried + due - statement.penalty_amount)
            PaymentStatement.objects.filter(pk=statement.pk).update(
                penalty_due_amount=due, penalty_carried_in_amount=carried,
                penalty_contract_cap_amount=(cumulative * contract.penalty_cap_rate).quantize(Decimal("0.01")),
                penalty_charged_to_date_amount=charged_to_date, penalty_carried_amount=carried_out)
            carried = carried_out


class Migration(migrations.Migration):
    dependencies = [("deployments", "0008_penalty_cap_over_the_contract")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
