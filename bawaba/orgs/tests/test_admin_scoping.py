"""The organisation admin pages: an organisation admin cannot reach the orientation queue, other organisations'
codes, staff or queues, not even with a hand-made POST."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from bawaba.orgs.forms import QueueForm
from bawaba.orgs.models import Organisation, OrganisationKind, Queue, Service
from bawaba.orgs.services import do_onboard_organisation, orientation_service

from .admin_forms import add_rows, inline_rows, page_data

pytestmark = pytest.mark.django_db

ORG_PAGE = "/admin/orgs/organisation/{}/change/"
SERVICE_PAGE = "/admin/orgs/service/{}/change/"


def choice_labels(field):
    return {str(label) for _value, label in field.choices}


# --- 2: the orientation queue and the service namespaces


def test_org_admin_cannot_make_a_service_the_orientation_queue_or_rename_its_code(client, at_admin):
    billing = Service.objects.get(code="algerie-telecom/billing")
    client.force_login(at_admin)
    page = client.get(SERVICE_PAGE.format(billing.pk))
    form = page.context["adminform"].form
    assert "code" not in form.fields and "is_orientation" not in form.fields  # shown read-only
    response = client.post(SERVICE_PAGE.format(billing.pk), page_data(page, is_orientation="on", code="aaa"))
    assert response.status_code == 302
    billing.refresh_from_db()
    assert billing.code == "algerie-telecom/billing" and not billing.is_orientation
    assert orientation_service().code == "orientation"


def test_org_admin_cannot_tick_orientation_in_the_organisation_page(client, at_admin, orgs):
    at = orgs["algerie-telecom"]
    client.force_login(at_admin)
    page = client.get(ORG_PAGE.format(at.pk))
    rows = inline_rows(page, "services")
    assert "is_orientation" not in rows[0].fields and "code" not in rows[0].fields
    index = next(i for i, row in enumerate(rows) if row.instance.code == "algerie-telecom/billing")
    response = client.post(ORG_PAGE.format(at.pk), page_data(page, **{
        f"services-{index}-is_orientation": "on", f"services-{index}-code": "aaa"}))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not Service.objects.get(code="algerie-telecom/billing").is_orientation
    assert orientation_service().code == "orientation"


def test_org_admin_adds_a_service_only_in_their_own_namespace(client, at_admin, orgs):
    at = orgs["algerie-telecom"]
    client.force_login(at_admin)
    page = client.get("/admin/orgs/service/add/")
    data = page_data(page, organisation=at.pk, slug="roaming", code="mobilis/roaming", is_orientation="on",
                     name_fr="Itinérance", queue=at.queues.get(slug="faults").pk)
    response = client.post("/admin/orgs/service/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    created = Service.objects.get(name_fr="Itinérance")
    assert created.code == "algerie-telecom/roaming" and created.organisation == at and not created.is_orientation
    assert not Service.objects.filter(code="mobilis/roaming").exists()
    # The same short name twice is refused with a message, not a server error.
    response = client.post("/admin/orgs/service/add/", data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["slug"]


def test_org_admin_adds_a_service_in_the_organisation_page(client, at_admin, orgs):
    at = orgs["algerie-telecom"]
    client.force_login(at_admin)
    page = client.get(ORG_PAGE.format(at.pk))
    data = add_rows(page_data(page), "services", {
        "slug": "roaming", "name_fr": "Itinérance", "queue": at.queues.get(slug="faults").pk,
        "is_public": "on", "is_active": "on", "organisation": at.pk})
    response = client.post(ORG_PAGE.format(at.pk), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Service.objects.get(code="algerie-telecom/roaming").organisation == at


def test_platform_admin_still_edits_codes_and_orientation(client, platform_admin):
    billing = Service.objects.get(code="algerie-telecom/billing")
    client.force_login(platform_admin)
    page = client.get(SERVICE_PAGE.format(billing.pk))
    form = page.context["adminform"].form
    assert "code" in form.fields and "is_orientation" in form.fields
    response = client.post(SERVICE_PAGE.format(billing.pk), page_data(page, code="algerie-telecom/invoices"))
    assert response.status_code == 302, response.content.decode()[:3000]
    billing.refresh_from_db()
    assert billing.code == "algerie-telecom/invoices"


def test_a_code_outside_the_organisations_namespace_is_refused(orgs):
    at = orgs["algerie-telecom"]
    for code in ("mobilis/roaming", "roaming", "algerie-telecom/", "algerie-telecom/a/b", "algerie-telecom/Roaming"):
        service = Service(organisation=at, code=code, name_fr="X", queue=at.queues.first())
        with pytest.raises(ValidationError) as refused:
            service.full_clean()
        assert "code" in refused.value.message_dict, code
    centre = orgs["centre"]
    with pytest.raises(ValidationError):
        Service(organisation=centre, code="mobilis/x", name_fr="X", queue=centre.queues.first()).full_clean()
    Service(organisation=at, code="algerie-telecom/roaming", name_fr="X", queue=at.queues.first()).full_clean()


def test_only_the_shared_centre_may_hold_the_orientation_service(orgs):
    at = orgs["algerie-telecom"]
    Service.objects.filter(is_orientation=True).update(is_orientation=False)
    service = Service(organisation=at, code="algerie-telecom/triage", name_fr="Tri", queue=at.queues.first(),
                      is_orientation=True)
    with pytest.raises(ValidationError) as refused:
        service.full_clean()
    assert "is_orientation" in refused.value.message_dict


def test_there_is_only_one_orientation_service(orgs):
    centre = orgs["centre"]
    second = Service(organisation=centre, code="triage", name_fr="Tri", queue=centre.queues.first(),
                     is_orientation=True)
    with pytest.raises(ValidationError):
        second.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


def test_orientation_service_is_looked_up_in_the_shared_centre_only(orgs):
    # Data written before the fix (or by hand): the flag on an operator's service is ignored.
    Service.objects.filter(code="orientation").update(is_orientation=False)
    Service.objects.filter(code="algerie-telecom/billing").update(is_orientation=True)
    with pytest.raises(Service.DoesNotExist):
        orientation_service()


def test_onboarding_refuses_an_orientation_service_outside_the_shared_centre(orgs):
    spec = {"slug": "djezzy", "name_fr": "Djezzy", "kind": "operator",
            "services": [{"slug": "triage", "name_fr": "Tri", "is_orientation": True}]}
    with pytest.raises(ValidationError):
        do_onboard_organisation(spec)
    assert not Organisation.objects.filter(slug="djezzy").exists()
    # A second orientation service in another platform organisation is refused too.
    spec.update(slug="centre-2", kind=OrganisationKind.PLATFORM)
    with pytest.raises(ValidationError):
        do_onboard_organisation(spec)
    # Onboarding the shared centre again keeps its own orientation service.
    do_onboard_organisation({"slug": "centre", "name_fr": "Centre", "kind": "platform",
                             "services": [{"slug": "orientation", "name_fr": "Orientation", "is_orientation": True}]})
    assert orientation_service().code == "orientation"


def test_org_admin_cannot_change_their_organisations_slug_or_kind(client, at_admin, orgs):
    at = orgs["algerie-telecom"]
    client.force_login(at_admin)
    page = client.get(ORG_PAGE.format(at.pk))
    response = client.post(ORG_PAGE.format(at.pk), page_data(page, slug="centre-bis", kind="platform"))
    assert response.status_code == 302, response.content.decode()[:3000]
    at.refresh_from_db()
    assert (at.slug, at.kind) == ("algerie-telecom", OrganisationKind.OPERATOR)


# --- 13: other organisations' staff and queues


def test_queue_page_offers_only_the_organisations_own_staff(client, at_admin, at_agent, poste_agent):
    client.force_login(at_admin)
    members = client.get("/admin/orgs/queue/add/").context["adminform"].form.fields["members"]
    usernames = set(members.queryset.values_list("username", flat=True))
    assert "at.agent" in usernames and "poste.agent" not in usernames


def test_service_pages_offer_only_the_organisations_own_queues(client, at_admin, orgs):
    client.force_login(at_admin)
    queues = client.get("/admin/orgs/service/add/").context["adminform"].form.fields["queue"].queryset
    assert set(queues.values_list("organisation__slug", flat=True)) == {"algerie-telecom"}
    page = client.get(ORG_PAGE.format(orgs["algerie-telecom"].pk))
    inline_queues = inline_rows(page, "services")[0].fields["queue"].queryset
    assert set(inline_queues.values_list("organisation__slug", flat=True)) == {"algerie-telecom"}


def test_forged_member_from_another_organisation_is_refused(client, at_admin, at_agent, poste_agent, orgs):
    queue = Queue.objects.get(organisation=orgs["algerie-telecom"], slug="faults")
    client.force_login(at_admin)
    url = f"/admin/orgs/queue/{queue.pk}/change/"
    response = client.post(url, page_data(client.get(url), members=[at_agent.pk, poste_agent.pk]))
    assert response.status_code == 200
    assert not queue.members.filter(pk=poste_agent.pk).exists()


def test_forged_queue_from_another_organisation_is_refused(client, at_admin, orgs):
    billing = Service.objects.get(code="algerie-telecom/billing")
    poste_queue = Queue.objects.filter(organisation=orgs["algerie-poste"]).first()
    client.force_login(at_admin)
    url = SERVICE_PAGE.format(billing.pk)
    response = client.post(url, page_data(client.get(url), queue=poste_queue.pk))
    assert response.status_code == 200
    billing.refresh_from_db()
    assert billing.queue.organisation_id == orgs["algerie-telecom"].pk


def test_queue_members_must_belong_to_the_queues_organisation_even_for_platform_admins(orgs, at_agent,
                                                                                      poste_agent):
    at = orgs["algerie-telecom"]
    form = QueueForm(data={"organisation": at.pk, "slug": "mixed", "name_fr": "Mixte",
                           "members": [at_agent.pk, poste_agent.pk]})
    assert not form.is_valid()
    assert "poste.agent" in str(form.errors["members"])
    form = QueueForm(data={"organisation": at.pk, "slug": "mixed", "name_fr": "Mixte", "members": [at_agent.pk]})
    assert form.is_valid(), form.errors


def test_no_one_deletes_a_request_from_the_admin_not_even_a_platform_admin(client, platform_admin, orgs):
    from bawaba.servicedesk.models import Request
    from bawaba.servicedesk.services import do_create_request

    request = do_create_request(channel="web", citizen_phone="0550123456", subject="Colis", text="Colis perdu.",
                                service=Service.objects.get(code="algerie-poste/mail"))
    client.force_login(platform_admin)
    assert client.get(f"/admin/servicedesk/request/{request.pk}/change/").status_code == 200  # still readable
    assert client.get(f"/admin/servicedesk/request/{request.pk}/delete/").status_code == 403
    assert client.post(f"/admin/servicedesk/request/{request.pk}/delete/", {"post": "yes"}).status_code == 403
    changelist = client.get("/admin/servicedesk/request/")
    assert "delete_selected" not in changelist.content.decode()
    assert client.post("/admin/servicedesk/request/", {"action": "delete_selected", "_selected_action": [request.pk],
                                                       "post": "yes"}).status_code in (200, 302)
    assert Request.objects.filter(pk=request.pk).exists() and request.events.exists()
