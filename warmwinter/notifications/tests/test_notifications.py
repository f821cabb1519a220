from unittest import mock

from django.test import TestCase

from warmwinter.accounts.models import User
from warmwinter.notifications.models import Notification
from warmwinter.notifications.services import notify, recipients_for
from warmwinter.places.models import OrgUnit
from warmwinter.places.reference import load_reference_data


def test_recipients_for_a_district_include_its_admin_but_not_another_districts(
    unit, huangpu_admin, make_user
):
    make_user("pudong_admin", "district_admin", "310115")
    found = recipients_for(org_unit=unit("310101"), roles=["district_admin"])
    assert list(found) == [huangpu_admin]


def test_notify_creates_one_message_per_person_even_if_named_twice(huangpu_admin, city_admin):
    assert notify(recipients=[huangpu_admin, huangpu_admin, city_admin], title="线索超时") == 2
    assert Notification.objects.filter(recipient=huangpu_admin).count() == 1


def test_the_bell_shows_unread_count_and_the_list_marks_them_read(client_for, huangpu_admin):
    notify(recipients=[huangpu_admin], title="寒潮橙色预警：请检查临时救助场所", url="/weather/")
    client = client_for(huangpu_admin)
    assert '<span class="badge">1</span>' in client.get("/").content.decode()
    assert "寒潮橙色预警" in client.get("/notifications/").content.decode()
    client.post("/notifications/read/")
    assert 'class="badge"' not in client.get("/").content.decode()


def test_nobody_reads_another_users_notifications(client_for, huangpu_admin, city_admin):
    notify(recipients=[huangpu_admin], title="只给黄浦")
    assert "只给黄浦" not in client_for(city_admin).get("/notifications/").content.decode()


class UrgentSmsTests(TestCase):
    """SMS goes out only after the transaction that produced the notification commits."""

    def test_urgent_notifications_are_texted_after_commit_to_people_with_a_phone(self):
        load_reference_data()

        user = User.objects.create(
            username="lead",
            role="district_admin",
            phone="13800000000",
            org_unit=OrgUnit.objects.get(code="310101"),
        )
        backend = mock.Mock()
        with (
            mock.patch("warmwinter.notifications.services.sms_backend", return_value=backend),
            self.captureOnCommitCallbacks(execute=True),
        ):
            notify(recipients=[user], title="线索超时未接单", urgency="urgent")
        backend.send.assert_called_once()
        assert backend.send.call_args.kwargs["phone"] == "13800000000"
        assert Notification.objects.get().sms_sent_at is not None
