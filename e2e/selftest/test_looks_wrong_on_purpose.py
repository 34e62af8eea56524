"""A visual test that fails on purpose, run only by e2e/suite/test_reporting.py: a deliberate
CSS change (the New chat buttons hidden) must fail it, with images that show where."""

from e2e.harness.checks.visual import Screenshots


def test_a_button_hidden_by_a_css_change(page, app, screenshots: Screenshots) -> None:
    app.sidebar.hide_new_chat_buttons_on_purpose()
    screenshots.expect_look(page, "empty app")
