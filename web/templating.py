"""Jinja2 templates, autoescaped; the one place pages are rendered from."""

from importlib.resources import files
from typing import Any

from fastapi.templating import Jinja2Templates
from starlette.requests import Request
from starlette.responses import Response

from web.fault_points import fault_point

_templates = Jinja2Templates(directory=str(files("web") / "templates"))


@fault_point("page.rendering")
def page(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
    """The template `name` rendered with `context`: a whole page, or a part a page fetches."""
    return _templates.TemplateResponse(request, name, context, status_code=status_code)


def not_found_page(request: Request, what: str = "Page") -> Response:
    return page(request, "404.html", {"what": what}, status_code=404)
