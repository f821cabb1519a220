"""Every page with a map hands the tile settings to core/static/core/basemap.js the same way:
as data attributes on the map's element, from the one context processor."""

import pytest

TILES = "https://tiles.example.cn/{z}/{x}/{y}.png"


@pytest.fixture
def tiles(settings, reference):
    settings.MAP_TILE_URL = TILES
    settings.MAP_TILE_ATTRIBUTION = "© 天地图 & <城市底图>"


@pytest.mark.parametrize(
    ("who", "path", "script"),
    [
        ("huangpu_dispatcher", "/map/", "core/map.js"),
        ("huangpu_dispatcher", "/dispatch/", "dispatch/board.js"),
        (None, "/leads/report/", "leads/report.js"),
        ("reporter", "/leads/new/", "leads/report.js"),
        ("pudong_patrol", "/patrols/app/", "patrols/app.js"),
    ],
)
def test_a_map_page_carries_the_tile_settings_and_loads_its_script_as_a_module(
    tiles, request, client, client_for, who, path, script
):
    http = client_for(request.getfixturevalue(who)) if who else client
    page = http.get(path).content.decode()
    assert f'data-tile-url="{TILES}"' in page
    # The attribution is an attribute's text: escaped, never markup.
    assert 'data-tile-attribution="© 天地图 &amp; &lt;城市底图&gt;"' in page
    assert f'<script type="module" src="/static/{script}"></script>' in page
