"""Record linkage of Chinese names: each difficulty gets its own case, with the reason shown."""

from datetime import timedelta

import pytest
from django.utils import timezone

from warmwinter.people import linkage, names, services
from warmwinter.people.linkage import Described, Facts, score_pair
from warmwinter.people.models import LinkReview, LinkStatus, Person, TimelineKind
from warmwinter.people.tests.conftest import valid_id


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("单田芳", "shantianfang"),
        ("曾国强", "zengguoqiang"),
        ("解小东", "xiexiaodong"),
        ("仇建", "qiujian"),
        ("区志明", "ouzhiming"),
        ("查良镛", "zhaliangyong"),
        ("朴正浩", "piaozhenghao"),
        ("尉迟恭", "yuchigong"),
    ],
)
def test_pinyin_uses_the_surnames_own_reading(name, expected):
    assert names.full_pinyin(name) == expected


def test_names_that_sound_the_same_match_with_the_reason():
    score, reasons = score_pair(Described(name="章伟"), Facts(name="张伟"))
    assert score >= 0.4
    assert "姓名读音相同：章伟 ~ 张伟" in reasons


def test_a_surname_read_its_own_way_matches_a_homophone():
    # 单 as a surname is shàn: 善田芳 sounds like 单田芳, 丹田芳 does not
    assert score_pair(Described(name="善田芳"), Facts(name="单田芳"))[0] >= 0.4
    assert score_pair(Described(name="丹田芳"), Facts(name="单田芳"))[0] < 0.4


def test_similar_looking_characters_match():
    score, reasons = score_pair(Described(name="王己"), Facts(name="王已"))
    assert score >= 0.3
    assert any("字形相近" in r for r in reasons)


def test_a_surname_nickname_matches_the_surname():
    score, reasons = score_pair(Described(name="老王"), Facts(name="王建军"))
    assert score > 0
    assert "称呼“老王”与姓氏“王”相符" in reasons


def test_a_given_name_nickname_matches_the_given_name():
    score, reasons = score_pair(Described(name="阿强"), Facts(name="李国强"))
    assert score > 0
    assert "称呼“阿强”与名字“国强”相符" in reasons


def test_a_given_name_alone_matches_the_full_name():
    score, reasons = score_pair(Described(name="国强"), Facts(name="曾国强"))
    assert score > 0
    assert any("未写姓" in r for r in reasons)


def test_traditional_characters_match_simplified_ones():
    score, reasons = score_pair(Described(name="張偉"), Facts(name="张伟"))
    assert score >= 0.45
    assert any("繁简" in r for r in reasons)


def test_pinyin_typed_for_characters_matches():
    score, reasons = score_pair(Described(name="Zhang Wei"), Facts(name="张伟"))
    assert score >= 0.4
    assert any("拼音相同" in r for r in reasons)


def test_an_alias_on_file_matches():
    score, reasons = score_pair(Described(name="老张"), Facts(name="", aliases=["老张"]))
    assert score > 0


def test_ages_within_three_years_add_a_reason_and_far_apart_ages_count_against():
    near = score_pair(Described(name="张伟", birth_year=1970), Facts(name="张伟", birth_year=1972))
    far = score_pair(Described(name="张伟", birth_year=1970), Facts(name="张伟", birth_year=1990))
    assert "年龄相差 3 岁以内" in near[1]
    assert far[0] < near[0]


def test_the_same_valid_id_number_is_a_strong_match():
    number = valid_id()
    score, reasons = score_pair(Described(id_number=number), Facts(id_number=number))
    assert score == 1.0 and reasons == ["同一身份证号"]


def test_candidates_come_from_blocking_keys_and_are_ranked(make_person, city_admin):
    wanted = make_person(name="张伟", sex="male", birth_year=1970)
    make_person(name="章伟", sex="female", birth_year=1995)
    make_person(name="刘洋")
    found = linkage.candidates_for(
        Described(name="张伟", sex="male", birth_year=1971), among=Person.objects.all()
    )
    assert found[0].person == wanted
    assert all(c.person.name != "刘洋" for c in found)


def test_a_patrol_meeting_old_zhang_under_the_same_bridge_is_offered_his_file_first(
    make_person, unit, pudong_patrol, client_for
):
    """「老张」, sleeping under the same bridge as last week: his file comes first, with reasons."""
    bridge = (31.2400, 121.5000)
    zhang = make_person("310115", name="张德明", sex="male", birth_year=1962)
    other_zhang = make_person("310115", name="张强", sex="male", birth_year=1964)
    make_person("310115", name="王德明", sex="male", birth_year=1962)
    for days in (6, 8):
        services.timeline_record(
            person=zhang,
            kind=TimelineKind.ENCOUNTER,
            at=timezone.now() - timedelta(days=days),
            summary="桥下露宿，送棉被",
            org_unit=unit("310115"),
            lat=bridge[0] + 0.0005,
            lng=bridge[1],
            place_name="杨浦大桥下",
        )
    services.timeline_record(
        person=other_zhang,
        kind=TimelineKind.ENCOUNTER,
        at=timezone.now() - timedelta(days=3),
        summary="地铁站口",
        org_unit=unit("310115"),
        lat=31.20,
        lng=121.60,
    )
    response = client_for(pudong_patrol).get(
        "/people/candidates/",
        {"name": "老张", "sex": "male", "age": 62, "lat": bridge[0], "lng": bridge[1]},
    )
    html = response.content.decode()
    assert response.status_code == 200
    first = html.index('data-person="')
    assert f'data-person="{zhang.pk}"' in html[first : first + 30]
    assert "称呼“老张”与姓氏“张”相符" in html
    assert "近 30 天 2 次在此地 500 米内出现" in html


def test_a_valid_id_match_links_a_new_file_automatically(make_person, huangpu_person):
    again = make_person("310115", name="张健国", id_number=huangpu_person.id_number)
    assert again.merged_into_id == huangpu_person.pk
    assert LinkReview.objects.get(status=LinkStatus.LINKED)


def test_a_likely_match_without_id_goes_to_the_review_queue(make_person):
    a = make_person(name="张伟", sex="male", birth_year=1970)
    b = make_person(name="章伟", sex="male", birth_year=1971)
    review = LinkReview.objects.get(person_low=a, person_high=b)
    assert review.status == LinkStatus.PENDING
    assert "姓名读音相同：章伟 ~ 张伟" in review.reasons
