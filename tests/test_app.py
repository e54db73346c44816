"""The simulator app opens on the bundled scenarios and previews the highlighted one."""

from __future__ import annotations

from textual.widgets import OptionList, Static

from simulator.catalog import bundled_scenario_paths
from simulator.ui.app import RoleplayApp


async def test_app_lists_bundled_scenarios_and_previews_them() -> None:
    app = RoleplayApp()
    async with app.run_test(size=(80, 24)) as pilot:
        options = app.query_one("#scenario-list", OptionList)
        assert options.option_count == len(bundled_scenario_paths()) >= 2
        preview = app.query_one("#preview-text", Static)
        first = str(preview.render())
        await pilot.press("down")
        second = str(preview.render())
        assert first != second
        assert "Channel:" in second
        await pilot.press("q")
    assert app.return_code == 0
