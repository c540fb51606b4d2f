from opora.territory.selectors import visible_municipalities, visible_schools


def codes(qs) -> set[str]:
    return set(qs.values_list("code", flat=True))


def test_it_scopes_schools_to_each_role(world):
    assert codes(visible_schools(world.region_user)) == {"0101001", "0101002", "0201001"}
    assert codes(visible_schools(world.north_user)) == {"0101001", "0101002"}
    assert codes(visible_schools(world.south_user)) == {"0201001"}
    assert codes(visible_schools(world.school_user)) == {"0101001"}
    assert codes(visible_schools(world.curator)) == {"0101002"}
    assert codes(visible_schools(world.nobody)) == set()
    assert "9801001" in codes(visible_schools(world.admin))


def test_it_scopes_municipalities(world):
    names = lambda qs: set(qs.values_list("name", flat=True))  # noqa: E731
    assert names(visible_municipalities(world.region_user)) == {
        "Северный район",
        "город Южноозёрск",
    }
    assert names(visible_municipalities(world.school_user)) == {"Северный район"}
    assert names(visible_municipalities(world.curator)) == {"Северный район"}
    assert names(visible_municipalities(world.nobody)) == set()


def test_it_hides_everything_from_inactive_users(world):
    world.region_user.is_active = False
    assert codes(visible_schools(world.region_user)) == set()
